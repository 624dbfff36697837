"""The fault matrix: a full then an incremental sync of every stream, through real RQ workers on a
Redis of the test's own (so it can be restarted), against the sandbox under one fault at a time.
Each must end equal to the sandbox's ground truth, with no run left "running" and every failed
run visible on the monitor, after at most one operator action where one is needed (authorizing
again after a revocation).

The marketplace's faults (5% HTTP 500, 5% 503, 2% timeouts, 3% truncated bodies, a rate-limit
squeeze) are on for both syncs; the sandbox counts what it injected, so a scenario whose faults
never fired fails. Our own infrastructure's faults (Redis restarted, PostgreSQL backends
terminated, the worker SIGKILLed) and the marketplace's token events (access token expired,
grant revoked) strike once, mid-way through the orders of the full sync.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest
from redis import Redis
from rq import Queue
from rq.registry import ScheduledJobRegistry, StartedJobRegistry
from sqlalchemy import func, select, text

from erp_stats import comparable, erp_stats
from sandbox_support import control, start_sandbox
from sync_support import authorize_account, connect, truth
from test_alerts import monitor_html
from test_workers import kill_worker, wait_for

ORDERS_SEARCH = "/order/202309/orders/search"
ON_POSTGRESQL = (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgres")

# The marketplace misbehaving, for both syncs: sandbox faults, and what the sandbox counts.
HTTP_FAULTS = {
    "5% HTTP 500": ({"error_rate": 0.05}, "error"),
    "5% HTTP 503": ({"unavailable_rate": 0.05}, "unavailable"),
    # The sandbox holds the request past the client's timeout (TIKTOK_SHOP_TIMEOUT below).
    "2% timeouts": ({"timeout_rate": 0.02, "timeout_seconds": 2.0}, "timeout"),
    "3% truncated bodies": ({"truncate_rate": 0.03}, "truncate"),
    # Five requests a second per API path instead of fifty: bursts of 429 on every stream.
    "429 squeeze": ({}, "rate_limited"),
}
# Something striking once, mid-way through the full sync's orders.
STRIKES = ["access token expires", "grant revoked, then authorized again", "Redis restarted", "worker SIGKILLed"]
if ON_POSTGRESQL:  # SQLite has no server whose connections could be killed
    STRIKES.append("PostgreSQL backends terminated")


class OwnRedis:
    """A redis-server for one test, restartable on its port. It keeps an append-only file, as a
    production Redis behind RQ should (queued jobs and retry schedules survive a restart)."""

    def __init__(self, workdir, persist: bool = True):
        self.workdir, self.persist = workdir, persist
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--dir", str(self.workdir)]
            + (["--appendonly", "yes", "--appendfsync", "always"] if self.persist else ["--appendonly", "no"]),
            stdout=subprocess.PIPE,
            text=True,
        )
        for line in self.process.stdout:  # its own "ready" line, not a fixed sleep
            if "Ready to accept connections" in line:
                return
        raise AssertionError("redis-server exited before it was ready")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.process.stdout.close()

    def restart(self, down_seconds: float = 8.0):
        """Stop, stay down, start again: the outage is the fault (a restart that takes as long
        as a real one, loading its data or failing over), longer than redis-py's own default
        retries ride out."""
        self.stop()
        time.sleep(down_seconds)
        self.start()


@pytest.fixture
def own_redis(tmp_path, request):
    redis = OwnRedis(tmp_path, persist=getattr(request, "param", True))
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture
def server():
    s = start_sandbox(orders=1_200, shops=1)
    yield s
    s.stop()


class Workers:
    """``erp-integrations worker`` processes, with RQ's scheduler so retries run."""

    def __init__(self, env):
        self.env = env
        self.processes = []

    def start(self):
        process = subprocess.Popen([sys.executable, "-m", "erp_integrations", "worker"], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.processes.append(process)
        return process

    def stop_all(self):
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=120)


@pytest.fixture
def matrix(app, app_env, own_redis, server):
    """The app on the test's own Redis, an admin's API client, and the workers."""
    from erp_integrations.app import create_app, dispose

    from auth_support import ADMIN_EMAIL, ADMIN_TOKEN, add_user, api_client

    env = {**os.environ, **app_env, "REDIS_URL": own_redis.url, "TIKTOK_SHOP_TIMEOUT": "1"}
    matrix_app = create_app({**app_env, "REDIS_URL": own_redis.url})
    with matrix_app.app_context():
        add_user(ADMIN_EMAIL, "admin", token=ADMIN_TOKEN)
        workers = Workers(env)
        yield matrix_app, api_client(matrix_app), workers
        workers.stop_all()
    dispose(matrix_app)


