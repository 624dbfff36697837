"""Webhooks out of the sandbox: documented payloads, TikTok's signature, TikTok's retries."""

from __future__ import annotations

import json
import queue
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from erp_integrations_tiktok_shop.sandbox.webhooks import RETRY_SCHEDULE
from erp_integrations_tiktok_shop.signing import sign_webhook, signatures_match

from sandbox_support import APP_KEY, APP_SECRET, authorize, control, raw_call, shops_of


class Receiver:
    """A real HTTP endpoint on loopback that answers with the statuses it is given."""

    def __init__(self, statuses: list[int] | None = None):
        self.deliveries: queue.Queue = queue.Queue()
        self.statuses = list(statuses or [])
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                receiver.deliveries.put({"body": body, "authorization": self.headers.get("Authorization"), "status": status})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/webhooks/tiktok-shop/1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def next(self, timeout: float = 10) -> dict:
        return self.deliveries.get(timeout=timeout)

    def close(self):
        self.server.shutdown()
        self.server.server_close()  # the listening socket too


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def subscribe(server, token, cipher, address, event_type="ORDER_STATUS_CHANGE"):
    response = raw_call(server, "PUT", "/event/202309/webhooks", body={"address": address, "event_type": event_type}, token=token, cipher=cipher)
    assert response.json()["code"] == 0, response.json()


def awaiting_order(server, token, cipher) -> str:
    data = raw_call(
        server, "POST", "/order/202309/orders/search", query={"page_size": 1}, body={"order_status": "AWAITING_SHIPMENT"}, token=token, cipher=cipher
    ).json()["data"]
    return data["orders"][0]["id"]


def test_a_status_change_is_delivered_signed(fresh_sandbox, receiver):
    token = authorize(fresh_sandbox)["access_token"]
    shop = shops_of(fresh_sandbox)[0]
    subscribe(fresh_sandbox, token, shop["cipher"], receiver.url)
    order_id = awaiting_order(fresh_sandbox, token, shop["cipher"])
    moved = control(fresh_sandbox, "POST", f"/shops/{shop['cipher']}/orders/{order_id}/cancel", json={})
    assert moved.status_code == 200, moved.text
    delivery = receiver.next()
    assert signatures_match(sign_webhook(APP_KEY, APP_SECRET, delivery["body"]), delivery["authorization"])
    payload = json.loads(delivery["body"])
    assert set(payload) == {"type", "tts_notification_id", "shop_id", "timestamp", "data"}
    assert payload["type"] == 1 and payload["shop_id"] == shop["id"]
    # Webhooks say CANCEL where the API says CANCELLED.
    assert payload["data"]["order_id"] == order_id and payload["data"]["order_status"] == "CANCEL"
    assert set(payload["data"]) == {"order_id", "order_status", "is_on_hold_order", "update_time"}


def test_unsubscribed_events_are_not_sent(fresh_sandbox, receiver):
    token = authorize(fresh_sandbox)["access_token"]
    shop = shops_of(fresh_sandbox)[0]
    subscribe(fresh_sandbox, token, shop["cipher"], receiver.url, event_type="RETURN_STATUS_CHANGE")
    order_id = awaiting_order(fresh_sandbox, token, shop["cipher"])
    control(fresh_sandbox, "POST", f"/shops/{shop['cipher']}/orders/{order_id}/cancel", json={})
    deliveries = control(fresh_sandbox, "GET", "/webhooks/deliveries").json()["deliveries"]
    assert deliveries == []


def test_failed_deliveries_follow_tiktoks_retry_schedule(fresh_sandbox):
    factor = 36_000  # TikTok's 2 min, 30 min, 3 h, 12 h become 3 ms, 50 ms, 0.3 s, 1.2 s
    control(fresh_sandbox, "PUT", "/app", json={"webhook_time_factor": factor})
    failing = Receiver([500, 503, 404])
    try:
        token = authorize(fresh_sandbox)["access_token"]
        shop = shops_of(fresh_sandbox)[0]
        subscribe(fresh_sandbox, token, shop["cipher"], failing.url)
        control(fresh_sandbox, "POST", f"/shops/{shop['cipher']}/orders", json={"count": 1})
        statuses = [failing.next()["status"] for _ in range(4)]
        assert statuses == [500, 503, 404, 200]
        bodies = control(fresh_sandbox, "GET", "/webhooks/deliveries", params={"settled": 1}).json()["deliveries"]
        assert len(bodies) == 1 and bodies[0]["state"] == "delivered"
        attempts = bodies[0]["attempts"]
        assert [a["outcome"] for a in attempts] == [500, 503, 404, 200]
    finally:
        failing.close()


