"""Background jobs: RQ when ``REDIS_URL`` is set, an embedded in-process queue otherwise.

Jobs are named functions taking keyword arguments only (JSON-friendly values), so the same
call can travel through Redis to a worker on another machine or run on a thread here. Every
job runs through the ``execute_job`` hook inside an application context.
"""

from __future__ import annotations

import logging
import queue as stdlib_queue
import re
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

log = logging.getLogger(__name__)

QUEUES = ("webhooks", "push", "sync", "backfill", "default")  # highest priority first

_JOBS: dict[str, Callable[..., Any]] = {}
_RETRIES: dict[str, tuple[int, ...]] = {}


def job_function(name: str, retries: tuple[int, ...] = ()):
    """Register a function as a job under a stable name (the name, not the import path, is
    what travels through the queue, so code can move without breaking queued jobs).

    ``retries``: seconds to wait before each retry of a failed run (RQ); after the last one the
    job stays in the failed registry with its traceback."""

    def decorate(func):
        if _JOBS.get(name, func) is not func:
            raise ValueError(f"two jobs are named {name!r}")
        _JOBS[name] = func
        _RETRIES[name] = tuple(retries)
        return func

    return decorate


def registered_jobs() -> dict[str, Callable[..., Any]]:
    from . import tasks  # noqa: F401  (registers the host's jobs)

    return dict(_JOBS)


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


def run_job(name: str, kwargs: dict[str, Any], job_id: str | None = None) -> Any:
    """Execute a named job in the current application context through the plugin hook."""
    from ..hooks import get_plugin_manager

    func = registered_jobs().get(name)
    if func is None:
        raise LookupError(f"no job named {name!r}")
    return get_plugin_manager().hook.execute_job(job=JobCall(name, func, kwargs, job_id))


class EmbeddedQueue:
    """An in-process queue on one daemon thread: the no-servers default.

    Same contract as the RQ backend: a job id already waiting or running is not enqueued
    again; a failure is logged with its traceback and kept in ``failures``.
    """

    def __init__(self, app: Flask):
        self.app = app
        self._queue: stdlib_queue.Queue = stdlib_queue.Queue()
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.failures: list[dict[str, Any]] = []

    def enqueue(self, name: str, kwargs: dict, *, job_id: str | None, queue: str) -> EnqueuedJob:
        with self._lock:
            if job_id is not None and job_id in self._pending:
                return EnqueuedJob(job_id, queue, "duplicate")
            if job_id is not None:
                self._pending.add(job_id)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="erp-integrations-embedded-queue", daemon=True)
                self._thread.start()
        self._queue.put((name, kwargs, job_id))
        return EnqueuedJob(job_id, queue, "queued")

    def join(self) -> None:
        """Wait until every enqueued job has run (the CLI's --wait, and tests)."""
        self._queue.join()

    def _work(self) -> None:
        while True:
            name, kwargs, job_id = self._queue.get()
            try:
                with self.app.app_context():
                    run_job(name, kwargs, job_id)
            except Exception:
                log.exception("embedded job %s (%s) failed", name, job_id)
                self.failures.append({"name": name, "job_id": job_id, "error": traceback.format_exc(limit=5)})
            finally:
                with self._lock:
                    self._pending.discard(job_id)
                self._queue.task_done()


class RQQueue:
    def __init__(self, redis_url: str):
        from redis import Redis

        self.connection = Redis.from_url(redis_url)

    def queue(self, name: str):
        from rq import Queue

        return Queue(name, connection=self.connection)

    def enqueue(self, name: str, kwargs: dict, *, job_id: str | None, queue: str) -> EnqueuedJob:
        from rq.exceptions import DuplicateJobError
        from rq.job import Job, JobStatus

        from rq import Retry

        rq_queue = self.queue(queue)
        options = dict(job_id=job_id, unique=job_id is not None, result_ttl=60, failure_ttl=7 * 24 * 3600, job_timeout=3600)
        if _RETRIES.get(name):
            options["retry"] = Retry(max=len(_RETRIES[name]), interval=list(_RETRIES[name]))
        try:
            job = rq_queue.enqueue("erp_integrations.jobs.worker.run_queued_job", name, kwargs, job_id, **options)
        except DuplicateJobError:
            existing = Job.fetch(job_id, connection=self.connection)
            if existing.get_status(refresh=True) in (JobStatus.QUEUED, JobStatus.STARTED):
                return EnqueuedJob(job_id, queue, "duplicate")
            # Finished, failed, or a retry waiting for its time: asking again runs it now.
            existing.delete()
            job = rq_queue.enqueue("erp_integrations.jobs.worker.run_queued_job", name, kwargs, job_id, **options)
        return EnqueuedJob(job.id, queue, "queued")


def get_queue_backend(app: Flask | None = None):
    app = app or current_app._get_current_object()
    return app.extensions["erp_integrations.queue"]


def make_queue_backend(app: Flask, redis_url: str | None):
    return RQQueue(redis_url) if redis_url else EmbeddedQueue(app)


JOB_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,200}$")  # what RQ accepts; kept for both backends


def make_job_id(name: str, *parts: object) -> str:
    """Deterministic job id, e.g. ``sync_account-12-orders``: the same work gets the same id."""
    return "-".join([name, *map(str, parts)])


def enqueue(name: str, *, job_id: str | None = None, queue: str = "default", **kwargs) -> EnqueuedJob:
    if job_id is not None and not JOB_ID_PATTERN.match(job_id):
        raise ValueError(f"job id {job_id!r} may only contain letters, digits, _ and -")
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}; queues: {', '.join(QUEUES)}")
    if name not in registered_jobs():
        raise LookupError(f"no job named {name!r}")
    return get_queue_backend().enqueue(name, kwargs, job_id=job_id, queue=queue)
