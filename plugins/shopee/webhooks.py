"""Shopee pushes: verified, acted on by refetching what they name.

Shopee signs ``callback_url + "|" + raw body`` with the push key (or the partner key) and
sends it as ``Authorization`` (API.md 4.8), so the verifier needs the URL Shopee posts to:
the account's webhook URL, exactly as set in the app's push configuration. Pushes carry no id
of their own: a delivery is known by the hash of its body, so a retried push is stored once.

The push configuration belongs to the app, not the shop: with several shops on one partner
app, pushes reach the account whose URL is configured, and the receiver ignores those of
other shops; the others catch up at their scheduled incremental sync.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict

import orjson

from erp_integrations.alerts import raise_alert
from erp_integrations.toolkit import AuthError, MarketplaceError, WebhookDelivery, WebhookOutcome, WebhookRejected
from erp_integrations.webhooks import RefetchContext

from .signing import sign_push

# Push codes (API.md 3.6) and the names the inbox shows.
CODE_NAMES = {
    1: "shop_authorization_push",
    2: "shop_deauthorization_push",
    3: "order_status_push",
    4: "order_trackingno_push",
    5: "shopee_updates",
    6: "banned_item_push",
    7: "item_promotion_push",
    8: "reserved_stock_change_push",
    9: "promotion_update_push",
    12: "open_api_authorization_expiry",
}
ORDER_CODES = frozenset({3, 4})


def webhook_verifier(account, secrets: dict[str, str]) -> tuple[str, str]:
    return (account.webhook_url or "", secrets.get("push_key") or secrets["partner_key"])


def read_webhook(verifier: tuple[str, str], headers, body: bytes) -> WebhookDelivery:
    callback_url, key = verifier
    if not callback_url:
        raise WebhookRejected("this account has no webhook URL: Shopee signs the callback URL, so set it to the URL configured in the app's push settings", 401)
    given = headers.get("Authorization") or ""
    if not hmac.compare_digest(sign_push(key, callback_url, body), given.strip().lower()):
        raise WebhookRejected("the Authorization header is not the HMAC-SHA256 of the callback URL | body with this account's push key", 401)
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise WebhookRejected("the body is not JSON", 400) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("code"), int) or isinstance(payload.get("code"), bool):
        raise WebhookRejected("the body is not a push: no numeric code", 400)
    return delivery_of(body, payload)


def delivery_of(body: bytes, payload: dict | None = None) -> WebhookDelivery:
    """A push as the inbox keeps it: known by its body's hash (pushes carry no id)."""
    payload = orjson.loads(body) if payload is None else payload
    code, shop_id = payload["code"], payload.get("shop_id")
    # Codes 1, 2 and 12 are partner-level and carry no shop_id (API.md 4.8).
    return WebhookDelivery(
        "push:" + hashlib.sha256(body).hexdigest(), CODE_NAMES.get(code, f"code_{code}"), str(shop_id) if shop_id not in (None, "") else None
    )


def handle_webhooks(connector, account, events) -> dict[int, WebhookOutcome]:
    from erp_integrations.toolkit.tokens import mark_needs_reauthorization

    outcomes: dict[int, WebhookOutcome] = {}
    orders: dict[str, list[int]] = defaultdict(list)
    features = {**connector.default_features(), **(account.features or {})}
    for event in events:
        try:
            payload = orjson.loads(event.body)
            code, data = payload["code"], payload.get("data") or {}
        except (orjson.JSONDecodeError, KeyError, TypeError):
            outcomes[event.id] = WebhookOutcome("failed", "the stored body is not a push")
            continue
        if code in ORDER_CODES:
            sn = data.get("ordersn") if isinstance(data, dict) else None
            if not isinstance(sn, str) or not sn:
                outcomes[event.id] = WebhookOutcome("failed", "malformed payload: data.ordersn is not an order number")
            elif not features.get("orders"):
                outcomes[event.id] = WebhookOutcome("ignored", "the orders feature is off for this account")
            else:
                orders[sn].append(event.id)
        elif code == 2:
            mark_needs_reauthorization(account, "the seller cancelled the app's authorization (push)")
            outcomes[event.id] = WebhookOutcome("processed", "account marked as needing re-authorization")
        elif code == 12:
            raise_alert(
                account.id,
                "authorization_expiring",
                f"{account.name}: the Shopee authorization expires soon. Use Connect & Authorize before then.",
                data=data if isinstance(data, dict) else {},
            )
            outcomes[event.id] = WebhookOutcome("processed", "alert raised: the authorization expires soon")
        else:
            outcomes[event.id] = WebhookOutcome("ignored", f"{event.event_type} is stored; this connector does not act on it")
    if orders:
        outcomes.update(_refetch_orders(connector, account, orders))
    return outcomes


def _refetch_orders(connector, account, orders: dict[str, list[int]]) -> dict[int, WebhookOutcome]:
    """The named orders as Shopee holds them now, 50 per detail call, through the same store
    as the sync: a late or replayed push can only write the current state."""
    from .streams import DETAIL_FIELDS, store_orders

    client, context, outcomes = connector.client(account), RefetchContext(account), {}
    sns = list(orders)
    for first in range(0, len(sns), 50):
        chunk = sns[first : first + 50]
        try:
            details = client.call("GET", "/api/v2/order/get_order_detail", query={"order_sn_list": chunk, "response_optional_fields": DETAIL_FIELDS})
            store_orders(context, client, details.get("order_list") or [])
            result = WebhookOutcome("processed", "order refetched")
        except MarketplaceError as exc:
            if exc.retryable or isinstance(exc, AuthError):
                raise  # the job retries; the events wait in the inbox
            result = WebhookOutcome("failed", exc.public_message())
        outcomes.update({event_id: result for sn in chunk for event_id in orders[sn]})
    return outcomes
