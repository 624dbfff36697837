"""Access tokens of an account: refreshed before they expire or when TikTok says 105002, by one
worker at a time (single flight), both new tokens persisted in one transaction.

When the refresh token itself is refused (36004001 expired, 36004005 no authorization record) or
the seller deauthorized the app, the account is marked as needing re-authorization and an alert
is raised: only a person can fix that.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from flask import current_app

from erp_integrations.alerts import raise_alert
from erp_integrations.crypto.vault import CredentialVault
from erp_integrations.extensions import db
from erp_integrations.models import AccountStatus, IntegrationAccount
from erp_integrations.toolkit import ReauthorizationRequired

REFRESH_MARGIN = timedelta(minutes=30)
_local_locks: dict[int, threading.Lock] = {}
_guard = threading.Lock()


def _from_unix(value) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if value else None


def store_tokens(account: IntegrationAccount, data: dict) -> None:
    """Persist a token response (from token/get or token/refresh) in one transaction."""
    vault = CredentialVault(db.session)
    vault.put(account, "access_token", data["access_token"])
    vault.put(account, "refresh_token", data["refresh_token"])
    account.access_expires_at = _from_unix(data.get("access_token_expire_in"))
    account.refresh_expires_at = _from_unix(data.get("refresh_token_expire_in"))
    info = dict(account.auth_info or {})
    info.update({k: data[k] for k in ("open_id", "seller_name", "seller_base_region", "user_type", "granted_scopes") if k in data})
    account.auth_info = info
    db.session.commit()


def mark_needs_reauthorization(account: IntegrationAccount, reason: str) -> None:
    account.status = AccountStatus.NEEDS_REAUTH
    db.session.commit()
    raise_alert(account.id, "needs_reauth", f"{account.name}: TikTok Shop needs to be authorized again ({reason}). Use Connect & Authorize.", severity="error")


@contextmanager
def _single_flight(account_id: int):
    """One refresh per account at a time, across workers (Redis) or threads (embedded)."""
    settings = current_app.config["ERP_SETTINGS"]
    if settings.redis_url:
        from erp_integrations.jobs.redis_client import redis_client

        lock = redis_client(settings.redis_url).lock(f"erp_integrations:lock:token:{account_id}", timeout=60, blocking_timeout=60)
        with lock:
            yield
        return
    with _guard:
        lock = _local_locks.setdefault(account_id, threading.Lock())
    with lock:
        yield


class TokenKeeper:
    """Hands out a valid access token for one account, refreshing it when needed."""

    def __init__(self, account: IntegrationAccount, client_factory):
        self.account = account
        self.client_factory = client_factory  # builds a client with the app's key and secret
        self.refreshes = 0
        # The token handed out last and its expiry. A sync asks for the token before every
        # page; reading and decrypting it each time cost two queries a page. Should another
        # worker refresh meanwhile, the API's 105002 sends us through refresh(), which reads
        # the stored token first.
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
                data = self.client_factory().refresh_access_token(refresh_token)
            except ReauthorizationRequired as exc:
                mark_needs_reauthorization(self.account, exc.message)
                raise
            store_tokens(self.account, data)
            self.refreshes += 1
            self._handed_out = (data["access_token"], self.account.access_expires_at)
            return data["access_token"]
