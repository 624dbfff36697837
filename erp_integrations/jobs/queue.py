"""Background jobs: RQ when ``REDIS_URL`` is set, an embedded in-process queue otherwise.

Jobs are named functions taking keyword arguments only (JSON-friendly values), so the same
call can travel through Redis to a worker on another machine or run on a thread here. Every
job runs through the ``execute_job`` hook inside an application context.
"""

from __future__ import annotations

import contextvars
import logging
import queue as stdlib_queue
import re
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, current_app

log = logging.getLogger(__name__)

QUEUES = ("webhooks", "push", "sync", "backfill", "default")  # highest priority first


def job_function(name: str, retries: tuple[int, ...] = ()):
    """Mark a function as the job ``name`` (the name, not the import path, is what travels
    through the queue, so code can move without breaking queued jobs). The function joins the
    queue when its module registers it through the ``register_jobs`` hook: jobs live beside
    their domains, and the queue imports none of them.

    ``retries``: seconds to wait before each retry of a failed run (RQ); after the last one the
    job stays in the failed registry with its traceback."""

    def decorate(func):
        func.job_name, func.job_retries = name, tuple(retries)
        return func

    return decorate


def registered_jobs() -> dict[str, Callable[..., Any]]:
    """Job name -> function, collected once through the ``register_jobs`` hook."""
    from ..hooks import get_jobs

    return get_jobs()


def job_retries(name: str) -> tuple[int, ...]:
    return getattr(registered_jobs().get(name), "job_retries", ())


@dataclass
class JobCall:
    name: str
    func: Callable[..., Any]
    kwargs: dict[str, Any] = field(default_factory=dict)
    job_id: str | None = None


@dataclass
class EnqueuedJob:
    id: str | None
    queue: str
    status: str  # queued, duplicate, finished, failed (embedded runs report their outcome)


# The id of the job this thread is running: a sync run records it, so the sweep can ask the
# queue whether anything still runs it.
current_job_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("erp_integrations_job_id", default=None)


def run_job(name: str, kwargs: dict[str, Any], job_id: str | None = None) -> Any:
    """Execute a named job in the current application context through the plugin hook."""
    from ..accounts import AccountNotFound
    from ..hooks import get_plugin_manager

    func = registered_jobs().get(name)
    if func is None:
        raise LookupError(f"no job named {name!r}")
    token = current_job_id.set(job_id)
    try:
        return get_plugin_manager().hook.execute_job(job=JobCall(name, func, kwargs, job_id))
    except AccountNotFound:
        if "account_id" not in kwargs:
            raise
        # Queued before its account was deleted: nothing is left to do, and nothing to retry.
        log.info("job %s (%s) skipped: account %s was deleted", name, job_id, kwargs["account_id"])
        return {"skipped": "account deleted"}
    finally:
        current_job_id.reset(token)


def job_account_id(job: dict) -> Any:
    """The account a listed job works for (None for jobs of no account)."""
    return (job.get("kwargs") or {}).get("account_id")


