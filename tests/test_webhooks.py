"""Webhooks end to end: the sandbox posts signed deliveries over real sockets to the receiver
served by a real HTTP server; jobs (RQ workers or the embedded queue) refetch what they name."""

from __future__ import annotations

import json

import pytest
import requests
from sqlalchemy import func, select

from erp_integrations.connectors import Connector, MarketplaceError, WebhookOutcome
from erp_integrations.hooks import hookimpl
from erp_integrations_tiktok_shop.signing import sign_webhook

from conftest import shared_path
from sandbox_support import APP_KEY, APP_SECRET, control, start_sandbox
from sync_support import connect, run_jobs, sync


@pytest.fixture(scope="module")
def server():
    s = start_sandbox(orders=600, shops=1)
    yield s
    s.stop()


@pytest.fixture
def shop(client, app, app_env, server, erp):
    """A connected account whose webhook URL is our receiver, subscribed, orders synced."""
    control(server, "DELETE", "/faults")
    account_id = connect(client, server)
    url = f"{erp}/webhooks/tiktok-shop/{account_id}"
    assert client.patch(f"/api/v1/accounts/{account_id}", json={"config": {"webhook_url": url}}).status_code == 200
    assert client.post(f"/api/v1/accounts/{account_id}/webhooks/subscribe").status_code == 200
    sync(client, app, app_env, account_id, streams=["orders"])
    return account_id


def deliveries_settled(server):
    response = control(server, "GET", "/webhooks/deliveries", params={"settled": 1, "timeout": 30})
    assert response.status_code == 200, response.text
    return response.json()["deliveries"]


def inbox(client, account_id, **filters):
    return client.get(f"/api/v1/accounts/{account_id}/webhooks/events", query_string=filters).get_json()["events"]


def post_signed(erp, account_id, payload: dict | bytes, *, secret=APP_SECRET, key=APP_KEY, tamper=False):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    signature = sign_webhook(key, secret, body)
    if tamper:
        body = body.replace(b"AWAITING", b"AWAITXNG")
    return requests.post(
        f"{erp}/webhooks/tiktok-shop/{account_id}", data=body, headers={"Authorization": signature, "Content-Type": "application/json"}, timeout=10
    )


def order_event(order_id: str, status: str, notification_id: str = "7300000000000000001") -> dict:
    return {
        "type": 1,
        "tts_notification_id": notification_id,
        "shop_id": "",
        "timestamp": 1700000000,
        "data": {"order_id": order_id, "order_status": status, "is_on_hold_order": False, "update_time": 1700000000},
    }


def test_the_official_signed_sample_is_accepted_and_stored(client, app, erp):
    vector = shared_path("tiktok-shop", "samples", "webhooks_official", "webhook_01_order_status_change.signature_vector.json")
    body = vector.read_bytes()
    account = client.post(
        "/api/v1/accounts", json={"connector": "tiktok_shop", "config": {"name": "Vector", "region": "US", "app_key": "abcdef", "app_secret": "123"}}
    ).get_json()
    response = requests.post(
        f"{erp}/webhooks/tiktok-shop/{account['id']}",
        data=body,
        headers={"Authorization": "5dec0f11ec2f6783b8deee53c9ffbf8d024302f7c7e7fa55a35d17629031ac05"},
        timeout=10,
    )
    assert (response.status_code, response.content) == (200, b"")
    from erp_integrations.models import WebhookEvent

    stored = app.extensions["sqlalchemy"].session.scalars(select(WebhookEvent)).one()
    assert (stored.event_type, stored.body, stored.notification_id) == ("ORDER_STATUS_CHANGE", body, str(json.loads(body)["tts_notification_id"]))
    _settle_background_jobs(app)


def _settle_background_jobs(app):
    """The embedded queue starts handling at once; let it finish before the next test."""
    from erp_integrations.jobs import get_queue_backend
    from erp_integrations.jobs.queue import EmbeddedQueue

    backend = get_queue_backend(app)
    if isinstance(backend, EmbeddedQueue):
        backend.join()


