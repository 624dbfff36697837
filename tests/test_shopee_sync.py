"""The Shopee connector end to end: Connect & Authorize against the Shopee sandbox, synced
through the real job path, compared with the sandbox's ground truth; stock and prices pushed
back; tokens refreshed. The ERP side is counted here with SQL of its own."""

from __future__ import annotations

from decimal import Decimal

import pytest
from shopee_support import connect_shopee, control, erp_side, expected, normalised, shops_of, truth
from sqlalchemy import func, select

from sync_support import run_jobs, sync


@pytest.fixture
def shopee():
    from shopee_support import start_shopee

    server = start_shopee()
    yield server
    server.stop()


def test_connect_and_authorize_binds_the_shop_shopee_named(client, app, shopee):
    account_id = connect_shopee(client, shopee, shop=1)
    account = client.get(f"/api/v1/accounts/{account_id}").get_json()
    assert account["status"] == "connected"
    assert account["config"]["shop_id"] == str(shops_of(shopee)[1]["shop_id"])
    from shopee_support import PARTNER_KEY

    body = client.get(f"/api/v1/accounts/{account_id}").get_data(as_text=True)
    assert PARTNER_KEY not in body and "access_token" not in body  # write-only, masked
    tested = client.post(f"/api/v1/accounts/{account_id}/test").get_json()
    assert tested["ok"] is True and shops_of(shopee)[1]["name"] in tested["message"]


def test_a_callback_without_the_shop_is_a_400_and_binds_nothing(client, app, shopee):
    from urllib.parse import parse_qs, urlparse

    import requests
    from shopee_support import shopee_config

    account_id = client.post("/api/v1/accounts", json={"connector": "shopee", "config": shopee_config(shopee)}).get_json()["id"]
    start = client.post(f"/api/v1/accounts/{account_id}/authorize").get_json()
    redirect = requests.get(start["authorization_url"] + "&auto_approve=1&shop=0", allow_redirects=False, timeout=10)
    query = {k: v[0] for k, v in parse_qs(urlparse(redirect.headers["Location"]).query).items() if k != "shop_id"}
    answer = client.get(start["callback_path"], query_string=query)
    assert answer.status_code == 400 and "shop_id" in answer.get_json()["error"]["message"]
    assert client.get(f"/api/v1/accounts/{account_id}").get_json()["status"] != "connected"


def test_a_second_account_cannot_take_a_bound_shop(client, app, shopee):
    connect_shopee(client, shopee, shop=0)
    from shopee_support import authorize, shopee_config

    other = client.post("/api/v1/accounts", json={"connector": "shopee", "config": shopee_config(shopee, name="Other")}).get_json()["id"]
    refused = authorize(client, other, shop=0)
    assert refused.status_code == 409, refused.get_json()
    assert "already bound" in refused.get_json()["error"]["message"]


