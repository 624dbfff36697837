"""The income report: what a seller's shop and a creator's commissions earned over a window,
read from the synced ERP tables, per currency, for one account or the accounts of one person.

Every figure is defined in the README's "Income verification" section with the table, columns
and statuses it reads; in short:

- **Orders placed**: ``erp_sales_orders`` created in the window (``remote_created_at``).
- **Orders counted**: placed, less ``UNPAID`` and ``CANCELLED``. **Completed**: ``DELIVERED`` or
  ``COMPLETED``. **Cancellation rate**: cancelled / placed.
- **GMV**: the sum of ``sub_total`` (product value after discounts, before shipping and tax)
  of the orders counted. **AOV**: GMV / orders counted. **Units**: ``erp_order_lines.quantity``.
- **Refunds**: ``erp_after_sales.refund_total`` of the returns (``kind = 'return'``) whose
  status says the refund was given (``Connector.refunded_return_statuses``; TikTok's
  ``RETURN_OR_REFUND_REQUEST_COMPLETE``) on those orders. **Return rate**: refunds /
  GMV (by value; the count of returned orders is given too).
- **Net revenue**: GMV - refunds.
- **Payouts**: ``erp_payouts.amount`` paid (``PAID``) in the window: money that reached the bank.
- **Commission (actual)**: ``erp_affiliate_order_lines.actual_commission`` of creator-side
  affiliate orders created in the window and ``SETTLED``; **estimated, not settled**:
  ``estimated_commission`` of those still ``ORDERED`` (kept apart: not income until paid).
  **Attributed sales**: ``estimated_commission_base`` of all of them.
- **Income**: net revenue + actual commission. **Monthly income**: income / (days / 30).

Amounts in different currencies are never added: each currency is a report of its own. A
combined figure exists only when the caller supplies the conversion rates (``rates``), and says
which it used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import and_, distinct, func, select

from ..extensions import db
from ..models import AffiliateOrder, AffiliateOrderLine, Payout, SalesOrder
from ..models.erp import OrderLine
from .window import Window

CENT = Decimal("0.01")
NOT_COUNTED = ("UNPAID", "CANCELLED")
COMPLETED = ("DELIVERED", "COMPLETED")
# Creator-side affiliate order statuses (affiliate_creator orders search): ORDERED has an
# estimated commission not settled yet, SETTLED an actual one; REFUNDED earns nothing.
AWAITING_SETTLEMENT = ("ORDERED", "UNSPECIFIED")
ZERO = Decimal(0)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def ratio(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part / whole to four places (0.0480 is 4.8%); None when there is no whole."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass
class SellerFigures:
    orders_placed: int = 0
    orders_counted: int = 0
    completed_orders: int = 0
    cancelled_orders: int = 0
    returned_orders: int = 0
    units: int = 0
    gmv: Decimal = ZERO
    refunds: Decimal = ZERO
    payouts: Decimal = ZERO
    shipped_orders: int = 0
    late_shipments: int = 0  # ready to ship more than LATE_AFTER_HOURS after payment

    @property
    def net_revenue(self) -> Decimal:
        return self.gmv - self.refunds

    def as_dict(self) -> dict[str, Any]:
        return {
            "orders_placed": self.orders_placed,
            "orders_counted": self.orders_counted,
            "completed_orders": self.completed_orders,
            "cancelled_orders": self.cancelled_orders,
            "returned_orders": self.returned_orders,
            "units": self.units,
            "gmv": str(cents(self.gmv)),
            "aov": str(cents(self.gmv / self.orders_counted)) if self.orders_counted else None,
            "refunds": str(cents(self.refunds)),
            "net_revenue": str(cents(self.net_revenue)),
            "return_rate": _rate(ratio(self.refunds, self.gmv)),
            "returned_order_rate": _rate(ratio(self.returned_orders, self.orders_counted)),
            "cancellation_rate": _rate(ratio(self.cancelled_orders, self.orders_placed)),
            "late_shipment_rate": _rate(ratio(self.late_shipments, self.shipped_orders)),
            "payouts": str(cents(self.payouts)),
        }


@dataclass
class CreatorFigures:
    attributed_orders: int = 0
    sales: Decimal = ZERO
    actual_commission: Decimal = ZERO
    estimated_unsettled_commission: Decimal = ZERO

    def as_dict(self) -> dict[str, Any]:
        return {
            "attributed_orders": self.attributed_orders,
            "sales": str(cents(self.sales)),
            "actual_commission": str(cents(self.actual_commission)),
            "estimated_unsettled_commission": str(cents(self.estimated_unsettled_commission)),
            "commission_rate": _rate(ratio(self.actual_commission + self.estimated_unsettled_commission, self.sales)),
        }


@dataclass
class CurrencyFigures:
    currency: str
    seller: SellerFigures = field(default_factory=SellerFigures)
    creator: CreatorFigures = field(default_factory=CreatorFigures)

    @property
    def income(self) -> Decimal:
        return self.seller.net_revenue + self.creator.actual_commission


def _rate(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


# A package made ready to ship more than three days after payment is late: TikTok Shop's own
# default handling time for sellers is up to three business days (README, "Income verification").
LATE_AFTER_HOURS = 72


def figures(account_ids: list[int], window: Window) -> dict[str, CurrencyFigures]:
    """Every figure of the accounts over the window, per currency."""
    found: dict[str, CurrencyFigures] = {}

    def of(currency: str | None) -> CurrencyFigures:
        key = currency or "???"
        return found.setdefault(key, CurrencyFigures(key))

    in_window = and_(SalesOrder.account_id.in_(account_ids), SalesOrder.remote_created_at >= window.start, SalesOrder.remote_created_at < window.end)
    counted = SalesOrder.status.notin_(NOT_COUNTED)
    for currency, placed, n_counted, completed, cancelled, gmv in db.session.execute(
        select(
            SalesOrder.currency,
            func.count(),
            func.count().filter(counted),
            func.count().filter(SalesOrder.status.in_(COMPLETED)),
            func.count().filter(SalesOrder.status == "CANCELLED"),
            func.sum(SalesOrder.sub_total).filter(counted),
        )
        .where(in_window)
        .group_by(SalesOrder.currency)
    ):
        seller = of(currency).seller
        seller.orders_placed, seller.orders_counted, seller.completed_orders, seller.cancelled_orders = placed, n_counted, completed, cancelled
        seller.gmv = gmv or ZERO
    for currency, units in db.session.execute(
        select(SalesOrder.currency, func.sum(OrderLine.quantity))
        .join(OrderLine, OrderLine.order_id == SalesOrder.id)
        .where(in_window, counted)
        .group_by(SalesOrder.currency)
    ):
        of(currency).seller.units = int(units or 0)
    # Late shipments are counted here, not in SQL: SQLite keeps times as text, and date
    # arithmetic differs between the two databases. Two columns per order, streamed.
    late_after = timedelta(hours=LATE_AFTER_HOURS)
    shipped = db.session.execute(
        select(SalesOrder.currency, SalesOrder.paid_at, SalesOrder.rts_at).where(
            in_window, counted, SalesOrder.rts_at.is_not(None), SalesOrder.paid_at.is_not(None)
        ),
        execution_options={"yield_per": 5_000},
    )
    for currency, paid_at, rts_at in shipped:
        seller = of(currency).seller
        seller.shipped_orders += 1
        seller.late_shipments += rts_at - paid_at > late_after
    from ..reports.figures import refunds_by_currency

    for currency, refunds, orders in refunds_by_currency(in_window):
        seller = of(currency).seller
        seller.refunds, seller.returned_orders = refunds or ZERO, orders
    for currency, paid in db.session.execute(
        select(Payout.currency, func.sum(Payout.amount))
        .where(Payout.account_id.in_(account_ids), Payout.status == "PAID", Payout.paid_at >= window.start, Payout.paid_at < window.end)
        .group_by(Payout.currency)
    ):
        of(currency).seller.payouts = paid or ZERO
    for currency, orders, sales, actual, estimated in db.session.execute(
        select(
            AffiliateOrderLine.currency,
            func.count(distinct(AffiliateOrder.id)),
            func.sum(AffiliateOrderLine.estimated_commission_base),
            func.sum(AffiliateOrderLine.actual_commission).filter(AffiliateOrder.status == "SETTLED"),
            func.sum(AffiliateOrderLine.estimated_commission).filter(AffiliateOrder.status.in_(AWAITING_SETTLEMENT)),
        )
        .join(AffiliateOrder, AffiliateOrderLine.affiliate_order_id == AffiliateOrder.id)
        .where(
            AffiliateOrder.account_id.in_(account_ids),
            AffiliateOrder.side == "creator",
            AffiliateOrder.remote_created_at >= window.start,
            AffiliateOrder.remote_created_at < window.end,
        )
        .group_by(AffiliateOrderLine.currency)
    ):
        creator = of(currency).creator
        creator.attributed_orders, creator.sales = orders, sales or ZERO
        creator.actual_commission, creator.estimated_unsettled_commission = actual or ZERO, estimated or ZERO
    return found


def first_order_at(account_ids: list[int]) -> datetime | None:
    """The oldest order or affiliate order the ERP holds for these accounts: the shop's (or the
    creator's) age as far as the data shows it."""
    seller = db.session.scalar(select(func.min(SalesOrder.remote_created_at)).where(SalesOrder.account_id.in_(account_ids)))
    creator = db.session.scalar(select(func.min(AffiliateOrder.remote_created_at)).where(AffiliateOrder.account_id.in_(account_ids)))
    known = [t for t in (seller, creator) if t is not None]
    return min(known) if known else None


