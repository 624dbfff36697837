"""``erp-integrations scheduler``: every account's streams at that account's interval.

Each account gets a fixed offset inside its interval (a hash of its id), so ten thousand
accounts on a 15-minute interval start evenly across those 15 minutes instead of together.
Time is cut into slots of ``interval`` starting at the offset; an account is due when the
current slot is later than the last slot it was enqueued for, so however many ticks were
missed (the scheduler was down, a tick ran long) it runs once, not once per missed tick. A
tick enqueues one small fan-out job per due account (``sync_due_streams``), which enqueues the
streams with their deterministic job ids: a stream still queued or running is not queued
again, and the per-stream lock keeps runs from overlapping. At most ``max_per_tick`` accounts
start per tick; the rest start on the next ticks.

The scheduled incremental sync is also the reconciliation poll: whatever a lost webhook
missed, the next window picks up. Every minute the tick also sweeps the inbox (deliveries
whose job was lost, claims whose worker died) and the push outbox, and once a day per
account it enqueues ``purge_history``.

With Redis, one scheduler at a time holds a leader lock (run one on each of several machines
for failover) and the slots live in Redis so a restart or failover doesn't run anything again.
"""

from __future__ import annotations

import gc
import heapq
import logging
import os
import socket
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import select

from .extensions import db
from .jobs import enqueue, make_job_id
from .models import AccountStatus, IntegrationAccount, PushRequest

log = logging.getLogger(__name__)

SWEEP_EVERY = 60.0  # seconds between inbox/outbox sweeps
RELOAD_EVERY = 900.0  # seconds between full reads of the accounts (changes are read every tick)
UPDATE_LOOKBACK = 60  # seconds of updated_at re-read every tick
DAY = 24 * 3600
# Jobs every account gets once a day, outside the sync budget.
DAILY_JOBS = ("purge_history", "check_books")
_SLOTS_KEY = "erp_integrations:scheduler:slots"
_LEADER_KEY = "erp_integrations:scheduler:leader"


def offset_of(account_id: int, period: int) -> int:
    """Where in each period the account's slot starts: stable, and evenly spread."""
    return zlib.crc32(str(account_id).encode()) % period


