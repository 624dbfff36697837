"""Webhooks in: the receiver (verify, store, acknowledge) and the inbox its jobs drain."""

from .inbox import (
    InboxEvent,
    RefetchContext,
    process_inbox,
    requeue_stale_claims,
    wake_processor,
)

__all__ = ["InboxEvent", "RefetchContext", "process_inbox", "requeue_stale_claims", "wake_processor"]
