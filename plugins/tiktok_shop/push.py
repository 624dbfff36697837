"""Pushing ERP changes to TikTok Shop: inventory, prices, package shipment, the seller's
answers to return and cancellation requests, order cancellation and ending a promotion.

Inventory and prices are updated per product (one call carries every SKU and warehouse of
that product); TikTok answers inventory updates with per-SKU errors in ``data.errors``, so one
bad SKU fails alone. A retryable failure (rate limit, 5xx, timeout) after the client's own
retries is raised so the job retries later; any other refusal fails only the items of that
call, with TikTok's message.
"""

from __future__ import annotations

from collections import defaultdict

from erp_integrations.connectors import PushItem, PushOutcome
from erp_integrations.toolkit import AuthError, MarketplaceError


def push(client, kind: str, items: list[PushItem]) -> dict[int, PushOutcome]:
    return PUSHERS[kind](client, items)


def _call(client, path: str, body: dict, query: dict | None = None, method: str = "POST") -> tuple[dict | None, str | None]:
    """The call's data, or the message that fails its items. Retryable and authorization
    problems are not the items' fault: they propagate."""
    try:
        return client.request(method, path, body=body, query=query), None
    except MarketplaceError as exc:
        if exc.retryable or isinstance(exc, AuthError):
            raise
        return None, exc.public_message()


def _by_product(items: list[PushItem]) -> dict[str, list[PushItem]]:
    grouped: dict[str, list[PushItem]] = defaultdict(list)
    for item in items:
        grouped[item.payload["product_id"]].append(item)
    return grouped


def push_stock(client, items: list[PushItem]) -> dict[int, PushOutcome]:
    outcomes: dict[int, PushOutcome] = {}
    for product_id, group in _by_product(items).items():
        per_sku: dict[str, list[PushItem]] = defaultdict(list)
        for item in group:
            per_sku[item.payload["sku_id"]].append(item)
        body = {
            "skus": [
                {"id": sku, "inventory": [{"warehouse_id": i.payload["warehouse_id"], "quantity": i.payload["quantity"]} for i in its]}
                for sku, its in per_sku.items()
            ]
        }
        data, failure = _call(client, f"/product/202309/products/{product_id}/inventory/update", body)
        refused: dict[tuple[str, str | None], str] = {}
        for error in (data or {}).get("errors") or []:
            detail = error.get("detail") or {}
            sku = str(detail.get("sku_id", ""))
            extra = detail.get("extra_errors") or []
            for warehouse_error in extra:
                refused[(sku, str(warehouse_error.get("warehouse_id")))] = f"{warehouse_error.get('message')} (code {warehouse_error.get('code')})"
            if not extra:
                refused[(sku, None)] = f"{error.get('message')} (code {error.get('code')})"
        for item in group:
            p = item.payload
            message = failure or refused.get((p["sku_id"], p["warehouse_id"])) or refused.get((p["sku_id"], None))
            outcomes[item.id] = PushOutcome(message is None, message or "")
    return outcomes


def push_price(client, items: list[PushItem]) -> dict[int, PushOutcome]:
    outcomes: dict[int, PushOutcome] = {}
    for product_id, group in _by_product(items).items():
        body = {"skus": [{"id": i.payload["sku_id"], "price": {"amount": i.payload["amount"], "currency": i.payload["currency"]}} for i in group]}
        _, failure = _call(client, f"/product/202309/products/{product_id}/prices/update", body)
        outcomes.update({i.id: PushOutcome(failure is None, failure or "") for i in group})
    return outcomes


def push_shipment(client, items: list[PushItem]) -> dict[int, PushOutcome]:
    outcomes: dict[int, PushOutcome] = {}
    for item in items:
        p = item.payload
        self_shipment = {"tracking_number": p["tracking_number"]}
        if p.get("shipping_provider_id"):
            self_shipment["shipping_provider_id"] = p["shipping_provider_id"]
        _, failure = _call(
            client, f"/fulfillment/202309/packages/{p['package_id']}/ship", {"handover_method": p["handover_method"], "self_shipment": self_shipment}
        )
        outcomes[item.id] = PushOutcome(failure is None, failure or "")
    return outcomes


# Approve Return / Reject Return take the seller's ``decision``, which depends on what the buyer
# asked for (node_sdk_catalog.md, "POST /return_refund/202309/returns/{return_id}/approve"):
# approving a return-and-refund means "send it back" (a returnless refund is a choice this
# push does not make for the seller).
RETURN_DECISIONS = {
    ("approve", "REFUND"): "APPROVE_REFUND",
    ("approve", "RETURN_AND_REFUND"): "APPROVE_RETURN",
    ("approve", "REPLACEMENT"): "APPROVE_REPLACEMENT",
    ("reject", "REFUND"): "REJECT_REFUND",
    ("reject", "RETURN_AND_REFUND"): "REJECT_RETURN",
    ("reject", "REPLACEMENT"): "REJECT_REPLACEMENT",
}


def _decide(client, items: list[PushItem], path: str, with_decision: bool) -> dict[int, PushOutcome]:
    outcomes: dict[int, PushOutcome] = {}
    for item in items:
        p = item.payload
        body: dict = {}
        decision = RETURN_DECISIONS.get((p["decision"], p["type"])) if with_decision else None
        if decision:
            body["decision"] = decision
        if p["decision"] == "reject":
            body["reject_reason"] = p["reject_reason"]
            if p.get("comment"):
                body["comment"] = p["comment"]
        # The idempotency key is a query parameter on these calls (node_sdk_catalog.md, same entries).
        _, failure = _call(client, path.format(id=p["id"], decision=p["decision"]), body, query={"idempotency_key": p["idempotency_key"]})
        outcomes[item.id] = PushOutcome(failure is None, failure or "")
    return outcomes


