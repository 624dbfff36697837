"""Packages (shipments), returns, refunds and cancellations."""

from erp_integrations.mapping import Mapper, const, money, text, unix
from erp_integrations.models import AfterSale, Shipment


class PackageMapper(Mapper):
    model = Shipment
    columns = {
        "external_id": text("id"),
        "order_external_ids": lambda d: [o["id"] for o in d.get("orders") or []],
        "status": text("status"),
        "tracking_number": text("tracking_number"),
        "shipping_provider": text("shipping_provider_name"),
        "remote_created_at": unix("create_time"),
        "remote_updated_at": unix("update_time"),
    }


class ReturnMapper(Mapper):
    model = AfterSale
    columns = {
        "external_id": text("return_id"),
        "kind": const("return"),
        "order_external_id": text("order_id"),
        "type": text("return_type"),
        "status": text("return_status"),
        "role": text("role"),
        "reason": text("return_reason_text"),
        "currency": text("refund_amount.currency"),
        "refund_total": money("refund_amount.refund_total"),
        "remote_created_at": unix("create_time"),
        "remote_updated_at": unix("update_time"),
    }


class CancellationMapper(Mapper):
    model = AfterSale
    columns = {
        "external_id": text("cancel_id"),
        "kind": const("cancellation"),
        "order_external_id": text("order_id"),
        "type": text("cancel_type"),
        "status": text("cancel_status"),
        "role": text("role"),
        "reason": text("cancel_reason_text"),
        "currency": text("refund_amount.currency"),
        "refund_total": money("refund_amount.refund_total"),
        "remote_created_at": unix("create_time"),
        "remote_updated_at": unix("update_time"),
    }
