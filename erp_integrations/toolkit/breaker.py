"""A circuit breaker per account and API group, shared by every worker.

When a marketplace's API group (TikTok: ``order``, ``finance``, ``product``...) keeps failing on
its side, every worker calling it again only adds load and fills the monitor with the same
failure each interval. After ``failures`` calls in a row that failed on the marketplace's side
(each counted once, after the client's own retries; any success, from any worker, starts the
count again; a count older than ``window`` seconds is forgotten) the circuit opens: calls to that group stop for a cooling period (with jitter, so many accounts do
not come back in lockstep). When it has passed, one call is let through as a probe (one across
all workers): success closes the circuit, failure opens it again for twice as long (up to
``max_cooling``). The pattern is Nygard's ("Release It!", stability patterns), as Martin Fowler
describes it: https://martinfowler.com/bliki/CircuitBreaker.html

Only server-side failures count (HTTP 5xx, timeouts, broken bodies: ``ServerError`` and
``TransportError``). An authorization or validation error never opens a circuit and is never
hidden behind one: it reaches the person who can fix it. Rate limiting has its own handling.

The state lives in Redis when the app has one (every worker sees it), in memory otherwise.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from ..marketplace_errors import MarketplaceError, ServerError, TransportError

PREFIX = "erp_integrations:breaker"


class CircuitOpen(MarketplaceError):
    """A call not made: the API group's circuit is open. Retryable, later: a push keeps its
    changes pending and a webhook its event, for the job's retries. The client itself does not
    retry it: it is raised before the client's retry loop starts."""

    retryable = True

    def __init__(self, group: str, until: float):
        when = datetime.fromtimestamp(until, UTC).strftime("%H:%M:%S UTC")
        super().__init__(f"calls to the marketplace's {group} API are paused until {when} after repeated server errors")
        self.group, self.until = group, until


@dataclass(frozen=True)
class Ticket:
    probe: bool  # this call decides whether an open circuit closes
    counting: bool  # failures of this group are being counted


# A call whose outcome should not count either way (the caller did not go through ``before``).
NO_TICKET = Ticket(probe=False, counting=False)


@dataclass(frozen=True)
class BreakerPolicy:
    failures: int = 5  # calls in a row that failed on the marketplace's side (after their retries)
    window: float = 120.0  # seconds a count of failures is kept without a new one
    cooling: float = 60.0  # seconds open before the first probe
    max_cooling: float = 900.0
    jitter: float = 0.25  # the cooling is stretched or shortened by up to this fraction
    probe_timeout: float = 120.0  # a probe that never reports back frees the slot after this

    @classmethod
    def from_env(cls) -> BreakerPolicy:
        """ERP_INTEGRATIONS_BREAKER_FAILURES and ERP_INTEGRATIONS_BREAKER_COOLING (seconds)."""
        return cls(
            failures=int(os.environ.get("ERP_INTEGRATIONS_BREAKER_FAILURES", cls.failures)),
            cooling=float(os.environ.get("ERP_INTEGRATIONS_BREAKER_COOLING", cls.cooling)),
        )


class CircuitBreaker:
    def __init__(self, store, policy: BreakerPolicy | None = None, clock: Callable[[], float] = time.time, rng: Callable[[], float] = random.random):
        self.store, self.policy, self.clock, self.rng = store, policy or BreakerPolicy(), clock, rng

    @classmethod
    def for_redis_url(cls, redis_url: str | None, policy: BreakerPolicy | None = None) -> CircuitBreaker:
        if redis_url:
            from ..jobs.redis_client import redis_client

            return cls(RedisStore(redis_client(redis_url)), policy)
        return cls(MemoryStore(), policy)

    # -- around each call -------------------------------------------------------------------

    def before(self, scope: str, group: str) -> Ticket:
        """Raise ``CircuitOpen`` when calls to ``group`` are paused; otherwise what the call's
        outcome needs: whether it is the probe that decides whether calls resume, and whether
        failures are being counted (one read of Redis for both)."""
        raw, counted = self.store.hget_and_get(self._open_key(scope), group, self._key(scope, group, "failures"))
        if raw is None:
            return Ticket(probe=False, counting=bool(counted))
        state = json.loads(raw)
        if self.clock() < state["until"]:
            raise CircuitOpen(group, state["until"])
        if not self.store.set_nx(self._key(scope, group, "probe"), "1", self.policy.probe_timeout):
            raise CircuitOpen(group, self.clock() + self.policy.probe_timeout)  # another worker is probing
        return Ticket(probe=True, counting=bool(counted))

    def succeeded(self, scope: str, group: str, ticket: Ticket) -> None:
        if ticket.probe:  # the group answers again: close
            self._close(scope, group)
        elif ticket.counting:  # failures were being counted: a success ends the run of them
            self.store.delete(self._key(scope, group, "failures"))

    def failed(self, scope: str, group: str, error: Exception, ticket: Ticket) -> None:
        if not isinstance(error, (ServerError, TransportError)) or isinstance(error, CircuitOpen):
            # Answered, though not with success (an auth or validation refusal): the group is up.
            self.succeeded(scope, group, ticket)
            return
        if ticket.probe:
            previous = self._state(scope, group) or {}
            self._open(scope, group, min(self.policy.max_cooling, 2 * previous.get("cooling", self.policy.cooling)), previous.get("failures", 0) + 1)
            self.store.delete(self._key(scope, group, "probe"))
            return
        count = self.store.incr(self._key(scope, group, "failures"), self.policy.window)
        if count >= self.policy.failures and self._state(scope, group) is None:
            self._open(scope, group, self.policy.cooling, count)

    # -- what the monitor and the scheduler read, and an operator's reset --------------------

    def open_circuits(self, scope: str) -> dict[str, dict]:
        """``{group: {until, cooling, failures, opened_at}}`` of the circuits open (or waiting
        for their probe) for ``scope``: one read of one key."""
        return {group: json.loads(raw) for group, raw in self.store.hgetall(self._open_key(scope)).items()}

    def reset(self, scope: str, group: str | None = None) -> None:
        """Close now (an operator who knows the marketplace is back)."""
        for name in [group] if group else list(self.open_circuits(scope)):
            self._close(scope, name)

    # -- state --------------------------------------------------------------------------------

    def _open(self, scope: str, group: str, cooling: float, failures: int) -> None:
        now = self.clock()
        stretched = cooling * (1 + self.policy.jitter * (2 * self.rng() - 1))
        state = {"until": now + stretched, "cooling": cooling, "failures": failures, "opened_at": now}
        # A scope's open circuits share one hash: the monitor and the scheduler read them in
        # one command. The probe, not an expiry, closes a circuit.
        self.store.hset(self._open_key(scope), group, json.dumps(state))

    def _close(self, scope: str, group: str) -> None:
        self.store.hdel(self._open_key(scope), group)
        self.store.delete(self._key(scope, group, "probe"), self._key(scope, group, "failures"))

    def _state(self, scope: str, group: str) -> dict | None:
        raw = self.store.hget(self._open_key(scope), group)
        return json.loads(raw) if raw else None

    @staticmethod
    def _open_key(scope: str) -> str:
        return f"{PREFIX}:{scope}:open"

    @staticmethod
    def _key(scope: str, group: str, part: str) -> str:
        return f"{PREFIX}:{scope}:{group}:{part}"


