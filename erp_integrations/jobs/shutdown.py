"""Stopping after the current page: how a worker shuts down without losing or redoing work.

A warm shutdown (SIGTERM or Ctrl+C to ``erp-integrations worker``) asks the running job to stop
at its next checkpoint: the page it is on is written and its cursor committed, the run is
recorded as ``interrupted`` and the stream is queued again to continue from that cursor.
"""

from __future__ import annotations

import threading

requested = threading.Event()


class ShutdownRequested(Exception):
    """Raised at a checkpoint when the worker is shutting down."""