def test_the_reports_read_a_shopee_shop_as_the_sandbox_counts_it(client, app, app_env, shopee):
    """The host's figures, with no line of Shopee code, over the shop's whole history: orders,
    GMV, refunds (Shopee's refunded statuses) and the escrow released, in SGD."""
    from datetime import UTC, datetime, timedelta

    account_id = connect_shopee(client, shopee)
    runs = sync(client, app, app_env, account_id)
    assert {r["stream"] for r in runs} == {"products", "orders", "settlements", "wallet", "returns", "lost_pushes"}
    today = datetime.now(UTC).date()
    params = {"account": account_id, "period": "custom", "from": (today - timedelta(days=400)).isoformat(), "to": (today + timedelta(days=1)).isoformat()}
    report = client.get("/api/v1/reports/summary", query_string=params).get_json()
    assert report["period"]["time_zone"] == "Asia/Singapore"
    (row,) = report["currencies"]
    figures, stats = row["figures"], truth(shopee)
    assert row["currency"] == "SGD"
    assert figures["orders_placed"] == stats["orders"]
    assert figures["orders_cancelled"] == stats["orders_by_status"].get("CANCELLED", 0)
    assert Decimal(figures["gmv"]) == Decimal(stats["gmv"])
    assert Decimal(figures["refunds"]) == Decimal(stats["returns"]["refunded"])
    assert Decimal(figures["net_settlement"]) == Decimal(stats["escrow_released"]["amount"])
    assert figures["statements"] == stats["escrow_released"]["days"]
    # What was paid out to the bank, and what the seller could withdraw now: the wallet's
    # own running balance after its last transaction.
    assert Decimal(figures["payouts"]) == Decimal(stats["wallet"]["withdrawals_paid"]["amount"]) > 0
    assert Decimal(figures["available_balance"]) == Decimal(stats["wallet"]["balance"])
    # What Shopee still owes: the escrow it holds for paid orders not released yet.
    assert Decimal(figures["settlement_awaiting"]) == Decimal(stats["escrow_held"]["amount"]) > 0
    # Delayed settlements: held escrow of orders delivered more than 30 days ago (Shopee's
    # delivery is the order reaching TO_CONFIRM_RECEIVE; the sandbox ages its own orders).
    late = client.get("/api/v1/reports/delayed-settlements", query_string={"account": account_id, "days": 30}).get_json()["rows"]
    assert len(late) == stats["escrow_held_30_days_after_delivery"]["orders"] > 0
    assert sum(Decimal(r["amount"]) for r in late) == Decimal(stats["escrow_held_30_days_after_delivery"]["amount"])
    assert {r["side"] for r in late} == {"seller"}


def test_incremental_sync_converges_after_changes_on_shopee(client, app, app_env, shopee):
    account_id = connect_shopee(client, shopee)
    sync(client, app, app_env, account_id)
    moved = control(shopee, "POST", "/orders/advance", json={"shop_id": shops_of(shopee)[0]["shop_id"], "count": 25}).json()["moved"]
    assert len(moved) == 25
    before = control(shopee, "GET", "/calls").json()
    sync(client, app, app_env, account_id)
    assert normalised(erp_side(account_id)) == normalised(expected(shopee))
    after = control(shopee, "GET", "/calls").json()
    # Only what changed is fetched again: one order-list page and one detail call cover them.
    assert after["/api/v2/order/get_order_detail"] - before["/api/v2/order/get_order_detail"] == 1
    from erp_integrations.extensions import db
    from erp_integrations.models import OrderStatusChange, SalesOrder

    order = db.session.scalars(select(SalesOrder).where(SalesOrder.account_id == account_id, SalesOrder.external_id == moved[0]["order_sn"])).one()
    history = db.session.scalars(select(OrderStatusChange.to_status).where(OrderStatusChange.order_id == order.id)).all()
    assert order.status == moved[0]["status"] and moved[0]["status"] in history


def _a_model(account_id: int):
    from erp_integrations.extensions import db
    from erp_integrations.models import ProductVariant

    return db.session.scalars(
        select(ProductVariant).where(ProductVariant.account_id == account_id, ~ProductVariant.external_id.endswith(":0")).order_by(ProductVariant.id)
    ).first()


def test_stock_and_price_pushed_from_the_erp_reach_shopee_and_come_back(client, app, app_env, shopee):
    account_id = connect_shopee(client, shopee)
    sync(client, app, app_env, account_id)
    variant = _a_model(account_id)
    stock_before = truth(shopee)["stock"]
    from erp_integrations.extensions import db
    from erp_integrations.models import StockLevel

    level = db.session.scalars(select(StockLevel).where(StockLevel.variant_id == variant.id)).one()
    for kind, item in (("stock", {"sku": variant.external_id, "quantity": level.available + 7}), ("prices", {"sku": variant.external_id, "amount": "19.90"})):
        response = client.post(f"/api/v1/accounts/{account_id}/push/{kind}", json={"items": [item]})
        assert response.status_code == 202, response.get_json()
    run_jobs(app, app_env)
    requests_ = client.get(f"/api/v1/accounts/{account_id}/push").get_json()["requests"]
    assert {r["kind"]: r["status"] for r in requests_} == {"stock": "sent", "price": "sent"}, requests_
    assert truth(shopee)["stock"] == stock_before + 7
    sync(client, app, app_env, account_id)
    db.session.expire_all()
    assert db.session.get(type(variant), variant.id).price == Decimal("19.90")
    assert normalised(erp_side(account_id)) == normalised(expected(shopee))


