"""Access tokens of an account, for any connector: refreshed before they expire or when the
marketplace says the token expired, by one worker at a time (single flight), both new tokens
persisted in one transaction.

A connector supplies only its refresh call, turning a refresh token into a ``TokenGrant``.
When the refresh token itself is refused (``ReauthorizationRequired``), or the seller revoked
the app, the account is marked as needing re-authorization and an alert is raised: only a
person can fix that.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask import current_app

from ..alerts import raise_alert
from ..crypto.vault import CredentialVault
from ..extensions import db
from ..hooks import get_connector
from ..marketplace_errors import ReauthorizationRequired
from ..models import AccountStatus, IntegrationAccount

REFRESH_MARGIN = timedelta(minutes=30)
_local_locks: dict[int, threading.Lock] = {}
_guard = threading.Lock()


@dataclass(frozen=True)
class TokenGrant:
    """What a token exchange or refresh gave: both tokens, when each expires, and what the
    marketplace said about the grant (kept in the account's ``auth_info``)."""

    access_token: str
    refresh_token: str
    access_expires_at: datetime | None = None
    refresh_expires_at: datetime | None = None
    info: dict = field(default_factory=dict)


def store_tokens(account: IntegrationAccount, grant: TokenGrant) -> None:
    """Persist a grant in one transaction: a refresh token is often single-use, so the new pair
    is written together or not at all."""
    vault = CredentialVault(db.session)
    vault.put(account, "access_token", grant.access_token)
    vault.put(account, "refresh_token", grant.refresh_token)
    account.access_expires_at = grant.access_expires_at
    account.refresh_expires_at = grant.refresh_expires_at
    if grant.info:
        account.auth_info = {**(account.auth_info or {}), **grant.info}
    db.session.commit()


def mark_needs_reauthorization(account: IntegrationAccount, reason: str) -> None:
    account.status = AccountStatus.NEEDS_REAUTH
    db.session.commit()
    display_name = get_connector(account.connector).display_name
    raise_alert(
        account.id, "needs_reauth", f"{account.name}: {display_name} needs to be authorized again ({reason}). Use Connect & Authorize.", severity="error"
    )


@contextmanager
def _single_flight(account_id: int):
    """One refresh per account at a time, across workers (Redis) or threads (embedded)."""
    settings = current_app.config["ERP_SETTINGS"]
    if settings.redis_url:
        from ..jobs.redis_client import redis_client

        lock = redis_client(settings.redis_url).lock(f"erp_integrations:lock:token:{account_id}", timeout=60, blocking_timeout=60)
        with lock:
            yield
        return
    with _guard:
        lock = _local_locks.setdefault(account_id, threading.Lock())
    with lock:
        yield


class TokenKeeper:
    """Hands out a valid access token for one account, refreshing it when needed. A client
    calls ``current()`` before a request and ``refresh(stale)`` when told the token expired.

    ``refresh_call(refresh_token) -> TokenGrant`` is the connector's one call."""

    def __init__(self, account: IntegrationAccount, refresh_call: Callable[[str], TokenGrant]):
        self.account = account
        self.refresh_call = refresh_call
        self.refreshes = 0
        # The token handed out last and its expiry. A sync asks for the token before every
        # page; reading and decrypting it each time cost two queries a page. Should another
        # worker refresh meanwhile, the marketplace's "expired" answer sends us through
        # refresh(), which reads the stored token first.
        self._handed_out: tuple[str, datetime | None] | None = None

    def current(self) -> str:
        now = datetime.now(UTC)
        if self._handed_out is not None:
            token, expires = self._handed_out
            if expires is None or expires - REFRESH_MARGIN > now:
                return token
        account = self.account
        expires = account.access_expires_at
        if expires is not None and expires - REFRESH_MARGIN <= now:
            return self.refresh(stale=None)
        token = CredentialVault(db.session).get(account, "access_token")
        if token is None:
            raise ReauthorizationRequired("the account has not been authorized yet")
        self._handed_out = (token, expires)
        return token

    def refresh(self, stale: str | None) -> str:
        """Refresh, unless another worker already did since ``stale`` was handed out."""
        with _single_flight(self.account.id):
            db.session.expire(self.account)
            vault = CredentialVault(db.session)
            stored = vault.get(self.account, "access_token")
            fresh_enough = self.account.access_expires_at is not None and self.account.access_expires_at - REFRESH_MARGIN > datetime.now(UTC)
            if stored and fresh_enough and stored != stale:
                self._handed_out = (stored, self.account.access_expires_at)
                return stored  # someone else refreshed while we waited for the lock
            refresh_token = vault.get(self.account, "refresh_token")
            if not refresh_token:
                mark_needs_reauthorization(self.account, "no refresh token")
                raise ReauthorizationRequired("the account has no refresh token")
            try:
                grant = self.refresh_call(refresh_token)
            except ReauthorizationRequired as exc:
                mark_needs_reauthorization(self.account, exc.message)
                raise
            store_tokens(self.account, grant)
            self.refreshes += 1
            self._handed_out = (grant.access_token, self.account.access_expires_at)
            return grant.access_token
