"""The conformance suite, run for every connector against its own sandbox through the real job
path (RQ workers on PostgreSQL and Redis, or SQLite with the embedded queue): what the host
relies on from any connector, checked the same way for each."""

from __future__ import annotations

import pytest
import requests
from harnesses import HARNESSES
from sqlalchemy import select

from sync_support import run_jobs, sync


@pytest.fixture(params=sorted(HARNESSES))
def harness(request):
    return HARNESSES[request.param]()


@pytest.fixture
def server(harness):
    s = harness.start()
    yield s
    s.stop()


def test_a_full_sync_equals_the_ground_truth(client, app, app_env, harness, server):
    account_id = harness.connect(client, server)
    sync(client, app, app_env, account_id)
    truth = harness.truth(server)
    assert harness.erp(account_id, truth) == truth


def test_an_incremental_sync_converges_after_changes_on_the_marketplace(client, app, app_env, harness, server):
    account_id = harness.connect(client, server)
    sync(client, app, app_env, account_id)
    harness.change(server)
    sync(client, app, app_env, account_id)
    truth = harness.truth(server)
    assert harness.erp(account_id, truth) == truth


def test_an_idle_incremental_run_costs_one_call_per_stream(client, app, app_env, harness, server):
    account_id = harness.connect(client, server)
    sync(client, app, app_env, account_id)
    runs = sync(client, app, app_env, account_id)
    latest = {}
    for run in runs:  # newest first
        latest.setdefault(run["stream"], run)
    costs = {stream: run["api_calls"] for stream, run in latest.items() if stream not in harness.idle_exceptions}
    assert costs and all(calls <= 1 for calls in costs.values()), sorted(costs.items())


def test_a_run_broken_mid_way_resumes_from_its_last_page(client, app, app_env, harness, server):
    from erp_integrations.extensions import db
    from erp_integrations.jobs import get_queue_backend
    from erp_integrations.jobs.queue import EmbeddedQueue
    from erp_integrations.models import SalesOrder, SyncCursor

    account_id = harness.connect(client, server)
    harness.break_orders_mid_way(server)
    assert client.post(f"/api/v1/accounts/{account_id}/sync", json={"streams": ["orders"]}).status_code == 202
    backend = get_queue_backend(app)
    if isinstance(backend, EmbeddedQueue):
        backend.join()  # the run fails: run_jobs would say so
    else:
        import os
        import subprocess
        import sys

        subprocess.run(
            [sys.executable, "-m", "erp_integrations", "worker", "--burst"], env={**os.environ, **app_env}, capture_output=True, text=True, timeout=600
        )
    db.session.expire_all()
    cursor = db.session.scalar(select(SyncCursor.cursor).where(SyncCursor.account_id == account_id, SyncCursor.stream == "orders"))
    assert cursor and cursor.get("window"), "the cursor keeps the window and page of the last page written"
    written = db.session.query(SalesOrder).filter_by(account_id=account_id).count()
    assert 0 < written < harness.orders_in(harness.truth(server)), "some pages were written before the break, not all"
    harness.heal(server)
    sync(client, app, app_env, account_id)
    truth = harness.truth(server)
    assert harness.erp(account_id, truth) == truth


def test_a_webhook_delivered_twice_is_stored_once(client, app, app_env, harness, server, erp):
    account_id = harness.connect(client, server)
    url = f"{erp}/webhooks/{harness.slug}/{account_id}"
    assert client.patch(f"/api/v1/accounts/{account_id}", json={"config": {"webhook_url": url}}).status_code == 200
    body, headers = harness.signed_webhook(url)
    for _ in range(2):
        assert requests.post(url, data=body, headers=headers, timeout=10).status_code == 200
    events = client.get(f"/api/v1/accounts/{account_id}/webhooks/events").get_json()["events"]
    assert len(events) == 1
    run_jobs(app, app_env)  # handled (the order it names may be unknown: it then fails alone)
