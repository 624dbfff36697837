"""TikTok's 50 requests/s per API path, app and shop, shared by every worker.

With Redis, each second has a counter key per (app, shop, path); a request takes a slot or
waits for the next second. Without Redis (one process), the same window lives in memory.
Staying under the limit is cheaper than meeting 429s and backing off.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

DEFAULT_LIMIT = 45  # a margin under TikTok's 50, for clock edges between workers

_TAKE = """
local count = redis.call('incr', KEYS[1])
if count == 1 then redis.call('pexpire', KEYS[1], 2000) end
return count
"""


class RateLimiter:
    def __init__(
        self, limit: int = DEFAULT_LIMIT, redis_url: str | None = None, clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep
    ):
        self.limit = limit
        self.clock, self.sleep = clock, sleep
        self._redis = None
        if redis_url:
            from erp_integrations.jobs.redis_client import redis_client

            self._redis = redis_client(redis_url)
            self._take = self._redis.register_script(_TAKE)
        self._counts: dict[tuple, int] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str) -> None:
        """Block until a request for ``key`` fits in the current one-second window."""
        while True:
            now = self.clock()
            second = int(now)
            if self._taken(key, second) <= self.limit:
                return
            self.sleep(max(0.0, second + 1 - now))  # the next window opens at the next second

    def _taken(self, key: str, second: int) -> int:
        if self._redis is not None:
            return int(self._take(keys=[f"erp_integrations:ratelimit:{key}:{second}"]))
        with self._lock:
            for stale in [k for k in self._counts if k[1] < second]:
                del self._counts[stale]
            count = self._counts.get((key, second), 0) + 1
            self._counts[(key, second)] = count
            return count
