"""Staying under a marketplace's requests-per-second limit, across every worker.

A connector's client calls ``acquire(key)`` before each request; the key names what the
marketplace counts (TikTok: app, shop and API path). The window is a moving one. TikTok Shop
documents 50 QPS per API, app and shop, and 429 beyond (API.md, rate limits), without saying
where its seconds start; a moving window is the reading that is safe under every one, and the
one the sandbox enforces. A fixed calendar-second window let 90 requests through within 10 ms
across a second boundary, and the sandbox refused 40 of them; the moving window never lets more
than the limit into any second.

The window is the ``limits`` library's moving-window strategy
(https://limits.readthedocs.io/en/stable/strategies.html#moving-window): in Redis when the app
has one, so every worker and process shares it (through the process's one Redis client), in
memory in the embedded mode (one process). Timestamps come from each host's clock: keep a
margin under the marketplace's limit for clock skew between machines.
"""

from __future__ import annotations

import time
from collections.abc import Callable

KEY_PREFIX = "erp_integrations:ratelimit"
MIN_WAIT = 0.001  # seconds; never spin


class RateLimiter:
    def __init__(self, per_second: int, redis_url: str | None = None, sleep: Callable[[float], None] = time.sleep):
        from limits import RateLimitItemPerSecond
        from limits.storage import MemoryStorage, RedisStorage
        from limits.strategies import MovingWindowRateLimiter

        if per_second < 1:
            raise ValueError("a rate limit needs at least one request per second")
        self.per_second = per_second
        self.item = RateLimitItemPerSecond(per_second)
        if redis_url:
            from ..jobs.redis_client import redis_client

            storage = RedisStorage(redis_url, connection_pool=redis_client(redis_url).connection_pool, key_prefix=KEY_PREFIX)
        else:
            storage = MemoryStorage()
        self._window = MovingWindowRateLimiter(storage)
        self.sleep = sleep

    def acquire(self, key: str) -> None:
        """Block until a request for ``key`` fits in the moving one-second window, and take it."""
        while not self._window.hit(self.item, key):
            # Full: wait until the oldest request in the window is a second old.
            reset_at, _ = self._window.get_window_stats(self.item, key)
            self.sleep(max(MIN_WAIT, reset_at - time.time()))