class RedisStore:
    """The few commands the breaker needs, on the process's Redis client."""

    def __init__(self, client):
        self.client = client

    def hget(self, key: str, field: str) -> str | None:
        value = self.client.hget(key, field)
        return value.decode() if isinstance(value, bytes) else value

    def hget_and_get(self, key: str, field: str, other: str) -> tuple[str | None, str | None]:
        pipe = self.client.pipeline(transaction=False)
        pipe.hget(key, field)
        pipe.get(other)
        return tuple(v.decode() if isinstance(v, bytes) else v for v in pipe.execute())

    def hset(self, key: str, field: str, value: str) -> None:
        self.client.hset(key, field, value)

    def hdel(self, key: str, field: str) -> None:
        self.client.hdel(key, field)

    def hgetall(self, key: str) -> dict[str, str]:
        return {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v) for k, v in self.client.hgetall(key).items()}

    def set_nx(self, key: str, value: str, ttl: float) -> bool:
        return bool(self.client.set(key, value, px=int(ttl * 1000), nx=True))

    def incr(self, key: str, ttl: float) -> int:
        pipe = self.client.pipeline()
        pipe.set(key, 0, px=int(ttl * 1000), nx=True)  # the window starts at the first failure
        pipe.incr(key)
        return int(pipe.execute()[1])

    def delete(self, *keys: str) -> None:
        self.client.delete(*keys)


class MemoryStore:
    """The same, in one process (the embedded mode)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._items: dict[str, tuple[object, float]] = {}
        self._hashes: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()
        self.clock = clock

    def _live(self, key: str):
        item = self._items.get(key)
        if item is not None and item[1] <= self.clock():
            del self._items[key]
            return None
        return item

    def hget(self, key: str, field: str) -> str | None:
        with self._lock:
            return self._hashes.get(key, {}).get(field)

    def hget_and_get(self, key: str, field: str, other: str) -> tuple[str | None, str | None]:
        with self._lock:
            item = self._live(other)
            return self._hashes.get(key, {}).get(field), None if item is None else str(item[0])

    def hset(self, key: str, field: str, value: str) -> None:
        with self._lock:
            self._hashes.setdefault(key, {})[field] = value

    def hdel(self, key: str, field: str) -> None:
        with self._lock:
            self._hashes.get(key, {}).pop(field, None)

    def hgetall(self, key: str) -> dict[str, str]:
        with self._lock:
            return dict(self._hashes.get(key, {}))

    def set_nx(self, key: str, value: str, ttl: float) -> bool:
        with self._lock:
            if self._live(key) is not None:
                return False
            self._items[key] = (value, self.clock() + ttl)
            return True

    def incr(self, key: str, ttl: float) -> int:
        with self._lock:
            item = self._live(key)
            count, expires = (int(item[0]) + 1, item[1]) if item else (1, self.clock() + ttl)
            self._items[key] = (count, expires)
            return count

    def delete(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._items.pop(key, None)


def circuit_breaker():
    """The app's breaker (one per app and process), on its Redis when it has one."""
    from flask import current_app

    extensions = current_app.extensions
    if "erp_integrations.breaker" not in extensions:
        extensions["erp_integrations.breaker"] = CircuitBreaker.for_redis_url(current_app.config["ERP_SETTINGS"].redis_url, BreakerPolicy.from_env())
    return extensions["erp_integrations.breaker"]


def paused_apis(account_id: int) -> list[dict]:
    """The account's open circuits as people read them: group, since, until, failures, and
    whether the cooling has passed (the next call is the probe)."""
    now = time.time()
    return [
        {
            "group": group,
            "opened_at": datetime.fromtimestamp(state["opened_at"], UTC),
            "until": datetime.fromtimestamp(state["until"], UTC),
            "failures": state["failures"],
            "probe_due": state["until"] <= now,
        }
        for group, state in sorted(circuit_breaker().open_circuits(str(account_id)).items())
    ]
