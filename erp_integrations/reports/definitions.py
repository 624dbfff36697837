"""What every figure of a report means: its name (the key in the API's JSON and the exports),
its label, and where it comes from. The README's "Reports" section prints the same table; a
test keeps the two in step.

Kinds: ``money`` (a decimal in the row's currency), ``count``, ``rate`` (a fraction, 0.0480 is
4.8 %).
"""

from __future__ import annotations

from dataclasses import dataclass

ORDERS = "erp_sales_orders (remote_created_at in the period)"
COUNTED = "orders counted: status not UNPAID or CANCELLED"
STATEMENTS = "erp_finance_statements (statement_time in the period)"
TRANSACTIONS = "erp_statement_transactions of those statements (statement_external_id)"
CREATOR = "erp_affiliate_order_lines of erp_affiliate_orders with side = creator (remote_created_at in the period)"


@dataclass(frozen=True)
class Figure:
    name: str
    label: str
    kind: str
    source: str
    counts: str
    section: str  # seller, finance, affiliate


FIGURES: tuple[Figure, ...] = (
    Figure("orders_placed", "Orders placed", "count", ORDERS, "every status", "seller"),
    Figure("orders_counted", "Orders", "count", ORDERS, COUNTED, "seller"),
    Figure("orders_cancelled", "Cancelled orders", "count", ORDERS, "status CANCELLED", "seller"),
    Figure(
        "orders_refunded",
        "Refunded orders",
        "count",
        "erp_after_sales (kind = return) of the orders counted",
        "refund given: TikTok RETURN_OR_REFUND_REQUEST_COMPLETE, Shopee ACCEPTED or REFUND_PAID",
        "seller",
    ),
    Figure("units", "Units sold", "count", "erp_order_lines.quantity of the orders counted", COUNTED, "seller"),
    Figure("gmv", "GMV", "money", "erp_sales_orders.sub_total (product value after discounts, before shipping and tax)", COUNTED, "seller"),
    Figure(
        "refunds",
        "Refunds",
        "money",
        "erp_after_sales.refund_total (kind = return) of the orders counted",
        "refund given: TikTok RETURN_OR_REFUND_REQUEST_COMPLETE, Shopee ACCEPTED or REFUND_PAID",
        "seller",
    ),
    Figure("net_sales", "Net sales", "money", "gmv - refunds (cancellations are already out of gmv)", COUNTED, "seller"),
    Figure("aov", "Average order value", "money", "gmv / orders_counted", COUNTED, "seller"),
    Figure("taxes", "Taxes collected", "money", "erp_sales_orders.tax", COUNTED, "seller"),
    Figure("shipping_charged", "Shipping charged", "money", "erp_sales_orders.shipping_fee (what buyers paid for shipping)", COUNTED, "seller"),
    Figure("cancellation_rate", "Cancellation rate", "rate", "orders_cancelled / orders_placed", "every status", "seller"),
    Figure("refund_rate", "Refund rate", "rate", "refunds / gmv (by value)", COUNTED, "seller"),
    Figure("statements", "Statements", "count", STATEMENTS, "every payment status", "finance"),
    Figure("settled_revenue", "Settled revenue", "money", "erp_finance_statements.revenue_amount", STATEMENTS, "finance"),
    Figure("fees", "Fees", "money", "erp_finance_statements.fee_amount (negative: what the marketplace kept)", STATEMENTS, "finance"),
    Figure("platform_commission", "Platform commission", "money", TRANSACTIONS + ": platform_commission_amount", STATEMENTS, "finance"),
    Figure("affiliate_commission_paid", "Affiliate commission paid", "money", TRANSACTIONS + ": affiliate_commission_amount", STATEMENTS, "finance"),
    Figure("other_fees", "Other fees", "money", "fees - platform_commission - affiliate_commission_paid", STATEMENTS, "finance"),
    Figure("shipping_cost", "Shipping cost", "money", "erp_finance_statements.shipping_cost_amount", STATEMENTS, "finance"),
    Figure("adjustments", "Adjustments", "money", "erp_finance_statements.adjustment_amount", STATEMENTS, "finance"),
    Figure("net_settlement", "Net settlement", "money", "erp_finance_statements.settlement_amount", STATEMENTS, "finance"),
    Figure("payouts", "Paid out", "money", "erp_payouts.amount (paid_at in the period)", "status PAID", "finance"),
    Figure(
        "available_balance",
        "Available balance",
        "money",
        "erp_withdrawals up to the period's end: SETTLE + TRANSFER + REVERSE - WITHDRAW",
        "every status but FAILED",
        "finance",
    ),
    Figure(
        "settlement_awaiting",
        "Awaiting settlement",
        "money",
        "erp_statement_transactions not settled (is_settled false: the marketplace's latest estimate, as of the last sync): settlement_amount",
        "orders created before the period's end",
        "finance",
    ),
    Figure("creator_orders", "Attributed orders", "count", CREATOR, "every status", "affiliate"),
    Figure("creator_sales", "Attributed sales", "money", CREATOR + ": estimated_commission_base", "every status", "affiliate"),
    Figure("commission_estimated", "Commission estimated", "money", CREATOR + ": estimated_commission", "status not REFUNDED", "affiliate"),
    Figure("commission_actual", "Commission actual", "money", CREATOR + ": actual_commission", "status SETTLED", "affiliate"),
    Figure("commission_awaiting", "Commission awaiting settlement", "money", CREATOR + ": estimated_commission", "status ORDERED", "affiliate"),
    Figure("bonus_estimated", "Bonus commission estimated", "money", CREATOR + ": estimated_bonus_commission", "status not REFUNDED", "affiliate"),
    Figure("bonus_actual", "Bonus commission actual", "money", CREATOR + ": actual_bonus_commission", "status SETTLED", "affiliate"),
    Figure("reward_estimated", "Creator reward estimated", "money", CREATOR + ": estimated_creator_reward", "status not REFUNDED", "affiliate"),
    Figure("reward_actual", "Creator reward actual", "money", CREATOR + ": actual_creator_reward", "status SETTLED", "affiliate"),
)
BY_NAME = {f.name: f for f in FIGURES}
SECTIONS = ("seller", "finance", "affiliate")
