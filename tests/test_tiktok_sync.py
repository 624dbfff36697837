"""End to end: an account authorized against the sandbox, synced through the real job path
(RQ workers on Redis, or the embedded queue), compared with the sandbox's ground truth."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest
from harnesses import tiktok
from sqlalchemy import func, select

from erp_stats import comparable, erp_stats
from sandbox_support import control, start_sandbox
from sync_support import account_config, connect, sync, truth


@pytest.fixture
def server():
    s = start_sandbox(orders=1_500, redirect_url="https://erp.example.com/oauth/tiktok_shop/callback")
    yield s
    s.stop()


def test_connect_and_authorize_binds_the_shop(client, app, server):
    from erp_integrations.accounts import account_secrets, get_account

    account_id = connect(client, server)
    account = get_account(account_id)
    assert account.status == "connected" and account.external_shop_id == control(server, "GET", "/shops").json()["shops"][0]["id"]
    assert account.config["shop_cipher"].startswith("ROW_")
    assert account.access_expires_at is not None and {"access_token", "refresh_token", "app_secret"} <= set(account_secrets(account))
    assert [s["name"] for s in account.auth_info["shops"]] == ["Sandbox Shop 1 (US)"]
    shown = client.get(f"/api/v1/accounts/{account_id}").get_data(as_text=True)
    assert account_secrets(account)["access_token"] not in shown
    assert client.post(f"/api/v1/accounts/{account_id}/test").get_json()["status"] == "ok"


def test_oauth_state_is_checked(client, app, server):
    account = client.post("/api/v1/accounts", json={"connector": "tiktok_shop", "config": account_config(server)}).get_json()
    start = client.post(f"/api/v1/accounts/{account['id']}/authorize").get_json()
    state = start["authorization_url"].split("state=")[1]
    forged = state[:-2] + ("AA" if not state.endswith("AA") else "BB")
    assert client.get(f"/oauth/tiktok_shop/callback?code=x&state={forged}").status_code == 400
    assert "refused" in client.get(f"/oauth/tiktok_shop/callback?code=null&error=auth_denied&state={state}").get_json()["error"]["message"]
    newer = client.post(f"/api/v1/accounts/{account['id']}/authorize").get_json()["authorization_url"].split("state=")[1]
    stale = client.get(f"/oauth/tiktok_shop/callback?code=x&state={state}")
    assert stale.status_code == 400 and "replaced" in stale.get_json()["error"]["message"]
    assert newer != state


def test_full_sync_matches_the_ground_truth(client, app, app_env, server):
    account_id = connect(client, server)
    sync(client, app, app_env, account_id)
    expected = truth(server)
    assert erp_stats(account_id, expected) == comparable(expected)


def test_incremental_sync_converges_after_changes(client, app, app_env, server):
    from erp_integrations.extensions import db
    from erp_integrations.models import OrderStatusChange, ProductVariant, SalesOrder, Warehouse

    account_id = connect(client, server)
    cipher = control(server, "GET", "/shops").json()["shops"][0]["cipher"]
    new_orders = control(server, "POST", f"/shops/{cipher}/orders", json={"count": 7}).json()["order_ids"]
    sync(client, app, app_env, account_id)
    control(server, "POST", f"/shops/{cipher}/orders/{new_orders[0]}/status", json={"status": "AWAITING_SHIPMENT"})
    control(server, "POST", f"/shops/{cipher}/orders/{new_orders[1]}/cancel", json={})
    control(server, "POST", f"/shops/{cipher}/orders", json={"count": 3})
    delivered_id = db.session.scalar(select(SalesOrder.external_id).where(SalesOrder.status == "DELIVERED").limit(1))
    control(server, "POST", f"/shops/{cipher}/orders/{delivered_id}/return", json={"type": "REFUND"})
    sku = db.session.scalar(select(ProductVariant.external_id).limit(1))
    warehouse_id = db.session.scalar(select(Warehouse.external_id).where(Warehouse.is_default.is_(True)))
    control(server, "POST", f"/shops/{cipher}/stock", json={"sku_id": sku, "warehouse_id": warehouse_id, "available": 4321})
    sync(client, app, app_env, account_id)
    expected = truth(server)
    assert erp_stats(account_id, expected) == comparable(expected)
    db.session.expire_all()
    assert db.session.scalar(select(SalesOrder.status).where(SalesOrder.external_id == new_orders[1])) == "CANCELLED"
    transitions = db.session.execute(
        select(OrderStatusChange.from_status, OrderStatusChange.to_status)
        .join(SalesOrder, OrderStatusChange.order_id == SalesOrder.id)
        .where(SalesOrder.external_id == new_orders[0])
        .order_by(OrderStatusChange.id)
    ).all()
    assert [tuple(t) for t in transitions] == [(None, "UNPAID"), ("UNPAID", "AWAITING_SHIPMENT")]


def test_an_idle_incremental_sync_costs_one_call_per_stream(client, app, app_env, server):
    account_id = connect(client, server)
    sync(client, app, app_env, account_id)
    runs = sync(client, app, app_env, account_id)
    latest = {}
    for run in runs:  # newest first
        latest.setdefault(run["stream"], run)
    # The documented exceptions are the harness's (tests/harnesses.py), each with its reason.
    costs = {s: r["api_calls"] for s, r in latest.items() if s not in tiktok().idle_exceptions}
    assert costs and all(calls <= 1 for calls in costs.values()), [c for c in sorted(costs.items()) if c[1] > 1]


def test_a_run_killed_mid_way_resumes_where_it_stopped(client, app, app_env, server):
    from erp_integrations.models import SyncCursor

    account_id = connect(client, server)
    control(server, "PUT", "/faults", json={"error_rate": 1.0, "paths": ["/order/"], "after": 5})
    client.post(f"/api/v1/accounts/{account_id}/sync", json={"streams": ["orders"]})
    from erp_integrations.jobs import get_queue_backend
    from erp_integrations.jobs.queue import EmbeddedQueue

    backend = get_queue_backend(app)
    if isinstance(backend, EmbeddedQueue):
        backend.join()
    else:
        env = {**os.environ, **app_env}
        subprocess.run([sys.executable, "-m", "erp_integrations", "worker", "--burst"], env=env, capture_output=True, text=True, timeout=600)
    from erp_integrations.extensions import db

    db.session.expire_all()
    cursor = db.session.scalar(select(SyncCursor.cursor).where(SyncCursor.account_id == account_id, SyncCursor.stream == "orders"))
    assert cursor["window"][2], "the cursor keeps the page token of the last finished page"
    from erp_integrations.models import SalesOrder

    assert db.session.scalar(select(func.count()).select_from(SalesOrder)) == 500  # five pages of 100
    control(server, "DELETE", "/faults")
    runs = sync(client, app, app_env, account_id, streams=["orders"])
    assert runs[0]["api_calls"] == 10  # the remaining 1,000 orders: ten pages, none read twice
    expected = truth(server)
    assert erp_stats(account_id, expected)["orders"] == expected["orders"]


def test_expired_access_token_is_refreshed_once(client, app, app_env, server):
    from erp_integrations.accounts import account_secrets, get_account

    account_id = connect(client, server)
    before = account_secrets(get_account(account_id))["access_token"]
    control(server, "POST", "/tokens/expire")
    sync(client, app, app_env, account_id, streams=["warehouses", "orders"])
    from erp_integrations.extensions import db

    db.session.expire_all()
    assert account_secrets(get_account(account_id))["access_token"] != before
    assert control(server, "GET", "/requests").json()["GET /api/v2/token/refresh"] == 1


def test_concurrent_refreshes_are_single_flight(app, server, client):
    from erp_integrations.accounts import account_secrets, get_account
    from erp_integrations.hooks import get_connector

    account_id = connect(client, server)
    stale = account_secrets(get_account(account_id))["access_token"]
    results, errors = [], []

    def refresh():
        with app.app_context():
            try:
                account = get_account(account_id)
                keeper = get_connector("tiktok_shop")().client(account).token_source
                results.append(keeper.refresh(stale=stale))
            except Exception as exc:  # collected for the assertion below
                errors.append(exc)

    threads = [threading.Thread(target=refresh) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(set(results)) == 1 and results[0] != stale
    assert control(server, "GET", "/requests").json()["GET /api/v2/token/refresh"] == 1


def test_refused_refresh_marks_the_account_for_reauthorization(client, app, server):
    from erp_integrations.extensions import db
    from erp_integrations.models import Alert
    from erp_integrations.sync import run_sync
    from erp_integrations.toolkit import ReauthorizationRequired

    account_id = connect(client, server)
    control(server, "POST", "/tokens/expire", json={"refresh": True})
    with pytest.raises(ReauthorizationRequired):
        run_sync(account_id, "orders")
    account = client.get(f"/api/v1/accounts/{account_id}").get_json()
    assert account["status"] == "needs_reauth"
    alerts = db.session.scalars(select(Alert).where(Alert.account_id == account_id)).all()
    assert [a.kind for a in alerts] == ["needs_reauth"]
    assert "36004001" not in alerts[0].message or "rt has expired" in alerts[0].message


def test_disabled_features_skip_their_streams(client, app, app_env, server):
    account_id = connect(client, server, features={"product_catalog": True, "orders": False, "inventory": False})
    from erp_integrations.sync import run_sync

    assert run_sync(account_id, "orders").status == "skipped"
    assert run_sync(account_id, "products").status == "succeeded"


def test_sync_cli(app_env, server, client, app):
    account_id = connect(client, server)
    env = {**os.environ, **{k: v for k, v in app_env.items() if k != "REDIS_URL"}}
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "erp_integrations", "sync", str(account_id), "--stream", "warehouses", "--stream", "products", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    import json

    report = json.loads(result.stdout)
    assert [s["stream"] for s in report["streams"]] == ["warehouses", "products"]
    assert all(s["status"] == "succeeded" for s in report["streams"])
    assert report["streams"][1]["counts"]["products"] == truth(server)["products"]["count"]
    bad = subprocess.run(
        [sys.executable, "-m", "erp_integrations", "sync", str(account_id), "--stream", "nope"], env=env, capture_output=True, text=True, timeout=60
    )
    assert bad.returncode == 2 and "unknown stream" in bad.stderr


def test_a_refused_refresh_is_not_retried_and_pauses_the_account_until_it_is_authorized_again(rq_app, admin, app_env, redis_url, fresh_sandbox):
    import os
    import subprocess
    import sys

    from redis import Redis
    from rq import Queue
    from rq.registry import FailedJobRegistry, ScheduledJobRegistry

    from erp_integrations.extensions import db
    from erp_integrations.models import Alert, SyncRun

    from auth_support import api_client
    from sync_support import authorize_account

    client = api_client(rq_app)
    account_id = connect(client, fresh_sandbox)
    control(fresh_sandbox, "POST", "/tokens/expire", json={"refresh": True})
    assert client.post(f"/api/v1/accounts/{account_id}/sync", json={"streams": ["orders", "products", "returns", "statements"]}).status_code == 202
    env = {**os.environ, **app_env, "REDIS_URL": redis_url}
    burst = subprocess.run([sys.executable, "-m", "erp_integrations", "worker", "--burst"], env=env, capture_output=True, text=True, timeout=300)
    assert burst.returncode == 0, burst.stderr[-2000:]
    db.session.expire_all()
    runs = db.session.scalars(select(SyncRun).where(SyncRun.account_id == account_id)).all()
    assert len(runs) == 1 and runs[0].status == "failed"  # the first found out; the others did not try
    connection = Redis.from_url(redis_url)
    for name in ("sync", "default"):
        assert ScheduledJobRegistry(queue=Queue(name, connection=connection)).get_job_ids() == []  # no retry waits
        assert FailedJobRegistry(queue=Queue(name, connection=connection)).get_job_ids() == []
    assert client.get(f"/api/v1/accounts/{account_id}").get_json()["status"] == "needs_reauth"
    refused = client.post(f"/api/v1/accounts/{account_id}/sync", json={})
    assert refused.status_code == 409 and "Connect & Authorize" in refused.get_json()["error"]["message"]

    assert authorize_account(client, account_id).get_json()["binding"] == "connected"
    db.session.expire_all()
    assert db.session.scalars(select(Alert).where(Alert.account_id == account_id, Alert.resolved_at.is_(None))).all() == []
    assert client.post(f"/api/v1/accounts/{account_id}/sync", json={"streams": ["orders"]}).status_code == 202
