"""Enqueueing syncs: deterministic job ids so a stream waiting or running is not queued twice."""

from __future__ import annotations

from ..hooks import get_connector
from ..jobs import enqueue, make_job_id
from ..jobs.queue import EnqueuedJob


def sync_job_id(account_id: int, stream: str) -> str:
    return make_job_id("sync_account", account_id, stream)


def enqueue_sync(account, streams: list[str] | None = None, *, full: bool = False, trigger: str = "manual") -> list[EnqueuedJob]:
    connector = get_connector(account.connector)()
    chosen = streams or [s for s in connector.streams if connector.stream_enabled(account, s)]
    unknown = set(chosen) - set(connector.streams)
    if unknown:
        raise ValueError(f"unknown stream(s) {', '.join(sorted(unknown))}; streams: {', '.join(connector.streams)}")
    queue = "backfill" if full else "sync"
    return [enqueue("sync_account", job_id=sync_job_id(account.id, s), queue=queue, account_id=account.id, stream=s, full=full, trigger=trigger) for s in chosen]
