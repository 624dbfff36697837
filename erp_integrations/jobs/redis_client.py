"""The one way this package opens a Redis client: one that rides out a Redis restart.

A restarted Redis drops every connection. A plain client turns that into a ConnectionError in
whatever was talking to it: the RQ worker's heartbeat (the worker quits and its work horse with
it), a sync's lock renewal between two pages, the token single-flight lock. With a retry policy
on the client, each command reconnects with exponential backoff (0.5 s doubling to 8 s) for
about 40 seconds before it gives up, which covers a restart or a failover; a Redis that is
gone longer than that still fails loudly, and what failed is recorded and swept up later
(``scheduler.sweep``).

redis-py documents the policy (https://redis.readthedocs.io/en/stable/retry.html) and Redis's own
knowledge base shows it for reconnections
(https://redis.io/kb/doc/22wxq63j93/how-to-manage-client-reconnections-in-case-of-errors-with-redis-py).
"""

from __future__ import annotations

import os
from functools import lru_cache

RETRIES = 8  # waits of base * 2**n capped: 0.5 + 1 + 2 + 4 + 8 + 8 + 8 + 8 = 39.5 s of patience
BACKOFF_BASE = 0.25
BACKOFF_CAP = 8.0


def redis_client(url: str):
    """The process's client for ``url``: one connection pool shared by the queue, the locks,
    the scheduler, the inbox and the rate limiter (a pool per call site held idle connections
    and opened new ones per token lock). Keyed by the process too: a forked work horse gets
    a pool of its own rather than sharing sockets with its parent."""
    return _client(url, os.getpid())


@lru_cache(maxsize=16)
def _client(url: str, pid: int):
    from redis import Redis
    from redis.backoff import ExponentialBackoff
    from redis.exceptions import BusyLoadingError, ConnectionError, TimeoutError
    from redis.retry import Retry

    return Redis.from_url(
        url,
        retry=Retry(ExponentialBackoff(cap=BACKOFF_CAP, base=BACKOFF_BASE), RETRIES),
        # BusyLoadingError: a restarted Redis answers this while it reads its data back.
        retry_on_error=[ConnectionError, TimeoutError, BusyLoadingError],
        # A connection idle across the restart is checked before use rather than failing once.
        health_check_interval=30,
        socket_keepalive=True,
    )
