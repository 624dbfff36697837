"""The dashboard's rollups, kept equal to the base tables.

A year of a million orders is too many rows to sum on every page view; the orders' figures per
local day (``erp_report_days``) are a few thousand, and a year's top products read twelve
months of ``erp_report_items`` and the days at its edges. The rollups are derived, never
authoritative:

- **Marking.** Every write of orders, order lines or returns (``erp_record_upserted``, the hook
  plugins use too) records the UTC hours of the orders' creation in ``erp_report_marks``, in
  the same transaction as the write: a rolled-back page leaves no mark and no change.
- **Refreshing.** ``refresh`` recomputes the local days those hours touch from the base tables,
  deletes the marks it read (by id: a mark written meanwhile survives for the next refresh),
  and rebuilds an account whose reporting zone changed. A sync refreshes at its end, and every
  read refreshes first, so a report never reads a stale day; a refresh with nothing marked is
  three small reads.
- **Reading.** A period cut in the accounts' own zone reads the rollups; any other zone (asked
  for, or UTC for shops of different zones) reads the base tables, as before.

An order's creation time never changes at the marketplace, so an order never moves between
days; a purge deletes the days it removed (``forget_before``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from flask import g, has_request_context
from sqlalchemy import and_, delete, func, insert, literal, or_, select, text, type_coerce, union_all

from ..extensions import db
from ..models import AfterSale, IntegrationAccount, SalesOrder
from ..models.base import Money
from ..models.erp import OrderLine
from ..models.rollups import ReportDay, ReportItem, ReportItemMonth, RollupMark, RollupState
from .figures import NOT_COUNTED, ZERO, refunded_return
from .periods import Period, account_zone_name, day_tables, midnight, zone_named

HOUR = timedelta(hours=1)
ITEM_KEYS = {"product": (OrderLine.product_external_id, OrderLine.product_name), "sku": (OrderLine.seller_sku, OrderLine.sku_name)}
ROLLED_UP = ("erp_sales_orders", "erp_order_lines", "erp_after_sales")


# --- marking -------------------------------------------------------------------------------


def mark_written(entity: str, records: list[dict]) -> None:
    """Mark the creation hours of the orders ``records`` (rows just written to ``entity``)
    belong to."""
    if entity not in ROLLED_UP or not records:
        return
    if entity == "erp_sales_orders":
        chosen = SalesOrder.id.in_(select(SalesOrder.id).where(_keys_of_orders(records)))
    elif entity == "erp_order_lines":
        chosen = SalesOrder.id.in_({r["order_id"] for r in records if r.get("order_id")})
    else:
        chosen = _keys_of_orders([{"account_id": r["account_id"], "external_id": r.get("order_external_id")} for r in records])
    hours = {
        (account_id, _hour(created))
        for account_id, created in db.session.execute(select(SalesOrder.account_id, SalesOrder.remote_created_at).where(chosen))
        if created is not None
    }
    if hours:
        db.session.execute(insert(RollupMark), [{"account_id": a, "hour": h} for a, h in sorted(hours)])


def _keys_of_orders(records: list[dict]):
    by_account: dict[int, set[str]] = defaultdict(set)
    for r in records:
        if r.get("external_id"):
            by_account[r["account_id"]].add(r["external_id"])
    if not by_account:
        return literal(False)
    return or_(*(and_(SalesOrder.account_id == a, SalesOrder.external_id.in_(ids)) for a, ids in by_account.items()))


def _hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def days_touched(hour: datetime, zone) -> set[date]:
    """The local days (as ``midnight`` cuts them) that the hour [hour, hour + 1 h) overlaps."""
    local = hour.astimezone(zone).date()
    candidates = (local - timedelta(days=1), local, local + timedelta(days=1))
    return {d for d in candidates if midnight(d, zone) < hour + HOUR and midnight(d + timedelta(days=1), zone) > hour}


def forget_before(account_id: int, cutoff: datetime) -> None:
    """After a purge of the orders created before ``cutoff``: drop the days before the one it
    falls in, and mark that day (its month is then summed again from the days kept)."""
    state = db.session.get(RollupState, account_id)
    if state is None:
        return
    hour = _hour(cutoff)
    first_kept = min(days_touched(hour, zone_named(state.zone)))  # days before it end before the cutoff
    db.session.execute(delete(ReportDay).where(ReportDay.account_id == account_id, ReportDay.day < first_kept))
    db.session.execute(delete(ReportItem).where(ReportItem.account_id == account_id, ReportItem.day < first_kept))
    db.session.execute(delete(ReportItemMonth).where(ReportItemMonth.account_id == account_id, ReportItemMonth.day < first_kept.replace(day=1)))
    db.session.add(RollupMark(account_id=account_id, hour=hour))


# --- refreshing ----------------------------------------------------------------------------


def refresh(account_ids: list[int]) -> None:
    """Bring the accounts' rollups up to date with the base tables, then commit."""
    marks = db.session.execute(select(RollupMark.id, RollupMark.account_id, RollupMark.hour).where(RollupMark.account_id.in_(account_ids))).all()
    states = {s.account_id: s for s in db.session.scalars(select(RollupState).where(RollupState.account_id.in_(account_ids)))}
    accounts = {a.id: a for a in db.session.scalars(select(IntegrationAccount).where(IntegrationAccount.id.in_(account_ids)))}
    stale = [a for a in accounts.values() if a.id not in states or states[a.id].zone != account_zone_name(a)]
    if not marks and not stale:
        return
    hours_of: dict[int, set[datetime]] = defaultdict(set)
    for _, account_id, hour in marks:
        hours_of[account_id].add(hour)
    for account in sorted(accounts.values(), key=lambda a: a.id):
        # One refresh of an account at a time: the row lock (PostgreSQL) or the database's
        # single writer (SQLite) orders two workers finishing syncs of the same shop. Locks
        # are taken in id order, so two refreshes of overlapping sets of shops cannot deadlock.
        _lock(account.id)
        zone_name = account_zone_name(account)
        zone = zone_named(zone_name)
        if account in stale:
            _rebuild(account.id, zone)
        elif hours_of.get(account.id):
            _recompute(account.id, zone, sorted({d for h in hours_of[account.id] for d in days_touched(h, zone)}))
        state = db.session.get(RollupState, account.id)
        if state is None:
            db.session.add(RollupState(account_id=account.id, zone=zone_name, built_at=datetime.now(UTC)))
        elif account in stale:
            state.zone, state.built_at = zone_name, datetime.now(UTC)
    if marks:
        db.session.execute(delete(RollupMark).where(RollupMark.id.in_([m[0] for m in marks])))
    db.session.commit()
    if stale and db.session.get_bind().dialect.name == "postgresql":
        # A rebuild can write millions of rows before autovacuum has looked at the tables;
        # planned with the empty tables' statistics, a year's top list sorts on disk (180 ms
        # against 63 ms measured at ten shops).
        for table in (ReportDay, ReportItem, ReportItemMonth):
            db.session.execute(text(f"ANALYZE {table.__tablename__}"))
        db.session.commit()


