"""Push ERP changes to a marketplace: stock, prices, shipments, the seller's answers to return
and cancellation requests; the outbox and its retries."""

from __future__ import annotations

from flask import jsonify
from sqlalchemy import select

from ..accounts import get_account
from ..auth import requires
from ..extensions import db
from ..hooks import get_connector
from ..models import AfterSale, PushRequest, SalesOrder
from ..push import PushRequestInvalid, request_changes
from ..push.outbox import retry_request
from . import api_blueprint
from .errors import ApiError
from .helpers import filter_by_choice, json_object

KINDS = {
    "stock": "stock",
    "prices": "price",
    "shipments": "shipment",
    "return-decisions": "return_decision",
    "cancellation-decisions": "cancellation_decision",
    "order-cancellations": "order_cancel",
    "promotion-deactivations": "promotion_deactivate",
    "promotions": "promotion_create",
    "promotion-updates": "promotion_update",
    "promotion-products": "promotion_product",
    "promotion-product-removals": "promotion_product_removal",
}
AFTER_SALE_KINDS = ("return", "cancellation")
STATUSES = ("pending", "sent", "failed")


@api_blueprint.post("/accounts/<int:account_id>/push/<kind>")
@requires("manage")
def push_changes(account_id: int, kind: str):
    """``{"items": [...]}``; stock items ``{"sku", "warehouse"?, "quantity"}``, prices
    ``{"sku", "amount", "currency"?}``, shipments ``{"package" | "order", "tracking_number",
    "shipping_provider_id"?, "handover_method"?}``, return and cancellation decisions
    ``{"return" | "cancellation", "decision": "approve" | "reject", "reject_reason"?, "comment"?}``,
    order cancellations ``{"order", "cancel_reason"}``, and the promotion kinds of
    ``push.promotions`` (``{"title", "type", "level", "starts_at", "ends_at"}`` to create...)."""
    account = get_account(account_id)
    if kind not in KINDS:
        raise ApiError(404, f"nothing to push called {kind!r}; use one of: {', '.join(KINDS)}")
    try:
        results = request_changes(account, KINDS[kind], json_object().get("items"))
    except PushRequestInvalid as exc:
        raise ApiError(422, "invalid push request", exc.fields) from None
    return jsonify(items=results), 202


@api_blueprint.get("/accounts/<int:account_id>/after-sales/<kind>/<external_id>/reject-reasons")
@requires("read")
def after_sale_reject_reasons(account_id: int, kind: str, external_id: str):
    """The reasons the marketplace accepts for rejecting this return or cancellation request,
    asked of the marketplace (they differ by request and by region)."""
    account = get_account(account_id)
    if kind not in AFTER_SALE_KINDS:
        raise ApiError(404, f"no after-sale kind {kind!r}; use one of: {', '.join(AFTER_SALE_KINDS)}")
    connector = get_connector(account.connector)()
    connector.require("push")
    synced = select(AfterSale.id).where(AfterSale.account_id == account.id, AfterSale.kind == kind, AfterSale.external_id == external_id)
    if db.session.scalar(synced) is None:
        raise ApiError(404, f"no synced {kind} {external_id!r} for account {account.id} (sync {kind}s first)")
    return jsonify(reasons=connector.reject_reasons(account, kind, external_id))


@api_blueprint.get("/accounts/<int:account_id>/orders/<order_id>/cancel-reasons")
@requires("read")
def order_cancel_reasons(account_id: int, order_id: str):
    """The reasons the seller may give for cancelling this synced order now; an empty list
    when it can no longer be cancelled (shipped)."""
    account = get_account(account_id)
    connector = get_connector(account.connector)()
    connector.require("push")
    status = db.session.scalar(select(SalesOrder.status).where(SalesOrder.account_id == account.id, SalesOrder.external_id == order_id))
    if status is None:
        raise ApiError(404, f"no synced order {order_id!r} for account {account.id} (sync orders first)")
    return jsonify(order_status=status, reasons=connector.cancel_reasons(account, status))


@api_blueprint.get("/accounts/<int:account_id>/push")
@requires("read")
def list_push_requests(account_id: int):
    account = get_account(account_id)
    query = select(PushRequest).where(PushRequest.account_id == account.id)
    query = filter_by_choice(query, PushRequest.status, "status", STATUSES)
    query = filter_by_choice(query, PushRequest.kind, "kind", tuple(KINDS.values()))
    rows = db.session.scalars(query.order_by(PushRequest.requested_at.desc(), PushRequest.id.desc()).limit(500))
    return jsonify(requests=[_describe(r) for r in rows])


@api_blueprint.post("/accounts/<int:account_id>/push/requests/<int:request_id>/retry")
@requires("manage")
def retry_push_request(account_id: int, request_id: int):
    row = retry_request(get_account(account_id), request_id)
    return jsonify(_describe(row)), 202


def _describe(row: PushRequest) -> dict:
    return {
        "id": row.id,
        "kind": row.kind,
        "target": row.target,
        "status": row.status,
        "payload": {k: v for k, v in row.payload.items() if not k.endswith("_row")},
        "attempts": row.attempts,
        "error": row.error,
        "requested_at": row.requested_at.isoformat(),
        "sent_at": row.sent_at.isoformat() if row.sent_at else None,
    }
