"""The durable webhook inbox: deliveries stored before they are acknowledged (``deliveries.py``),
then handled by jobs that refetch what they name.

Workers claim rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so several can drain one
account's inbox without waiting on each other; a claim older than ``STALE_CLAIM`` (its worker
died) goes back to ``received`` at the scheduler's next sweep.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from ..connectors import MarketplaceError, WebhookDelivery, WebhookOutcome
from ..errors import RetryRefused
from ..extensions import db
from ..hooks import get_connector
from ..jobs import enqueue, make_job_id
from ..models import WebhookEvent
from ..models.base import utcnow

log = logging.getLogger(__name__)

BATCH = 200
MAX_ATTEMPTS = 5  # runs an event whose handling raises is tried in, before it is parked
STALE_CLAIM = timedelta(minutes=5)
_PENDING_KEY = "erp_integrations:webhooks:pending:{}"


class InboxWaker:
    """Queues an account's ``process_webhooks`` job unless one is already on its way.

    With Redis, a marker key makes this one round trip while a job is pending: the job clears
    the marker before it reads the inbox, so a delivery stored after that read sets it again
    and queues a follow-up run. Without Redis (the embedded queue) the queue itself coalesces."""

    def __init__(self, app):
        from ..jobs.redis_client import redis_client

        self.app = app
        url = app.config["ERP_SETTINGS"].redis_url
        self.redis = redis_client(url) if url else None
        if self.redis is not None:
            # The marker is set once per receiver batch: on a connection of its own, spoken to
            # directly, because the client's per-command machinery (pool, retries, metrics)
            # cost the receiver as much CPU as its database insert.
            pool = self.redis.connection_pool
            self._marker_connection = pool.connection_class(**pool.connection_kwargs)
            self._marker_lock = threading.Lock()

    def wake(self, account_id: int) -> None:
        if self.redis is not None and not self._mark_pending(account_id):
            return
        with self.app.app_context():
            enqueue("process_webhooks", job_id=make_job_id("process_webhooks", account_id), queue="webhooks", follow_up=True, account_id=account_id)

    def _mark_pending(self, account_id: int) -> bool:
        """SET the marker unless it exists; True if this call set it (so a job must be queued)."""
        with self._marker_lock:
            connection = self._marker_connection
            try:
                connection.send_command("SET", _PENDING_KEY.format(account_id), 1, "NX", "EX", int(STALE_CLAIM.total_seconds()))
                return connection.read_response() is not None
            except BaseException:
                connection.disconnect()  # a reply may be left unread: start clean next time
                raise


def inbox_waker(app) -> InboxWaker:
    waker = app.extensions.get("erp_integrations.inbox_waker")
    if waker is None:
        waker = app.extensions["erp_integrations.inbox_waker"] = InboxWaker(app)
    return waker


def wake_processor(account_id: int) -> None:
    """Make sure a ``process_webhooks`` job will see the account's new deliveries."""
    inbox_waker(current_app._get_current_object()).wake(account_id)


@dataclass(frozen=True)
class InboxEvent:
    """A stored delivery as connectors see it (a plain value, not a database row)."""

    id: int
    event_type: str | None
    body: bytes
    received_at: datetime
    attempts: int = 1  # this one included


@dataclass
class RefetchContext:
    """What connector store functions need when they write refetched records outside a sync
    run: the account and somewhere to count."""

    account: object
    counts: Counter = field(default_factory=Counter)
    api_calls: int = 0

    @property
    def account_id(self) -> int:
        return self.account.id

    def count(self, entity: str, n: int) -> None:
        self.counts[entity] += n


def process_inbox(account_id: int) -> dict:
    """Handle the account's received deliveries until none are left.

    A batch goes to the connector at once. If that fails with a retryable marketplace error (an
    outage), every event waits and the job is retried with backoff. Any other failure is
    narrowed down: each event of the batch is handled alone, so one bad event fails alone. An
    event that fails is tried again on later runs (the scheduler's sweep wakes the inbox), up
    to ``MAX_ATTEMPTS``, then parked as ``failed`` with its error, for an operator to retry or
    skip from the monitor or the API."""
    from ..accounts import get_account

    redis = inbox_waker(current_app._get_current_object()).redis
    if redis is not None:
        redis.delete(_PENDING_KEY.format(account_id))
    account = get_account(account_id)
    connector = get_connector(account.connector)()
    totals: Counter = Counter()
    deferred: set[int] = set()  # failed in this run: not claimed again until a later run
    while True:
        events = _claim(account.id, exclude=deferred)
        if not events:
            break
        try:
            outcomes = connector.handle_webhooks(account, events)
        except Exception as exc:
            db.session.rollback()
            if isinstance(exc, MarketplaceError) and exc.retryable:
                _release(events, _describe(exc))
                raise  # an outage: the job is retried with backoff; the rows wait in the inbox
            log.warning("webhook batch of account %s failed (%s); handling its %d events one by one", account.id, _describe(exc), len(events))
            outcomes = _one_by_one(connector, account, events)
        now = utcnow()
        for event in events:
            outcome = outcomes.get(event.id) or WebhookOutcome("failed", "the connector gave no outcome for this event")
            values = {"status": outcome.status, "error": outcome.message or None, "processed_at": now}
            if isinstance(outcome, _Crashed):
                if event.attempts < MAX_ATTEMPTS:
                    values = {"status": "received", "claimed_at": None, "error": outcome.message}
                    deferred.add(event.id)
                else:
                    values["error"] = f"parked after {event.attempts} attempts: {outcome.message}"
            db.session.execute(update(WebhookEvent).where(WebhookEvent.id == event.id).values(**values))
            totals["retry later" if values["status"] == "received" else values["status"]] += 1
        db.session.commit()
    return dict(totals)