def _lock(account_id: int) -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(IntegrationAccount.id).where(IntegrationAccount.id == account_id).with_for_update())


def _rebuild(account_id: int, zone) -> None:
    db.session.execute(delete(ReportDay).where(ReportDay.account_id == account_id))
    db.session.execute(delete(ReportItem).where(ReportItem.account_id == account_id))
    db.session.execute(delete(ReportItemMonth).where(ReportItemMonth.account_id == account_id))
    first, last = db.session.execute(
        select(func.min(SalesOrder.remote_created_at), func.max(SalesOrder.remote_created_at)).where(SalesOrder.account_id == account_id)
    ).one()
    if first is None:
        return
    start, end = first.astimezone(zone).date() - timedelta(days=1), last.astimezone(zone).date() + timedelta(days=1)
    _recompute(account_id, zone, [start + timedelta(days=k) for k in range((end - start).days + 1)], fresh=True)


def _recompute(account_id: int, zone, days: list[date], fresh: bool = False) -> None:
    """Recompute the rollup rows of ``days`` (local dates) and of the months they are in."""
    if not fresh:
        db.session.execute(delete(ReportDay).where(ReportDay.account_id == account_id, ReportDay.day.in_(days)))
        db.session.execute(delete(ReportItem).where(ReportItem.account_id == account_id, ReportItem.day.in_(days)))
    bounds = [(d, midnight(d, zone), midnight(d + timedelta(days=1), zone)) for d in days]
    # The whole span as well as each day's bounds: with it the planner sees how few orders a
    # day holds and walks to their lines by index (measured at a million orders: 300 ms a day
    # without it, a hash join over every line of the account).
    span = (bounds[0][1], bounds[-1][2])
    for table in day_tables(bounds):
        db.session.execute(insert(ReportDay).from_select(_DAY_COLUMNS, _day_rows(account_id, table, span)))
        for kind in ITEM_KEYS:
            db.session.execute(insert(ReportItem).from_select(_ITEM_COLUMNS, _item_rows(account_id, table, kind, span)))
    months = sorted({d.replace(day=1) for d in days})
    db.session.execute(delete(ReportItemMonth).where(ReportItemMonth.account_id == account_id, ReportItemMonth.day.in_(months)))
    for month in months:
        db.session.execute(insert(ReportItemMonth).from_select(_ITEM_COLUMNS, _month_rows(account_id, month)))