def slot_of(account_id: int, period: int, now: float) -> int:
    return int((now - offset_of(account_id, period)) // period)


def next_sync_at(account_id: int, minutes: int | None, now: float | None = None) -> float | None:
    """When the scheduler next starts the account's sync (unix time); None when manual."""
    if not minutes:
        return None
    period = minutes * 60
    now = time.time() if now is None else now
    return offset_of(account_id, period) + (slot_of(account_id, period, now) + 1) * period


class SlotStore:
    """Last enqueued slot per key: a dict, mirrored to a Redis hash when there is Redis."""

    def __init__(self, redis=None):
        self.redis = redis
        self.slots: dict[str, int] = {}
        if redis is not None:
            self.slots = {k.decode(): int(v) for k, v in redis.hgetall(_SLOTS_KEY).items()}

    def get(self, key: str) -> int | None:
        return self.slots.get(key)

    def save(self, changed: dict[str, int]) -> None:
        self.slots.update(changed)
        if self.redis is not None and changed:
            self.redis.hset(_SLOTS_KEY, mapping=changed)


@dataclass
class TickReport:
    accounts: int = 0
    due: int = 0
    enqueued: int = 0
    deferred: int = 0  # due, but over this tick's budget: next tick
    purges: int = 0  # daily purge_history jobs (outside the budget: they are light)
    book_checks: int = 0  # daily check_books jobs (reconciliation, delayed settlements)
    swept: dict = field(default_factory=dict)
    seconds: float = 0.0  # the scheduling part of the tick
    sweep_seconds: float = 0.0  # the once-a-minute inbox and outbox sweep, when it ran


@dataclass(order=True)
class _Duty:
    """One recurring job of one account, in the due queue by the time it is next due."""

    due_at: float
    key: str = field(compare=False)
    account_id: int = field(compare=False)
    period: int = field(compare=False)
    job: str = field(compare=False)
    version: int = field(compare=False)  # stale once the account's interval or status changed


class Scheduler:
    """A tick costs what is due, not how many accounts there are: the accounts are read once,
    then only those changed since (by ``updated_at``); every duty waits in a heap ordered by
    when it is next due; and the accounts of the duties that come due are checked against the
    database before anything is enqueued (deleted, disconnected or re-timed meanwhile)."""

    def __init__(self, app: Flask, *, tick_seconds: float = 1.0, max_per_tick: int = 100):
        self.app = app
        self.tick_seconds = tick_seconds
        self.max_per_tick = max_per_tick
        settings = app.config["ERP_SETTINGS"]
        self.redis = None
        if settings.redis_url:
            from .jobs.redis_client import redis_client

            self.redis = redis_client(settings.redis_url)
        self.slots = SlotStore(self.redis)
        self.identity = f"{socket.gethostname()}:{os.getpid()}"
        self._last_sweep = 0.0
        self._last_reload = None  # monotonic time of the last full read of the accounts
        self._seen_until = None  # newest updated_at read so far
        self._accounts: dict[int, int | None] = {}  # connected account -> interval minutes
        self._versions: dict[int, int] = {}
        self._due: list[_Duty] = []
        self._leading = False
        self.stopping = threading.Event()

    # -- one tick ---------------------------------------------------------------------------

    def tick(self, now: float | None = None) -> TickReport:
        started = time.perf_counter()
        now = time.time() if now is None else now
        report = TickReport()
        self._refresh(now)
        report.accounts = len(self._accounts)
        candidates = []
        while self._due and self._due[0].due_at <= now:
            duty = heapq.heappop(self._due)
            if self._versions.get(duty.account_id) == duty.version:
                candidates.append(duty)
        changed: dict[str, int] = {}
        if candidates:
            still = self._still_scheduled({d.account_id for d in candidates})
            for duty in candidates:
                minutes = still.get(duty.account_id, -1)
                if minutes == -1 or (duty.job == "sync_due_streams" and (minutes or 0) * 60 != duty.period):
                    continue  # deleted, disconnected or re-timed since it was read: _refresh requeues it
                slot = int((now - offset_of(duty.account_id, duty.period)) // duty.period)
                if duty.job in DAILY_JOBS:
                    enqueue(duty.job, job_id=make_job_id(duty.job, duty.account_id), queue="default", account_id=duty.account_id)
                    report.purges += duty.job == "purge_history"
                    report.book_checks += duty.job == "check_books"
                else:
                    report.due += 1
                    if report.enqueued >= self.max_per_tick:
                        report.deferred += 1
                        heapq.heappush(self._due, duty)  # still due: first in line next tick
                        continue
                    enqueue(duty.job, job_id=make_job_id(duty.job, duty.account_id), queue="sync", account_id=duty.account_id)
                    report.enqueued += 1
                changed[duty.key] = slot
                self._push(duty.key, duty.account_id, duty.period, duty.job, slot)
        self.slots.save(changed)
        report.seconds = time.perf_counter() - started
        if now - self._last_sweep >= SWEEP_EVERY:
            self._last_sweep = now
            swept_at = time.perf_counter()
            report.swept = sweep()
            report.sweep_seconds = time.perf_counter() - swept_at
        return report

    def _refresh(self, now: float) -> None:
        """Read every account the first time (and every RELOAD_EVERY seconds, in case an
        update slipped past ``updated_at``); otherwise only those updated since the last read.
        The lookback re-reads the last minute: a transaction that committed late with an
        earlier ``updated_at`` is not missed."""
        columns = (IntegrationAccount.id, IntegrationAccount.sync_interval_minutes, IntegrationAccount.status, IntegrationAccount.updated_at)
        full = self._last_reload is None or time.monotonic() - self._last_reload >= RELOAD_EVERY
        query = select(*columns)
        if not full:
            query = query.where(IntegrationAccount.updated_at >= self._seen_until - timedelta(seconds=UPDATE_LOOKBACK))
        rows = db.session.execute(query).all()
        db.session.rollback()
        first_read = self._last_reload is None
        if full:
            self._last_reload = time.monotonic()
            present = {row[0] for row in rows}
            for gone in [a for a in self._accounts if a not in present]:
                self._forget(gone)
        first_seen: dict[str, int] = {}
        for account_id, minutes, status, updated_at in rows:
            if self._seen_until is None or updated_at > self._seen_until:
                self._seen_until = updated_at
            if status != AccountStatus.CONNECTED:
                self._forget(account_id)
            elif self._accounts.get(account_id, -1) != minutes:
                self._forget(account_id)
                self._accounts[account_id] = minutes
                for key, period, job in self._duties(account_id, minutes):
                    last = self.slots.get(key)
                    if last is None:
                        # First sight: wait for the account's own slot rather than starting
                        # every account the scheduler has never seen at once.
                        last = first_seen[key] = int((now - offset_of(account_id, period)) // period)
                    self._push(key, account_id, period, job, last)
        self.slots.save(first_seen)
        if self._seen_until is None:
            self._seen_until = datetime.now(UTC)
        if first_read:
            # What the process holds by now (the app, and the accounts' duties) lives as long
            # as it does: move it out of the collector's sight. Every full collection walked
            # all of it, and took longer than a tick's own work (85 ms against 30).
            gc.collect()
            gc.freeze()

    def _forget(self, account_id: int) -> None:
        self._accounts.pop(account_id, None)
        self._versions[account_id] = self._versions.get(account_id, 0) + 1  # its queued duties go stale

    def _push(self, key: str, account_id: int, period: int, job: str, last_slot: int) -> None:
        """Queue the duty for the slot after ``last_slot``: when it is a tick late or the
        scheduler was down for ten periods, it still runs once."""
        due_at = offset_of(account_id, period) + (last_slot + 1) * period
        heapq.heappush(self._due, _Duty(due_at, key, account_id, period, job, self._versions.setdefault(account_id, 0)))

    def _still_scheduled(self, account_ids: set[int]) -> dict[int, int | None]:
        """The interval (None: manual) of each of these accounts that is still connected."""
        rows = db.session.execute(
            select(IntegrationAccount.id, IntegrationAccount.sync_interval_minutes).where(
                IntegrationAccount.id.in_(account_ids), IntegrationAccount.status == AccountStatus.CONNECTED
            )
        ).all()
        db.session.rollback()
        return dict(rows)

    @staticmethod
    def _duties(account_id: int, minutes: int | None):
        if minutes:  # None: manual, never scheduled
            # The period is part of the key: slots of different periods don't compare, and a
            # shop moved from 5 to 60 minutes would otherwise wait for a slot years away.
            yield f"sync:{account_id}:{minutes}", minutes * 60, "sync_due_streams"
        yield f"purge:{account_id}", DAY, "purge_history"
        yield f"books:{account_id}", DAY, "check_books"

    # -- the loop ---------------------------------------------------------------------------

    def run(self) -> None:
        """Tick until ``stopping`` is set (SIGTERM/SIGINT in the command)."""
        while not self.stopping.is_set():
            try:
                leading = self._lead()
            except Exception:  # Redis gone for longer than the client's retries: keep trying
                log.exception("scheduler: cannot reach Redis for the leader lock; retrying")
                leading = False
            if leading and not self._leading:
                self._take_over()
            self._leading = leading
            if leading:
                with self.app.app_context():
                    try:
                        report = self.tick()
                        if report.enqueued or report.deferred:
                            log.info(
                                "scheduler: %d due, %d enqueued, %d deferred in %.1f ms", report.due, report.enqueued, report.deferred, report.seconds * 1000
                            )
                    except Exception:  # a bad tick must not stop scheduling; the next one retries
                        log.exception("scheduler tick failed")
                        db.session.rollback()
            self.stopping.wait(self.tick_seconds)
        if self.redis is not None:
            self.redis.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end", 1, _LEADER_KEY, self.identity)

    def _take_over(self) -> None:
        """Just became the leader: another scheduler may have moved the slots meanwhile, so
        read them again and rebuild the due queue from scratch."""
        self.slots = SlotStore(self.redis)
        self._accounts.clear()
        self._due.clear()
        self._last_reload = None

    def _lead(self) -> bool:
        if self.redis is None:
            return True
        ttl = int(max(10, self.tick_seconds * 10) * 1000)
        if self.redis.set(_LEADER_KEY, self.identity, nx=True, px=ttl):
            return True
        renewed = self.redis.eval(
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end", 1, _LEADER_KEY, self.identity, ttl
        )
        return bool(renewed)


def sweep() -> dict:
    """Catch what fell through: deliveries whose job was lost, claims of dead workers, sync runs
    whose worker is gone, streams that failed because the database or Redis went away and have
    no retry waiting, push changes left pending."""
    from .push import schedule_push
    from .sync.runner import fail_lost_runs, requeue_infrastructure_failures
    from .webhooks.inbox import accounts_with_waiting_deliveries, requeue_stale_claims, wake_processor

    requeued = requeue_stale_claims()
    lost_runs = fail_lost_runs()
    recovered = requeue_infrastructure_failures()
    waiting = accounts_with_waiting_deliveries(timedelta(minutes=1))
    for account_id in waiting:
        wake_processor(account_id)
    cutoff = current_app.config["ERP_SETTINGS"].push_debounce_seconds + 60
    from .models.base import utcnow

    pending = db.session.execute(
        select(PushRequest.account_id, PushRequest.kind)
        .where(PushRequest.status == "pending", PushRequest.requested_at < utcnow() - timedelta(seconds=cutoff))
        .distinct()
    ).all()
    db.session.rollback()
    for account_id, kind in pending:
        schedule_push(account_id, kind)
    return {"stale_claims": requeued, "lost_runs": lost_runs, "streams_recovered": recovered, "inboxes_woken": len(waiting), "push_rescheduled": len(pending)}


def start_in_background(app: Flask, **kwargs) -> Scheduler:
    """The embedded mode's scheduler: a daemon thread inside ``serve`` or ``demo``."""
    scheduler = Scheduler(app, **kwargs)
    threading.Thread(target=scheduler.run, name="erp-integrations-scheduler", daemon=True).start()
    return scheduler
