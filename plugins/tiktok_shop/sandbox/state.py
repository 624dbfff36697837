"""Everything the sandbox remembers besides the seeded data: the app, authorization codes,
tokens, rate-limit windows, injected faults and webhook subscriptions."""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from erp_integrations.toolkit.sandbox import Faults as KitFaults

# Scope (API package) names per endpoint family, as the reference names them.
ALL_SCOPES = (
    "Shop Authorized Information",
    "Product Basic",
    "Order Information",
    "Fulfillment Basic",
    "Logistics Basic",
    "Return & Refund Basic",
    "Finance Information",
    "Read Seller Affiliate Collaboration",
    "Read Creator Affiliate Collaborations",
    "TikTok Shop Analytics",
    "Customer Service",
    "Promotion Information",
    "Promotion Modify",
    "Package Split And Combine",
    "Webhook Management",
)

USER_SELLER, USER_CREATOR = 0, 1


@dataclass
class SandboxConfig:
    seed: int = 42
    shops: int = 2
    orders: int = 10_000
    app_key: str = "sandboxappkey"
    app_secret: str = "sandbox-app-secret"
    service_id: str = "7000000000000000001"
    as_of: int | None = None  # the moment the seeded data describes; default: start time
    access_token_ttl: int = 7 * 86_400
    refresh_token_ttl: int = 365 * 86_400
    rate_limit: int = 50  # requests per second per path, app and shop
    redirect_url: str | None = None
    auto_approve: bool = False
    webhook_time_factor: float = 1.0  # 3600: TikTok's hours pass as seconds
    code_ttl: int = 30 * 60  # authorization codes: single use, 30 minutes
    granted_scopes: tuple[str, ...] = ALL_SCOPES  # what new tokens carry (narrow it to test 105005)


@dataclass
class AuthCode:
    user_type: int
    shops: tuple[int, ...]
    expires_at: float
    used: bool = False


@dataclass
class Token:
    access_token: str
    refresh_token: str
    open_id: str
    user_type: int
    shops: tuple[int, ...]
    scopes: tuple[str, ...]
    access_expires_at: int
    refresh_expires_at: int
    revoked: bool = False


@dataclass
class Faults(KitFaults):
    """Injected failures. Rates are probabilities per API request."""

    error_rate: float = 0.0  # 36009003 with HTTP 500
    unavailable_rate: float = 0.0  # HTTP 503
    timeout_rate: float = 0.0  # hold the request past the client's timeout, then 36009007
    truncate_rate: float = 0.0  # cut the JSON body in half
    latency_ms: int = 0
    timeout_seconds: float = 35.0


class RateLimiter:
    """A sliding one-second window per (app, shop, path), as TikTok counts QPS per API."""

    def __init__(self):
        self._windows: dict[tuple, deque] = {}
        self._lock = threading.Lock()

    def allow(self, key: tuple, limit: int, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            window = self._windows.setdefault(key, deque())
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= limit:
                return False
            window.append(now)
            return True


@dataclass
class SandboxState:
    config: SandboxConfig
    codes: dict[str, AuthCode] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)  # by access token
    refresh_index: dict[str, Token] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)
    rate_limiter: RateLimiter = field(default_factory=RateLimiter)
    # shop index -> event type -> address
    webhooks: dict[int, dict[str, dict]] = field(default_factory=dict)
    request_counts: dict[str, int] = field(default_factory=dict)
    # Faults injected so far by kind (error, unavailable, timeout, truncate, rate_limited): a
    # test under faults can check they really happened.
    injected: dict[str, int] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def issue_code(self, user_type: int, shops: tuple[int, ...]) -> str:
        code = "TTP_" + secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = AuthCode(user_type, shops, time.time() + self.config.code_ttl)
        return code

    def issue_token(self, user_type: int, shops: tuple[int, ...]) -> Token:
        now = int(time.time())
        token = Token(
            access_token="TTP_" + secrets.token_urlsafe(32),
            refresh_token="TTP_" + secrets.token_urlsafe(32),
            open_id=str(7_000_000_000_000_000_000 + secrets.randbelow(10**18)),
            user_type=user_type,
            shops=shops,
            scopes=tuple(self.config.granted_scopes),
            access_expires_at=now + self.config.access_token_ttl,
            refresh_expires_at=now + self.config.refresh_token_ttl,
        )
        with self.lock:
            self.tokens[token.access_token] = token
            self.refresh_index[token.refresh_token] = token
        return token

    def refresh(self, token: Token) -> Token:
        """A new access token; the refresh token and its expiry stay (the doc sample shows the
        same refresh token coming back)."""
        now = int(time.time())
        with self.lock:
            self.tokens.pop(token.access_token, None)
            token.access_token = "TTP_" + secrets.token_urlsafe(32)
            token.access_expires_at = now + self.config.access_token_ttl
            self.tokens[token.access_token] = token
        return token

    def count(self, path: str) -> None:
        with self.lock:
            self.request_counts[path] = self.request_counts.get(path, 0) + 1

    def count_fault(self, kind: str) -> None:
        with self.lock:
            self.injected[kind] = self.injected.get(kind, 0) + 1
