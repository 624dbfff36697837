"""Recording ERP changes for a marketplace: validated, resolved to marketplace ids, written to
the push outbox (latest wins per target) and handed to a debounced job.

Requests name things the way an ERP knows them (a seller SKU or the marketplace's SKU id, a
warehouse id, a package or order id); they are resolved against the synced ERP tables, so a
SKU must have been synced before its stock can be pushed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app
from sqlalchemy import or_, select

from ..connectors import Unsupported
from ..errors import RetryRefused
from ..extensions import db
from ..hooks import get_connector
from ..jobs import enqueue, make_job_id
from ..models import (
    AfterSale,
    OrderLine,
    Product,
    ProductVariant,
    PushRequest,
    SalesOrder,
    Shipment,
    Warehouse,
)
from ..models.base import utcnow

MAX_ITEMS = 1000
MAX_QUANTITY = 999_999  # what marketplaces accept for one SKU at one warehouse
MAX_COMMENT = 1000


class PushRequestInvalid(ValueError):
    """A request the outbox refuses, with a message per item field (``items[2].sku``)."""

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__("invalid push request")
        self.fields = fields


@dataclass
class Resolved:
    target: str
    payload: dict[str, Any]
    compare: dict[str, Any]  # what must differ from the last accepted push to send again


def request_changes(account, kind: str, items: Any, *, schedule: bool = True) -> list[dict]:
    """Validate and record ``items`` of ``kind`` for ``account``; all or none are recorded,
    then (``schedule``) the debounced push job is enqueued.

    Returns per item ``{"target", "status": "queued" | "unchanged", "request_id"}`` (plus a
    ``note`` when a value was adjusted, e.g. negative stock pushed as 0)."""
    connector = get_connector(account.connector)
    connector.require("push")
    if kind not in connector.push_kinds:
        raise Unsupported(connector.display_name, "push", f"pushing {kind.replace('_', ' ')} changes")
    if not isinstance(items, list) or not items:
        raise PushRequestInvalid({"items": ["must be a non-empty list"]})
    if len(items) > MAX_ITEMS:
        raise PushRequestInvalid({"items": [f"at most {MAX_ITEMS} per request"]})
    resolve = RESOLVERS[kind]
    resolved, problems = [], {}
    for k, item in enumerate(items):
        try:
            if not isinstance(item, dict):
                raise PushRequestInvalid({"": ["must be an object"]})
            resolved.append(resolve(account, item))
        except PushRequestInvalid as exc:
            for name, messages in exc.fields.items():
                problems[f"items[{k}]{'.' + name if name else ''}"] = messages
    if problems:
        raise PushRequestInvalid(problems)

    results, changed = [], False
    for entry in _latest_per_target(resolved):
        row = db.session.scalars(
            select(PushRequest).where(PushRequest.account_id == account.id, PushRequest.kind == kind, PushRequest.target == entry.target)
        ).first()
        note = entry.payload.get("note")
        if row is not None and row.status == "sent" and row.last_sent == entry.compare:
            results.append(_result(entry.target, "unchanged", row.id, note))
            continue
        if row is None:
            row = PushRequest(account_id=account.id, kind=kind, target=entry.target, version=1)
            db.session.add(row)
        elif row.status != "pending" or row.payload != entry.payload:
            row.version += 1
        row.payload, row.status, row.error, row.requested_at = entry.payload, "pending", None, utcnow()
        db.session.flush()
        changed = True
        results.append(_result(entry.target, "queued", row.id, note))
    db.session.commit()
    if changed and schedule:
        schedule_push(account.id, kind)
    return results


def retry_request(account, request_id: int) -> PushRequest:
    """Send a failed (or still pending) change again."""
    row = db.session.get(PushRequest, request_id)
    if row is None or row.account_id != account.id:
        raise RetryRefused(404, f"no push request {request_id} for account {account.id}")
    if row.status == "sent":
        raise RetryRefused(409, "this change was already accepted by the marketplace")
    row.status, row.version = "pending", row.version + 1
    db.session.commit()
    schedule_push(account.id, row.kind)
    return row


def schedule_push(account_id: int, kind: str):
    """The debounced push job: requests arriving before it runs ride along with it."""
    delay = 0 if kind == "shipment" else current_app.config["ERP_SETTINGS"].push_debounce_seconds
    return enqueue(
        "push_changes", job_id=make_job_id("push_changes", account_id, kind), queue="push", delay=delay, follow_up=True, account_id=account_id, kind=kind
    )


def _result(target: str, status: str, request_id: int, note: str | None) -> dict:
    result = {"target": target, "status": status, "request_id": request_id}
    if note:
        result["note"] = note
    return result


def _latest_per_target(resolved: list[Resolved]) -> list[Resolved]:
    latest: dict[str, Resolved] = {}
    for entry in resolved:
        latest.pop(entry.target, None)
        latest[entry.target] = entry  # the last one in the request wins
    return list(latest.values())


# -- resolution -------------------------------------------------------------------------------


def _text(item: dict, name: str, *, required: bool = True) -> str | None:
    value = item.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool) or not str(value).strip():
        raise PushRequestInvalid({name: ["is required (a non-empty string)" if required else "must be a non-empty string"]})
    return str(value).strip()


def _variant(account, item: dict) -> tuple[ProductVariant, str]:
    sku = _text(item, "sku")
    rows = db.session.execute(
        select(ProductVariant, Product.external_id)
        .join(Product, Product.id == ProductVariant.product_id)
        .where(ProductVariant.account_id == account.id, or_(ProductVariant.external_id == sku, ProductVariant.seller_sku == sku))
    ).all()
    exact = [r for r in rows if r[0].external_id == sku]
    if exact:
        rows = exact
    if not rows:
        raise PushRequestInvalid({"sku": [f"no synced SKU with id or seller SKU {sku!r} (sync the catalog first)"]})
    if len(rows) > 1:
        raise PushRequestInvalid({"sku": [f"seller SKU {sku!r} names {len(rows)} SKUs; use the marketplace SKU id"]})
    return rows[0]


def _warehouse(account, item: dict) -> Warehouse:
    wanted = _text(item, "warehouse", required=False)
    query = select(Warehouse).where(Warehouse.account_id == account.id)
    if wanted is None:
        found = db.session.scalars(query.order_by(Warehouse.is_default.desc(), Warehouse.id)).first()
        if found is None:
            raise PushRequestInvalid({"warehouse": ["no synced warehouse for this account (sync the catalog first)"]})
        return found
    found = db.session.scalars(query.where(Warehouse.external_id == wanted)).first()
    if found is None:
        raise PushRequestInvalid({"warehouse": [f"no synced warehouse {wanted!r}"]})
    return found


def resolve_stock(account, item: dict) -> Resolved:
    quantity = item.get("quantity")
    if not isinstance(quantity, int) or isinstance(quantity, bool):
        raise PushRequestInvalid({"quantity": ["must be a whole number"]})
    variant, product_id = _variant(account, item)
    warehouse = _warehouse(account, item)
    payload = {
        "product_id": product_id,
        "sku_id": variant.external_id,
        "seller_sku": variant.seller_sku,
        "warehouse_id": warehouse.external_id,
        "quantity": min(max(quantity, 0), MAX_QUANTITY),
        "variant_row": variant.id,
        "warehouse_row": warehouse.id,
    }
    if quantity < 0:
        # An oversold ERP can go below zero; a marketplace can't. Zero stops further sales.
        payload["note"] = f"requested {quantity}, pushed 0 (stock is never pushed negative)"
    elif quantity > MAX_QUANTITY:
        payload["note"] = f"requested {quantity}, pushed the marketplace maximum {MAX_QUANTITY}"
    return Resolved(f"{variant.external_id}@{warehouse.external_id}", payload, {"quantity": payload["quantity"]})


def resolve_price(account, item: dict) -> Resolved:
    variant, product_id = _variant(account, item)
    raw = item.get("amount")
    if isinstance(raw, float) or raw is None or isinstance(raw, bool):
        raise PushRequestInvalid({"amount": ['must be a decimal string such as "12.50" (never a float)']})
    try:
        amount = Decimal(str(raw))
    except InvalidOperation:
        raise PushRequestInvalid({"amount": [f"{raw!r} is not a decimal amount"]}) from None
    if not amount.is_finite() or amount <= 0:
        raise PushRequestInvalid({"amount": ["must be a positive amount"]})
    currency = _text(item, "currency", required=False) or variant.currency
    if variant.currency and currency != variant.currency:
        raise PushRequestInvalid({"currency": [f"this SKU is priced in {variant.currency}"]})
    payload = {
        "product_id": product_id,
        "sku_id": variant.external_id,
        "seller_sku": variant.seller_sku,
        "amount": str(amount),
        "currency": currency,
        "variant_row": variant.id,
    }
    return Resolved(variant.external_id, payload, {"amount": str(amount), "currency": currency})


def resolve_shipment(account, item: dict) -> Resolved:
    tracking = _text(item, "tracking_number")
    provider = _text(item, "shipping_provider_id", required=False)
    handover = _text(item, "handover_method", required=False) or "DROP_OFF"
    if handover not in ("DROP_OFF", "PICKUP"):
        raise PushRequestInvalid({"handover_method": ["must be DROP_OFF or PICKUP"]})
    package = _text(item, "package", required=False)
    order = _text(item, "order", required=False)
    if (package is None) == (order is None):
        raise PushRequestInvalid({"package": ["name either package (the marketplace package id) or order"]})
    if package is None:
        lines = select(OrderLine.package_external_id).join(SalesOrder, SalesOrder.id == OrderLine.order_id)
        packages = set(db.session.scalars(lines.where(SalesOrder.account_id == account.id, SalesOrder.external_id == order)))
        packages.discard(None)
        if len(packages) != 1:
            message = "has no synced package yet (sync orders first)" if not packages else f"has {len(packages)} packages; name the package"
            raise PushRequestInvalid({"order": [f"order {order!r} {message}"]})
        package = packages.pop()
    shipment = db.session.scalars(select(Shipment).where(Shipment.account_id == account.id, Shipment.external_id == package)).first()
    payload = {
        "package_id": package,
        "tracking_number": tracking,
        "shipping_provider_id": provider,
        "handover_method": handover,
        "shipment_row": shipment.id if shipment else None,
    }
    return Resolved(package, payload, {"tracking_number": tracking, "shipping_provider_id": provider})


def _after_sale_decision(kind: str):
    """A seller's answer to a buyer's return or cancellation request: ``{"return" |
    "cancellation": id, "decision": "approve" | "reject", "reject_reason"?, "comment"?}``.
    The request must be synced and still open (``Connector.after_sale_open_statuses``); a
    rejection names one of the marketplace's reasons (``GET .../reject-reasons``)."""

    def resolve(account, item: dict) -> Resolved:
        external_id = _text(item, kind)
        decision = _text(item, "decision")
        if decision not in ("approve", "reject"):
            raise PushRequestInvalid({"decision": ["must be approve or reject"]})
        reason = _text(item, "reject_reason", required=False)
        if decision == "reject" and reason is None:
            raise PushRequestInvalid(
                {"reject_reason": [f"is required to reject; GET /accounts/{account.id}/after-sales/{kind}/{external_id}/reject-reasons lists them"]}
            )
        if decision == "approve" and reason is not None:
            raise PushRequestInvalid({"reject_reason": ["goes only with a rejection"]})
        comment = item.get("comment")
        if comment is not None and (not isinstance(comment, str) or len(comment) > MAX_COMMENT):
            raise PushRequestInvalid({"comment": [f"must be text of at most {MAX_COMMENT} characters"]})
        row = db.session.scalars(
            select(AfterSale).where(AfterSale.account_id == account.id, AfterSale.kind == kind, AfterSale.external_id == external_id)
        ).first()
        if row is None:
            raise PushRequestInvalid({kind: [f"no synced {kind} {external_id!r} (sync {kind}s first)"]})
        if row.status not in get_connector(account.connector).after_sale_open_statuses.get(kind, ()):
            raise PushRequestInvalid(
                {kind: [f"{kind} {external_id} is {row.status or 'in no known status'}: only a pending request can be approved or rejected"]}
            )
        payload = {
            "id": external_id,
            "type": row.type,
            "decision": decision,
            "reject_reason": reason,
            "comment": comment,
            # Sent as the marketplace's idempotency key: a retry after a lost answer cannot
            # decide twice, and a new request (a changed mind before it was sent) gets its own.
            "idempotency_key": secrets.token_hex(16),
            "after_sale_row": row.id,
        }
        return Resolved(external_id, payload, {"decision": decision, "reject_reason": reason})

    return resolve