def test_a_tampered_body_or_a_wrong_secret_gets_401_and_stores_nothing(client, app, erp, shop):
    from erp_integrations.extensions import db
    from erp_integrations.models import SalesOrder

    order = db.session.scalars(select(SalesOrder.external_id).where(SalesOrder.account_id == shop)).first()
    assert post_signed(erp, shop, order_event(order, "AWAITING_SHIPMENT"), tamper=True).status_code == 401
    assert post_signed(erp, shop, order_event(order, "AWAITING_SHIPMENT"), secret="not-the-secret").status_code == 401
    unsigned = requests.post(f"{erp}/webhooks/tiktok-shop/{shop}", data=b"{}", timeout=10)
    assert unsigned.status_code == 401 and "HMAC" in unsigned.json()["error"]["message"]
    assert inbox(client, shop) == []
    assert requests.post(f"{erp}/webhooks/tiktok-shop/999999", data=b"{}", timeout=10).status_code == 404
    assert requests.post(f"{erp}/webhooks/amazon/{shop}", data=b"{}", timeout=10).status_code == 404


def test_a_duplicate_delivered_twice_has_one_effect(client, app, app_env, server, erp, shop):
    from erp_integrations.extensions import db
    from erp_integrations.models import SalesOrder

    order = db.session.scalars(select(SalesOrder.external_id).where(SalesOrder.account_id == shop)).first()
    before = control(server, "GET", "/requests").json().get("GET /order/202309/orders", 0)
    event = order_event(order, "AWAITING_SHIPMENT", notification_id="7311111111111111111")
    assert post_signed(erp, shop, event).status_code == 200
    assert post_signed(erp, shop, event).status_code == 200
    run_jobs(app, app_env)
    events = inbox(client, shop)
    assert len(events) == 1 and events[0]["status"] == "processed"
    assert control(server, "GET", "/requests").json().get("GET /order/202309/orders", 0) - before == 1


def test_a_status_change_in_the_sandbox_reaches_the_erp_row_through_its_webhook(client, app, app_env, server, shop):
    from erp_integrations.extensions import db
    from erp_integrations.models import OrderStatusChange, SalesOrder

    order = db.session.scalars(
        select(SalesOrder).where(SalesOrder.account_id == shop, SalesOrder.status == "AWAITING_SHIPMENT").order_by(SalesOrder.id)
    ).first()
    cipher = control(server, "GET", "/shops").json()["shops"][0]["cipher"]
    moved = control(server, "POST", f"/shops/{cipher}/orders/{order.external_id}/status", json={"status": "AWAITING_COLLECTION"})
    assert moved.status_code == 200, moved.text
    sent = [d for d in deliveries_settled(server) if order.external_id in d["body"]]
    assert {d["event_type"] for d in sent} == {"ORDER_STATUS_CHANGE", "PACKAGE_UPDATE"}
    assert all(d["state"] == "delivered" for d in sent), sent
    run_jobs(app, app_env)

    db.session.expire_all()
    assert db.session.get(SalesOrder, order.id).status == "AWAITING_COLLECTION"
    history = db.session.scalars(select(OrderStatusChange.to_status).where(OrderStatusChange.order_id == order.id)).all()
    assert "AWAITING_COLLECTION" in history
    assert {e["status"] for e in inbox(client, shop)} == {"processed"}


def test_a_replayed_old_event_cannot_move_a_record_backwards(client, app, app_env, server, erp, shop):
    from erp_integrations.extensions import db
    from erp_integrations.models import SalesOrder

    order = db.session.scalars(
        select(SalesOrder).where(SalesOrder.account_id == shop, SalesOrder.status == "AWAITING_SHIPMENT").order_by(SalesOrder.id.desc())
    ).first()
    cipher = control(server, "GET", "/shops").json()["shops"][0]["cipher"]
    control(server, "POST", f"/shops/{cipher}/orders/{order.external_id}/status", json={"status": "AWAITING_COLLECTION"})
    deliveries_settled(server)
    run_jobs(app, app_env)
    # An old "awaiting shipment" event arrives late, under a new notification id.
    assert post_signed(erp, shop, order_event(order.external_id, "AWAITING_SHIPMENT", notification_id="7322222222222222222")).status_code == 200
    run_jobs(app, app_env)
    db.session.expire_all()
    assert db.session.get(SalesOrder, order.id).status == "AWAITING_COLLECTION"


