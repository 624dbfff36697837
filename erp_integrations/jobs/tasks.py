"""Jobs the host itself provides."""

from __future__ import annotations

import logging

from ..extensions import db
from ..hooks import get_connector
from ..models import IntegrationLog
from .queue import job_function

log = logging.getLogger(__name__)


@job_function("check_connection")
def check_connection(account_id: int) -> dict:
    """Test an account's connection in the background and record the outcome in its log."""
    from ..accounts import account_secrets, get_account

    account = get_account(account_id)
    result = get_connector(account.connector)().test_connection(account, account_secrets(account)).as_dict()
    db.session.add(
        IntegrationLog(
            account_id=account.id,
            level="info" if result["ok"] else "warning",
            event="connection_checked",
            message=result["message"],
            data={"status": result["status"]},
        )
    )
    db.session.commit()
    return result


@job_function("sync_account", retries=(30, 120, 600))
def sync_account(account_id: int, stream: str, full: bool = False, trigger: str = "manual") -> dict:
    """Sync one stream of one account (the job every sync path enqueues).

    An account that needs re-authorization is not synced, and the failure that found it out is
    not retried: every try would fail the same way until a person authorizes it again (the run
    records the failure, the account's alert says what to do)."""
    from ..accounts import get_account
    from ..connectors import MarketplaceError
    from ..models import AccountStatus
    from ..sync import run_sync
    from ..sync.runner import failure_kind

    if get_account(account_id).status == AccountStatus.NEEDS_REAUTH:
        return {"status": "skipped", "reason": "the account must be authorized again"}
    try:
        try:
            run = run_sync(account_id, stream, full=full, trigger=trigger)
        except Exception as exc:
            if failure_kind(exc) != "infrastructure":
                raise
            # The database dropped the connection (a failover, a killed backend) or Redis
            # blinked. The failed run is recorded and every committed page kept: try once more
            # at once, on fresh connections, from the cursor (a second failure is left to the
            # job's retries and the scheduler's sweep).
            db.session.close()
            run = run_sync(account_id, stream, full=False, trigger=trigger)
    except MarketplaceError as exc:
        if not exc.needs_reauthorization:
            raise
        return {"status": "failed", "reason": str(exc), "retried": False}
    _refresh_reports(account_id)
    return {"run_id": run.id, "status": run.status, "counts": run.counts, "api_calls": run.api_calls}


def _refresh_reports(account_id: int) -> None:
    """Bring the dashboard's rollups up to date with what the run wrote, so the next page view
    finds nothing to do. A failure here costs nothing: the marks stay, and the next report
    read refreshes before it reads."""
    from ..reports.rollups import refresh

    try:
        refresh([account_id])
    except Exception:
        db.session.rollback()
        log.warning("the report rollups of account %s were not refreshed; the next report read will", account_id, exc_info=True)


@job_function("purge_history")
def purge_history(account_id: int) -> dict:
    """Purge the account's ERP rows older than its history window (run daily)."""
    from ..accounts import get_account
    from ..retention import purge_history as purge

    return purge(get_account(account_id))


@job_function("push_changes", retries=(10, 60, 300, 900))
def push_changes(account_id: int, kind: str) -> dict:
    """Send an account's pending changes of one kind (stock, price, shipment) to its marketplace."""
    from ..push import run_push

    return run_push(account_id, kind)


@job_function("process_webhooks", retries=(5, 30, 120, 600))
def process_webhooks(account_id: int) -> dict:
    """Handle an account's stored webhook deliveries: refetch what they name, through the
    same mappers and upserts as sync."""
    from ..webhooks import process_inbox

    return process_inbox(account_id)


@job_function("sync_due_streams")
def sync_due_streams(account_id: int) -> dict:
    """The scheduler's fan-out: enqueue every enabled stream of an account that is due. A stream
    still queued or running is not queued twice (deterministic job ids)."""
    from ..accounts import get_account
    from ..connectors import Unsupported
    from ..sync.enqueue import NotSyncable, enqueue_sync

    try:
        jobs = enqueue_sync(get_account(account_id), trigger="schedule")
    except (NotSyncable, Unsupported) as exc:  # disconnected since the tick: nothing to do until a person acts
        return {"queued": 0, "skipped": str(exc)}
    return {"queued": sum(j.status == "queued" for j in jobs), "already_waiting": sum(j.status == "duplicate" for j in jobs)}


@job_function("check_books", retries=(60, 600))
def check_books(account_id: int) -> dict:
    """The daily look at an account's money (run after the purge): reconcile the last 90 days
    of statements, payouts and orders, and check for delayed settlements; each raises or
    resolves its alert."""
    from ..accounts import get_account
    from ..reports.delayed import check_account
    from ..reports.reconcile import check_account as reconcile_account

    account = get_account(account_id)
    return {**reconcile_account(account), **check_account(account)}
