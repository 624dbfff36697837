"""Outgoing webhooks, signed and retried as TikTok does.

A delivery is a JSON POST signed in the ``Authorization`` header (HMAC-SHA256 with the app
secret over app_key + body). Anything but HTTP 200 within 3 seconds fails the attempt; TikTok
retries 2 minutes, 30 minutes, 3 hours and 12 hours after each failure, then gives up. Tests
compress that schedule with ``webhook_time_factor`` (3600: an hour passes in a second).
"""

from __future__ import annotations

import json
import secrets
import time

from erp_integrations.toolkit.sandbox import Delivery
from erp_integrations.toolkit.sandbox import WebhookDispatcher as KitDispatcher

from ..signing import sign_webhook
from .data import OrderCore, Product, Shop
from .documents import cancel_id, package_id, return_id

RETRY_SCHEDULE = (120, 1_800, 10_800, 43_200)
ACK_TIMEOUT = 3.0
TYPE_CODES = {
    "ORDER_STATUS_CHANGE": 1,
    "RECIPIENT_ADDRESS_UPDATE": 3,
    "PACKAGE_UPDATE": 4,
    "PRODUCT_STATUS_CHANGE": 5,
    "SELLER_DEAUTHORIZATION": 6,
    "UPCOMING_AUTHORIZATION_EXPIRATION": 7,
    "CANCELLATION_STATUS_CHANGE": 11,
    "RETURN_STATUS_CHANGE": 12,
    "PRODUCT_INFORMATION_CHANGE": 15,
    "PRODUCT_CREATION": 16,
}
# Webhook order statuses differ from the API's: CANCEL, not CANCELLED.
WEBHOOK_ORDER_STATUS = {"CANCELLED": "CANCEL", "PARTIALLY_SHIPPING": "AWAITING_COLLECTION"}


class WebhookDispatcher(KitDispatcher):
    retry_schedule = RETRY_SCHEDULE
    ack_timeout = ACK_TIMEOUT

    def __init__(self, box):
        self.box = box
        super().__init__("tiktok-sandbox", lambda: box.config.webhook_time_factor)

    def headers(self, delivery: Delivery) -> dict[str, str]:
        config = self.box.config
        return {"Authorization": sign_webhook(config.app_key, config.app_secret, delivery.body)}

    def send(self, shop: Shop, event_type: str, data: dict, address: str | None = None) -> Delivery | None:
        """Queue a delivery to the shop's subscribed address (or ``address``); None when the
        shop has no subscription for this event type."""
        if address is None:
            hook = self.box.state.webhooks.get(shop.index, {}).get(event_type)
            if hook is None:
                return None
            address = hook["address"]
        payload = {
            "type": TYPE_CODES[event_type],
            "tts_notification_id": str(7_300_000_000_000_000_000 + secrets.randbelow(10**18)),
            "shop_id": shop.id,
            "timestamp": int(time.time()),
            "data": data,
        }
        return self.enqueue(Delivery(payload["tts_notification_id"], shop.index, event_type, address, json.dumps(payload, separators=(",", ":")).encode()))

    # -- events -----------------------------------------------------------------------------

    def order_status_changed(self, shop: Shop, core: OrderCore) -> Delivery | None:
        data = self.box.data
        status, at = core.stages[-1]
        return self.send(
            shop,
            "ORDER_STATUS_CHANGE",
            {
                "order_id": data.order_id(shop, core.index),
                "order_status": WEBHOOK_ORDER_STATUS.get(status, status),
                "is_on_hold_order": status == "ON_HOLD",
                "update_time": at,
            },
        )

    def package_updated(self, shop: Shop, core: OrderCore) -> Delivery | None:
        data = self.box.data
        return self.send(
            shop,
            "PACKAGE_UPDATE",
            {
                "sc_type": "SPLIT",
                "role_type": "SELLER",
                "package_list": [{"package_id": package_id(shop, core.index), "order_id_list": [data.order_id(shop, core.index)]}],
                "update_time": core.stages[-1][1],
            },
        )

    def product_event(self, shop: Shop, product: Product, event_type: str) -> Delivery | None:
        # Types 5 and 16 send product_id as a JSON number (beyond 2^53), as the docs show.
        if event_type == "PRODUCT_STATUS_CHANGE":
            data = {"product_id": int(product.id), "status": product.status, "suspended_reason": "", "update_time": product.update_time}
        elif event_type == "PRODUCT_CREATION":
            data = {"product_id": int(product.id), "product_types": ["GPR_PRODUCT"], "update_time": product.update_time}
        else:
            data = {"product_id": product.id, "change_source": "OPEN_API", "changed_fields": ["title", "others"], "update_time": product.update_time}
        return self.send(shop, event_type, data)

    def cancellation_status_changed(self, shop: Shop, core: OrderCore, status: str) -> Delivery | None:
        data = self.box.data
        return self.send(
            shop,
            "CANCELLATION_STATUS_CHANGE",
            {
                "order_id": data.order_id(shop, core.index),
                "cancellations_role": "BUYER",
                "cancel_status": status,
                "cancel_id": cancel_id(shop, core.index),
                "create_time": int(time.time()),
            },
        )

    def return_status_changed(self, shop: Shop, core: OrderCore) -> Delivery | None:
        data = self.box.data
        status, at = core.return_stages[-1]
        return self.send(
            shop,
            "RETURN_STATUS_CHANGE",
            {
                "order_id": data.order_id(shop, core.index),
                "return_role": "BUYER",
                "return_type": core.return_type or "REFUND",
                "return_status": status,
                "return_id": return_id(shop, core.index),
                "create_time": core.return_stages[0][1],
                "update_time": at,
            },
        )

    def deauthorized(self, shop: Shop) -> Delivery | None:
        return self.send(shop, "SELLER_DEAUTHORIZATION", {"message": f"Shop_id {shop.id} is deauthorized from your APP by merchant."})

    def authorization_expiring(self, shop: Shop, expiration_time: int) -> Delivery | None:
        return self.send(
            shop,
            "UPCOMING_AUTHORIZATION_EXPIRATION",
            {
                "message": f"Authorization of shop_id {shop.id} is expiring in 30 days. Please direct the merchant to re-authorize.",
                "expiration_time": str(expiration_time),
            },
        )

    def address_updated(self, shop: Shop, core: OrderCore) -> Delivery | None:
        return self.send(shop, "RECIPIENT_ADDRESS_UPDATE", {"order_id": self.box.data.order_id(shop, core.index), "update_time": int(time.time())})
