"""Orders and their lines."""

from datetime import UTC

from erp_integrations.mapping import Mapper, const, flag, integer, money, text, unix
from erp_integrations.models import OrderLine, SalesOrder


def _latest_update(document):
    from datetime import datetime

    value = document.get("update_time")
    return datetime.fromtimestamp(int(value), UTC) if value else None


class OrderMapper(Mapper):
    model = SalesOrder
    columns = {
        "external_id": text("id"),
        "status": text("status"),
        "remote_created_at": unix("create_time"),
        "remote_updated_at": _latest_update,
        "paid_at": unix("paid_time"),
        "rts_at": unix("rts_time"),
        "delivered_at": unix("delivery_time"),
        "collected_at": unix("collection_time"),
        "cancelled_at": unix("cancel_time"),
        "cancel_reason": text("cancel_reason"),
        "cancellation_initiator": text("cancellation_initiator"),
        "buyer_user_id": text("user_id"),
        "warehouse_external_id": text("warehouse_id"),
        "fulfillment_type": text("fulfillment_type"),
        "shipping_type": text("shipping_type"),
        "delivery_type": text("delivery_type"),
        "is_cod": flag("is_cod"),
        "is_sample": flag("is_sample_order"),
        "is_replacement": flag("is_replacement_order"),
        "is_on_hold": flag("is_on_hold_order"),
        "currency": text("payment.currency"),
        "original_total_product_price": money("payment.original_total_product_price"),
        "sub_total": money("payment.sub_total"),
        "original_shipping_fee": money("payment.original_shipping_fee"),
        "shipping_fee": money("payment.shipping_fee"),
        "seller_discount": money("payment.seller_discount"),
        "platform_discount": money("payment.platform_discount"),
        "shipping_fee_seller_discount": money("payment.shipping_fee_seller_discount"),
        "shipping_fee_platform_discount": money("payment.shipping_fee_platform_discount"),
        "tax": money("payment.tax"),
        "product_tax": money("payment.product_tax"),
        "shipping_fee_tax": money("payment.shipping_fee_tax"),
        "retail_delivery_fee": money("payment.retail_delivery_fee"),
        "small_order_fee": money("payment.small_order_fee"),
        "total_amount": money("payment.total_amount"),
    }


# Which of an order's times dates each status (API.md, order fields 202309): created unpaid,
# paid (then awaiting shipment), ready to ship (awaiting collection), collected by the carrier
# (in transit), delivered, cancelled. ON_HOLD, PARTIALLY_SHIPPING and COMPLETED have no time of
# their own: the order's update time dates them.
STATUS_TIMES = (
    ("UNPAID", "remote_created_at"),
    ("AWAITING_SHIPMENT", "paid_at"),
    ("AWAITING_COLLECTION", "rts_at"),
    ("IN_TRANSIT", "collected_at"),
    ("DELIVERED", "delivered_at"),
    ("CANCELLED", "cancelled_at"),
)


class OrderLineMapper(Mapper):
    """TikTok sends one line item per unit, so quantity is 1 (a SKU bought twice is two lines)."""

    model = OrderLine
    columns = {
        "external_id": text("id"),
        "product_external_id": text("product_id"),
        "sku_external_id": text("sku_id"),
        "seller_sku": text("seller_sku"),
        "product_name": text("product_name"),
        "sku_name": text("sku_name"),
        "quantity": const(1),
        "currency": text("currency"),
        "original_price": money("original_price"),
        "sale_price": money("sale_price"),
        "seller_discount": money("seller_discount"),
        "platform_discount": money("platform_discount"),
        "display_status": text("display_status"),
        "package_status": text("package_status"),
        "package_external_id": text("package_id"),
        "is_gift": flag("is_gift"),
    }


__all__ = ["STATUS_TIMES", "OrderLineMapper", "OrderMapper", "integer"]
