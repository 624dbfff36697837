"""Shopee pushes end to end: the sandbox posts signed pushes over real sockets to the receiver
on a real port, with retries; the inbox job refetches the orders they name. Lost pushes wait in
the sandbox's lost-push list."""

from __future__ import annotations

import json
import time

import pytest
import requests
from shopee_support import PARTNER_ID, PARTNER_KEY, connect_shopee, control, shops_of
from sqlalchemy import select

from erp_integrations_shopee.signing import sign_api, sign_push

from sync_support import run_jobs, sync


@pytest.fixture
def shopee():
    from shopee_support import start_shopee

    server = start_shopee(orders=300, push_time_factor=600)  # the retry schedule's minutes pass in a tenth of a second
    yield server
    server.stop()


def partner_call(server, path: str, body: dict) -> dict:
    ts = int(time.time())
    params = {"partner_id": PARTNER_ID, "timestamp": ts, "sign": sign_api(PARTNER_KEY, PARTNER_ID, path, ts)}
    return requests.post(server.url + path, params=params, json=body, timeout=10).json()


@pytest.fixture
def shop(client, app, app_env, shopee, erp):
    """A connected account whose webhook URL is our receiver and is the app's push callback."""
    account_id = connect_shopee(client, shopee)
    url = f"{erp}/webhooks/shopee/{account_id}"
    assert client.patch(f"/api/v1/accounts/{account_id}", json={"config": {"webhook_url": url}}).status_code == 200
    assert partner_call(shopee, "/api/v2/push/set_app_push_config", {"callback_url": url, "set_push_config_on": [2, 3, 4]})["error"] == ""
    sync(client, app, app_env, account_id, streams=["orders"])
    return account_id


def pushes_settled(server) -> list[dict]:
    response = control(server, "GET", "/pushes", params={"settled": 1, "timeout": 30})
    assert response.status_code == 200, response.text
    return response.json()["pushes"]


def inbox(client, account_id) -> list[dict]:
    return client.get(f"/api/v1/accounts/{account_id}/webhooks/events").get_json()["events"]


def test_an_order_moved_on_shopee_reaches_its_erp_row_through_a_push(client, app, app_env, shopee, shop):
    from erp_integrations.extensions import db
    from erp_integrations.models import OrderStatusChange, SalesOrder

    moved = control(shopee, "POST", "/orders/advance", json={"shop_id": shops_of(shopee)[0]["shop_id"], "count": 3}).json()["moved"]
    sent = pushes_settled(shopee)
    assert len(sent) == 3 and all(p["state"] == "delivered" and p["event_type"] == "order_status_push" for p in sent), sent
    run_jobs(app, app_env)
    db.session.expire_all()
    for change in moved:
        order = db.session.scalars(select(SalesOrder).where(SalesOrder.account_id == shop, SalesOrder.external_id == change["order_sn"])).one()
        assert order.status == change["status"]
        assert change["status"] in db.session.scalars(select(OrderStatusChange.to_status).where(OrderStatusChange.order_id == order.id)).all()
    assert sorted(e["status"] for e in inbox(client, shop)) == ["processed"] * 3


def test_a_tampered_or_wrongly_signed_push_gets_401_and_stores_nothing(client, app, erp, shop):
    url = f"{erp}/webhooks/shopee/{shop}"
    body = json.dumps({"data": {"ordersn": "X", "status": "SHIPPED"}, "shop_id": 600000, "code": 3, "timestamp": 1}).encode()
    for key, sent in ((PARTNER_KEY, body.replace(b"SHIPPED", b"CANCELLED")), ("another-key-entirely", body)):
        answer = requests.post(url, data=sent, headers={"Authorization": sign_push(key, url, body), "Content-Type": "application/json"}, timeout=10)
        assert answer.status_code == 401, answer.text
    # Signed for another URL (Shopee signs the callback URL it was given).
    answer = requests.post(url, data=body, headers={"Authorization": sign_push(PARTNER_KEY, url + "x", body)}, timeout=10)
    assert answer.status_code == 401
    assert inbox(client, shop) == []


def test_the_same_push_delivered_twice_is_stored_once(client, app, app_env, erp, shop):
    url = f"{erp}/webhooks/shopee/{shop}"
    body = json.dumps(
        {"data": {"ordersn": "X", "status": "SHIPPED", "items": [], "completed_scenario": "", "update_time": 1}, "shop_id": 600000, "code": 3, "timestamp": 1}
    ).encode()
    for _ in range(2):
        answer = requests.post(url, data=body, headers={"Authorization": sign_push(PARTNER_KEY, url, body)}, timeout=10)
        assert answer.status_code == 200 and answer.content == b"", answer.text  # Shopee wants an empty 2xx
    (event,) = inbox(client, shop)
    run_jobs(app, app_env)  # the order it names is not Shopee's: the event fails alone, saying why
    (event,) = inbox(client, shop)
    assert event["status"] == "failed" and "the order is not found" in event["error"]


