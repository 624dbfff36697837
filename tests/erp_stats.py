"""The ERP side of the sandbox's ground truth: the same figures, computed with SQL over the
ERP tables of one account, money formatted the way the sandbox formats it."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from erp_integrations.extensions import db
from erp_integrations.models import (
    AffiliateOrder,
    AffiliateOrderLine,
    AfterSale,
    DeliveryOption,
    FinanceStatement,
    LiveSession,
    OrderLine,
    Payout,
    Product,
    ProductVariant,
    Promotion,
    PromotionProduct,
    SalesOrder,
    Shipment,
    StockLevel,
    Warehouse,
    Withdrawal,
)


def money_like(expected: dict, totals: dict) -> dict:
    """Format sums with as many places as the sandbox's string for the same currency."""
    formatted = {}
    for currency, value in totals.items():
        places = len(expected.get(currency, "0.00").partition(".")[2])
        formatted[currency] = str((value or Decimal(0)).quantize(Decimal(1).scaleb(-places)))
    return formatted


def _sum_by_currency(column, currency_column, *where) -> dict:
    rows = db.session.execute(select(currency_column, func.sum(column)).where(*where).group_by(currency_column)).all()
    return {currency: total for currency, total in rows if currency}


def _balance(account_id: int) -> dict:
    settled = _sum_by_currency(Withdrawal.amount, Withdrawal.currency, Withdrawal.account_id == account_id, Withdrawal.type == "SETTLE")
    withdrawn = _sum_by_currency(Withdrawal.amount, Withdrawal.currency, Withdrawal.account_id == account_id, Withdrawal.type == "WITHDRAW")
    return {c: settled.get(c, Decimal(0)) - withdrawn.get(c, Decimal(0)) for c in set(settled) | set(withdrawn)}


def erp_stats(account_id: int, truth: dict) -> dict:
    scalar = lambda q: db.session.scalar(q) or 0  # noqa: E731
    products = Product.account_id == account_id
    live_products = products & (Product.status != "DELETED")
    by_status = dict(db.session.execute(select(Product.status, func.count()).where(live_products).group_by(Product.status)).all())
    orders = SalesOrder.account_id == account_id
    order_status = dict(db.session.execute(select(SalesOrder.status, func.count()).where(orders).group_by(SalesOrder.status)).all())
    return {
        "products": {
            "count": scalar(select(func.count()).select_from(Product).where(live_products)),
            "skus": scalar(select(func.count()).select_from(ProductVariant).join(Product, ProductVariant.product_id == Product.id).where(live_products)),
            "by_status": by_status,
        },
        "inventory": {
            "available_total": int(
                scalar(
                    select(func.sum(StockLevel.available))
                    .join(ProductVariant, StockLevel.variant_id == ProductVariant.id)
                    .join(Product, ProductVariant.product_id == Product.id)
                    .where(live_products)
                )
            )
        },
        "warehouses": {"count": scalar(select(func.count()).select_from(Warehouse).where(Warehouse.account_id == account_id))},
        "orders": {
            "count": scalar(select(func.count()).select_from(SalesOrder).where(orders)),
            "lines": scalar(select(func.count()).select_from(OrderLine).where(OrderLine.account_id == account_id)),
            "by_status": order_status,
            "payment_total": money_like(truth["orders"]["payment_total"], _sum_by_currency(SalesOrder.total_amount, SalesOrder.currency, orders)),
        },
        "packages": {"count": scalar(select(func.count()).select_from(Shipment).where(Shipment.account_id == account_id))},
        "returns": {"count": scalar(select(func.count()).select_from(AfterSale).where(AfterSale.account_id == account_id, AfterSale.kind == "return"))},
        "cancellations": {
            "count": scalar(select(func.count()).select_from(AfterSale).where(AfterSale.account_id == account_id, AfterSale.kind == "cancellation"))
        },
        "statements": {
            "count": scalar(select(func.count()).select_from(FinanceStatement).where(FinanceStatement.account_id == account_id)),
            "settlement_total": money_like(
                truth["statements"]["settlement_total"],
                _sum_by_currency(FinanceStatement.settlement_amount, FinanceStatement.currency, FinanceStatement.account_id == account_id),
            ),
        },
        "payments": {
            "count": scalar(select(func.count()).select_from(Payout).where(Payout.account_id == account_id)),
            "amount_total": money_like(truth["payments"]["amount_total"], _sum_by_currency(Payout.amount, Payout.currency, Payout.account_id == account_id)),
        },
        "withdrawals": {
            "count": scalar(select(func.count()).select_from(Withdrawal).where(Withdrawal.account_id == account_id)),
            "amount_total": money_like(
                truth["withdrawals"]["amount_total"], _sum_by_currency(Withdrawal.amount, Withdrawal.currency, Withdrawal.account_id == account_id)
            ),
        },
        # Settled in, less withdrawn: the balance the ledger leaves.
        "balance": money_like(truth["balance"], _balance(account_id)),
        "affiliate_orders": {
            "count": scalar(select(func.count()).select_from(AffiliateOrder).where(AffiliateOrder.account_id == account_id)),
            "estimated_commission_total": money_like(
                truth["affiliate_orders"]["estimated_commission_total"],
                _sum_by_currency(AffiliateOrderLine.estimated_commission, AffiliateOrderLine.currency, AffiliateOrderLine.account_id == account_id),
            ),
        },
        "live_sessions": {
            "count": scalar(select(func.count()).select_from(LiveSession).where(LiveSession.account_id == account_id)),
            "gmv_total": money_like(
                truth["live_sessions"]["gmv_total"], _sum_by_currency(LiveSession.gmv, LiveSession.currency, LiveSession.account_id == account_id)
            ),
        },
        "promotions": _promotions(account_id),
        "delivery_options": _delivery_options(account_id),
    }


def _delivery_options(account_id: int) -> dict:
    options = db.session.scalars(select(DeliveryOption).where(DeliveryOption.account_id == account_id)).all()
    return {
        "count": len(options),
        "carriers": sum(len(o.carriers) for o in options),
        "fulfilled_by_platform": sum(1 for o in options if o.fulfilled_by_platform),
    }


def _promotions(account_id: int) -> dict:
    scalar = lambda q: db.session.scalar(q) or 0  # noqa: E731
    activities = (Promotion.account_id == account_id) & (Promotion.kind == "activity")
    coupons = (Promotion.account_id == account_id) & (Promotion.kind == "coupon")
    covered = select(func.count()).select_from(PromotionProduct).where(PromotionProduct.account_id == account_id)
    return {
        "activities": {
            "count": scalar(select(func.count()).select_from(Promotion).where(activities)),
            "by_status": dict(db.session.execute(select(Promotion.status, func.count()).where(activities).group_by(Promotion.status)).all()),
            "products": scalar(covered.where(PromotionProduct.sku_external_id.is_(None))),
            "skus": scalar(covered.where(PromotionProduct.sku_external_id.is_not(None))),
        },
        "coupons": {
            "count": scalar(select(func.count()).select_from(Promotion).where(coupons)),
            "claimed_total": scalar(select(func.sum(Promotion.claimed)).where(coupons)),
        },
    }


def comparable(truth: dict) -> dict:
    """The sandbox's stats without what the ERP side does not compute (shop id, time)."""
    return {k: v for k, v in truth.items() if k not in ("shop", "as_of")}
