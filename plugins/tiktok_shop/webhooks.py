"""TikTok Shop webhooks: verifying deliveries, acting on them, managing subscriptions.

An event is a hint, not data: its payload says *what* changed (an order id, a package id), and
the handler refetches those records by id and writes them through the same store functions as
sync. So a replayed or out-of-order event can only write what TikTok holds now, and the
upsert's update-time check keeps a slower refetch from overwriting a newer one.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

import orjson

from erp_integrations.alerts import raise_alert
from erp_integrations.connectors import WebhookDelivery, WebhookOutcome, WebhookRejected
from erp_integrations.toolkit import AuthError, MarketplaceError
from erp_integrations.webhooks import RefetchContext

from . import store
from .signing import sign_webhook, signatures_match

# Type codes (API.md section 8) and the names the Event API subscribes by.
TYPE_NAMES = {
    1: "ORDER_STATUS_CHANGE",
    2: "REVERSE_STATUS_UPDATE",
    3: "RECIPIENT_ADDRESS_UPDATE",
    4: "PACKAGE_UPDATE",
    5: "PRODUCT_STATUS_CHANGE",
    6: "SELLER_DEAUTHORIZATION",
    7: "UPCOMING_AUTHORIZATION_EXPIRATION",
    11: "CANCELLATION_STATUS_CHANGE",
    12: "RETURN_STATUS_CHANGE",
    13: "NEW_CONVERSATION",
    14: "NEW_MESSAGE",
    15: "PRODUCT_INFORMATION_CHANGE",
    16: "PRODUCT_CREATION",
    18: "PRODUCT_CATEGORY_CHANGE",
    33: "NEW_MESSAGE_LISTENER",
    36: "INVOICE_STATUS_CHANGE",
    37: "PRODUCT_AUDIT_STATUS_CHANGE",
}

# Which feature toggle makes an event worth subscribing to (None: always).
EVENT_FEATURES = {
    "ORDER_STATUS_CHANGE": "orders",
    "RECIPIENT_ADDRESS_UPDATE": "orders",
    "PACKAGE_UPDATE": "orders",
    "CANCELLATION_STATUS_CHANGE": "returns",
    "RETURN_STATUS_CHANGE": "returns",
    "PRODUCT_STATUS_CHANGE": "product_catalog",
    "PRODUCT_INFORMATION_CHANGE": "product_catalog",
    "PRODUCT_CREATION": "product_catalog",
    "SELLER_DEAUTHORIZATION": None,
    "UPCOMING_AUTHORIZATION_EXPIRATION": None,
}

ORDER_DETAIL_MAX_IDS = 50


def event_name(code) -> str:
    return TYPE_NAMES.get(code, f"TYPE_{code}")


def read_webhook(verifier: tuple[str, str], headers, body: bytes) -> WebhookDelivery:
    app_key, app_secret = verifier
    if not signatures_match(sign_webhook(app_key, app_secret, body), headers.get("Authorization")):
        raise WebhookRejected("the Authorization header is not the HMAC-SHA256 of app key + body with this account's app secret", 401)
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise WebhookRejected("the body is not JSON", 400) from None
    if not isinstance(payload, dict):
        raise WebhookRejected("the body is not a JSON object", 400)
    notification_id, code = payload.get("tts_notification_id"), payload.get("type")
    if not isinstance(notification_id, (str, int)) or isinstance(notification_id, bool) or not str(notification_id):
        raise WebhookRejected("tts_notification_id is missing", 400)
    if not isinstance(code, int) or isinstance(code, bool):
        raise WebhookRejected("type is missing or not a number", 400)
    shop_id = payload.get("shop_id")
    return WebhookDelivery(str(notification_id), event_name(code), str(shop_id) if shop_id not in (None, "") else None)


# -- handling -----------------------------------------------------------------------------------


class _Plan:
    """What a batch of events asks to refetch, and which events each refetch answers."""

    def __init__(self):
        self.orders: dict[str, list[int]] = defaultdict(list)
        self.packages: dict[str, list[int]] = defaultdict(list)
        self.returns: dict[str, list[int]] = defaultdict(list)
        self.cancellations: dict[str, list[int]] = defaultdict(list)
        self.products: dict[str, list[int]] = defaultdict(list)


def handle_webhooks(connector, account, events) -> dict[int, WebhookOutcome]:
    outcomes: dict[int, WebhookOutcome] = {}
    plan = _Plan()
    for event in events:
        try:
            data = orjson.loads(event.body).get("data") or {}
        except (orjson.JSONDecodeError, AttributeError):
            outcomes[event.id] = WebhookOutcome("failed", "the stored body is not a JSON object")
            continue
        problem = payload_problem(data)
        if problem:
            # Retrying cannot repair a payload: it is parked with the reason, and the other
            # events of the batch go on.
            outcomes[event.id] = WebhookOutcome("failed", f"malformed payload: {problem}")
            continue
        outcomes[event.id] = _route(connector, account, event, data, plan)
    if any(vars(plan).values()):
        outcomes.update(_refetch(connector, account, plan))
    return outcomes


# The ids a payload may name, and where (API.md, webhook payload quirks): scalar ids, and a
# package list of objects each with a package id and a list of order ids.
_ID_FIELDS = ("order_id", "return_id", "cancel_id", "product_id")


def payload_problem(data) -> str | None:
    """Why a signed payload cannot be acted on, or None: checked before anything reads it."""
    if not isinstance(data, dict):
        return "data is not an object"
    for name in _ID_FIELDS:
        value = data.get(name)
        if value is not None and (isinstance(value, (bool, dict, list, float)) or str(value) == ""):
            return f"{name} is not an id"
    packages = data.get("package_list")
    if packages is not None:
        if not isinstance(packages, list):
            return "package_list is not a list"
        for package in packages:
            if not isinstance(package, dict) or isinstance(package.get("package_id"), (dict, list, bool)):
                return "package_list holds an entry that is not a package"
            orders = package.get("order_id_list")
            if orders is not None and (not isinstance(orders, list) or any(isinstance(o, (dict, list, bool)) for o in orders)):
                return "a package's order_id_list is not a list of ids"
    return None


def _route(connector, account, event, data: dict, plan: _Plan) -> WebhookOutcome | None:
    kind = event.event_type
    feature = EVENT_FEATURES.get(kind, "")
    if feature == "" and kind not in ("REVERSE_STATUS_UPDATE",):
        return WebhookOutcome("ignored", f"{kind} is stored; this connector does not act on it")
    if feature and not (account.features or {}).get(feature, connector.default_features().get(feature)):
        return WebhookOutcome("ignored", f"the {feature} feature is off for this account")
    if kind == "SELLER_DEAUTHORIZATION":
        from erp_integrations.toolkit.tokens import mark_needs_reauthorization

        mark_needs_reauthorization(account, "the seller deauthorized the app (webhook)")
        return WebhookOutcome("processed", "account marked as needing re-authorization")
    if kind == "UPCOMING_AUTHORIZATION_EXPIRATION":
        expires = _when(data.get("expiration_time"))
        raise_alert(
            account.id,
            "authorization_expiring",
            f"{account.name}: the TikTok Shop authorization expires {expires}. Use Connect & Authorize before then.",
            data={"expiration_time": data.get("expiration_time")},
        )
        return WebhookOutcome("processed", f"alert raised: authorization expires {expires}")
    order_id = data.get("order_id")
    if order_id:
        plan.orders[str(order_id)].append(event.id)
    if kind == "PACKAGE_UPDATE":
        for package in data.get("package_list") or []:
            plan.packages[str(package.get("package_id"))].append(event.id)
            for listed in package.get("order_id_list") or []:
                plan.orders[str(listed)].append(event.id)
    elif kind == "RETURN_STATUS_CHANGE" and data.get("return_id"):
        plan.returns[str(data["return_id"])].append(event.id)
    elif kind == "CANCELLATION_STATUS_CHANGE" and data.get("cancel_id"):
        plan.cancellations[str(data["cancel_id"])].append(event.id)
    elif kind.startswith("PRODUCT_") and data.get("product_id") is not None:
        # Types 5 and 16 send product_id as a JSON number beyond 2^53: orjson reads it as an
        # exact int, and str() keeps every digit.
        plan.products[str(data["product_id"])].append(event.id)
    if not any(event.id in ids for group in vars(plan).values() for ids in group.values()):
        return WebhookOutcome("failed", f"{kind} names no record to refetch")
    return None  # decided by the refetch


def _when(value) -> str:
    try:
        return datetime.fromtimestamp(int(value), UTC).strftime("on %Y-%m-%d %H:%M UTC")
    except (TypeError, ValueError):
        return "soon"


def _refetch(connector, account, plan: _Plan) -> dict[int, WebhookOutcome]:
    client = connector.client(account)
    context = RefetchContext(account)
    failures: dict[int, str] = {}

    def attempt(ids_by_key: dict[str, list[int]], keys: list[str], fetch) -> None:
        try:
            fetch(keys)
        except MarketplaceError as exc:
            if exc.retryable or isinstance(exc, AuthError):
                raise  # the job retries; the events wait in the inbox
            for key in keys:
                for event_id in ids_by_key[key]:
                    failures[event_id] = exc.public_message()

    order_ids = list(plan.orders)
    for start in range(0, len(order_ids), ORDER_DETAIL_MAX_IDS):
        chunk = order_ids[start : start + ORDER_DETAIL_MAX_IDS]
        attempt(
            plan.orders,
            chunk,
            lambda ids: store.store_orders(context, client.request("GET", "/order/202309/orders", query={"ids": ",".join(ids)}).get("orders") or []),
        )
    for package_id in plan.packages:
        attempt(
            plan.packages,
            [package_id],
            lambda ids: store.store_packages(context, [_package_as_listed(client.request("GET", f"/fulfillment/202309/packages/{ids[0]}"))]),
        )
    if plan.returns:
        attempt(
            plan.returns,
            list(plan.returns),
            lambda ids: store.store_returns(
                context,
                client.request("POST", "/return_refund/202309/returns/search", query={"page_size": 50}, body={"return_ids": ids}).get("return_orders") or [],
            ),
        )
    if plan.cancellations:
        attempt(
            plan.cancellations,
            list(plan.cancellations),
            lambda ids: store.store_cancellations(
                context,
                client.request("POST", "/return_refund/202309/cancellations/search", query={"page_size": 50}, body={"cancel_ids": ids}).get("cancellations")
                or [],
            ),
        )
    for product_id in plan.products:
        attempt(plan.products, [product_id], lambda ids: store.store_products(context, [client.request("GET", f"/product/202309/products/{ids[0]}")]))

    from erp_integrations.extensions import db

    db.session.commit()
    written = ", ".join(f"{k} {v}" for k, v in sorted(context.counts.items())) or "nothing newer than stored"
    answered = {event_id for group in vars(plan).values() for ids in group.values() for event_id in ids}
    return {
        event_id: WebhookOutcome("failed", failures[event_id]) if event_id in failures else WebhookOutcome("processed", f"refetched: {written}")
        for event_id in answered
    }


def _package_as_listed(detail: dict) -> dict:
    """Package detail names its id and status differently from the package search the mapper
    reads; the rest is the same."""
    return {**detail, "id": detail.get("package_id"), "status": detail.get("package_status")}


# -- subscriptions ------------------------------------------------------------------------------


def wanted_event_types(connector, account) -> list[str]:
    features = {**connector.default_features(), **(account.features or {})}
    return [name for name, feature in EVENT_FEATURES.items() if feature is None or features.get(feature)]


def webhook_subscriptions(client) -> list[dict]:
    return client.request("GET", "/event/202309/webhooks").get("webhooks") or []


def subscribe_webhooks(connector, account, client) -> dict:
    """Point every wanted event type at the account's webhook URL; unsubscribe the event types
    this connector knows but no longer wants (others, set up by hand, are left alone)."""
    if not account.webhook_url:
        raise ValueError("set the account's webhook URL first (the address TikTok Shop will post to)")
    wanted = wanted_event_types(connector, account)
    current = {w["event_type"]: w.get("address") for w in webhook_subscriptions(client)}
    registered, removed = [], []
    for event_type in wanted:
        if current.get(event_type) != account.webhook_url:
            client.request("PUT", "/event/202309/webhooks", body={"address": account.webhook_url, "event_type": event_type})
            registered.append(event_type)
    for event_type in current:
        if event_type in EVENT_FEATURES and event_type not in wanted:
            client.request("DELETE", "/event/202309/webhooks", body={"event_type": event_type})
            removed.append(event_type)
    return {"address": account.webhook_url, "wanted": wanted, "registered": registered, "removed": removed, "subscriptions": webhook_subscriptions(client)}
