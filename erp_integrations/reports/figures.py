"""The figures of a report, per currency, over any set of accounts and any UTC range: one
aggregate query per table, nothing streamed through Python, so a year of a million orders is
summed by the database. ``definitions.py`` says what each name means."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import and_, distinct, func, select

from ..extensions import db
from ..models import AffiliateOrder, AffiliateOrderLine, AfterSale, FinanceStatement, Payout, SalesOrder, StatementTransaction, Withdrawal
from ..models.erp import OrderLine
from .definitions import BY_NAME, FIGURES

ZERO = Decimal(0)
CENT = Decimal("0.01")
NOT_COUNTED = ("UNPAID", "CANCELLED")


def refunded_return():
    """A return whose refund was given, in any connector's words
    (``Connector.refunded_return_statuses``): the condition every refund figure reads."""
    from ..hooks import get_connectors

    statuses = sorted({status for connector in get_connectors().values() for status in connector.refunded_return_statuses})
    return and_(AfterSale.kind == "return", AfterSale.status.in_(statuses))


# Creator-side affiliate statuses (affiliate_creator orders search): ORDERED waits for its
# settlement, SETTLED has been paid, REFUNDED never will be.
CREATOR_AWAITING = ("ORDERED", "UNSPECIFIED")
# The balance ledger (finance withdrawals): money in for SETTLE, TRANSFER (signed as given: a
# deduction is negative) and REVERSE (a failed withdrawal coming back), out for WITHDRAW.
BALANCE_SIGN = {"SETTLE": 1, "TRANSFER": 1, "REVERSE": 1, "WITHDRAW": -1}

Figures = dict[str, dict[str, Any]]  # currency -> figure name -> value


def _orders(account_ids: list[int], start: datetime, end: datetime):
    return and_(SalesOrder.account_id.in_(account_ids), SalesOrder.remote_created_at >= start, SalesOrder.remote_created_at < end)


COUNTED = SalesOrder.status.notin_(NOT_COUNTED)


def seller(account_ids: list[int], start: datetime, end: datetime, into: Figures) -> None:
    """Orders, GMV, refunds, taxes and shipping of the orders placed in [start, end)."""
    in_range = _orders(account_ids, start, end)
    for currency, placed, counted, cancelled, gmv, taxes, shipping in db.session.execute(
        select(
            SalesOrder.currency,
            func.count(),
            func.count().filter(COUNTED),
            func.count().filter(SalesOrder.status == "CANCELLED"),
            func.sum(SalesOrder.sub_total).filter(COUNTED),
            func.sum(SalesOrder.tax).filter(COUNTED),
            func.sum(SalesOrder.shipping_fee).filter(COUNTED),
        )
        .where(in_range)
        .group_by(SalesOrder.currency)
    ):
        row = into[currency or "???"]
        row.update(
            orders_placed=placed, orders_counted=counted, orders_cancelled=cancelled, gmv=gmv or ZERO, taxes=taxes or ZERO, shipping_charged=shipping or ZERO
        )
    for currency, units in db.session.execute(
        select(SalesOrder.currency, func.sum(OrderLine.quantity))
        .join(OrderLine, OrderLine.order_id == SalesOrder.id)
        .where(in_range, COUNTED)
        .group_by(SalesOrder.currency)
    ):
        into[currency or "???"]["units"] = int(units or 0)
    for currency, refunds, orders in refunds_by_currency(in_range):
        into[currency or "???"].update(refunds=refunds or ZERO, orders_refunded=orders)


def refunds_by_currency(orders_chosen):
    """(currency, refunded amount, orders refunded) of the counted orders ``orders_chosen``
    selects: completed returns only (income verification reads the same)."""
    refunded = (
        select(SalesOrder.currency, AfterSale.refund_total, SalesOrder.id)
        .join(AfterSale, and_(AfterSale.account_id == SalesOrder.account_id, AfterSale.order_external_id == SalesOrder.external_id))
        .where(orders_chosen, COUNTED, refunded_return())
    ).subquery()
    return db.session.execute(select(refunded.c.currency, func.sum(refunded.c.refund_total), func.count(distinct(refunded.c.id))).group_by(refunded.c.currency))


def finance(account_ids: list[int], start: datetime, end: datetime, into: Figures) -> None:
    """Statements dated in [start, end), their fees by kind, payouts paid in it, and the balance
    at its end."""
    statements = and_(FinanceStatement.account_id.in_(account_ids), FinanceStatement.statement_time >= start, FinanceStatement.statement_time < end)
    for currency, count, revenue, fees, shipping, adjustments, settlement in db.session.execute(
        select(
            FinanceStatement.currency,
            func.count(),
            func.sum(FinanceStatement.revenue_amount),
            func.sum(FinanceStatement.fee_amount),
            func.sum(FinanceStatement.shipping_cost_amount),
            func.sum(FinanceStatement.adjustment_amount),
            func.sum(FinanceStatement.settlement_amount),
        )
        .where(statements)
        .group_by(FinanceStatement.currency)
    ):
        into[currency or "???"].update(
            statements=count,
            settled_revenue=revenue or ZERO,
            fees=fees or ZERO,
            shipping_cost=shipping or ZERO,
            adjustments=adjustments or ZERO,
            net_settlement=settlement or ZERO,
        )
    for currency, platform, affiliate in db.session.execute(
        select(FinanceStatement.currency, func.sum(StatementTransaction.platform_commission_amount), func.sum(StatementTransaction.affiliate_commission_amount))
        .join(
            StatementTransaction,
            and_(StatementTransaction.account_id == FinanceStatement.account_id, StatementTransaction.statement_external_id == FinanceStatement.external_id),
        )
        .where(statements)
        .group_by(FinanceStatement.currency)
    ):
        row = into[currency or "???"]
        row.update(platform_commission=platform or ZERO, affiliate_commission_paid=affiliate or ZERO)
    for currency, paid in db.session.execute(
        select(Payout.currency, func.sum(Payout.amount))
        .where(Payout.account_id.in_(account_ids), Payout.status == "PAID", Payout.paid_at >= start, Payout.paid_at < end)
        .group_by(Payout.currency)
    ):
        into[currency or "???"]["payouts"] = paid or ZERO
    # What the marketplace still owes: its estimate for each order not settled yet. The
    # estimate is a snapshot (the last sync's), so a past period reads today's estimates of the
    # orders placed before its end.
    for currency, awaiting in db.session.execute(
        select(StatementTransaction.currency, func.sum(StatementTransaction.settlement_amount))
        .where(
            StatementTransaction.account_id.in_(account_ids),
            StatementTransaction.is_settled.is_(False),
            StatementTransaction.order_created_at < end,
        )
        .group_by(StatementTransaction.currency)
    ):
        into[currency or "???"]["settlement_awaiting"] = awaiting or ZERO
    for currency, balance in balances(account_ids, end).items():
        into[currency]["available_balance"] = balance


def balances(account_ids: list[int], moment: datetime) -> dict[str, Decimal]:
    """The available balance per currency at ``moment``, from the settle / transfer / reverse /
    withdraw ledger: a running sum, so it is what the seller could withdraw at that instant."""
    found: dict[str, Decimal] = {}
    for currency, kind, total in db.session.execute(
        select(Withdrawal.currency, Withdrawal.type, func.sum(Withdrawal.amount))
        .where(Withdrawal.account_id.in_(account_ids), Withdrawal.remote_created_at < moment, func.coalesce(Withdrawal.status, "") != "FAILED")
        .group_by(Withdrawal.currency, Withdrawal.type)
    ):
        sign = BALANCE_SIGN.get(kind or "")
        if sign is None or total is None:
            continue
        # WITHDRAW amounts are positive in the API; a TRANSFER keeps its own sign.
        amount = abs(total) if kind in ("SETTLE", "WITHDRAW", "REVERSE") else total
        found[currency or "???"] = found.get(currency or "???", ZERO) + sign * amount
    return found


def affiliate(account_ids: list[int], start: datetime, end: datetime, into: Figures) -> None:
    """The creator side: commissions and rewards, estimated and actual, of the affiliate orders
    created in [start, end)."""
    line, order = AffiliateOrderLine, AffiliateOrder
    live = order.status != "REFUNDED"
    settled = order.status == "SETTLED"
    for row in db.session.execute(
        select(
            line.currency,
            func.count(distinct(order.id)),
            func.sum(line.estimated_commission_base),
            func.sum(line.estimated_commission).filter(live),
            func.sum(line.actual_commission).filter(settled),
            func.sum(line.estimated_commission).filter(order.status.in_(CREATOR_AWAITING)),
            func.sum(line.estimated_bonus_commission).filter(live),
            func.sum(line.actual_bonus_commission).filter(settled),
            func.sum(line.estimated_creator_reward).filter(live),
            func.sum(line.actual_creator_reward).filter(settled),
        )
        .join(order, line.affiliate_order_id == order.id)
        .where(order.account_id.in_(account_ids), order.side == "creator", order.remote_created_at >= start, order.remote_created_at < end)
        .group_by(line.currency)
    ):
        names = ("creator_orders", "creator_sales", "commission_estimated", "commission_actual", "commission_awaiting")
        names += ("bonus_estimated", "bonus_actual", "reward_estimated", "reward_actual")
        into[row[0] or "???"].update(
            {name: (value if value is not None else (0 if name == "creator_orders" else ZERO)) for name, value in zip(names, row[1:], strict=True)}
        )


def ratio(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def derive(row: dict[str, Any]) -> None:
    """The figures computed from others, once the sums are in."""
    if "gmv" in row:
        row["net_sales"] = row["gmv"] - row.get("refunds", ZERO)
        row["aov"] = (row["gmv"] / row["orders_counted"]).quantize(CENT, rounding=ROUND_HALF_UP) if row.get("orders_counted") else None
        row["cancellation_rate"] = ratio(row.get("orders_cancelled", 0), row.get("orders_placed", 0))
        row["refund_rate"] = ratio(row.get("refunds", ZERO), row["gmv"])
        row.setdefault("refunds", ZERO)
        row.setdefault("orders_refunded", 0)
        row.setdefault("units", 0)
    if "fees" in row:
        row.setdefault("platform_commission", ZERO)
        row.setdefault("affiliate_commission_paid", ZERO)
        row["other_fees"] = row["fees"] - row["platform_commission"] - row["affiliate_commission_paid"]


SECTION_FUNCTIONS = {"seller": seller, "finance": finance, "affiliate": affiliate}


def compute(account_ids: list[int], start: datetime, end: datetime, sections: tuple[str, ...], seller_from=None) -> Figures:
    """Every figure of the chosen sections, per currency; a figure with no row is absent.
    ``seller_from`` fills the seller section instead of the base tables (the rollups)."""
    found: Figures = defaultdict(dict)
    for section in sections:
        if section == "seller" and seller_from is not None:
            seller_from(found)
        else:
            SECTION_FUNCTIONS[section](account_ids, start, end, found)
    for row in found.values():
        derive(row)
    return dict(sorted(found.items()))


def as_json(value: Any, name: str) -> Any:
    """A figure as the API and the exports give it: money to the cent as a string (exact), a
    rate as a string of four places, a count as a number."""
    if value is None:
        return None
    kind = BY_NAME[name].kind
    if kind == "money":
        return str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))
    if kind == "rate":
        return str(value)
    return int(value)


def change(current: Any, previous: Any, name: str) -> dict[str, Any] | None:
    """How a figure moved against the previous period: the difference, and the relative change
    where the previous value was not zero."""
    if current is None or previous is None or BY_NAME[name].kind == "rate":
        return None
    delta = Decimal(current) - Decimal(previous)
    relative = ratio(delta, abs(Decimal(previous))) if previous else None
    return {"delta": as_json(delta, name), "relative": None if relative is None else str(relative)}


def ordered_names(sections: tuple[str, ...]) -> list[str]:
    return [f.name for f in FIGURES if f.section in sections]
