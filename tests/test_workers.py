"""Worker processes on a real Redis stopped mid-sync: SIGTERM (stop after the page) and
SIGKILL (nothing to clean up with). Either way the data ends as a clean run leaves it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import func, select

from erp_integrations.hooks import hookimpl

from erp_stats import erp_stats
from sandbox_support import control, start_sandbox
from sync_support import connect, truth

ORDERS_SEARCH = "/order/202309/orders/search"


@pytest.fixture
def server():
    s = start_sandbox(orders=2_000, shops=1)
    yield s
    s.stop()


def worker_env(app_env, redis_url):
    return {**os.environ, **app_env, "REDIS_URL": redis_url}


def wait_for(condition, timeout: float = 120.0, what: str = "condition"):
    """Poll a condition that another process makes true (there is no event to block on
    across processes and a database)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def kill_worker(process: subprocess.Popen) -> None:
    """SIGKILL a worker and its work horse at once, as a lost machine would stop them (the horse
    runs in a process group of its own, RQ's ``os.setpgrp()``, so killing the worker's group
    leaves it running).

    The orphaned horse is re-parented to this test process, made a child subreaper here, which
    never reaps it: it stays a zombie, as it does under a PID 1 that reaps nothing (a container
    without an init). Whatever this machine's PID 1 does, the takeover of the dead horse's lock
    and job is tested against the worst case."""
    _become_child_subreaper()
    horses = [int(stat.parent.name) for stat in Path("/proc").glob("[0-9]*/stat") if _parent_of(stat) == process.pid]
    for pid in [process.pid, *horses]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait(timeout=30)


def _become_child_subreaper() -> None:
    import ctypes

    PR_SET_CHILD_SUBREAPER = 36  # prctl(2)
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def _parent_of(stat: Path) -> int | None:
    try:
        # pid (comm) state ppid ...: comm may hold spaces, so split after its closing ")".
        return int(stat.read_text().rpartition(")")[2].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def pages_committed(account_id: int) -> int:
    from erp_integrations.extensions import db
    from erp_integrations.models import SalesOrder

    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(SalesOrder).where(SalesOrder.account_id == account_id)) // 100


def start_slow_sync(rq_app, server):
    from auth_support import ADMIN_EMAIL, ADMIN_TOKEN, add_user, api_client

    add_user(ADMIN_EMAIL, "admin", token=ADMIN_TOKEN)
    client = api_client(rq_app)
    account_id = connect(client, server)
    # Each page takes a while, so the worker is surely mid-stream when it is stopped.
    control(server, "PUT", "/faults", json={"latency_ms": 150, "paths": [ORDERS_SEARCH]})
    assert client.post(f"/api/v1/accounts/{account_id}/sync", json={"streams": ["orders"]}).status_code == 202
    return client, account_id


