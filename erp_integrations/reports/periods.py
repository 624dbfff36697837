"""Reporting periods: a day, a week, a month or a custom range of whole local days, cut in the
account's reporting time zone, each with the previous period of the same length to compare.

Why local days: a seller in Jakarta closes the day at midnight in Jakarta, not in London. The
marketplace itself cuts its daily figures in the shop's zone (TikTok's analytics take
``start_date_ge``/``end_date_lt`` "in the shop's registered timezone") while its statements are
generated at 00:00 UTC; a report follows the people who read it, so orders are bucketed by the
local day they were placed, and statements by the local day their UTC statement time falls in.

Bounds are computed with ``zoneinfo`` for every day, never as "start + n x 24 h": a day in which
the clocks change is 23 or 25 hours long, and a range is the local midnight of its first day to
the local midnight after its last day, whatever happened in between.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

KINDS = ("day", "week", "month", "custom")
# A report of more than two years is not a dashboard but an archive: the export covers it.
MAX_DAYS = 731
EARLIEST = date(2016, 1, 1)  # before any marketplace this module speaks to sold a thing

# The default reporting zone of each region: the zone of the market's capital or main business
# centre (the US: Pacific time, the zone TikTok Shop US's Seller Center shows; we found no API
# document naming a shop's registered zone, hence the per-account setting). README, "Reports".
REGION_ZONES = {
    "US": "America/Los_Angeles",
    "GB": "Europe/London",
    "IE": "Europe/Dublin",
    "DE": "Europe/Berlin",
    "ES": "Europe/Madrid",
    "FR": "Europe/Paris",
    "IT": "Europe/Rome",
    "ID": "Asia/Jakarta",
    "SG": "Asia/Singapore",
    "MY": "Asia/Kuala_Lumpur",
    "TH": "Asia/Bangkok",
    "VN": "Asia/Ho_Chi_Minh",
    "PH": "Asia/Manila",
    "JP": "Asia/Tokyo",
    "TW": "Asia/Taipei",
    "BR": "America/Sao_Paulo",
    "MX": "America/Mexico_City",
    "CO": "America/Bogota",
    "CL": "America/Santiago",
}


class PeriodError(ValueError):
    """A period that cannot be reported, with the request field it is about."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def zone_named(name: str | None) -> ZoneInfo:
    if not name:
        return ZoneInfo("UTC")
    if name not in _zone_names():
        raise PeriodError("time_zone", f"unknown time zone {name!r} (use an IANA name such as Europe/London)")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PeriodError("time_zone", f"unknown time zone {name!r}") from None


_names: frozenset[str] | None = None


def _zone_names() -> frozenset[str]:
    global _names
    if _names is None:
        _names = frozenset(available_timezones())
    return _names


def account_zone_name(account) -> str:
    """The account's reporting zone: its setting, else its region's default, else UTC."""
    return (account.config or {}).get("report_time_zone") or REGION_ZONES.get((account.region or "").upper(), "UTC")


def midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant from which the local date is ``day``. Where the clocks change at midnight
    (Santiago, Cairo, Havana, ...) the wall time 00:00 is skipped or occurs twice; of its two
    readings (PEP 495 folds) the earlier one whose local date is ``day`` is the day's start (in
    Havana on 4 November 2012 the hour after midnight came twice, and both already read as the
    4th), so every instant of [midnight(d), midnight(d + 1)) reads as ``d`` on a local clock."""
    readings = [datetime(day.year, day.month, day.day, fold=fold, tzinfo=zone).astimezone(UTC) for fold in (0, 1)]
    valid = [t for t in readings if t.astimezone(zone).date() == day]
    return min(valid) if valid else max(readings)


@lru_cache(maxsize=64)
def _day_bounds(first: date, days: int, zone: str) -> tuple[tuple[date, datetime, datetime], ...]:
    # A dashboard cuts the same year into days for each of its tables: computed once.
    tz = ZoneInfo(zone)
    cuts = [midnight(first + timedelta(days=k), tz) for k in range(days + 1)]
    return tuple((first + timedelta(days=k), cuts[k], cuts[k + 1]) for k in range(days))


@dataclass(frozen=True)
class Period:
    kind: str
    first: date  # first local day, inclusive
    last: date  # last local day, inclusive
    zone: str

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    @property
    def start(self) -> datetime:
        return midnight(self.first, self.tz)

    @property
    def end(self) -> datetime:
        return midnight(self.last + timedelta(days=1), self.tz)

    def day_list(self) -> list[date]:
        return [self.first + timedelta(days=k) for k in range(self.days)]

    def day_bounds(self) -> list[tuple[date, datetime, datetime]]:
        """Each local day with its UTC start and end (23, 24 or 25 hours apart)."""
        return list(_day_bounds(self.first, self.days, self.zone))

    def previous(self) -> Period:
        """The period of the same length just before: the month before for a calendar month."""
        if self.kind == "month":
            last = self.first - timedelta(days=1)
            return Period("month", last.replace(day=1), last, self.zone)
        return Period(self.kind, self.first - timedelta(days=self.days), self.first - timedelta(days=1), self.zone)

    def label(self) -> str:
        if self.kind == "day":
            return self.first.isoformat()
        if self.kind == "month":
            return self.first.strftime("%B %Y")
        return f"{self.first.isoformat()} to {self.last.isoformat()}"

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "time_zone": self.zone,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "days": self.days,
        }


_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _day(field: str, raw: str | None) -> date:
    if raw is None or not _DAY.match(raw):
        raise PeriodError(field, "must be a date as YYYY-MM-DD")
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise PeriodError(field, f"{raw} is not a calendar date") from None
    if value < EARLIEST or value > date(2100, 1, 1):
        raise PeriodError(field, f"must be between {EARLIEST.isoformat()} and 2100-01-01")
    return value


def parse_period(args, zone: str, today: date | None = None) -> Period:
    """A period from request arguments: ``period`` (day, week, month, custom; default month),
    ``date`` (a day inside the period; default today in the zone) or ``from``/``to`` for custom."""
    zone_named(zone)
    kind = args.get("period") or ("custom" if args.get("from") or args.get("to") else "month")
    if kind not in KINDS:
        raise PeriodError("period", f"must be one of {', '.join(KINDS)}")
    today = today or datetime.now(ZoneInfo(zone)).date()
    if kind == "custom":
        first, last = _day("from", args.get("from")), _day("to", args.get("to"))
        if last < first:
            raise PeriodError("to", "must be on or after from")
        if (last - first).days + 1 > MAX_DAYS:
            raise PeriodError("to", f"a range covers at most {MAX_DAYS} days")
        return Period("custom", first, last, zone)
    anchor = _day("date", args["date"]) if args.get("date") else today
    if kind == "day":
        return Period("day", anchor, anchor, zone)
    if kind == "week":  # ISO weeks: Monday to Sunday
        first = anchor - timedelta(days=anchor.weekday())
        return Period("week", first, first + timedelta(days=6), zone)
    first = anchor.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period("month", first, following - timedelta(days=1), zone)


# SQLite caps a compound SELECT at 500 terms: longer spans are queried in chunks of days.
DAYS_PER_QUERY = 366


def day_tables(bounds: list[tuple[date, datetime, datetime]]):
    """Local days with their UTC bounds (``Period.day_bounds``) as derived tables (day, start,
    end): joined to a table's times, they bucket rows into local days of 23, 24 or 25 hours on
    PostgreSQL and SQLite alike, with no date arithmetic in SQL.

    PostgreSQL gets one table from three array parameters (``unnest``): a year of days as a
    UNION ALL of 365 SELECTs costs ~100 ms of planning alone, the arrays well under one.
    SQLite has no arrays; it gets UNION ALLs of up to DAYS_PER_QUERY days."""
    from sqlalchemy import BigInteger, Date, bindparam, column, func, literal, select, union_all
    from sqlalchemy.dialects.postgresql import ARRAY

    from ..extensions import db
    from ..models.base import UTCDateTime

    moment, day_type = UTCDateTime(), Date()
    if not bounds:
        return
    if db.session.get_bind().dialect.name == "postgresql":
        days, starts, ends = zip(*bounds, strict=True)
        # The bounds travel as Unix seconds: psycopg sends a year of integers in a third of
        # the time it takes for the same timestamps (measured: 2 ms against 7 ms).
        seconds = ARRAY(BigInteger())
        raw = (
            func.unnest(
                bindparam("days", list(days), type_=ARRAY(day_type)),
                bindparam("starts", [int(t.timestamp()) for t in starts], type_=seconds),
                bindparam("ends", [int(t.timestamp()) for t in ends], type_=seconds),
            )
            .table_valued(column("day", day_type), column("s", BigInteger()), column("e", BigInteger()))
            .render_derived(name="bounds", with_types=False)
        )
        yield select(
            raw.c.day.label("day"), func.to_timestamp(raw.c.s, type_=moment).label("start"), func.to_timestamp(raw.c.e, type_=moment).label("end")
        ).subquery("days")
        return
    for k in range(0, len(bounds), DAYS_PER_QUERY):
        rows = [
            select(literal(day, day_type).label("day"), literal(start, moment).label("start"), literal(end, moment).label("end"))
            for day, start, end in bounds[k : k + DAYS_PER_QUERY]
        ]
        yield union_all(*rows).subquery("days") if len(rows) > 1 else rows[0].subquery("days")
