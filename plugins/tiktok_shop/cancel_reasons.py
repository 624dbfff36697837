"""The reasons a seller may give for cancelling an order, by the order's status and the shop's
market: TikTok's own table, "Cancel reasons" (https://partner.tiktokshop.com/docv2/page/cancel-reasons,
sections "Seller Initiates Cancel Reason" and "Seller Reject Cancel Request Reason").

There is no API that lists them (Get Reject Reasons covers rejections of a buyer's request),
so the connector offers these, and TikTok refuses a reason that does not fit the order's status
with error 25001021 "Reason not match order status". The sandbox applies the same table.
"""

from __future__ import annotations

REASON_NOT_MATCH_ORDER_STATUS = 25001021

_US = {
    "UNPAID": (
        ("seller_cancel_unpaid_reason_out_of_stock", "Out of stock"),
        ("seller_cancel_unpaid_reason_wrong_price", "Pricing error"),
        ("seller_cancel_unpaid_reason_buyer_hasnt_paid_within_time_allowed", "Buyer did not pay on time"),
        ("seller_cancel_unpaid_reason_buyer_requested_cancellation", "Buyer requested cancellation"),
    ),
    "PAID": (
        ("seller_cancel_reason_out_of_stock", "Out of stock"),
        ("seller_cancel_reason_wrong_price", "Pricing error"),
        ("seller_cancel_paid_reason_address_not_deliver", "Unable to deliver to buyer address"),
        ("seller_cancel_paid_reason_buyer_requested_cancellation", "Buyer requested cancellation"),
    ),
}
_UK = {
    "UNPAID": (
        ("seller_cancel_unpaid_reason_out_of_stock_uk", "Out of stock"),
        ("seller_cancel_unpaid_reason_wrong_price_uk", "Pricing error"),
        ("seller_cancel_unpaid_reason_buyer_hasnt_paid_within_time_allowed_uk", "Buyer did not pay on time"),
    ),
    "PAID": (
        ("seller_cancel_reason_wrong_price_uk", "Pricing error"),
        ("seller_cancel_paid_reason_address_not_deliver_uk", "Unable to deliver to buyer address"),
        ("seller_cancel_reason_out_of_stock_uk", "Out of stock"),
    ),
}
# The Southeast Asian markets (ID, MY and the others the page lists) have the US reasons but
# "Buyer requested cancellation".
_SEA = {status: tuple(r for r in reasons if "buyer_requested" not in r[0]) for status, reasons in _US.items()}
_BY_MARKET = {"US": _US, "GB": _UK, "UK": _UK}

# "ON_HOLD and AWAITING_SHIPMENT" share the paid reasons; a shipped order cannot be cancelled.
_STATUS_GROUP = {"UNPAID": "UNPAID", "ON_HOLD": "PAID", "AWAITING_SHIPMENT": "PAID"}
CANCELLABLE_STATUSES = frozenset(_STATUS_GROUP)

# Rejecting a buyer's cancellation request: the US reasons, and "Product has been packed" from
# the UK and ID tables (the one the official Reject Cancellation sample uses).
CANCELLATION_REJECT_REASONS = (
    ("ecom_reverse_reject_refund_request_package_delivery_multiple_boxes", "Products were shipped in multiple packages."),
    ("seller_reject_apply_unable_to_change_address", "Unable to change address"),
    ("ecom_reverse_reject_cancel_reason_product_packed", "Product shipped. Tracking updates will be available soon."),
    ("seller_reject_apply_product_has_been_packed", "Product has been packed"),
)


def seller_cancel_reasons(region: str, order_status: str) -> tuple[tuple[str, str], ...]:
    """(name, text) of each reason a seller of ``region`` may give for cancelling an order in
    ``order_status``; none when such an order cannot be cancelled by the seller."""
    group = _STATUS_GROUP.get(order_status)
    if group is None:
        return ()
    return _BY_MARKET.get((region or "").upper(), _SEA)[group]