def test_a_delivery_is_abandoned_after_the_fourth_retry(fresh_sandbox):
    control(fresh_sandbox, "PUT", "/app", json={"webhook_time_factor": 360_000})
    failing = Receiver([500] * 10)
    try:
        token = authorize(fresh_sandbox)["access_token"]
        shop = shops_of(fresh_sandbox)[0]
        subscribe(fresh_sandbox, token, shop["cipher"], failing.url)
        control(fresh_sandbox, "POST", f"/shops/{shop['cipher']}/orders", json={"count": 1})
        for _ in range(1 + len(RETRY_SCHEDULE)):
            failing.next()
        with pytest.raises(queue.Empty):
            failing.next(timeout=1.0)  # a sixth attempt would have come within 0.12 s
        delivery = control(fresh_sandbox, "GET", "/webhooks/deliveries", params={"settled": 1}).json()["deliveries"][0]
        assert delivery["state"] == "failed" and len(delivery["attempts"]) == 5
    finally:
        failing.close()


@pytest.mark.parametrize(
    ("action", "event_type", "type_code", "keys"),
    [
        ("return", "RETURN_STATUS_CHANGE", 12, {"order_id", "return_role", "return_type", "return_status", "return_id", "create_time", "update_time"}),
        ("cancel-request", "CANCELLATION_STATUS_CHANGE", 11, {"order_id", "cancellations_role", "cancel_status", "cancel_id", "create_time"}),
        ("ship", "PACKAGE_UPDATE", 4, {"sc_type", "role_type", "package_list", "update_time"}),
        ("deauthorize", "SELLER_DEAUTHORIZATION", 6, {"message"}),
        ("deactivate", "PRODUCT_STATUS_CHANGE", 5, {"product_id", "status", "suspended_reason", "update_time"}),
        ("create-product", "PRODUCT_CREATION", 16, {"product_id", "product_types", "update_time"}),
    ],
)
def test_event_payloads(fresh_sandbox, receiver, action, event_type, type_code, keys):
    token = authorize(fresh_sandbox)["access_token"]
    shop = shops_of(fresh_sandbox)[0]
    cipher = shop["cipher"]
    subscribe(fresh_sandbox, token, cipher, receiver.url, event_type=event_type)
    call = lambda method, path, body=None, query=None: raw_call(fresh_sandbox, method, path, query=query, body=body, token=token, cipher=cipher).json()  # noqa: E731
    if action == "return":
        order = call("POST", "/order/202309/orders/search", {"order_status": "DELIVERED"}, {"page_size": 1})["data"]["orders"][0]
        control(fresh_sandbox, "POST", f"/shops/{cipher}/orders/{order['id']}/return", json={"type": "RETURN_AND_REFUND"})
    elif action == "cancel-request":
        control(fresh_sandbox, "POST", f"/shops/{cipher}/orders/{awaiting_order(fresh_sandbox, token, cipher)}/cancel", json={"request": True})
    elif action == "ship":
        order = call("POST", "/order/202309/orders/search", {"order_status": "AWAITING_SHIPMENT"}, {"page_size": 1})["data"]["orders"][0]
        assert call("POST", f"/fulfillment/202309/packages/{order['packages'][0]['id']}/ship", {"handover_method": "DROP_OFF"})["code"] == 0
    elif action == "deauthorize":
        control(fresh_sandbox, "POST", f"/shops/{cipher}/deauthorize")
    elif action == "deactivate":
        product = call("POST", "/product/202309/products/search", {"status": "ACTIVATE"}, {"page_size": 1})["data"]["products"][0]
        assert call("POST", "/product/202309/products/deactivate", {"product_ids": [product["id"]]})["data"]["errors"] == []
    else:
        created = call("POST", "/product/202309/products", {"title": "New", "skus": [{"price": {"amount": "5.00", "currency": "USD"}}]})
        assert created["code"] == 0, created
    payload = json.loads(receiver.next()["body"])
    assert payload["type"] == type_code and set(payload["data"]) == keys
    if type_code in (5, 16):
        assert isinstance(payload["data"]["product_id"], int)  # the documented quirk: a JSON number
