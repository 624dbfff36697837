"""The webhook job: act on an account's stored deliveries."""

from __future__ import annotations

from ..jobs import job_function


@job_function("process_webhooks", retries=(5, 30, 120, 600))
def process_webhooks(account_id: int) -> dict:
    """Handle an account's stored webhook deliveries: refetch what they name, through the
    same mappers and upserts as sync."""
    from .inbox import process_inbox

    return process_inbox(account_id)