_DAY_COLUMNS = ["account_id", "day", "currency", "status", "orders", "sub_total", "tax", "shipping_fee", "units", "refunds", "orders_refunded"]
_ITEM_COLUMNS = ["account_id", "kind", "day", "currency", "item", "name", "units", "sales"]


def _currency(column):
    return func.coalesce(func.nullif(column, ""), "???")


def _day_rows(account_id: int, days, span: tuple[datetime, datetime]):
    """One row per day, currency and status of the orders placed in the days listed."""
    o = SalesOrder
    returned = and_(AfterSale.account_id == o.account_id, AfterSale.order_external_id == o.external_id, refunded_return())
    per_order = (
        select(
            days.c.day.label("day"),
            _currency(o.currency).label("currency"),
            func.coalesce(o.status, "").label("status"),
            o.sub_total,
            o.tax,
            o.shipping_fee,
            select(func.sum(OrderLine.quantity)).where(OrderLine.order_id == o.id).scalar_subquery().label("units"),
            select(func.sum(AfterSale.refund_total)).where(returned).scalar_subquery().label("refund"),
            select(func.count()).where(returned).scalar_subquery().label("returns"),
        )
        .select_from(days)
        .join(o, and_(o.account_id == account_id, o.remote_created_at >= days.c.start, o.remote_created_at < days.c.end))
        .where(o.remote_created_at >= span[0], o.remote_created_at < span[1])
    ).subquery()
    r = per_order.c
    return select(
        literal(account_id),
        r.day,
        r.currency,
        r.status,
        func.count(),
        func.coalesce(func.sum(r.sub_total), 0),
        func.coalesce(func.sum(r.tax), 0),
        func.coalesce(func.sum(r.shipping_fee), 0),
        func.coalesce(func.sum(r.units), 0),
        func.coalesce(func.sum(r.refund), 0),
        func.count().filter(r.returns > 0),
    ).group_by(r.day, r.currency, r.status)


def _counted(status_column):
    return and_(status_column.notin_(NOT_COUNTED), status_column != "")


def _item_rows(account_id: int, days, kind: str, span: tuple[datetime, datetime]):
    key, name = ITEM_KEYS[kind]
    o = SalesOrder
    lines = (
        select(
            days.c.day.label("day"),
            _currency(o.currency).label("currency"),
            func.coalesce(key, "").label("item"),
            name.label("name"),
            OrderLine.quantity.label("quantity"),
            type_coerce(OrderLine.sale_price * OrderLine.quantity, Money).label("sales"),
        )
        .select_from(days)
        .join(o, and_(o.account_id == account_id, o.remote_created_at >= days.c.start, o.remote_created_at < days.c.end, _counted(o.status)))
        .join(OrderLine, OrderLine.order_id == o.id)
        .where(o.remote_created_at >= span[0], o.remote_created_at < span[1])
    ).subquery()
    c = lines.c
    return select(
        literal(account_id),
        literal(kind),
        c.day,
        c.currency,
        c.item,
        func.coalesce(func.max(c.name), ""),
        func.coalesce(func.sum(c.quantity), 0),
        func.coalesce(func.sum(c.sales), 0),
    ).group_by(c.day, c.currency, c.item)


def _month_rows(account_id: int, month: date):
    i = ReportItem
    following = (month + timedelta(days=32)).replace(day=1)
    return (
        select(i.account_id, i.kind, literal(month), i.currency, i.item, func.max(i.name), func.sum(i.units), func.sum(i.sales))
        .where(i.account_id == account_id, i.day >= month, i.day < following)
        .group_by(i.account_id, i.kind, i.currency, i.item)
    )


# --- reading -------------------------------------------------------------------------------


