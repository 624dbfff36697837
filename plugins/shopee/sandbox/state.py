"""What the Shopee sandbox remembers between calls: its settings, the grants it issued, the
calls it served and the faults it injects."""

from __future__ import annotations

import secrets
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field

from erp_integrations.toolkit.sandbox import Faults as KitFaults

# Auth codes are single-use and live 10 minutes; access tokens 4 hours; refresh tokens 30
# days and single-use; after a refresh the old access token still works for 5 minutes
# (shared API.md 4.2, from the official authorization guide).
CODE_TTL, ACCESS_TTL, REFRESH_TTL, OLD_TOKEN_GRACE = 600, 4 * 3600, 30 * 86_400, 300


@dataclass
class SandboxConfig:
    partner_id: int = 1_000_001
    partner_key: str = "sandbox-shopee-partner-key"
    seed: int = 42
    shops: int = 2
    orders: int = 1_000
    items: int = 60
    regions: tuple[str, ...] = ("SG",)
    as_of: int | None = None
    # Shopee publishes no per-second limit for the v2 API (API.md 3.7 lists only the
    # error_rate_limit answer): the sandbox's own, per partner, shop and path.
    rate_limit: int = 100
    push_key: str | None = None  # None: pushes are signed with the partner key
    push_time_factor: float = 1.0  # 60: the retry schedule's minutes pass as seconds


@dataclass
class Grant:
    shop_id: int
    expires_at: int


@dataclass
class Faults(KitFaults):
    error_rate: float = 0.0  # error_server with HTTP 500


@dataclass
class SandboxState:
    config: SandboxConfig
    codes: dict[str, Grant] = field(default_factory=dict)
    access: dict[str, Grant] = field(default_factory=dict)
    refresh: dict[str, Grant] = field(default_factory=dict)
    calls: Counter = field(default_factory=Counter)
    faults: Faults = field(default_factory=Faults)
    push_callback: str = ""  # set_app_push_config
    push_codes: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _windows: dict[tuple, deque] = field(default_factory=dict)

    def issue_code(self, shop_id: int) -> str:
        code = secrets.token_hex(16)
        with self.lock:
            self.codes[code] = Grant(shop_id, int(time.time()) + CODE_TTL)
        return code

    def take_code(self, code: str, shop_id: int) -> bool:
        with self.lock:
            grant = self.codes.pop(code, None)
        return grant is not None and grant.shop_id == shop_id and grant.expires_at > time.time()

    def issue_tokens(self, shop_id: int) -> tuple[str, str]:
        access, refresh, now = secrets.token_hex(16), secrets.token_hex(16), int(time.time())
        with self.lock:
            self.access[access] = Grant(shop_id, now + ACCESS_TTL)
            self.refresh[refresh] = Grant(shop_id, now + REFRESH_TTL)
        return access, refresh

    def rotate(self, refresh_token: str, shop_id: int) -> tuple[str, str] | None:
        """A refresh token works once; the shop's access tokens then expire within 5 minutes."""
        now = int(time.time())
        with self.lock:
            grant = self.refresh.pop(refresh_token, None)
            if grant is None or grant.shop_id != shop_id or grant.expires_at <= now:
                return None
            for old in self.access.values():
                if old.shop_id == shop_id:
                    old.expires_at = min(old.expires_at, now + OLD_TOKEN_GRACE)
        return self.issue_tokens(shop_id)

    def allow(self, key: tuple) -> bool:
        """A sliding one-second window per key."""
        now = time.monotonic()
        with self.lock:
            window = self._windows.setdefault(key, deque())
            while window and window[0] <= now - 1:
                window.popleft()
            if len(window) >= self.config.rate_limit:
                return False
            window.append(now)
            return True
