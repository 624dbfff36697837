"""The period an income report covers, and the months a lender reads it in.

A window is the ``days`` before its end (default 90, 30 to 365 allowed), in UTC: an income
report is a statement about money, and every amount in the ERP tables carries its own aware
time. Lenders count a month as 30 days (90 days are three months), so the window is cut into
30-day slices counted back from its end; a remainder shorter than 30 days (a 45-day window)
is the first slice and is shown with its length.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

MIN_DAYS, MAX_DAYS, DEFAULT_DAYS = 30, 365, 90
MONTH_DAYS = 30


class WindowError(ValueError):
    """A window the report cannot cover (the message names the field)."""


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    @classmethod
    def ending(cls, end: datetime | None = None, days: int = DEFAULT_DAYS) -> Window:
        if isinstance(days, bool) or not isinstance(days, int) or not MIN_DAYS <= days <= MAX_DAYS:
            raise WindowError(f"days must be a whole number from {MIN_DAYS} to {MAX_DAYS}")
        end = end or datetime.now(UTC)
        if end.tzinfo is None:
            raise WindowError("the window's end must be an aware time")
        end = end.astimezone(UTC)
        return cls(end - timedelta(days=days), end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def months(self) -> Decimal:
        """The window's length in lenders' months (days / 30): the divisor of monthly income."""
        return Decimal(self.days) / MONTH_DAYS

    def slices(self) -> list[Window]:
        """30-day slices, oldest first, the remainder (if any) first."""
        cuts, end = [], self.end
        while end > self.start:
            start = max(self.start, end - timedelta(days=MONTH_DAYS))
            cuts.append(Window(start, end))
            end = start
        return cuts[::-1]