def serves(account_ids: list[int], period: Period) -> bool:
    """Refresh the accounts' rollups and say whether they answer ``period`` (cut in their zone).
    Within a web request the answer is kept: a dashboard asks for every table it draws."""
    key = (tuple(sorted(set(account_ids))), period.zone)
    cache = g.setdefault("report_rollups", {}) if has_request_context() else {}
    if key not in cache:
        refresh(account_ids)
        zones = db.session.execute(select(RollupState.zone, func.count()).where(RollupState.account_id.in_(key[0])).group_by(RollupState.zone)).all()
        cache[key] = len(zones) == 1 and zones[0] == (period.zone, len(key[0]))
    return cache[key]


def _days_of(account_ids: list[int], period: Period):
    return and_(ReportDay.account_id.in_(account_ids), ReportDay.day >= period.first, ReportDay.day <= period.last)


def seller(account_ids: list[int], period: Period, into) -> None:
    """The seller figures of ``figures.seller``, from the day rollup (summed by the database:
    a year of ten shops is 30,000 rows, one row comes back)."""
    d = ReportDay
    counted = _counted(d.status)
    for currency, placed, counted_orders, cancelled, gmv, taxes, shipping, units, refunds, refunded in db.session.execute(
        select(
            d.currency,
            func.sum(d.orders),
            func.sum(d.orders).filter(counted),
            func.sum(d.orders).filter(d.status == "CANCELLED"),
            func.sum(d.sub_total).filter(counted),
            func.sum(d.tax).filter(counted),
            func.sum(d.shipping_fee).filter(counted),
            func.sum(d.units).filter(counted),
            func.sum(d.refunds).filter(counted),
            func.sum(d.orders_refunded).filter(counted),
        )
        .where(_days_of(account_ids, period))
        .group_by(d.currency)
    ):
        into[currency].update(
            orders_placed=int(placed or 0),
            orders_counted=int(counted_orders or 0),
            orders_cancelled=int(cancelled or 0),
            gmv=gmv or ZERO,
            taxes=taxes or ZERO,
            shipping_charged=shipping or ZERO,
            units=int(units or 0),
        )
        if refunded:
            into[currency].update(refunds=refunds or ZERO, orders_refunded=int(refunded))


def daily_orders(account_ids: list[int], period: Period):
    """(day, currency, counted orders, GMV, refunds) per local day with orders."""
    d = ReportDay
    counted = _counted(d.status)
    return db.session.execute(
        select(d.day, d.currency, func.sum(d.orders).filter(counted), func.sum(d.sub_total).filter(counted), func.sum(d.refunds).filter(counted))
        .where(_days_of(account_ids, period))
        .group_by(d.day, d.currency)
    ).all()


def orders_by_status(account_ids: list[int], period: Period):
    """(status, currency, orders, value), the most orders first."""
    d = ReportDay
    orders = func.sum(d.orders)
    return db.session.execute(
        select(d.status, d.currency, orders, func.sum(d.sub_total))
        .where(_days_of(account_ids, period))
        .group_by(d.status, d.currency)
        .order_by(orders.desc(), d.status)
    ).all()


def top(account_ids: list[int], period: Period, kind: str, limit: int):
    """(item, name, currency, units, sales) of the best sellers: whole months from the month
    rows, the days before the first and after the last whole month from the day rows. Each
    span is its own index range (an OR of the three would scan every day of the account)."""
    first_month = period.first if period.first.day == 1 else (period.first.replace(day=1) + timedelta(days=32)).replace(day=1)
    after_last = (period.last + timedelta(days=1)).replace(day=1)  # the month after the last whole one
    if first_month >= after_last:
        ranges = [(ReportItem, period.first, period.last + timedelta(days=1))]
    else:
        ranges = [
            (ReportItemMonth, first_month, after_last),
            (ReportItem, period.first, first_month),
            (ReportItem, after_last, period.last + timedelta(days=1)),
        ]
    parts = [
        select(i.item, i.name, i.currency, i.units, i.sales).where(i.account_id.in_(account_ids), i.kind == kind, i.day >= low, i.day < high)
        for i, low, high in ranges
        if low < high
    ]
    rows = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    sales = func.sum(rows.c.sales)
    return db.session.execute(
        select(rows.c.item, func.max(rows.c.name), rows.c.currency, func.sum(rows.c.units), sales)
        .group_by(rows.c.item, rows.c.currency)
        .order_by(sales.desc(), rows.c.item)
        .limit(limit)
    ).all()
