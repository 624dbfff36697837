"""The push job: drain an account's outbox of one kind."""

from __future__ import annotations

from ..jobs import job_function


@job_function("push_changes", retries=(10, 60, 300, 900))
def push_changes(account_id: int, kind: str) -> dict:
    """Send an account's pending changes of one kind (stock, price, shipment) to its marketplace."""
    from .runner import run_push

    return run_push(account_id, kind)
