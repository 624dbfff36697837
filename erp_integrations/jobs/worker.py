"""RQ worker side: the function every queued job runs through, and the worker entry."""

from __future__ import annotations

import os
from typing import Any

_app = None
_app_pid: int | None = None


def _worker_app():
    """One Flask app per worker process (RQ forks a work horse per job: after a fork the
    parent's pooled database connections must not be reused, so the pool is dropped)."""
    global _app, _app_pid
    if _app is None:
        from ..app import create_app

        _app, _app_pid = create_app(), os.getpid()
    elif _app_pid != os.getpid():
        from ..extensions import db

        with _app.app_context():
            db.engine.dispose(close=False)
        _app_pid = os.getpid()
    return _app


def run_queued_job(name: str, kwargs: dict[str, Any], job_id: str | None = None) -> Any:
    from .queue import run_job

    with _worker_app().app_context():
        return run_job(name, kwargs, job_id)


def _page_aware_worker_class():
    import signal

    from rq import Worker

    from . import shutdown

    class PageAwareWorker(Worker):
        """RQ's worker, except that a warm shutdown also tells the running job (in the forked
        work horse) to stop after its current page instead of finishing the whole stream."""

        def handle_warm_shutdown_request(self):
            super().handle_warm_shutdown_request()
            if self.horse_pid:
                try:
                    os.kill(self.horse_pid, signal.SIGUSR1)
                except ProcessLookupError:
                    pass

        def setup_work_horse_signals(self):
            super().setup_work_horse_signals()
            signal.signal(signal.SIGUSR1, lambda *_: shutdown.requested.set())

    return PageAwareWorker


def run_worker(redis_url: str, queues: list[str], burst: bool = False, name: str | None = None) -> bool:
    from rq import Queue

    from .redis_client import redis_client

    _worker_app()  # build once in the parent so each forked horse starts warm
    connection = redis_client(redis_url)
    worker = _page_aware_worker_class()([Queue(q, connection=connection) for q in queues], connection=connection, name=name)
    return worker.work(burst=burst, with_scheduler=True)