def resolve_order_cancel(account, item: dict) -> Resolved:
    """The seller cancels a synced order not yet shipped: ``{"order", "cancel_reason"}``, the
    reason one of those the marketplace accepts for the order's status (``GET
    /accounts/{id}/orders/{order}/cancel-reasons``)."""
    order_id = _text(item, "order")
    reason = _text(item, "cancel_reason")
    order = db.session.scalars(select(SalesOrder).where(SalesOrder.account_id == account.id, SalesOrder.external_id == order_id)).first()
    if order is None:
        raise PushRequestInvalid({"order": [f"no synced order {order_id!r} (sync orders first)"]})
    reasons = get_connector(account.connector)().cancel_reasons(account, order.status)
    if not reasons:
        raise PushRequestInvalid({"order": [f"order {order_id} is {order.status}: the seller can cancel only an order that has not shipped"]})
    if reason not in {r["name"] for r in reasons}:
        names = ", ".join(r["name"] for r in reasons)
        raise PushRequestInvalid({"cancel_reason": [f"{reason!r} is not a reason for cancelling an order in {order.status}; use one of: {names}"]})
    payload = {"order_id": order_id, "cancel_reason": reason, "order_row": order.id}
    return Resolved(order_id, payload, {"cancel_reason": reason})


RESOLVERS = {
    "stock": resolve_stock,
    "price": resolve_price,
    "shipment": resolve_shipment,
    "return_decision": _after_sale_decision("return"),
    "cancellation_decision": _after_sale_decision("cancellation"),
    "order_cancel": resolve_order_cancel,
}
# Promotions' kinds are added by .promotions (imported with the package).
