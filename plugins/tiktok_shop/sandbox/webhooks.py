"""Outgoing webhooks, signed and retried as TikTok does.

A delivery is a JSON POST signed in the ``Authorization`` header (HMAC-SHA256 with the app
secret over app_key + body). Anything but HTTP 200 within 3 seconds fails the attempt; TikTok
retries 2 minutes, 30 minutes, 3 hours and 12 hours after each failure, then gives up. Tests
compress that schedule with ``webhook_time_factor`` (3600: an hour passes in a second).
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import secrets
import threading
import time
from dataclasses import dataclass, field

import requests

from ..signing import sign_webhook
from .data import OrderCore, Product, Shop
from .documents import cancel_id, package_id, return_id

log = logging.getLogger(__name__)

RETRY_SCHEDULE = (120, 1_800, 10_800, 43_200)
ACK_TIMEOUT = 3.0
SENDERS = 4
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


@dataclass
class Delivery:
    id: str
    shop: int
    event_type: str
    address: str
    body: bytes
    attempts: list[dict] = field(default_factory=list)
    state: str = "pending"  # pending, delivered, failed

    def as_dict(self) -> dict:
        return {
            "notification_id": self.id,
            "shop": self.shop,
            "event_type": self.event_type,
            "address": self.address,
            "state": self.state,
            "attempts": self.attempts,
            "body": self.body.decode(),
        }


class WebhookDispatcher:
    def __init__(self, box):
        self.box = box
        self.deliveries: list[Delivery] = []
        self._heap: list[tuple[float, int, Delivery]] = []
        self._sequence = itertools.count()
        self._condition = threading.Condition()
        self._stopped = False
        # Several senders, as TikTok does not post one shop's events through one connection one
        # at a time: with a single sender, one slow answer held up every delivery behind it.
        # A delivery's own attempts stay in order (it is in the queue once at a time).
        self._threads = [
            threading.Thread(target=self._run, args=(requests.Session(),), name=f"tiktok-sandbox-webhooks-{k}", daemon=True) for k in range(SENDERS)
        ]
        for thread in self._threads:
            thread.start()

    # -- sending --------------------------------------------------------------------------

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
        delivery = Delivery(payload["tts_notification_id"], shop.index, event_type, address, json.dumps(payload, separators=(",", ":")).encode())
        with self._condition:
            self.deliveries.append(delivery)
            heapq.heappush(self._heap, (time.monotonic(), next(self._sequence), delivery))
            self._condition.notify_all()
        return delivery

    def _run(self, session: requests.Session) -> None:
        while True:
            with self._condition:
                while not self._stopped and (not self._heap or self._heap[0][0] > time.monotonic()):
                    timeout = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._condition.wait(timeout)
                if self._stopped:
                    return
                _, _, delivery = heapq.heappop(self._heap)
            # Attempts run outside the lock: a slow receiver must not block new events.
            self._attempt(delivery, session)

    def _attempt(self, delivery: Delivery, session: requests.Session) -> None:
        config = self.box.config
        signature = sign_webhook(config.app_key, config.app_secret, delivery.body)
        started = time.monotonic()
        try:
            response = session.post(
                delivery.address, data=delivery.body, headers={"Content-Type": "application/json", "Authorization": signature}, timeout=ACK_TIMEOUT
            )
            outcome, ok = response.status_code, response.status_code == 200
        except requests.RequestException as exc:
            outcome, ok = type(exc).__name__, False
        with self._condition:
            delivery.attempts.append({"at": int(time.time()), "outcome": outcome, "seconds": round(time.monotonic() - started, 3)})
            retries_done = len(delivery.attempts) - 1
            if ok:
                delivery.state = "delivered"
            elif retries_done >= len(RETRY_SCHEDULE):
                delivery.state = "failed"
                log.warning("webhook %s to %s failed after %d attempts", delivery.id, delivery.address, len(delivery.attempts))
            else:
                delay = RETRY_SCHEDULE[retries_done] / max(config.webhook_time_factor, 1e-9)
                heapq.heappush(self._heap, (time.monotonic() + delay, next(self._sequence), delivery))
            self._condition.notify_all()

    def wait_settled(self, timeout: float) -> bool:
        """Block until no delivery is pending (delivered or given up), or the timeout passes."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while any(d.state == "pending" for d in self.deliveries):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._condition.wait(remaining)
        return True

    def stop(self) -> None:
        with self._condition:
            self._stopped = True
            self._condition.notify_all()

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