def push_return_decision(client, items: list[PushItem]) -> dict[int, PushOutcome]:
    return _decide(client, items, "/return_refund/202309/returns/{id}/{decision}", with_decision=True)


def push_cancellation_decision(client, items: list[PushItem]) -> dict[int, PushOutcome]:
    return _decide(client, items, "/return_refund/202309/cancellations/{id}/{decision}", with_decision=False)


def push_order_cancel(client, items: list[PushItem]) -> dict[int, PushOutcome]:
    """Cancel Order (``POST /return_refund/202309/cancellations``): the whole order, with the
    seller's reason."""
    outcomes: dict[int, PushOutcome] = {}
    for item in items:
        p = item.payload
        _, failure = _call(client, "/return_refund/202309/cancellations", {"order_id": p["order_id"], "cancel_reason": p["cancel_reason"]})
        outcomes[item.id] = PushOutcome(failure is None, failure or "")
    return outcomes


def push_promotion_deactivate(client, items: list[PushItem]) -> dict[int, PushOutcome]:
    """Deactivate Activity (``POST /promotion/202309/activities/{activity_id}/deactivate``)."""
    outcomes: dict[int, PushOutcome] = {}
    for item in items:
        _, failure = _call(client, f"/promotion/202309/activities/{item.payload['activity_id']}/deactivate", {})
        outcomes[item.id] = PushOutcome(failure is None, failure or "")
    return outcomes


def push_promotion_create(client, items: list[PushItem]) -> dict[int, PushOutcome]:
    """Create Activity (``POST /promotion/202309/activities``)."""
    outcomes: dict[int, PushOutcome] = {}
    for item in items:
        p = item.payload
        body = {k: p[k] for k in ("title", "activity_type", "product_level", "begin_time", "end_time")} | {"duration_type": "NORMAL"}
        _, failure = _call(client, "/promotion/202309/activities", body)
        outcomes[item.id] = PushOutcome(failure is None, failure or "")
    return outcomes


def push_promotion_update(client, items: list[PushItem]) -> dict[int, PushOutcome]:
    """Update Activity (``PUT /promotion/202309/activities/{activity_id}``)."""
    outcomes: dict[int, PushOutcome] = {}
    for item in items:
        p = item.payload
        body = {k: p[k] for k in ("title", "begin_time", "end_time")}
        _, failure = _call(client, f"/promotion/202309/activities/{p['activity_id']}", body, method="PUT")
        outcomes[item.id] = PushOutcome(failure is None, failure or "")
    return outcomes


def _by_activity(items: list[PushItem]) -> dict[str, list[PushItem]]:
    grouped: dict[str, list[PushItem]] = defaultdict(list)
    for item in items:
        grouped[item.payload["activity_id"]].append(item)
    return grouped


def _activity_products(client, items: list[PushItem], method: str, body_of) -> dict[int, PushOutcome]:
    """One call per activity and 300 items (the endpoints' limit): ``body_of(activity_id,
    chunk)`` is the call's body."""
    outcomes: dict[int, PushOutcome] = {}
    for activity_id, group in _by_activity(items).items():
        for start in range(0, len(group), 300):
            chunk = group[start : start + 300]
            _, failure = _call(client, f"/promotion/202309/activities/{activity_id}/products", body_of(activity_id, chunk), method=method)
            outcomes.update({i.id: PushOutcome(failure is None, failure or "") for i in chunk})
    return outcomes


def push_promotion_product(client, items: list[PushItem]) -> dict[int, PushOutcome]:
    """Update Activity Product (``PUT .../activities/{activity_id}/products``)."""
    return _activity_products(client, items, "PUT", lambda activity_id, chunk: {"activity_id": activity_id, "products": [i.payload["product"] for i in chunk]})


def push_promotion_product_removal(client, items: list[PushItem]) -> dict[int, PushOutcome]:
    """Remove Activity Product (``DELETE .../activities/{activity_id}/products``)."""

    def body(activity_id, chunk):
        return {
            "product_ids": [i.payload["product_id"] for i in chunk if i.payload["product_id"]],
            "sku_ids": [i.payload["sku_id"] for i in chunk if i.payload["sku_id"]],
        }

    return _activity_products(client, items, "DELETE", body)


def reject_reasons(client, external_id: str) -> list[dict[str, str]]:
    data = client.request("GET", "/return_refund/202309/reject_reasons", query={"return_or_cancel_id": external_id})
    return [{"name": str(r.get("name", "")), "text": str(r.get("text", ""))} for r in data.get("reasons") or []]


PUSHERS = {
    "stock": push_stock,
    "price": push_price,
    "shipment": push_shipment,
    "return_decision": push_return_decision,
    "cancellation_decision": push_cancellation_decision,
    "order_cancel": push_order_cancel,
    "promotion_create": push_promotion_create,
    "promotion_update": push_promotion_update,
    "promotion_product": push_promotion_product,
    "promotion_product_removal": push_promotion_product_removal,
    "promotion_deactivate": push_promotion_deactivate,
}
