"""An order's carrier tracking, read through to the sandbox when asked: the events agree with
the order's own times (synced separately, by the orders stream), nothing is asked for an order
that has not shipped, and the Logistics toggle stands in front of it."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from sandbox_support import control, start_sandbox
from sync_support import ALL_FEATURES, connect, sync

TRACKING = "GET /fulfillment/202309/orders/{order_id}/tracking"


@pytest.fixture(scope="module")
def server():
    s = start_sandbox(orders=300, shops=1)
    yield s
    s.stop()


def orders_in(account_id, status):
    from erp_integrations.extensions import db
    from erp_integrations.models import SalesOrder

    return db.session.scalars(select(SalesOrder).where(SalesOrder.account_id == account_id, SalesOrder.status == status).order_by(SalesOrder.id)).all()


def tracking_calls(server) -> int:
    return control(server, "GET", "/requests").json().get(TRACKING, 0)


def test_a_delivered_orders_tracking_matches_its_own_times(client, app, app_env, server):
    account_id = connect(client, server)
    sync(client, app, app_env, account_id, streams=["orders"])
    for order in orders_in(account_id, "DELIVERED")[:5]:
        answer = client.get(f"/api/v1/accounts/{account_id}/orders/{order.external_id}/tracking")
        assert answer.status_code == 200, answer.get_json()
        events = [(datetime.fromisoformat(e["at"]), e["description"]) for e in answer.get_json()["events"]]
        # Ready, picked up, delivered: at the times the order itself reports, oldest first.
        assert [at for at, _ in events] == [order.rts_at, order.collected_at, order.delivered_at]
        assert all(at.utcoffset().total_seconds() == 0 for at, _ in events)
        assert events[-1][1] == "Package delivered"


def test_nothing_is_asked_before_an_order_ships(client, app, app_env, server):
    account_id = connect(client, server)
    sync(client, app, app_env, account_id, streams=["orders"])
    before = tracking_calls(server)
    waiting = orders_in(account_id, "AWAITING_SHIPMENT")[0]
    assert client.get(f"/api/v1/accounts/{account_id}/orders/{waiting.external_id}/tracking").get_json()["events"] == []
    assert tracking_calls(server) == before
    assert client.get(f"/api/v1/accounts/{account_id}/orders/no-such-order/tracking").status_code == 404


def test_the_logistics_toggle_stands_in_front_of_tracking(client, app, app_env, server):
    account_id = connect(client, server, features={**ALL_FEATURES, "logistics": False})
    sync(client, app, app_env, account_id, streams=["orders"])
    before = tracking_calls(server)
    delivered = orders_in(account_id, "DELIVERED")[0]
    refused = client.get(f"/api/v1/accounts/{account_id}/orders/{delivered.external_id}/tracking")
    assert refused.status_code == 409 and "turn on Logistics" in refused.get_json()["error"]["message"]
    assert tracking_calls(server) == before