def idle(redis_url: str, account_id: int) -> bool:
    """Nothing of the account's is waiting, scheduled for a retry or running."""
    from erp_integrations.extensions import db
    from erp_integrations.models import SyncRun

    connection = Redis.from_url(redis_url)
    try:
        for name in ("sync", "backfill", "default"):
            queue = Queue(name, connection=connection)
            if queue.count or StartedJobRegistry(queue=queue).count or ScheduledJobRegistry(queue=queue).count:
                return False
    finally:
        connection.close()
    db.session.rollback()
    return not db.session.scalar(select(func.count()).select_from(SyncRun).where(SyncRun.account_id == account_id, SyncRun.status == "running"))


def orders_committed(account_id: int) -> int:
    from erp_integrations.extensions import db
    from erp_integrations.models import SalesOrder

    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(SalesOrder).where(SalesOrder.account_id == account_id))


def change_the_shop(server) -> None:
    """What happens in a shop between two syncs: orders placed, paid, cancelled, returned."""
    cipher = control(server, "GET", "/shops").json()["shops"][0]["cipher"]
    placed = control(server, "POST", f"/shops/{cipher}/orders", json={"count": 5}).json()["order_ids"]
    control(server, "POST", f"/shops/{cipher}/orders/{placed[0]}/status", json={"status": "AWAITING_SHIPMENT"})
    control(server, "POST", f"/shops/{cipher}/orders/{placed[1]}/cancel", json={})


def failed_runs_are_on_the_monitor(app, client, account_id: int) -> list[dict]:
    runs = client.get(f"/api/v1/accounts/{account_id}/runs?limit=500").get_json()["runs"]
    failed = [r for r in runs if r["status"] == "failed"]
    html = monitor_html(app, account_id)
    for run in failed[:20]:  # the monitor lists the latest twenty failures
        assert run["error"] and str(run["error"])[:40].replace("'", "&#39;").replace('"', "&#34;") in html, run
    assert all(r["status"] != "running" for r in runs)
    return failed


@pytest.mark.parametrize("fault", list(HTTP_FAULTS))
def test_marketplace_faults_leave_the_ground_truth(matrix, own_redis, server, fault):
    app, client, workers = matrix
    faults, counted = HTTP_FAULTS[fault]
    account_id = connect(client, server)
    if fault == "429 squeeze":
        control(server, "PUT", "/app", json={"rate_limit": 5})
    else:
        control(server, "PUT", "/faults", json=faults)
    workers.start()
    for phase in ("full", "incremental"):
        if phase == "incremental":
            change_the_shop(server)
        assert client.post(f"/api/v1/accounts/{account_id}/sync", json={"full": phase == "full"}).status_code == 202
        wait_for(lambda: idle(own_redis.url, account_id), timeout=600, what=f"the {phase} sync under {fault}")
    injected = control(server, "GET", "/faults").json()["injected"]
    assert injected.get(counted, 0) > 0, f"{fault}: the sandbox injected nothing ({injected})"
    requests_made = sum(control(server, "GET", "/requests").json().values())
    print(f"fault matrix: {fault}: {injected[counted]} injected in {requests_made} API requests")  # the README's figures (pytest -s)
    control(server, "DELETE", "/faults")
    control(server, "PUT", "/app", json={"rate_limit": 50})
    expected = truth(server)
    assert erp_stats(account_id, expected) == comparable(expected)
    failed_runs_are_on_the_monitor(app, client, account_id)


