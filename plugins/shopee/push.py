"""Stock and prices from the ERP to Shopee: one update_stock or update_price call per item,
up to 50 models each (API.md 3.5, 4.7). Shopee answers per model (``success_list`` and
``failure_list``), so each outbox item gets its own outcome."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from erp_integrations.toolkit import AuthError, MarketplaceError, PushItem, PushOutcome


def _model_id(item: PushItem) -> int:
    return int(item.payload["sku_id"].rsplit(":", 1)[1])


def _per_item(client, path: str, list_key: str, items: list[PushItem], entry) -> dict[int, PushOutcome]:
    outcomes: dict[int, PushOutcome] = {}
    grouped: dict[str, list[PushItem]] = defaultdict(list)
    for item in items:
        grouped[item.payload["product_id"]].append(item)
    for item_id, group in grouped.items():
        for first in range(0, len(group), 50):
            chunk = group[first : first + 50]
            try:
                data = client.call("POST", path, body={"item_id": int(item_id), list_key: [entry(i) for i in chunk]})
            except MarketplaceError as exc:
                if exc.retryable or isinstance(exc, AuthError):
                    raise  # not the items' fault: the outbox retries them
                outcomes.update({i.id: PushOutcome(False, exc.public_message()) for i in chunk})
                continue
            failed = {int(f.get("model_id") or 0): f.get("failed_reason") or "refused" for f in data.get("failure_list") or []}
            for i in chunk:
                reason = failed.get(_model_id(i))
                outcomes[i.id] = PushOutcome(False, f"Shopee refused: {reason}") if reason else PushOutcome(True, i.payload.get("note", ""))
    return outcomes


def push_stock(client, items: list[PushItem]) -> dict[int, PushOutcome]:
    return _per_item(
        client,
        "/api/v2/product/update_stock",
        "stock_list",
        items,
        lambda i: {"model_id": _model_id(i), "seller_stock": [{"location_id": i.payload["warehouse_id"], "stock": i.payload["quantity"]}]},
    )


def push_price(client, items: list[PushItem]) -> dict[int, PushOutcome]:
    return _per_item(
        client, "/api/v2/product/update_price", "price_list", items, lambda i: {"model_id": _model_id(i), "original_price": json_number(i.payload["amount"])}
    )


def json_number(amount: str) -> int | float:
    """A price as the JSON number Shopee takes. Prices have at most two decimals (API.md 4.7),
    and a float's repr (what ``json.dumps`` writes) of such a decimal is that decimal's digits.
    Too many decimals are sent as they are, for Shopee to refuse: never rounded here."""
    value = Decimal(amount)
    return int(value) if value == value.to_integral_value() else float(value)


def push_shipments(client, items: list[PushItem]) -> dict[int, PushOutcome]:
    """Ship each package with the seller's carrier and tracking number: ask Shopee what the
    package's channel needs (get_shipping_parameter), then ship_order with that one method
    (API.md 4.6). A channel that needs a pickup address and time slot is refused with a
    message: choosing them from the ERP is not offered yet."""
    from erp_integrations.extensions import db
    from erp_integrations.models import Shipment

    outcomes: dict[int, PushOutcome] = {}
    for item in items:
        shipment = db.session.get(Shipment, item.payload["shipment_row"]) if item.payload.get("shipment_row") else None
        if shipment is None or not shipment.order_external_ids:
            outcomes[item.id] = PushOutcome(False, "the package is not synced yet: sync orders first")
            continue
        where = {"order_sn": shipment.order_external_ids[0], "package_number": item.payload["package_id"]}
        try:
            needed = client.call("GET", "/api/v2/logistics/get_shipping_parameter", query=where).get("info_needed") or {}
            tracking = {"tracking_number": item.payload["tracking_number"]}
            if "non_integrated" in needed:
                method = {"non_integrated": tracking}
            elif needed.get("dropoff") is not None and set(needed["dropoff"]) <= {"tracking_number", "slug", "sender_real_name"}:
                method = {"dropoff": tracking}
            else:
                outcomes[item.id] = PushOutcome(False, "this package's channel needs a pickup address and time slot, which the ERP cannot choose yet")
                continue
            client.request("POST", "/api/v2/logistics/ship_order", body={**where, **method})
        except MarketplaceError as exc:
            if exc.retryable or isinstance(exc, AuthError):
                raise
            outcomes[item.id] = PushOutcome(False, exc.public_message())
            continue
        outcomes[item.id] = PushOutcome(True)
    return outcomes
