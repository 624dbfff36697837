"""The sync jobs: one stream of one account, and the scheduler's fan-out over an account."""

from __future__ import annotations

import logging

from ..extensions import db
from ..jobs import job_function

log = logging.getLogger(__name__)


@job_function("sync_account", retries=(30, 120, 600))
def sync_account(account_id: int, stream: str, full: bool = False, trigger: str = "manual") -> dict:
    """Sync one stream of one account (the job every sync path enqueues).

    An account that needs re-authorization is not synced, and the failure that found it out is
    not retried: every try would fail the same way until a person authorizes it again (the run
    records the failure, the account's alert says what to do)."""
    from ..accounts import get_account
    from ..connectors import MarketplaceError
    from ..models import AccountStatus
    from .runner import failure_kind, run_sync

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


@job_function("sync_due_streams")
def sync_due_streams(account_id: int) -> dict:
    """The scheduler's fan-out: enqueue every enabled stream of an account that is due. A stream
    still queued or running is not queued twice (deterministic job ids)."""
    from ..accounts import get_account
    from ..connectors import Unsupported
    from .enqueue import NotSyncable, choose_streams, enqueue_sync, paused_streams

    account = get_account(account_id)
    try:
        chosen = choose_streams(account)
    except (NotSyncable, Unsupported) as exc:  # disconnected since the tick, or a connector that cannot sync
        return {"queued": 0, "skipped": str(exc)}
    # A stream whose API group keeps failing on the marketplace's side waits for the circuit
    # breaker's probe instead of failing a run every interval.
    paused = paused_streams(account)
    due = [s for s in chosen if s not in paused]
    jobs = enqueue_sync(account, due, trigger="schedule") if due else []
    outcome = {"queued": sum(j.status == "queued" for j in jobs), "already_waiting": sum(j.status == "duplicate" for j in jobs)}
    if paused:
        outcome["paused"] = {s: why for s, why in paused.items() if s in chosen}
    return outcome
