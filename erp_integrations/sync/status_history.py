"""An order's status history, told with the marketplace's own times.

A sync sees an order only now and then: it may first meet an order already delivered, or see
two changes at once. Recording "the status, at the time the sync saw it" would date a delivery
on the 24th as the 28th. Marketplaces report when most steps happened (paid, ready to ship,
collected, delivered, cancelled), so each step is recorded at that time, and the steps the sync
never saw are filled in from those times. Every entry says where its time comes from:

- ``reported``: the marketplace's own time for that step (e.g. TikTok's ``delivery_time``);
- ``updated``: the order's last update time, for a status the API gives no time of its own;
- ``observed``: when the sync saw it, only where the marketplace gave no time at all.

History is read in the order the steps happened (``occurred_at``), never by sync time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select

from ..extensions import db
from ..models import OrderStatusChange

# (status, the ERP order column holding the marketplace's time of that status), in the order
# an order passes through them. A connector passes its own.
StatusTimes = tuple[tuple[str, str], ...]


def status_path(row: dict, status_times: StatusTimes) -> list[tuple[str, datetime, str]]:
    """The steps an order row shows it went through: ``(status, when, source)``, in time order,
    ending with its current status."""
    current = row["status"]
    steps = [(status, row[column], "reported") for status, column in status_times if row.get(column) is not None]
    steps.sort(key=lambda step: step[1])
    # A step can only precede the current status; drop any reported after it (a cancelled
    # order's paid time stays, but nothing after the cancellation counts).
    end = next((i for i, step in enumerate(steps) if step[0] == current), None)
    if end is not None:
        steps = steps[: end + 1]
    else:
        when, source = (row["remote_updated_at"], "updated") if row.get("remote_updated_at") else (datetime.now(UTC), "observed")
        steps = [s for s in steps if s[1] <= when] + [(current, when, source)]
    return steps


def history_rows(account_id: int, changed: Iterable[tuple[int, dict, str | None]], status_times: StatusTimes) -> list[dict]:
    """History rows for orders whose status changed: ``(order_id, order row, status before)``.
    Steps already recorded for an order are not added again."""
    changed = list(changed)
    known = _recorded(order_id for order_id, _, before in changed if before is not None)
    rows = []
    for order_id, row, _ in changed:
        previous = None
        for status, when, source in status_path(row, status_times):
            if status not in known.get(order_id, ()):
                rows.append(
                    {
                        "account_id": account_id,
                        "order_id": order_id,
                        "from_status": previous,
                        "to_status": status,
                        "remote_updated_at": row.get("remote_updated_at"),
                        "occurred_at": when,
                        "time_source": source,
                    }
                )
            previous = status
    return rows


def _recorded(order_ids: Iterable[int]) -> dict[int, set[str]]:
    ids = list(order_ids)
    known: dict[int, set[str]] = {}
    if ids:
        for order_id, status in db.session.execute(select(OrderStatusChange.order_id, OrderStatusChange.to_status).where(OrderStatusChange.order_id.in_(ids))):
            known.setdefault(order_id, set()).add(status)
    return known