class EmbeddedQueue:
    """An in-process queue on one daemon thread: the no-servers default.

    Same contract as the RQ backend: a job id already waiting or running is not enqueued
    again; a failure is logged with its traceback and kept in ``failures``.
    """

    def __init__(self, app: Flask):
        self.app = app
        self._queue: stdlib_queue.Queue = stdlib_queue.Queue()
        self._pending: set[str] = set()  # waiting, delayed or running
        self._running: set[str] = set()
        self._waiting = 0  # enqueued but not yet on the queue (delayed)
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None
        self.failures: list[dict[str, Any]] = []

    def enqueue(self, name: str, kwargs: dict, *, job_id: str | None, queue: str, delay: float = 0, follow_up: bool = False) -> EnqueuedJob:
        with self._lock:
            if follow_up and job_id is not None and job_id in self._running:
                job_id = follow_up_id(job_id)
            if job_id is not None and job_id in self._pending:
                return EnqueuedJob(job_id, queue, "duplicate")
            if job_id is not None:
                self._pending.add(job_id)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="erp-integrations-embedded-queue", daemon=True)
                self._thread.start()
            self._waiting += 1
        if delay > 0:
            timer = threading.Timer(delay, self._put, ((name, kwargs, job_id),))
            timer.daemon = True
            timer.start()
        else:
            self._put((name, kwargs, job_id))
        return EnqueuedJob(job_id, queue, "scheduled" if delay > 0 else "queued")

    def failed_jobs(self) -> list[dict]:
        return [
            {"id": f["job_id"], "name": f["name"], "queue": "embedded", "kwargs": f["kwargs"], "error": f["error"].strip().splitlines()[-1]}
            for f in self.failures
        ]

    def states(self, job_ids: list[str]) -> dict[str, str]:
        """``queued`` or ``running`` for each of ``job_ids`` waiting or running now."""
        with self._lock:
            return {j: "running" if j in self._running else "queued" for j in job_ids if j in self._pending}

    def discard_account(self, account_id: int) -> int:
        """Forget the failures of a deleted account (its waiting jobs find it gone and skip)."""
        kept = [f for f in self.failures if (f["kwargs"] or {}).get("account_id") != account_id]
        dropped, self.failures[:] = len(self.failures) - len(kept), kept
        return dropped

    def retry_failed(self, job_id: str) -> EnqueuedJob | None:
        for k, failure in enumerate(self.failures):
            if failure["job_id"] == job_id:
                del self.failures[k]
                return self.enqueue(failure["name"], failure["kwargs"], job_id=job_id, queue="default")
        return None

    def _put(self, item) -> None:
        self._queue.put(item)
        with self._lock:
            self._waiting -= 1
            self._idle.notify_all()

    def join(self) -> None:
        """Wait until every enqueued job, delayed ones included, has run (the CLI's --wait,
        and tests)."""
        with self._lock:
            self._idle.wait_for(lambda: self._waiting == 0)
        self._queue.join()
        with self._lock:
            waiting = self._waiting
        if waiting:  # a job enqueued another (a follow-up) while we waited
            self.join()

    def _work(self) -> None:
        while True:
            name, kwargs, job_id = self._queue.get()
            with self._lock:
                self._running.add(job_id)
            try:
                with self.app.app_context():
                    run_job(name, kwargs, job_id)
            except Exception:
                log.exception("embedded job %s (%s) failed", name, job_id)
                self.failures.append({"name": name, "job_id": job_id, "kwargs": kwargs, "error": traceback.format_exc(limit=5)})
            finally:
                with self._lock:
                    self._pending.discard(job_id)
                    self._running.discard(job_id)
                self._queue.task_done()