def test_unknown_event_types_are_stored_and_acknowledged(client, app, app_env, erp, shop):
    assert (
        post_signed(erp, shop, {"type": 99, "tts_notification_id": "7333333333333333333", "shop_id": "", "timestamp": 1, "data": {"x": 1}}).status_code == 200
    )
    run_jobs(app, app_env)
    [event] = inbox(client, shop)
    assert (event["event_type"], event["status"]) == ("TYPE_99", "ignored")
    # Retrying: an unknown id is a 404 naming it; a handled event goes back to the inbox.
    missing = client.post(f"/api/v1/accounts/{shop}/webhooks/events/999999/retry")
    assert missing.status_code == 404 and "no webhook event 999999" in missing.get_json()["error"]["message"]
    assert client.post(f"/api/v1/accounts/{shop}/webhooks/events/{event['id']}/retry").status_code == 202
    run_jobs(app, app_env)
    assert [e["status"] for e in inbox(client, shop)] == ["ignored"]


def test_a_signed_but_malformed_delivery_gets_400_and_is_kept(client, app, erp, shop):
    response = post_signed(erp, shop, b"not json at all")
    assert response.status_code == 400 and response.json()["error"]["message"] == "the body is not JSON"
    [event] = inbox(client, shop, status="rejected")
    assert event["error"] == "the body is not JSON"


def test_deauthorization_marks_the_account_and_raises_an_alert(client, app, app_env, server, shop):
    from erp_integrations.extensions import db
    from erp_integrations.models import Alert, IntegrationAccount

    cipher = control(server, "GET", "/shops").json()["shops"][0]["cipher"]
    assert control(server, "POST", f"/shops/{cipher}/deauthorize").status_code == 200
    deliveries_settled(server)
    run_jobs(app, app_env)
    db.session.expire_all()
    assert db.session.get(IntegrationAccount, shop).status == "needs_reauth"
    assert db.session.scalars(select(func.count()).select_from(Alert).where(Alert.account_id == shop, Alert.kind == "needs_reauth")).one() == 1


def test_subscriptions_follow_the_features(client, app, server, shop):
    listed = client.get(f"/api/v1/accounts/{shop}/webhooks").get_json()
    assert listed["receiver_path"] == f"/webhooks/tiktok-shop/{shop}"
    registered = {s["event_type"] for s in listed["subscriptions"]}
    assert {"ORDER_STATUS_CHANGE", "PACKAGE_UPDATE", "RETURN_STATUS_CHANGE", "SELLER_DEAUTHORIZATION"} <= registered
    features = client.get(f"/api/v1/accounts/{shop}").get_json()["config"]["features"]
    client.patch(f"/api/v1/accounts/{shop}", json={"config": {"features": {**features, "returns": False}}})
    result = client.post(f"/api/v1/accounts/{shop}/webhooks/subscribe").get_json()
    assert set(result["removed"]) == {"RETURN_STATUS_CHANGE", "CANCELLATION_STATUS_CHANGE"}
    assert "RETURN_STATUS_CHANGE" not in {s["event_type"] for s in result["subscriptions"]}


def test_subscribing_without_a_webhook_url_is_a_clear_422(client, app, server):
    account_id = connect(client, server)
    response = client.post(f"/api/v1/accounts/{account_id}/webhooks/subscribe")
    assert response.status_code == 422 and "webhook URL" in response.get_json()["error"]["message"]


