"""Running a connector's stream: one SyncRun per run, a cursor checkpointed per page, one run
per account and stream at a time."""

from .context import SyncContext
from .runner import StreamBusy, UnknownStream, run_sync

__all__ = ["StreamBusy", "SyncContext", "UnknownStream", "run_sync"]
