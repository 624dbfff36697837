"""``run_sync``: the one way a stream is synced, whether from the CLI, a job or a webhook."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import OperationalError

from ..alerts import raise_alert, resolve_alerts
from ..extensions import db
from ..hooks import get_connector
from ..jobs import enqueue
from ..jobs.queue import current_job_id
from ..jobs.shutdown import ShutdownRequested
from ..models import SyncCursor, SyncRun
from .context import SyncContext
from .locks import stream_lock

log = logging.getLogger(__name__)


class UnknownStream(LookupError):
    pass


class StreamBusy(RuntimeError):
    """Another run of the same account and stream holds the lock."""


def run_sync(account_id: int, stream: str, *, full: bool = False, trigger: str = "manual", job_id: str | None = None) -> SyncRun:
    from ..accounts import get_account

    account = get_account(account_id)
    connector = get_connector(account.connector)()
    if stream not in connector.streams:
        raise UnknownStream(f"{account.connector} has no stream {stream!r}; streams: {', '.join(connector.streams)}")
    with stream_lock(account.id, stream) as lock:
        if lock is None:
            raise StreamBusy(f"account {account.id} stream {stream} is already syncing")
        run = SyncRun(account_id=account.id, stream=stream, trigger=trigger, job_id=job_id or current_job_id.get(), status="running")
        db.session.add(run)
        if not connector.stream_enabled(account, stream):
            run.status, run.finished_at, run.error = "skipped", datetime.now(UTC), "feature disabled for this account"
            db.session.commit()
            return run
        cursor_row = db.session.scalars(db.select(SyncCursor).where(SyncCursor.account_id == account.id, SyncCursor.stream == stream)).first()
        cursor = {} if full or cursor_row is None else dict(cursor_row.cursor or {})
        db.session.commit()
        context = SyncContext(account=account, stream=stream, run=run, cursor=cursor, full=full, started_at=datetime.now(UTC), lock=lock)
        try:
            connector.sync_stream(context)
        except ShutdownRequested as exc:
            _record_interruption(run, context, exc, full=full, trigger=trigger)
            return run
        except Exception as exc:
            _discard_transaction()
            _record_failure(run, context, exc)
            raise
        run.status = "succeeded"
        run.counts = dict(context.counts)
        run.api_calls = context.api_calls
        run.finished_at = datetime.now(UTC)
        db.session.commit()
        if not _failing_streams(account.id):
            resolve_alerts(account.id, "sync_failing")
        return run


# A stream failing this many runs in a row is worth an admin's attention (one failure is
# usually a blip the next run repairs).
FAILURES_BEFORE_ALERT = 3


def _failing_streams(account_id: int) -> list[str]:
    """Streams whose last FAILURES_BEFORE_ALERT finished runs all failed."""
    failing = []
    streams = db.session.scalars(db.select(SyncRun.stream).where(SyncRun.account_id == account_id).distinct()).all()
    for stream in streams:
        statuses = db.session.scalars(
            db.select(SyncRun.status)
            .where(SyncRun.account_id == account_id, SyncRun.stream == stream, SyncRun.status.in_(("succeeded", "failed")))
            .order_by(SyncRun.id.desc())
            .limit(FAILURES_BEFORE_ALERT)
        ).all()
        if len(statuses) == FAILURES_BEFORE_ALERT and set(statuses) == {"failed"}:
            failing.append(stream)
    return sorted(failing)


def _record_interruption(run: SyncRun, context: SyncContext, exc: Exception, *, full: bool, trigger: str) -> None:
    """The worker is shutting down: the last page and its cursor are committed; queue the
    stream again so another worker continues from there."""
    from .enqueue import sync_job_id

    run.status, run.error = "interrupted", str(exc)
    run.counts, run.api_calls, run.finished_at = dict(context.counts), context.api_calls, datetime.now(UTC)
    db.session.commit()
    # full=False: the cursor now holds the backfill's position, which a full run would discard.
    enqueue(
        "sync_account",
        job_id=sync_job_id(run.account_id, run.stream),
        queue="backfill" if full else "sync",
        follow_up=True,
        account_id=run.account_id,
        stream=run.stream,
        full=False,
        trigger=trigger,
    )
    log.info("sync of account %s stream %s interrupted by shutdown; queued to continue", run.account_id, run.stream)


def _discard_transaction() -> None:
    """Roll back what the failed page wrote. When the database dropped the connection, the
    rollback itself fails: the session is then closed (its connection goes back invalidated) so
    the failure can still be recorded on a fresh one."""
    try:
        db.session.rollback()
    except Exception:
        log.warning("rollback after a failed sync page failed too; recording the failure on a new connection")
        db.session.close()


def _record_failure(run: SyncRun, context: SyncContext, exc: Exception) -> None:
    """Record the failure; once more on a fresh connection if the first one is dead too, so a
    run never stays "running" because the database went away under it (what still cannot be
    recorded, the sweep of runs without a heartbeat finds)."""
    try:
        _write_failure(run, context, exc)
    except OperationalError:
        db.session.close()
        _write_failure(run, context, exc)


def failure_kind(exc: BaseException) -> str:
    """``infrastructure`` when our own parts failed under the run (the database dropped the
    connection, Redis went away): nothing is wrong with the shop and the same run succeeds once
    they are back. ``authorization`` when the shop must be authorized again, ``marketplace`` for
    the marketplace's other refusals, ``error`` for the rest (a bug, bad data)."""
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
    from sqlalchemy.exc import DBAPIError, InterfaceError

    from ..connectors import MarketplaceError

    if isinstance(exc, (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)):
        return "infrastructure"
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return "infrastructure"
    if isinstance(exc, MarketplaceError):
        return "authorization" if exc.needs_reauthorization else "marketplace"
    return "error"