def test_one_malformed_event_fails_alone_and_an_operator_can_skip_it(client, app, app_env, server, erp, shop):
    from erp_integrations.extensions import db
    from erp_integrations.models import SalesOrder

    orders = db.session.scalars(select(SalesOrder.external_id).where(SalesOrder.account_id == shop).order_by(SalesOrder.id).limit(20)).all()
    bad = {
        "type": 4,
        "tts_notification_id": "7344444444444444444",
        "shop_id": "",
        "timestamp": 1,
        "data": {"package_list": ["not-a-package"], "update_time": 1},
    }
    assert post_signed(erp, shop, bad).status_code == 200
    for n, order in enumerate(orders):
        assert post_signed(erp, shop, order_event(order, "AWAITING_SHIPMENT", notification_id=f"73455555555555555{n:02d}")).status_code == 200
    run_jobs(app, app_env)
    events = {e["notification_id"]: e for e in inbox(client, shop)}
    assert events["7344444444444444444"]["status"] == "failed"
    assert "package_list holds an entry that is not a package" in events["7344444444444444444"]["error"]
    assert sorted(e["status"] for n, e in events.items() if n.startswith("734555")) == ["processed"] * 20
    # Parked: the operator skips it (it is not retried), and a processed one cannot be skipped.
    parked = events["7344444444444444444"]["id"]
    assert client.post(f"/api/v1/accounts/{shop}/webhooks/events/{parked}/skip").get_json()["status"] == "skipped"
    processed = events["7345555555555555500"]["id"]
    assert client.post(f"/api/v1/accounts/{shop}/webhooks/events/{processed}/skip").status_code == 409


class FlakyConnector(Connector):
    """A connector whose handling trips on any event whose body says "crash" (as a bug would),
    and on "outage" raises a retryable marketplace error: the inbox's behaviour around a
    connector, shown without any marketplace."""

    name = "flaky"
    display_name = "Flaky"

    def handle_webhooks(self, account, events):
        if any(b"outage" in e.body for e in events):
            error = MarketplaceError("the marketplace is down")
            error.retryable = True
            raise error
        if any(b"crash" in e.body for e in events):
            raise RuntimeError("cannot read this event")
        return {e.id: WebhookOutcome("processed") for e in events}


class FlakyPlugin:
    @hookimpl
    def register_connectors(self, register):
        register(FlakyConnector)


@pytest.fixture
def flaky_account(app):
    from erp_integrations.accounts import create_account
    from erp_integrations.hooks.manager import build_plugin_manager, reset_plugin_manager

    pm = build_plugin_manager()
    pm.register(FlakyPlugin(), name="flaky")
    reset_plugin_manager(pm)
    yield create_account("flaky", {"name": "Flaky"}).id
    reset_plugin_manager()


def store_events(account_id: int, bodies: list[bytes]) -> list[int]:
    from erp_integrations.extensions import db
    from erp_integrations.models import WebhookEvent

    rows = [WebhookEvent(connector="flaky", account_id=account_id, notification_id=f"n{k}", event_type="X", body=body) for k, body in enumerate(bodies)]
    db.session.add_all(rows)
    db.session.commit()
    return [r.id for r in rows]


def statuses(ids: list[int]) -> list[tuple[str, int]]:
    from erp_integrations.extensions import db
    from erp_integrations.models import WebhookEvent

    db.session.expire_all()
    return [(e.status, e.attempts) for e in (db.session.get(WebhookEvent, i) for i in ids)]


def test_an_event_whose_handling_crashes_is_retried_alone_then_parked(flaky_account):
    from erp_integrations.webhooks.inbox import MAX_ATTEMPTS, process_inbox

    good_before, crash, good_after = store_events(flaky_account, [b"fine", b"crash", b"fine too"])
    assert process_inbox(flaky_account) == {"processed": 2, "retry later": 1}
    assert statuses([good_before, crash, good_after]) == [("processed", 1), ("received", 1), ("processed", 1)]
    for run in range(2, MAX_ATTEMPTS + 1):  # each later run (the sweep wakes the inbox) tries it once
        process_inbox(flaky_account)
        assert statuses([crash])[0][1] == run
    assert statuses([crash]) == [("failed", MAX_ATTEMPTS)]
    from erp_integrations.extensions import db
    from erp_integrations.models import WebhookEvent

    assert "parked after 5 attempts: RuntimeError: cannot read this event" in db.session.get(WebhookEvent, crash).error


def test_an_outage_keeps_every_event_waiting_for_the_jobs_retry(flaky_account):
    from erp_integrations.connectors import MarketplaceError
    from erp_integrations.webhooks.inbox import process_inbox

    ids = store_events(flaky_account, [b"fine", b"outage"])
    with pytest.raises(MarketplaceError):
        process_inbox(flaky_account)
    assert [s for s, _ in statuses(ids)] == ["received", "received"]
