"""The sync monitor of one account: each stream's last and next run, cursors, counts, API
calls and errors; alerts, the push outbox, the webhook log and failed jobs, each with retry."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from ..accounts import get_account
from ..auth import check
from ..connectors import Unsupported
from ..errors import RetryRefused
from ..extensions import db
from ..hooks import get_connector
from ..jobs import get_queue_backend
from ..jobs.queue import job_account_id
from ..models import Alert, PushRequest, SyncCursor, SyncRun, WebhookEvent
from ..push.outbox import retry_request
from ..scheduler import next_sync_at
from ..sync.enqueue import NotSyncable, enqueue_sync, sync_job_id
from ..toolkit.breaker import circuit_breaker, paused_apis
from ..webhooks.inbox import retry_event, skip_event
from . import ui_blueprint
from .pages import use_account


@ui_blueprint.get("/accounts/<int:account_id>/monitor")
def monitor(account_id: int):
    check("read", account_id)
    account = use_account(get_account(account_id))
    connector = get_connector(account.connector)()
    latest_ids = select(func.max(SyncRun.id)).where(SyncRun.account_id == account.id).group_by(SyncRun.stream)
    latest = {r.stream: r for r in db.session.scalars(select(SyncRun).where(SyncRun.id.in_(latest_ids)))}
    cursors = {c.stream: c for c in db.session.scalars(select(SyncCursor).where(SyncCursor.account_id == account.id))}
    # Runs asked for but not started yet have no SyncRun row: the queue knows them.
    job_states = get_queue_backend().states([sync_job_id(account.id, s) for s in connector.streams])
    streams = [
        {
            "name": s,
            "enabled": connector.stream_enabled(account, s),
            "run": latest.get(s),
            "cursor": cursors.get(s),
            "job": job_states.get(sync_job_id(account.id, s)),
        }
        for s in connector.streams
    ]
    queued = [s["name"] for s in streams if s["job"] == "queued" and not (s["run"] and s["run"].status == "running")]
    runs = db.session.scalars(select(SyncRun).where(SyncRun.account_id == account.id).order_by(SyncRun.id.desc()).limit(20)).all()
    failures = db.session.scalars(
        select(SyncRun).where(SyncRun.account_id == account.id, SyncRun.status == "failed").order_by(SyncRun.id.desc()).limit(FAILURES_SHOWN)
    ).all()
    alerts = db.session.scalars(select(Alert).where(Alert.account_id == account.id, Alert.resolved_at.is_(None)).order_by(Alert.id.desc())).all()
    pushes = db.session.scalars(select(PushRequest).where(PushRequest.account_id == account.id).order_by(PushRequest.id.desc()).limit(20)).all()
    events = db.session.scalars(select(WebhookEvent).where(WebhookEvent.account_id == account.id).order_by(WebhookEvent.id.desc()).limit(20)).all()
    delayed = delayed_settlements(account)
    failed_jobs = [j for j in get_queue_backend().failed_jobs() if job_account_id(j) == account.id]
    next_run = next_sync_at(account.id, account.sync_interval_minutes)
    # Each paused API group with the streams the schedule skips because of it.
    paused = [{**p, "streams": [s for s, groups in connector.stream_groups.items() if p["group"] in groups]} for p in paused_apis(account.id)]
    return render_template(
        "monitor.html",
        account=account,
        connector=connector,
        paused=paused,
        streams=streams,
        runs=runs,
        failures=failures,
        failure_causes=FAILURE_CAUSES,
        alerts=alerts,
        pushes=pushes,
        events=events,
        failed_jobs=failed_jobs,
        delayed=delayed,
        next_run=datetime.fromtimestamp(next_run, UTC) if next_run else None,
        queued=queued,
        alert_titles=ALERT_TITLES,
        busy=bool(queued) or any(r.status == "running" for r in latest.values()),
    )


FAILURES_SHOWN = 20
# SyncRun.failure_kind as an admin reads it.
FAILURE_CAUSES = {
    "infrastructure": "ERP database, Redis or worker went away (queued again by itself)",
    "marketplace": "The marketplace refused or failed",
    "authorization": "Authorization needed",
    "error": "Error in the data or the connector",
}

# Alert kinds as an admin reads them (the kind stays in a tooltip for support).
ALERT_TITLES = {"sync_failing": "Sync keeps failing", "needs_reauth": "Authorization needed", "authorization_expiring": "Authorization expires soon"}


def delayed_settlements(account) -> dict | None:
    """Orders delivered longer ago than the account's alert days and still not settled
    (``reports.delayed``): how many, since when."""
    from ..reports.delayed import alert_days, delayed

    days = alert_days(account)
    rows = delayed([account.id], days)
    return {"count": len(rows), "oldest": rows[0]["delivered_at"], "days": days} if rows else None


@ui_blueprint.post("/accounts/<int:account_id>/sync")
def sync_now(account_id: int):
    check("manage", account_id)
    account = get_account(account_id)
    stream = request.form.get("stream") or None
    try:
        jobs = enqueue_sync(account, [stream] if stream else None, trigger="manual")
    except (NotSyncable, ValueError, Unsupported) as exc:
        flash(str(exc)[:1].upper() + str(exc)[1:] + ".", "error")
    else:
        queued = [j for j in jobs if j.status != "duplicate"]
        flash(f"Sync queued for {len(queued)} stream(s)." if queued else "Already queued or running.", "success")
    return redirect(url_for("ui.monitor", account_id=account.id))


@ui_blueprint.post("/accounts/<int:account_id>/push-requests/<int:request_id>/retry")
def retry_push(account_id: int, request_id: int):
    check("manage", account_id)
    return _retried(account_id, lambda account: retry_request(account, request_id), "The change will be pushed again.")


@ui_blueprint.post("/accounts/<int:account_id>/webhook-events/<int:event_id>/retry")
def retry_webhook(account_id: int, event_id: int):
    check("manage", account_id)
    return _retried(account_id, lambda account: retry_event(account, event_id), "The event will be handled again.")


@ui_blueprint.post("/accounts/<int:account_id>/webhook-events/<int:event_id>/skip")
def skip_webhook(account_id: int, event_id: int):
    check("manage", account_id)
    return _retried(account_id, lambda account: skip_event(account, event_id), "The event was skipped.")


@ui_blueprint.post("/accounts/<int:account_id>/failed-jobs/retry")
def retry_job(account_id: int):
    check("manage", account_id)
    job_id = request.form.get("job_id", "")
    mine = any(j["id"] == job_id and job_account_id(j) == account_id for j in get_queue_backend().failed_jobs())
    if not mine or get_queue_backend().retry_failed(job_id) is None:
        flash("That job is no longer in the failed list.", "error")
    else:
        flash("The job was queued again.", "success")
    return redirect(url_for("ui.monitor", account_id=account_id))


@ui_blueprint.post("/accounts/<int:account_id>/paused-apis/<group>/resume")
def resume_api(account_id: int, group: str):
    """An operator who knows the marketplace is back: close the circuit now."""
    check("manage", account_id)
    circuit_breaker().reset(str(get_account(account_id).id), group)
    flash(f"Calls to the {group} API resume now.", "success")
    return redirect(url_for("ui.monitor", account_id=account_id))


@ui_blueprint.post("/accounts/<int:account_id>/alerts/<int:alert_id>/resolve")
def resolve_alert(account_id: int, alert_id: int):
    check("manage", account_id)
    alert = db.session.get(Alert, alert_id)
    if alert is None or alert.account_id != account_id:
        flash("No such alert.", "error")
    else:
        alert.resolved_at = datetime.now(UTC)
        db.session.commit()
    return redirect(url_for("ui.monitor", account_id=account_id))


def _retried(account_id: int, retry, done: str):
    try:
        retry(get_account(account_id))
    except RetryRefused as exc:
        flash(exc.message[:1].upper() + exc.message[1:] + ".", "error")
    else:
        flash(done, "success")
    return redirect(url_for("ui.monitor", account_id=account_id))
