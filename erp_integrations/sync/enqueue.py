"""Enqueueing syncs: deterministic job ids so a stream waiting or running is not queued twice."""

from __future__ import annotations

from ..hooks import get_connector
from ..jobs import enqueue, make_job_id
from ..jobs.queue import EnqueuedJob
from ..models import AccountStatus

# Why an account that is not connected cannot sync, and what to do about it.
NOT_SYNCABLE = {
    AccountStatus.NEW: "this account is not connected: use Connect & Authorize first",
    AccountStatus.CHOOSE_SHOP: "choose the shop this account syncs first (its settings page, or GET .../shops then POST .../shop)",
    AccountStatus.NEEDS_REAUTH: "the marketplace no longer accepts this account's grant: use Connect & Authorize again",
    AccountStatus.DISABLED: "this account is disabled",
}


class NotSyncable(Exception):
    """A sync asked of an account that has no shop to sync from (yet)."""


def sync_job_id(account_id: int, stream: str) -> str:
    return make_job_id("sync_account", account_id, stream)


def choose_streams(account, streams: list[str] | None = None) -> list[str]:
    """The streams a sync of ``account`` runs: those named, or every enabled one. Raises
    ``Unsupported`` for a connector that cannot sync, ``NotSyncable`` for an account that is not
    connected, ``ValueError`` for a stream the connector does not have."""
    connector = get_connector(account.connector)()
    connector.require("sync")
    if account.status != AccountStatus.CONNECTED:
        raise NotSyncable(NOT_SYNCABLE.get(account.status, "this account is not connected"))
    chosen = list(streams or ()) or [s for s in connector.streams if connector.stream_enabled(account, s)]
    unknown = set(chosen) - set(connector.streams)
    if unknown:
        raise ValueError(f"unknown stream(s) {', '.join(sorted(unknown))}; streams: {', '.join(connector.streams)}")
    return chosen


def paused_streams(account) -> dict[str, str]:
    """Streams an API group of which is paused by the account's circuit breaker and still
    cooling: ``{stream: why}``. The scheduler skips them; a person can still ask for them."""
    import time

    from ..toolkit.breaker import circuit_breaker

    connector = get_connector(account.connector)
    if not connector.stream_groups:
        return {}
    now = time.time()
    cooling = {group for group, state in circuit_breaker().open_circuits(str(account.id)).items() if state["until"] > now}
    return {
        stream: f"the marketplace's {', '.join(sorted(set(groups) & cooling))} API is paused"
        for stream, groups in connector.stream_groups.items()
        if set(groups) & cooling
    }


def enqueue_sync(account, streams: list[str] | None = None, *, full: bool = False, trigger: str = "manual") -> list[EnqueuedJob]:
    chosen = choose_streams(account, streams)
    queue = "backfill" if full else "sync"
    return [
        enqueue("sync_account", job_id=sync_job_id(account.id, s), queue=queue, account_id=account.id, stream=s, full=full, trigger=trigger) for s in chosen
    ]
