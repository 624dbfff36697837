"""The part of a marketplace client that is the same for every marketplace.

Transport (a requests session), signing and error mapping are kept apart, stripe-python style:
a connector's ``_send`` builds and signs one request and maps the answer onto the host's error
tree; ``request`` here adds the circuit breaker, retries with exponential backoff and full
jitter for what can succeed on a second try, and one token refresh when the marketplace says
the token expired.
"""

from __future__ import annotations

import os
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
        api_base_url: str,
        access_token: str | None = None,
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
        self.api_base_url = api_base_url.rstrip("/")
        self.access_token = access_token
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


def account_client(connector, account, *, with_tokens: bool = True) -> ApiClient:
    """The connector's client for this account, on the transport every connector shares: the
    API base URL of the account's settings, one rate limiter per connector and process
    (``<NAME>_MAX_QPS`` requests a second per path, app and shop; its windows live in Redis, so
    all workers share them), the circuit breaker keyed by the account, ``<NAME>_TIMEOUT``
    seconds per request, and the token keeper that refreshes an expired access token once for
    all workers (``with_tokens=False`` for the authorization calls, which carry no shop token)."""
    from flask import current_app

    from ..accounts import account_secrets
    from .breaker import circuit_breaker
    from .ratelimit import RateLimiter
    from .tokens import TokenKeeper

    prefix = connector.name.upper()
    extensions = current_app.extensions
    limiter_key = f"{connector.name}.rate_limiter"
    if limiter_key not in extensions:
        limit = int(os.environ.get(f"{prefix}_MAX_QPS", connector.max_qps))
        extensions[limiter_key] = RateLimiter(limit, redis_url=current_app.config["ERP_SETTINGS"].redis_url)
    secrets = account_secrets(account)
    # Every connector's schema has ``api_base_url`` (``endpoint_field``); an account stored
    # before a connector had one gets its default.
    base_url = (account.config or {}).get("api_base_url") or connector.config_schema().fields["api_base_url"].load_default
    transport = {
        "api_base_url": base_url,
        "rate_limiter": extensions[limiter_key],
        "timeout": float(os.environ.get(f"{prefix}_TIMEOUT", 30)),
        "breaker": circuit_breaker(),
        "breaker_scope": str(account.id),
    }

    def new_client():
        return connector.build_client(account, secrets, **transport)

    client = new_client()
    if with_tokens:
        client.token_source = TokenKeeper(account, lambda refresh_token: connector.refresh_grant(new_client(), refresh_token))
    return client
