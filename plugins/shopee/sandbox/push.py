"""Shopee's push mechanism, outgoing: JSON posted to the app's callback URL with
``Authorization`` = hex HMAC-SHA256(push key, callback_url + "|" + raw body) (API.md 4.8, from
the official push guide). Anything but a 2xx answer fails the attempt and is retried; pushes
that still fail wait three days in the lost-push list (``get_lost_push_message``) until the app
confirms it consumed them (API.md 4.8).

Shopee documents that it retries but not when: the schedule below is the sandbox's own
(tests shrink it with ``push_time_factor``).
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass

from erp_integrations.toolkit.sandbox import Delivery
from erp_integrations.toolkit.sandbox import WebhookDispatcher as KitDispatcher

from ..signing import sign_push

RETRY_SCHEDULE = (60, 300, 1_800)
LOST_KEPT = 3 * 86_400  # "lost in the last 3 days" (API.md 4.8)
# Push codes (API.md 3.6) the sandbox sends.
ORDER_STATUS, TRACKING_NO, DEAUTHORIZATION = 3, 4, 2
# Codes 1, 2 and 12 are partner-level pushes without a top-level shop_id (API.md 4.8); the
# shop they concern is in their data (the sandbox's reading; no official sample shows them).
PARTNER_LEVEL = frozenset({1, 2, 12})
CODE_NAMES = {ORDER_STATUS: "order_status_push", TRACKING_NO: "order_trackingno_push", DEAUTHORIZATION: "shop_deauthorization_push"}


@dataclass
class LostPush:
    message_id: int
    shop_id: int
    code: int
    timestamp: int
    data: dict


class PushDispatcher(KitDispatcher):
    retry_schedule = RETRY_SCHEDULE

    def __init__(self, box):
        self.box = box
        self.lost: list[LostPush] = []
        self._message_ids = iter(range(1, 10**12))
        super().__init__("shopee-sandbox", lambda: box.config.push_time_factor)

    def key(self) -> str:
        return self.box.config.push_key or self.box.config.partner_key

    def headers(self, delivery: Delivery) -> dict[str, str]:
        return {"Authorization": sign_push(self.key(), delivery.address, delivery.body)}

    def accepted(self, status: int) -> bool:
        return 200 <= status < 300

    def push(self, shop, code: int, data: dict) -> Delivery | None:
        """Send a push for ``shop`` to the app's callback, when the app set one and asked for
        this code; None otherwise."""
        state = self.box.state
        if not state.push_callback or code not in state.push_codes:
            return None
        now = int(time.time())
        payload = {"data": data, "shop_id": shop.shop_id, "code": code, "timestamp": now}
        if code in PARTNER_LEVEL:
            del payload["shop_id"]
        body = json.dumps(payload, separators=(",", ":")).encode()
        return self.enqueue(Delivery(secrets.token_hex(8), shop.index, CODE_NAMES.get(code, str(code)), state.push_callback, body))

    def _attempt(self, delivery: Delivery, session) -> None:
        super()._attempt(delivery, session)
        if delivery.state == "failed":
            payload = json.loads(delivery.body)
            with self._condition:
                self.lost.append(LostPush(next(self._message_ids), payload.get("shop_id", 0), payload["code"], payload["timestamp"], payload["data"]))

    def order_status(self, shop, order) -> Delivery | None:
        # The body's key is "ordersn", without the underscore (API.md 4.8, from the official sample).
        return self.push(
            shop, ORDER_STATUS, {"items": [], "ordersn": order.order_sn, "status": order.status, "completed_scenario": "", "update_time": order.update_time}
        )

    def lost_since(self, now: int) -> list[LostPush]:
        with self._condition:
            self.lost = [m for m in self.lost if m.timestamp >= now - LOST_KEPT]
            return list(self.lost)

    def confirm(self, last_message_id: int) -> bool:
        with self._condition:
            if not any(m.message_id == last_message_id for m in self.lost):
                return False
            self.lost = [m for m in self.lost if m.message_id > last_message_id]
            return True