class RQQueue:
    def __init__(self, redis_url: str):
        from .redis_client import redis_client

        self.connection = redis_client(redis_url)

    def queue(self, name: str):
        from rq import Queue

        return Queue(name, connection=self.connection)

    def enqueue(self, name: str, kwargs: dict, *, job_id: str | None, queue: str, delay: float = 0, follow_up: bool = False) -> EnqueuedJob:
        from rq import Retry
        from rq.exceptions import DuplicateJobError, NoSuchJobError
        from rq.job import Job, JobStatus

        rq_queue = self.queue(queue)
        retries = job_retries(name)
        retry = Retry(max=len(retries), interval=list(retries)) if retries else None

        def submit(job_id):
            job = rq_queue.create_job(
                "erp_integrations.jobs.worker.run_queued_job",
                args=(name, kwargs, job_id),
                job_id=job_id,
                result_ttl=60,
                failure_ttl=7 * 24 * 3600,
                timeout=3600,
                retry=retry,
                status=JobStatus.SCHEDULED if delay > 0 else JobStatus.QUEUED,
            )
            if delay > 0:
                return rq_queue.schedule_job(job, datetime.now(UTC) + timedelta(seconds=delay), unique=job_id is not None)
            return rq_queue.enqueue_job(job, unique=job_id is not None)

        for _ in range(3):  # the existing job can finish between our two looks at it
            try:
                job = submit(job_id)
                return EnqueuedJob(job.id, queue, "scheduled" if delay > 0 else "queued")
            except DuplicateJobError:
                try:
                    status = Job.fetch(job_id, connection=self.connection).get_status(refresh=True)
                except NoSuchJobError:
                    continue
                if status == JobStatus.STARTED and self._orphaned(job_id):
                    # Its worker was killed (SIGKILL, a lost machine): RQ would keep it
                    # "started" until its timeout. Nothing runs it, so replace it.
                    Job.fetch(job_id, connection=self.connection).delete()
                    continue
                if status == JobStatus.STARTED and follow_up:
                    # The running job may already have read what changed: queue one more run.
                    job_id = follow_up_id(job_id)
                    continue
                if status in (JobStatus.QUEUED, JobStatus.STARTED) or (delay > 0 and status == JobStatus.SCHEDULED):
                    return EnqueuedJob(job_id, queue, "duplicate")
                # Finished, failed, or a retry waiting for its time: asking again runs it now.
                Job.fetch(job_id, connection=self.connection).delete()
        raise RuntimeError(f"could not enqueue job {job_id}: it keeps changing state")

    def failed_jobs(self) -> list[dict]:
        from rq.registry import FailedJobRegistry

        found = []
        for name in QUEUES:
            queue = self.queue(name)
            registry = FailedJobRegistry(queue=queue)
            for job in queue.job_class.fetch_many(registry.get_job_ids(), connection=self.connection):
                if job is None:
                    continue
                result = job.latest_result()
                error = (result.exc_string or "").strip().splitlines()[-1] if result and result.exc_string else ""
                job_name, kwargs = (job.args[0], job.args[1]) if len(job.args) >= 2 else (job.func_name, {})
                found.append(
                    {
                        "id": job.id,
                        "name": job_name,
                        "queue": name,
                        "kwargs": kwargs,
                        "error": error,
                        "ended_at": job.ended_at.isoformat() if job.ended_at else None,
                    }
                )
        return found

    def states(self, job_ids: list[str]) -> dict[str, str]:
        """``queued`` (scheduled retries included) or ``running`` for each of ``job_ids`` that
        is; a job whose worker is gone, or that Redis lost, is neither."""
        from rq.job import Job, JobStatus

        found = {}
        for job in Job.fetch_many(job_ids, connection=self.connection):
            if job is None:
                continue
            status = job.get_status(refresh=False)
            if status == JobStatus.STARTED:
                if not self._orphaned(job.id):  # a killed worker's job runs nowhere
                    found[job.id] = "running"
            elif status in (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED):
                found[job.id] = "queued"
        return found

    def discard_account(self, account_id: int) -> int:
        """Remove a deleted account's waiting, scheduled and failed jobs from every queue."""
        from rq.registry import FailedJobRegistry, ScheduledJobRegistry

        dropped = 0
        for name in QUEUES:
            queue = self.queue(name)
            registries = (FailedJobRegistry(queue=queue), ScheduledJobRegistry(queue=queue))
            job_ids = set(queue.get_job_ids()).union(*(r.get_job_ids() for r in registries))
            for job in queue.job_class.fetch_many(sorted(job_ids), connection=self.connection):
                if job is not None and len(job.args) >= 2 and (job.args[1] or {}).get("account_id") == account_id:
                    for registry in registries:
                        registry.remove(job, delete_job=False)
                    job.delete()
                    dropped += 1
        return dropped

    def retry_failed(self, job_id: str) -> EnqueuedJob | None:
        from rq.registry import FailedJobRegistry

        for name in QUEUES:
            registry = FailedJobRegistry(queue=self.queue(name))
            if job_id in registry.get_job_ids():
                registry.requeue(job_id)
                return EnqueuedJob(job_id, name, "queued")
        return None

    def _orphaned(self, job_id: str) -> bool:
        """A started job whose worker is gone: its worker's key expired, or the worker ran on
        this machine and its process no longer exists."""
        import socket

        from rq import Worker
        from rq.job import Job

        from .processes import process_is_gone

        job = Job.fetch(job_id, connection=self.connection)
        if not job.worker_name:
            return False
        worker = Worker.find_by_key(Worker.redis_worker_namespace_prefix + job.worker_name, connection=self.connection)
        if worker is None:
            return True
        if worker.hostname != socket.gethostname() or not worker.pid:
            return False
        return process_is_gone(worker.pid)


def get_queue_backend(app: Flask | None = None):
    app = app or current_app._get_current_object()
    return app.extensions["erp_integrations.queue"]


def make_queue_backend(app: Flask, redis_url: str | None):
    return RQQueue(redis_url) if redis_url else EmbeddedQueue(app)


JOB_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,200}$")  # what RQ accepts; kept for both backends


def make_job_id(name: str, *parts: object) -> str:
    """Deterministic job id, e.g. ``sync_account-12-orders``: the same work gets the same id."""
    return "-".join([name, *map(str, parts)])


def follow_up_id(job_id: str) -> str:
    return job_id if job_id.endswith("-again") else f"{job_id}-again"


def enqueue(name: str, *, job_id: str | None = None, queue: str = "default", delay: float = 0, follow_up: bool = False, **kwargs) -> EnqueuedJob:
    """Enqueue a named job. ``job_id``: a waiting or running job with that id is not enqueued
    twice. ``delay``: seconds before it runs; a job already scheduled keeps its time, so
    requests within the delay coalesce (debouncing). ``follow_up``: when the job with that id
    is running, queue one more run after it (for jobs that drain a table of changes)."""
    if job_id is not None and not JOB_ID_PATTERN.match(job_id):
        raise ValueError(f"job id {job_id!r} may only contain letters, digits, _ and -")
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}; queues: {', '.join(QUEUES)}")
    if name not in registered_jobs():
        raise LookupError(f"no job named {name!r}")
    return get_queue_backend().enqueue(name, kwargs, job_id=job_id, queue=queue, delay=delay, follow_up=follow_up)
