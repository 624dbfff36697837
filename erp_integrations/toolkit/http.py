"""The part of a marketplace client that is the same for every marketplace.

Transport (a requests session), signing and error mapping are kept apart, stripe-python style:
a connector's ``_send`` builds and signs one request and maps the answer onto the host's error
tree; ``request`` here adds the circuit breaker, retries with exponential backoff and full
jitter for what can succeed on a second try, and one token refresh when the marketplace says
the token expired.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

from ..marketplace_errors import AuthError, MarketplaceError, ReauthorizationRequired, TokenExpired, TransportError


@dataclass
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int) -> float:
        # "Full jitter": a random point below the exponential ceiling spreads retries of many
        # workers instead of having them hit the rate limiter again in lockstep.
        return self.rng.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))


class ApiClient:
    """Subclasses implement ``_send(method, path, query, body, scoped) -> dict`` and may
    override ``api_group`` (what the breaker counts) and ``is_token_problem``."""

    def __init__(
        self,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
        token_source=None,
        rate_limiter=None,
        breaker=None,
        breaker_scope: str | None = None,
    ):
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.session = session or requests.Session()
        self.clock = clock
        self.api_calls = 0
        self.access_token: str | None = getattr(self, "access_token", None)
        # token_source: current() -> token, refresh(stale) -> token (toolkit.tokens.TokenKeeper).
        self.token_source = token_source
        self.rate_limiter = rate_limiter
        # A CircuitBreaker (toolkit.breaker) keyed by the account: calls to an API group that
        # keeps failing on the marketplace's side pause for a while.
        self.breaker, self.breaker_scope = breaker, breaker_scope

    def _send(self, method: str, path: str, query: dict, body: dict | None, scoped: bool) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def api_group(self, path: str) -> str:
        return path.strip("/").split("/", 1)[0]

    def is_token_problem(self, exc: AuthError) -> bool:
        return isinstance(exc, TokenExpired)

    def _http(self, method: str, url: str, *, headers: dict, data: bytes | None = None) -> requests.Response:
        """One HTTP exchange, counted; transport failures become ``TransportError``."""
        self.api_calls += 1
        try:
            return self.session.request(method, url, data=data, headers=headers, timeout=self.timeout)
        except requests.Timeout:
            raise TransportError("the request timed out") from None
        except requests.ConnectionError as exc:
            raise TransportError(f"connection failed: {type(exc).__name__}") from None

    def request(self, method: str, path: str, *, query: dict | None = None, body: dict | None = None, shop_scoped: bool = True) -> dict:
        """One API call, with its retries, through the account's circuit breaker: an open
        circuit raises ``CircuitOpen`` before anything is sent, and the breaker counts the call
        once, by its final outcome (its own retries are not failures of their own)."""
        if self.breaker is None:
            return self._request(method, path, query, body, shop_scoped)
        group = self.api_group(path)
        ticket = self.breaker.before(self.breaker_scope, group)
        try:
            data = self._request(method, path, query, body, shop_scoped)
        except MarketplaceError as exc:
            self.breaker.failed(self.breaker_scope, group, exc, ticket)
            raise
        self.breaker.succeeded(self.breaker_scope, group, ticket)
        return data

    def _request(self, method: str, path: str, query: dict | None, body: dict | None, shop_scoped: bool) -> dict:
        attempt, refreshed = 0, False
        if self.token_source is not None:
            self.access_token = self.token_source.current()
        while True:
            try:
                return self._send(method, path, dict(query or {}), body, shop_scoped)
            except ReauthorizationRequired:
                raise
            except AuthError as exc:
                # An expired token: refresh once, then give up.
                if refreshed or self.token_source is None or not self.is_token_problem(exc):
                    raise
                self.access_token = self.token_source.refresh(stale=self.access_token)
                refreshed = True
            except MarketplaceError as exc:
                attempt += 1
                if not exc.retryable or attempt >= self.retry.attempts:
                    raise
                self.retry.sleep(self.retry.delay(attempt))
