"""What the scheduler's sweep recovers by itself: a stream whose last run failed because our own
database or Redis went away, and whose retry is gone (a restarted Redis lost it, or the retries
ran out while the outage lasted). Failures are classified so the marketplace's refusals are
left to the schedule and the operator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from sync_support import connect


def test_failures_are_classified_by_who_can_fix_them():
    from erp_integrations.connectors import MarketplaceError
    from erp_integrations.sync.runner import failure_kind

    refused = MarketplaceError("the grant was revoked")
    refused.needs_reauthorization = True
    assert failure_kind(OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))) == "infrastructure"
    assert failure_kind(RedisConnectionError("Connection refused")) == "infrastructure"
    assert failure_kind(refused) == "authorization"
    assert failure_kind(MarketplaceError("HTTP 500")) == "marketplace"
    assert failure_kind(KeyError("order_id")) == "error"


def failed_run(account_id: int, stream: str, kind: str, finished: datetime):
    from erp_integrations.extensions import db
    from erp_integrations.models import SyncRun

    run = SyncRun(account_id=account_id, stream=stream, status="failed", failure_kind=kind, started_at=finished, finished_at=finished, error=f"{kind} failure")
    db.session.add(run)
    db.session.commit()
    return run


def drain(app):
    from erp_integrations.jobs import get_queue_backend

    backend = get_queue_backend()
    if hasattr(backend, "join"):
        backend.join()  # the embedded queue runs what the sweep queued inside this test


@pytest.fixture
def account_id(client, fresh_sandbox):
    return connect(client, fresh_sandbox)


def test_the_sweep_queues_again_a_stream_that_failed_for_infrastructure(app, account_id):
    from erp_integrations.extensions import db
    from erp_integrations.models import SyncRun
    from erp_integrations.scheduler import sweep

    two_minutes_ago = datetime.now(UTC) - timedelta(minutes=2)
    failed_run(account_id, "returns", "infrastructure", two_minutes_ago)
    failed_run(account_id, "orders", "marketplace", two_minutes_ago)  # the schedule's business
    failed_run(account_id, "products", "error", two_minutes_ago)
    assert sweep()["streams_recovered"] == 1
    drain(app)
    db.session.rollback()
    returns = db.session.scalars(select(SyncRun).where(SyncRun.account_id == account_id, SyncRun.stream == "returns").order_by(SyncRun.id)).all()
    # Queued (RQ: no worker runs in this test) or already run again (the embedded queue).
    from erp_integrations.jobs import get_queue_backend
    from erp_integrations.sync.enqueue import sync_job_id

    assert get_queue_backend().states([sync_job_id(account_id, "returns")]) or [r.status for r in returns] == ["failed", "succeeded"]
    assert sweep()["streams_recovered"] == 0  # waiting, or recovered: nothing more to do


def test_recovery_waits_longer_after_each_infrastructure_failure_in_a_row(app, account_id):
    from erp_integrations.sync.runner import requeue_infrastructure_failures

    now = datetime.now(UTC)
    for minutes_ago in (30, 20, 10):  # three in a row: the next try waits four minutes
        failed_run(account_id, "statements", "infrastructure", now - timedelta(minutes=minutes_ago))
    last = failed_run(account_id, "statements", "infrastructure", now - timedelta(minutes=3))
    assert requeue_infrastructure_failures(now=now) == 0  # fourth in a row: eight minutes
    assert requeue_infrastructure_failures(now=last.finished_at + timedelta(minutes=8, seconds=1)) == 1
    drain(app)


def test_a_paused_account_is_not_recovered_until_authorized_again(app, account_id):
    from erp_integrations.extensions import db
    from erp_integrations.models import AccountStatus, IntegrationAccount
    from erp_integrations.sync.runner import requeue_infrastructure_failures

    failed_run(account_id, "returns", "infrastructure", datetime.now(UTC) - timedelta(minutes=5))
    db.session.get(IntegrationAccount, account_id).status = AccountStatus.NEEDS_REAUTH
    db.session.commit()
    assert requeue_infrastructure_failures() == 0