def test_a_push_the_erp_refuses_is_retried_then_kept_in_the_lost_push_list(client, app, shopee, shop):
    # The app's callback points at an address where the ERP has no such account.
    assert partner_call(shopee, "/api/v2/push/set_app_push_config", {"callback_url": f"{shopee.url}/nowhere"})["error"] == ""
    control(shopee, "POST", "/orders/advance", json={"shop_id": shops_of(shopee)[0]["shop_id"], "count": 1})
    (push,) = pushes_settled(shopee)
    assert push["state"] == "failed" and len(push["attempts"]) == 4  # the first try and three retries
    ts = int(time.time())
    path = "/api/v2/push/get_lost_push_message"
    lost = requests.get(
        shopee.url + path, params={"partner_id": PARTNER_ID, "timestamp": ts, "sign": sign_api(PARTNER_KEY, PARTNER_ID, path, ts)}, timeout=10
    ).json()
    (message,) = lost["response"]["push_message_list"]
    assert message["code"] == 3 and message["data"]["ordersn"] == json.loads(push["body"])["data"]["ordersn"]
    assert partner_call(shopee, "/api/v2/push/confirm_consumed_lost_push_message", {"last_message_id": lost["response"]["last_message_id"]})["error"] == ""
    again = requests.get(
        shopee.url + path, params={"partner_id": PARTNER_ID, "timestamp": ts, "sign": sign_api(PARTNER_KEY, PARTNER_ID, path, ts)}, timeout=10
    ).json()
    assert again["response"]["push_message_list"] == []


def test_lost_pushes_reach_the_inbox_through_the_sync_and_are_confirmed(client, app, app_env, shopee, shop):
    """A push Shopee could not deliver is read back from the lost-push list by the sync, acted
    on like a delivered one, and consumed; a second read stores nothing twice."""
    from erp_integrations.extensions import db
    from erp_integrations.models import SalesOrder

    assert partner_call(shopee, "/api/v2/push/set_app_push_config", {"callback_url": f"{shopee.url}/nowhere"})["error"] == ""
    (moved,) = control(shopee, "POST", "/orders/advance", json={"shop_id": shops_of(shopee)[0]["shop_id"], "count": 1}).json()["moved"]
    (push,) = pushes_settled(shopee)
    assert push["state"] == "failed"
    (run,) = sync(client, app, app_env, shop, streams=["lost_pushes"])
    assert run["status"] == "succeeded" and run["counts"]["webhook_events"] == 1, run
    (event,) = inbox(client, shop)
    assert event["event_type"] == "order_status_push"
    run_jobs(app, app_env)
    db.session.expire_all()
    order = db.session.scalars(select(SalesOrder).where(SalesOrder.account_id == shop, SalesOrder.external_id == moved["order_sn"])).one()
    assert order.status == moved["status"]
    assert [e["status"] for e in inbox(client, shop)] == ["processed"]
    # Consumed on Shopee's side: the list is empty, and another run finds nothing.
    ts = int(time.time())
    path = "/api/v2/push/get_lost_push_message"
    lost = requests.get(
        shopee.url + path, params={"partner_id": PARTNER_ID, "timestamp": ts, "sign": sign_api(PARTNER_KEY, PARTNER_ID, path, ts)}, timeout=10
    ).json()
    assert lost["response"]["push_message_list"] == []
    (again,) = sync(client, app, app_env, shop, streams=["lost_pushes"])
    assert again["status"] == "succeeded" and not (again["counts"] or {}).get("webhook_events")
    assert len(inbox(client, shop)) == 1


def test_deauthorization_marks_the_account_for_reauthorization(client, app, app_env, shopee, shop):
    control(shopee, "POST", "/deauthorize", json={"shop_id": shops_of(shopee)[0]["shop_id"]})
    (push,) = pushes_settled(shopee)
    assert push["event_type"] == "shop_deauthorization_push" and push["state"] == "delivered"
    assert "shop_id" not in json.loads(push["body"])  # a partner-level push
    run_jobs(app, app_env)
    from erp_integrations.extensions import db
    from erp_integrations.models import Alert

    assert client.get(f"/api/v1/accounts/{shop}").get_json()["status"] == "needs_reauth"
    (alert,) = db.session.scalars(select(Alert).where(Alert.account_id == shop, Alert.kind == "needs_reauth")).all()
    assert "Shopee needs to be authorized again" in alert.message