def finish_and_compare(client, account_id, app_env, redis_url, server):
    from erp_integrations.extensions import db
    from erp_integrations.models import SalesOrder

    result = subprocess.run(
        [sys.executable, "-m", "erp_integrations", "worker", "--burst"], env=worker_env(app_env, redis_url), capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    expected = truth(server)
    db.session.rollback()
    assert erp_stats(account_id, expected)["orders"] == expected["orders"]
    distinct = db.session.scalar(select(func.count(func.distinct(SalesOrder.external_id))).where(SalesOrder.account_id == account_id))
    assert distinct == db.session.scalar(select(func.count()).select_from(SalesOrder).where(SalesOrder.account_id == account_id))


def test_sigterm_stops_after_the_page_and_another_worker_continues(rq_app, app_env, redis_url, server):
    from erp_integrations.extensions import db
    from erp_integrations.models import SyncRun

    client, account_id = start_slow_sync(rq_app, server)
    worker = subprocess.Popen(
        [sys.executable, "-m", "erp_integrations", "worker"], env=worker_env(app_env, redis_url), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    wait_for(lambda: pages_committed(account_id) >= 2, what="two committed pages")
    worker.send_signal(signal.SIGTERM)
    output, _ = worker.communicate(timeout=120)
    assert worker.returncode == 0, output[-3000:]

    db.session.rollback()
    run = db.session.scalars(select(SyncRun).where(SyncRun.account_id == account_id, SyncRun.stream == "orders")).one()
    assert run.status == "interrupted" and "shutting down" in run.error
    waiting = [j for q in ("sync", "backfill") for j in Queue(q, connection=Redis.from_url(redis_url)).job_ids]
    assert waiting == [f"sync_account-{account_id}-orders-again"]
    control(server, "DELETE", "/faults")
    stopped_at = pages_committed(account_id)
    finish_and_compare(client, account_id, app_env, redis_url, server)
    continued = db.session.scalars(select(SyncRun).where(SyncRun.account_id == account_id, SyncRun.status == "succeeded")).one()
    assert continued.api_calls == 20 - stopped_at  # from the next page on: nothing fetched twice


def test_a_worker_killed_mid_sync_then_restarted_leaves_the_same_data(rq_app, app_env, redis_url, server):
    client, account_id = start_slow_sync(rq_app, server)
    worker = subprocess.Popen(
        [sys.executable, "-m", "erp_integrations", "worker"],
        env=worker_env(app_env, redis_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_for(lambda: pages_committed(account_id) >= 2, what="two committed pages")
    kill_worker(worker)  # the worker and its work horse, mid-page

    control(server, "DELETE", "/faults")
    # Sync now again (the scheduler would do the same): the dead worker's job and lock are
    # recognised as orphaned and taken over, not waited out.
    assert client.post(f"/api/v1/accounts/{account_id}/sync", json={"streams": ["orders"]}).get_json()["jobs"][0]["status"] == "queued"
    finish_and_compare(client, account_id, app_env, redis_url, server)


def test_a_run_whose_worker_went_silent_is_failed_and_queued_again(app, client, fresh_sandbox):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select

    from erp_integrations.extensions import db
    from erp_integrations.jobs import get_queue_backend
    from erp_integrations.models import SyncRun
    from erp_integrations.scheduler import sweep
    from erp_integrations.sync.enqueue import sync_job_id
    from erp_integrations.sync.runner import LOST_AFTER

    account_id = connect(client, fresh_sandbox)
    now = datetime.now(UTC)
    silent = SyncRun(
        account_id=account_id, stream="returns", status="running", started_at=now - LOST_AFTER * 2, heartbeat_at=now - LOST_AFTER - timedelta(minutes=1)
    )
    busy = SyncRun(account_id=account_id, stream="orders", status="running", started_at=now - LOST_AFTER * 2, heartbeat_at=now - timedelta(seconds=5))
    db.session.add_all([silent, busy])
    db.session.commit()
    report = sweep()
    assert report["lost_runs"] == 1
    db.session.expire_all()
    assert db.session.get(SyncRun, silent.id).status == "failed" and "no heartbeat since" in db.session.get(SyncRun, silent.id).error
    assert db.session.get(SyncRun, busy.id).status == "running"  # still beating: left alone
    # queued again (or, on the embedded queue, already run again)
    states = get_queue_backend().states([sync_job_id(account_id, "returns")])
    again = db.session.scalars(select(SyncRun).where(SyncRun.account_id == account_id, SyncRun.stream == "returns", SyncRun.id != silent.id)).all()
    assert states or again
    backend = get_queue_backend()
    if hasattr(backend, "join"):
        backend.join()  # let the embedded queue's rerun finish inside this test


if os.environ.get("TEST_DATABASE_URL"):  # PostgreSQL backends to terminate; SQLite has none

    class KillsTheConnectionMidPage:
        """A plugin that, on the second page of orders written, has the database terminate the
        sync's connection while its transaction is open (as a restart or failover would)."""

        def __init__(self, admin_engine):
            self.admin_engine, self.pages = admin_engine, 0

        @hookimpl
        def erp_record_upserted(self, account, entity, records):
            from sqlalchemy import text

            from erp_integrations.extensions import db

            if entity != "erp_sales_orders":
                return
            self.pages += 1
            if self.pages == 2:
                pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
                with self.admin_engine.connect() as admin:
                    admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                    admin.commit()

    def test_a_run_whose_database_connection_is_killed_is_recorded_as_failed(app, client, fresh_sandbox, migrated_database_url):
        from sqlalchemy import create_engine

        from erp_integrations.extensions import db
        from erp_integrations.hooks.manager import build_plugin_manager, reset_plugin_manager
        from erp_integrations.models import SyncRun
        from erp_integrations.sync import run_sync

        account_id = connect(client, fresh_sandbox)
        admin_engine = create_engine(migrated_database_url)
        pm = build_plugin_manager()
        killer = KillsTheConnectionMidPage(admin_engine)
        pm.register(killer, name="killer")
        reset_plugin_manager(pm)
        try:
            with pytest.raises(Exception):  # noqa: B017 - whatever the driver raises for a dead connection
                run_sync(account_id, "orders", full=True)
        finally:
            reset_plugin_manager()
            admin_engine.dispose()
        assert killer.pages == 2
        db.session.remove()
        run = db.session.scalars(select(SyncRun).where(SyncRun.account_id == account_id, SyncRun.stream == "orders")).one()
        assert run.status == "failed" and run.finished_at is not None, (run.status, run.error)


def test_a_lock_whose_holder_died_unreaped_is_taken_over(rq_app, redis_url):
    """A killed work horse whose worker was killed too is re-parented to PID 1; where PID 1
    reaps nothing (a container's first process that is not an init) it stays a zombie, which
    still answers ``kill(pid, 0)``. The lock it held must be taken over all the same, not
    waited out for its fifteen minutes."""
    from erp_integrations.jobs.processes import process_is_gone
    from erp_integrations.sync.locks import HOST, stream_lock

    holder = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    key = "erp_integrations:lock:sync:1:orders"
    Redis.from_url(redis_url).set(key, f"{HOST}:{holder.pid}:feedc0de")
    try:
        assert not process_is_gone(holder.pid)
        with stream_lock(1, "orders") as lock:
            assert lock is None  # a live holder keeps its lock

        holder.stdin.close()  # it exits; wait for that without reaping it (it stays a zombie)
        os.waitid(os.P_PID, holder.pid, os.WEXITED | os.WNOWAIT)
        os.kill(holder.pid, 0)  # the zombie still answers the signal probe...
        assert process_is_gone(holder.pid)  # ...but is gone
        with stream_lock(1, "orders") as lock:
            assert lock is not None
    finally:
        holder.wait()
        Redis.from_url(redis_url).delete(key)