class _Crashed(WebhookOutcome):
    """Handling raised: worth another try, unlike a refusal the connector decided on."""


def _one_by_one(connector, account, events: list[InboxEvent]) -> dict[int, WebhookOutcome]:
    outcomes: dict[int, WebhookOutcome] = {}
    for event in events:
        try:
            outcomes.update(connector.handle_webhooks(account, [event]))
        except Exception as exc:
            db.session.rollback()
            outcomes[event.id] = _Crashed("failed", _describe(exc))
    return outcomes


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _claim(account_id: int, exclude: set[int] = frozenset()) -> list[InboxEvent]:
    columns = (WebhookEvent.id, WebhookEvent.event_type, WebhookEvent.body, WebhookEvent.received_at, WebhookEvent.attempts)
    query = select(*columns).where(WebhookEvent.account_id == account_id, WebhookEvent.status == "received").order_by(WebhookEvent.id).limit(BATCH)
    if exclude:
        query = query.where(WebhookEvent.id.not_in(exclude))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    events = [InboxEvent(id_, kind, body, received, attempts + 1) for id_, kind, body, received, attempts in db.session.execute(query)]
    if events:
        db.session.execute(
            update(WebhookEvent)
            .where(WebhookEvent.id.in_([e.id for e in events]))
            .values(status="processing", claimed_at=utcnow(), attempts=WebhookEvent.attempts + 1)
        )
    db.session.commit()
    return events


def _release(events: list[InboxEvent], error: str) -> None:
    db.session.execute(update(WebhookEvent).where(WebhookEvent.id.in_([e.id for e in events])).values(status="received", claimed_at=None, error=error[:2000]))
    db.session.commit()


def skip_event(account, event_id: int) -> WebhookEvent:
    """An operator's decision that a parked (failed or rejected) delivery needs nothing more."""
    event = db.session.get(WebhookEvent, event_id)
    if event is None or event.account_id != account.id:
        raise RetryRefused(404, f"no webhook event {event_id} for account {account.id}")
    if event.status not in ("failed", "rejected"):
        raise RetryRefused(409, f"only failed or rejected events are skipped; this one is {event.status}")
    event.status, event.processed_at = "skipped", utcnow()
    db.session.commit()
    return event


def retry_event(account, event_id: int) -> WebhookEvent:
    """Handle a finished (failed, ignored, rejected...) delivery once more."""
    event = db.session.get(WebhookEvent, event_id)
    if event is None or event.account_id != account.id:
        raise RetryRefused(404, f"no webhook event {event_id} for account {account.id}")
    if event.status in ("received", "processing"):
        raise RetryRefused(409, f"the event is already {event.status}")
    event.status, event.error, event.claimed_at = "received", None, None
    db.session.commit()
    wake_processor(account.id)
    return event


def requeue_stale_claims() -> int:
    """Claims whose worker died go back to the inbox (the scheduler calls this)."""
    result = db.session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.status == "processing", WebhookEvent.claimed_at < utcnow() - STALE_CLAIM)
        .values(status="received", claimed_at=None)
    )
    db.session.commit()
    return result.rowcount


def accounts_with_waiting_deliveries(older_than: timedelta) -> list[int]:
    """Accounts whose received deliveries have waited longer than a job should take."""
    rows = db.session.execute(
        select(WebhookEvent.account_id)
        .where(WebhookEvent.status == "received", WebhookEvent.received_at < utcnow() - older_than, WebhookEvent.account_id.is_not(None))
        .distinct()
    )
    return [r[0] for r in rows]


def store_recovered(connector: str, recovered: list[tuple[int, WebhookDelivery, bytes]]) -> set[int]:
    """Deliveries a marketplace kept for later (Shopee's lost pushes) into the inbox as if they
    had arrived: ``(account_id, delivery, body)`` each, deduplicated by notification id like
    any delivery, in the caller's transaction. Returns the accounts with news: wake their
    processors (``wake_processor``) once the transaction is committed."""
    from ..storage import insert_missing
    from .receiver import storable_id

    rows = [
        {
            "connector": connector,
            "account_id": account_id,
            "notification_id": storable_id(delivery.notification_id),
            "event_type": delivery.event_type,
            "headers": {"X-Recovered-From": "the marketplace's list of undelivered webhooks"},
            "body": body,
            "status": "received",
        }
        for account_id, delivery, body in recovered
    ]
    if not rows:
        return set()
    before = set(
        db.session.scalars(
            select(WebhookEvent.notification_id).where(
                WebhookEvent.connector == connector, WebhookEvent.notification_id.in_([r["notification_id"] for r in rows])
            )
        )
    )
    insert_missing(WebhookEvent, rows, key=("connector", "notification_id"))
    return {r["account_id"] for r in rows if r["notification_id"] not in before}