def test_a_price_shopee_refuses_fails_with_shopees_reason(client, app, app_env, shopee):
    account_id = connect_shopee(client, shopee)
    sync(client, app, app_env, account_id)
    variant = _a_model(account_id)
    response = client.post(f"/api/v1/accounts/{account_id}/push/prices", json={"items": [{"sku": variant.external_id, "amount": "19.999"}]})
    assert response.status_code == 202
    run_jobs(app, app_env)
    (request,) = client.get(f"/api/v1/accounts/{account_id}/push").get_json()["requests"]
    assert request["status"] == "failed"
    assert "at most 2 decimals" in request["error"]


def test_an_expired_access_token_is_refreshed_once_and_the_refresh_token_rotates(client, app, app_env, shopee):
    from erp_integrations.crypto.vault import CredentialVault
    from erp_integrations.extensions import db
    from erp_integrations.models import IntegrationAccount

    account_id = connect_shopee(client, shopee)
    account = db.session.get(IntegrationAccount, account_id)
    old_refresh = CredentialVault(db.session).get(account, "refresh_token")
    control(shopee, "POST", "/tokens/expire")
    sync(client, app, app_env, account_id, streams=["products"])
    db.session.expire_all()
    account = db.session.get(IntegrationAccount, account_id)
    assert CredentialVault(db.session).get(account, "refresh_token") != old_refresh
    assert account.status == "connected"


def test_packages_ship_from_the_erp_and_their_tracking_reads_through(client, app, app_env, shopee):
    from erp_integrations.extensions import db
    from erp_integrations.models import SalesOrder, Shipment

    account_id = connect_shopee(client, shopee)
    sync(client, app, app_env, account_id, streams=["orders"])
    assert db.session.scalar(select(func.count()).select_from(Shipment).where(Shipment.account_id == account_id)) == truth(shopee)["orders"]
    ready, done = (
        db.session.scalars(
            select(SalesOrder.external_id).where(SalesOrder.account_id == account_id, SalesOrder.status == status).order_by(SalesOrder.id)
        ).first()
        for status in ("READY_TO_SHIP", "COMPLETED")
    )
    for order, tracking in ((ready, "SELF-TRACK-1"), (done, "SELF-TRACK-2")):
        answer = client.post(f"/api/v1/accounts/{account_id}/push/shipments", json={"items": [{"order": order, "tracking_number": tracking}]})
        assert answer.status_code == 202, answer.get_json()
    run_jobs(app, app_env)  # the pushes, then the orders sync they ask for
    outcomes = {r["target"]: r for r in client.get(f"/api/v1/accounts/{account_id}/push").get_json()["requests"]}
    shipped = db.session.scalars(select(Shipment).where(Shipment.account_id == account_id)).all()
    by_order = {s.order_external_ids[0]: s.external_id for s in shipped}
    assert outcomes[by_order[ready]]["status"] == "sent"
    refused = outcomes[by_order[done]]
    assert refused["status"] == "failed" and "logistics.ship_order_not_ready_to_ship" in refused["error"]  # Shopee's own refusal
    db.session.expire_all()
    assert db.session.scalar(select(SalesOrder.status).where(SalesOrder.account_id == account_id, SalesOrder.external_id == ready)) == "PROCESSED"
    assert (
        shopee.sandbox.data.shop(int(client.get(f"/api/v1/accounts/{account_id}").get_json()["config"]["shop_id"])).by_sn[ready].tracking_number
        == "SELF-TRACK-1"
    )
    tracking = client.get(f"/api/v1/accounts/{account_id}/orders/{done}/tracking")
    assert tracking.status_code == 200, tracking.get_json()
    events = tracking.get_json()["events"]
    assert [e["description"] for e in events][-1] == "Parcel delivered"
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