@pytest.mark.parametrize("strike", STRIKES)
def test_a_strike_mid_run_leaves_the_ground_truth(matrix, own_redis, server, strike):
    from erp_integrations.extensions import db
    from erp_integrations.scheduler import sweep
    from erp_integrations.sync.runner import ORPHANED_AFTER, fail_lost_runs

    app, client, workers = matrix
    account_id = connect(client, server)
    # Slow order pages, so the strike surely lands mid-stream.
    control(server, "PUT", "/faults", json={"latency_ms": 100, "paths": [ORDERS_SEARCH]})
    worker = workers.start()
    assert client.post(f"/api/v1/accounts/{account_id}/sync", json={"full": True}).status_code == 202
    wait_for(lambda: orders_committed(account_id) >= 200, what="two pages of orders")

    if strike == "access token expires":
        control(server, "POST", "/tokens/expire", json={})
    elif strike == "grant revoked, then authorized again":
        cipher = control(server, "GET", "/shops").json()["shops"][0]["cipher"]
        control(server, "POST", f"/shops/{cipher}/deauthorize")
        wait_for(lambda: idle(own_redis.url, account_id), timeout=300, what="the revoked account's runs to stop")
        assert client.get(f"/api/v1/accounts/{account_id}").get_json()["status"] == "needs_reauth"
        assert "Authorization needed" in monitor_html(app, account_id)
        # The one operator action: Connect & Authorize again. Sync resumes by itself.
        assert authorize_account(client, account_id).get_json()["binding"] == "connected"
    elif strike == "Redis restarted":
        own_redis.restart()
    elif strike == "worker SIGKILLed":
        kill_worker(worker)
        workers.start()
        # The killed worker's run stays "running" until the scheduler's sweep sees its job runs
        # nowhere; the sweep's clock is moved past the grace it gives a silent run.
        db.session.rollback()
        assert fail_lost_runs(now=datetime.now(UTC) + ORPHANED_AFTER) == 1
    elif strike == "PostgreSQL backends terminated":
        db.session.remove()
        with db.engine.connect() as connection:
            killed = connection.execute(
                text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
            ).scalar()
        db.engine.dispose()  # this test's own pool held connections that are dead now too
        assert killed >= 1

    control(server, "DELETE", "/faults")
    wait_for(lambda: idle(own_redis.url, account_id), timeout=600, what=f"the full sync after {strike}")
    # What the scheduler's sweep adds (it runs every minute): nothing should be left for it.
    db.session.rollback()
    assert sweep()["streams_recovered"] == 0
    change_the_shop(server)
    assert client.post(f"/api/v1/accounts/{account_id}/sync", json={}).status_code == 202
    wait_for(lambda: idle(own_redis.url, account_id), timeout=600, what="the incremental sync")

    assert worker.poll() is None or strike == "worker SIGKILLed", "the worker survived"
    expected = truth(server)
    assert erp_stats(account_id, expected) == comparable(expected)
    failed = failed_runs_are_on_the_monitor(app, client, account_id)
    # These two always cost a run (the others may be absorbed: a dead pooled connection is
    # replaced before use, a restarted Redis is reconnected to, an expired token refreshed).
    if strike in ("worker SIGKILLed", "grant revoked, then authorized again"):
        assert failed, f"{strike}: the failure it caused is on record"


@pytest.mark.parametrize("own_redis", [False], indirect=True, ids=["without persistence"])
def test_a_redis_that_lost_everything_costs_no_worker_and_no_run(matrix, own_redis, server):
    """The worst restart: Redis comes back empty (no append-only file). The job in hand still
    finishes and is recorded; the worker stays up and takes the next Sync now. What waited in
    the lost queues runs at the next scheduled sync (README: run Redis with appendonly yes)."""
    from erp_integrations.extensions import db
    from erp_integrations.models import SyncRun

    app, client, workers = matrix
    account_id = connect(client, server)
    control(server, "PUT", "/faults", json={"latency_ms": 100, "paths": [ORDERS_SEARCH]})
    worker = workers.start()
    assert client.post(f"/api/v1/accounts/{account_id}/sync", json={"streams": ["orders"]}).status_code == 202
    wait_for(lambda: orders_committed(account_id) >= 200, what="two pages of orders")
    own_redis.restart()
    control(server, "DELETE", "/faults")
    wait_for(lambda: idle(own_redis.url, account_id), timeout=300, what="the orders run to end")
    db.session.rollback()
    assert db.session.scalars(select(SyncRun.status).where(SyncRun.account_id == account_id)).all() == ["succeeded"]
    assert client.post(f"/api/v1/accounts/{account_id}/sync", json={}).status_code == 202
    wait_for(lambda: idle(own_redis.url, account_id), timeout=300, what="a sync after the restart")
    assert worker.poll() is None
    expected = truth(server)
    assert erp_stats(account_id, expected) == comparable(expected)


def test_a_sync_asked_for_while_redis_is_down_is_refused_with_503(matrix, own_redis, server):
    """Redis gone for longer than the client's retries ride out: the API says the queue is
    unavailable and when to try again (503, Retry-After), never a bare 500."""
    app, client, workers = matrix
    account_id = connect(client, server)
    own_redis.stop()
    response = client.post(f"/api/v1/accounts/{account_id}/sync", json={})
    assert response.status_code == 503, response.get_json()
    assert "Redis" in response.get_json()["error"]["message"] and response.headers["Retry-After"] == "60"
    own_redis.start()  # back for the fixture's own teardown
    assert client.post(f"/api/v1/accounts/{account_id}/sync", json={}).status_code == 202