def _write_failure(run: SyncRun, context: SyncContext, exc: Exception) -> None:
    # Connector errors are built without secrets (the TikTok client turns transport failures,
    # whose text could hold a token-host URL with the app secret, into its own messages).
    run = db.session.merge(run)
    run.status = "failed"
    run.failure_kind = failure_kind(exc)
    run.error = f"{type(exc).__name__}: {exc}"[:2000]
    run.counts = dict(context.counts)
    run.api_calls = context.api_calls
    run.finished_at = datetime.now(UTC)
    db.session.commit()
    _alert_on_repeated_failures(run)


def _alert_on_repeated_failures(run: SyncRun) -> None:
    log.warning("sync of account %s stream %s failed: %s", run.account_id, run.stream, run.error)
    failing = _failing_streams(run.account_id)
    if failing:
        raise_alert(
            run.account_id,
            "sync_failing",
            f"{', '.join(failing)} failed {FAILURES_BEFORE_ALERT} times in a row; last error: {run.error}",
            severity="error",
            data={"streams": failing},
        )


# A run checkpoints after every page. One silent this long has lost its worker, whatever the
# queue says (killed, or its database connection died in a way nothing could record)...
LOST_AFTER = timedelta(minutes=30)
# ...and one silent this long whose job the queue no longer runs (its worker was killed, or a
# restarted Redis lost the job) has lost it too. Pages take seconds; the margin is for slow ones.
ORPHANED_AFTER = timedelta(minutes=2)
# A stream that failed because our own database or Redis went away is queued again by the
# sweep, waiting longer after each such failure in a row (1, 2, 4 ... minutes, at most an hour).
RECOVERY_BACKOFF_CAP = timedelta(minutes=60)


def fail_lost_runs(now: datetime | None = None) -> int:
    """Runs still "running" that nothing runs any more: recorded as failed (an infrastructure
    failure), and their stream queued again when the account can sync. The scheduler's sweep
    calls this every minute."""
    from ..jobs import get_queue_backend
    from ..models import AccountStatus, IntegrationAccount
    from .enqueue import enqueue_sync

    now = now or datetime.now(UTC)
    silent = db.session.scalars(
        select(SyncRun).where(
            SyncRun.status == "running",
            or_(SyncRun.heartbeat_at < now - ORPHANED_AFTER, and_(SyncRun.heartbeat_at.is_(None), SyncRun.started_at < now - ORPHANED_AFTER)),
        )
    ).all()
    live_jobs = get_queue_backend().states([r.job_id for r in silent if r.job_id]) if silent else {}
    lost = [r for r in silent if (r.heartbeat_at or r.started_at) < now - LOST_AFTER or (r.job_id and r.job_id not in live_jobs)]
    for run in lost:
        seen = run.heartbeat_at or run.started_at
        run.status, run.finished_at, run.failure_kind = "failed", now, "infrastructure"
        run.error = f"its worker stopped answering (no heartbeat since {seen:%Y-%m-%d %H:%M} UTC); queued again"
    db.session.commit()
    for run in lost:
        account = db.session.get(IntegrationAccount, run.account_id)
        if account is not None and account.status == AccountStatus.CONNECTED:
            enqueue_sync(account, [run.stream], trigger="recovery")
        _alert_on_repeated_failures(run)
    return len(lost)


def requeue_infrastructure_failures(now: datetime | None = None) -> int:
    """Queue again each stream of a connected account whose latest run failed because our own
    infrastructure went away and that has no job waiting (its retries, kept in Redis, were
    lost with a Redis restart, or ran out while the database was down). Without this such a
    stream stayed failed until somebody pressed Sync now."""
    from sqlalchemy import func

    from ..jobs import get_queue_backend
    from ..models import AccountStatus, IntegrationAccount
    from .enqueue import enqueue_sync, sync_job_id

    now = now or datetime.now(UTC)
    latest = (
        select(SyncRun.account_id, SyncRun.stream, func.max(SyncRun.id).label("id"))
        .where(SyncRun.status.in_(("succeeded", "failed", "skipped")))
        .group_by(SyncRun.account_id, SyncRun.stream)
        .subquery()
    )
    failed = db.session.scalars(
        select(SyncRun)
        .join(latest, SyncRun.id == latest.c.id)
        .join(IntegrationAccount, IntegrationAccount.id == SyncRun.account_id)
        .where(SyncRun.status == "failed", SyncRun.failure_kind == "infrastructure", IntegrationAccount.status == AccountStatus.CONNECTED)
    ).all()
    if not failed:
        return 0
    waiting = get_queue_backend().states([sync_job_id(r.account_id, r.stream) for r in failed])
    queued = 0
    for run in failed:
        if sync_job_id(run.account_id, run.stream) in waiting or _in_recovery_backoff(run, now):
            continue
        enqueue_sync(db.session.get(IntegrationAccount, run.account_id), [run.stream], trigger="recovery")
        queued += 1
    return queued


def _in_recovery_backoff(run: SyncRun, now: datetime) -> bool:
    """Wait 2^(n-1) minutes after the n-th infrastructure failure in a row before trying again."""
    kinds = db.session.scalars(
        select(SyncRun.failure_kind)
        .where(SyncRun.account_id == run.account_id, SyncRun.stream == run.stream, SyncRun.status.in_(("succeeded", "failed")))
        .order_by(SyncRun.id.desc())
        .limit(7)
    ).all()
    in_a_row = next((k for k, kind in enumerate(kinds) if kind != "infrastructure"), len(kinds))
    wait = min(RECOVERY_BACKOFF_CAP, timedelta(minutes=2 ** max(in_a_row - 1, 0)))
    return (run.finished_at or now) > now - wait
