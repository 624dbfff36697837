"""The dashboard's tables: figures by local day, orders by status, top products and SKUs, LIVE
sessions, affiliate commission by day and by creator. Each returns rows of plain values (money
as Decimal with its currency in its own column), ready for a page, the API or an export.

Days are the account's local days (``periods.day_tables``). The orders' tables read the
rollups (``rollups.py``) when the period is cut in the accounts' own zone, the base tables
otherwise; both give the same rows.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import and_, func, select, type_coerce

from ..extensions import db
from ..models import AffiliateOrder, AffiliateOrderLine, AfterSale, Creator, LiveSession, Payout, SalesOrder
from ..models.base import Money
from ..models.erp import OrderLine
from . import rollups
from .figures import COUNTED, ZERO, refunded_return
from .periods import Period, day_tables

TOP = 10


def daily(account_ids: list[int], period: Period) -> list[dict]:
    """Per local day and currency: orders, GMV, refunds, net sales (orders placed that day) and
    payouts (paid that day). Days without any are listed with zeros, so a chart has no holes."""
    rows: dict[tuple[str, str], dict] = {}

    def row(day: str, currency: str | None) -> dict:
        return rows.setdefault(
            (currency or "???", day), {"day": day, "currency": currency or "???", "orders": 0, "gmv": ZERO, "refunds": ZERO, "payouts": ZERO}
        )

    if rollups.serves(account_ids, period):
        for day, currency, orders, gmv, refunds in rollups.daily_orders(account_ids, period):
            r = row(day.isoformat(), currency)
            r["orders"], r["gmv"], r["refunds"] = int(orders or 0), gmv or ZERO, refunds or ZERO
    else:
        for day, currency, orders, gmv, refunds in base_daily_orders(account_ids, period):
            r = row(day.isoformat(), currency)
            r["orders"], r["gmv"], r["refunds"] = orders, gmv or ZERO, refunds or ZERO
    for days in _days(period):
        for day, currency, paid in db.session.execute(
            select(days.c.day, Payout.currency, func.sum(Payout.amount))
            .join(Payout, and_(Payout.account_id.in_(account_ids), Payout.status == "PAID", Payout.paid_at >= days.c.start, Payout.paid_at < days.c.end))
            .group_by(days.c.day, Payout.currency)
        ):
            row(day.isoformat(), currency)["payouts"] = paid or ZERO
    currencies = sorted({c for c, _ in rows}) or []
    for currency in currencies:
        for day in period.day_list():
            row(day.isoformat(), currency)
    out = sorted(rows.values(), key=lambda r: (r["currency"], r["day"]))
    for r in out:
        r["net_sales"] = r["gmv"] - r["refunds"]
    return out


def _days(period: Period):
    return day_tables(period.day_bounds())


def base_daily_orders(account_ids: list[int], period: Period):
    """(day, currency, counted orders, GMV, refunds) per local day, from the base tables."""
    found: dict[tuple, list] = {}
    for days in _days(period):
        placed = and_(SalesOrder.account_id.in_(account_ids), SalesOrder.remote_created_at >= days.c.start, SalesOrder.remote_created_at < days.c.end)
        for day, currency, orders, gmv in db.session.execute(
            select(days.c.day, SalesOrder.currency, func.count().filter(COUNTED), func.sum(SalesOrder.sub_total).filter(COUNTED))
            .join(SalesOrder, placed)
            .group_by(days.c.day, SalesOrder.currency)
        ):
            found[(day, currency)] = [day, currency, orders, gmv, None]
        for day, currency, refunds in db.session.execute(
            select(days.c.day, SalesOrder.currency, func.sum(AfterSale.refund_total))
            .join(SalesOrder, placed)
            .join(AfterSale, and_(AfterSale.account_id == SalesOrder.account_id, AfterSale.order_external_id == SalesOrder.external_id))
            .where(COUNTED, refunded_return())
            .group_by(days.c.day, SalesOrder.currency)
        ):
            found.setdefault((day, currency), [day, currency, 0, None, None])[4] = refunds
    return list(found.values())


def base_orders_by_status(account_ids: list[int], period: Period):
    """(status, currency, orders, value) from the base table."""
    in_range = and_(SalesOrder.account_id.in_(account_ids), SalesOrder.remote_created_at >= period.start, SalesOrder.remote_created_at < period.end)
    return db.session.execute(
        select(SalesOrder.status, SalesOrder.currency, func.count(), func.sum(SalesOrder.sub_total))
        .where(in_range)
        .group_by(SalesOrder.status, SalesOrder.currency)
        .order_by(func.count().desc(), SalesOrder.status)
    ).all()


def base_top(account_ids: list[int], period: Period, kind: str, limit: int):
    """(item, name, currency, units, sales) of the best sellers, from the base tables."""
    key, name = rollups.ITEM_KEYS[kind]
    in_range = and_(SalesOrder.account_id.in_(account_ids), SalesOrder.remote_created_at >= period.start, SalesOrder.remote_created_at < period.end, COUNTED)
    # type_coerce: the product is money too (on SQLite, scaled integers read back as such).
    sales = func.sum(type_coerce(OrderLine.sale_price * OrderLine.quantity, Money))
    return db.session.execute(
        select(key, func.max(name), SalesOrder.currency, func.sum(OrderLine.quantity), sales)
        .join(OrderLine, OrderLine.order_id == SalesOrder.id)
        .where(in_range)
        .group_by(key, SalesOrder.currency)
        .order_by(sales.desc(), key)
        .limit(limit)
    ).all()


def orders_by_status(account_ids: list[int], period: Period) -> list[dict]:
    found = rollups.orders_by_status(account_ids, period) if rollups.serves(account_ids, period) else base_orders_by_status(account_ids, period)
    return [
        {"status": status or "UNKNOWN", "currency": currency or "???", "orders": int(count), "value": total or ZERO} for status, currency, count, total in found
    ]


def _top(account_ids: list[int], period: Period, kind: str, limit: int) -> list[dict]:
    found = rollups.top(account_ids, period, kind, limit) if rollups.serves(account_ids, period) else base_top(account_ids, period, kind, limit)
    return [
        {"id": ident or "", "name": title or "", "currency": currency or "???", "units": int(units or 0), "sales": total or ZERO}
        for ident, title, currency, units, total in found
    ]


def top_products(account_ids: list[int], period: Period, limit: int = TOP) -> list[dict]:
    return _top(account_ids, period, "product", limit)


def top_skus(account_ids: list[int], period: Period, limit: int = TOP) -> list[dict]:
    return _top(account_ids, period, "sku", limit)


def live_sessions(account_ids: list[int], period: Period, limit: int = 20) -> list[dict]:
    return [
        {
            "id": s.external_id,
            "title": s.title or "",
            "started_at": s.started_at,
            "currency": s.currency or "???",
            "gmv": s.gmv or ZERO,
            "orders": s.orders or 0,
            "viewers": s.viewers or 0,
            "peak_viewers": s.peak_concurrent_users or 0,
        }
        for s in db.session.scalars(
            select(LiveSession)
            .where(LiveSession.account_id.in_(account_ids), LiveSession.started_at >= period.start, LiveSession.started_at < period.end)
            .order_by(LiveSession.gmv.desc(), LiveSession.id)
            .limit(limit)
        )
    ]


def _affiliate_sums():
    line, order = AffiliateOrderLine, AffiliateOrder
    return (
        func.count(func.distinct(order.id)),
        func.sum(line.estimated_commission).filter(order.status.notin_(("REFUNDED", "CANCELLED", "DEDUCTED"))),
        func.sum(line.actual_commission).filter(order.status.in_(("SETTLED", "COMPLETED"))),
    )


def affiliate_by_day(account_ids: list[int], period: Period) -> list[dict]:
    """Commission estimated and actual per local day the affiliate order was placed (both sides:
    what a seller pays creators, what a creator earns). Settled is SETTLED on the creator side
    and COMPLETED on the seller's; refunded orders earn nothing."""
    line, order = AffiliateOrderLine, AffiliateOrder
    found = []
    for days in _days(period):
        rows = db.session.execute(
            select(days.c.day, line.currency, *_affiliate_sums())
            .join(order, and_(order.account_id.in_(account_ids), order.remote_created_at >= days.c.start, order.remote_created_at < days.c.end))
            .join(line, line.affiliate_order_id == order.id)
            .group_by(days.c.day, line.currency)
        )
        found += [{"day": d.isoformat(), "currency": c or "???", "orders": n, "estimated": e or ZERO, "actual": a or ZERO} for d, c, n, e, a in rows]
    return sorted(found, key=lambda r: (r["currency"], r["day"]))


def affiliate_by_creator(account_ids: list[int], period: Period, limit: int = 50) -> list[dict]:
    """Seller side: what each creator's content sold and earned in the period."""
    line, order = AffiliateOrderLine, AffiliateOrder
    estimated = _affiliate_sums()[1]
    rows = db.session.execute(
        select(Creator.username, line.currency, *_affiliate_sums())
        .join(order, line.affiliate_order_id == order.id)
        .join(Creator, Creator.id == line.creator_id)
        .where(order.account_id.in_(account_ids), order.remote_created_at >= period.start, order.remote_created_at < period.end)
        .group_by(Creator.username, line.currency)
        .order_by(estimated.desc(), Creator.username)
        .limit(limit)
    )
    return [{"creator": u or "", "currency": c or "???", "orders": n, "estimated": e or ZERO, "actual": a or ZERO} for u, c, n, e, a in rows]


def money_total(rows: list[dict], field: str) -> dict[str, Decimal]:
    """A column's total per currency (never across)."""
    totals: dict[str, Decimal] = {}
    for r in rows:
        totals[r["currency"]] = totals.get(r["currency"], ZERO) + r[field]
    return totals
