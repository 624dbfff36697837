"""One order with everything the ERP knows of it: lines, status history, packages."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import AfterSale, OrderLine, OrderStatusChange, SalesOrder, Shipment
from .listings import LISTINGS, json_value, row_values


def order_detail(account_id: int, external_id: str) -> dict | None:
    order = db.session.scalar(select(SalesOrder).where(SalesOrder.account_id == account_id, SalesOrder.external_id == external_id))
    if order is None:
        return None
    lines = db.session.scalars(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)).all()
    history = db.session.scalars(
        select(OrderStatusChange).where(OrderStatusChange.order_id == order.id).order_by(OrderStatusChange.occurred_at, OrderStatusChange.id)
    ).all()
    # Lines name their package, so shipments are found by key instead of searching a JSON list.
    package_ids = sorted({line.package_external_id for line in lines if line.package_external_id})
    shipments = db.session.scalars(select(Shipment).where(Shipment.account_id == account_id, Shipment.external_id.in_(package_ids or [""]))).all()
    after_sales = db.session.scalars(
        select(AfterSale).where(AfterSale.account_id == account_id, AfterSale.order_external_id == external_id).order_by(AfterSale.id)
    ).all()
    from .statements import order_settlement

    return {
        "order": order,
        "lines": lines,
        "history": history,
        "shipments": shipments,
        "after_sales": after_sales,
        "settlement": order_settlement(account_id, external_id),
    }


# The order's own times, as the marketplace reports them (UTC).
ORDER_TIMES = ("remote_created_at", "paid_at", "rts_at", "collected_at", "delivered_at", "cancelled_at", "remote_updated_at")


def serialize_order_detail(detail: dict) -> dict:
    order = detail["order"]
    return json_value(
        {
            **row_values(LISTINGS["orders"], order),
            "currency": order.currency,
            "amounts": {
                name: getattr(order, name)
                for name in ("original_total_product_price", "sub_total", "shipping_fee", "seller_discount", "platform_discount", "tax", "total_amount")
            },
            "times": {name: getattr(order, name) for name in ORDER_TIMES},
            "lines": [
                {
                    "id": line.external_id,
                    "product_id": line.product_external_id,
                    "sku_id": line.sku_external_id,
                    "seller_sku": line.seller_sku,
                    "product_name": line.product_name,
                    "sku_name": line.sku_name,
                    "quantity": line.quantity,
                    "currency": line.currency,
                    "original_price": line.original_price,
                    "sale_price": line.sale_price,
                    "seller_discount": line.seller_discount,
                    "platform_discount": line.platform_discount,
                    "display_status": line.display_status,
                    "package_id": line.package_external_id,
                }
                for line in detail["lines"]
            ],
            "status_history": [{"from": h.from_status, "to": h.to_status, "at": h.occurred_at, "time_source": h.time_source} for h in detail["history"]],
            "shipments": [row_values(LISTINGS["shipments"], s) for s in detail["shipments"]],
            "after_sales": [row_values(LISTINGS["returns"], a) for a in detail["after_sales"]],
        }
    )