def service_quality(account_ids: list[int], window: Window) -> dict[str, Any]:
    """The shop's customer service over the window's whole days (``erp_shop_service``): chats, and
    the shares answered within a day and rated satisfied, each day weighted by its chats.
    Unavailable when the marketplace gave no day with a chat."""
    from ..models import ShopServiceDay

    # Whole days inside the window: a day the window starts part-way through is left out.
    first_day = window.start.date() + timedelta(days=0 if window.start.time() == datetime.min.time() else 1)
    rows = db.session.execute(
        select(ShopServiceDay.support_sessions, ShopServiceDay.satisfaction_percentage, ShopServiceDay.response_percentage).where(
            ShopServiceDay.account_id.in_(account_ids),
            ShopServiceDay.day >= first_day,
            ShopServiceDay.day < window.end.date(),
            ShopServiceDay.support_sessions > 0,
        )
    ).all()  # a row a day: at most a year's worth per account
    sessions = sum(r[0] for r in rows)
    if not sessions:
        return {"available": False, "reason": "the marketplace reported no customer service chats in the window"}
    satisfied = sum((Decimal(r[0]) * (r[1] or ZERO) for r in rows), ZERO)
    answered = sum((Decimal(r[0]) * (r[2] or ZERO) for r in rows), ZERO)
    days = len(rows)
    return {
        "available": True,
        "source": "customer service performance",
        "days": days,
        "support_sessions": int(sessions),
        "satisfaction_percentage": str((satisfied / sessions).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)),
        "response_percentage": str((answered / sessions).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)),
    }
