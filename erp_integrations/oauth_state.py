"""OAuth ``state``: signed, expiring, bound to one account and used once.

The value is ``payload.signature`` (URL-safe base64). The account keeps the nonce of the one
authorization in flight, so a state can neither be replayed nor forged for another account,
and a callback that did not start here (CSRF) is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time

from .crypto.vault import current_keyring
from .extensions import db
from .models import IntegrationAccount

STATE_TTL = 30 * 60
PURPOSE = "oauth-state"


class InvalidState(ValueError):
    pass


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_state(account: IntegrationAccount, return_to: str | None = None) -> str:
    """A state for one authorization of ``account``. ``return_to``, a path on this site, is
    where the callback sends the browser afterwards (the admin pages); without it the callback
    answers JSON (API clients)."""
    if return_to is not None and not (return_to.startswith("/") and not return_to.startswith("//")):
        raise ValueError("return_to must be a path on this site")
    ring = current_keyring()
    nonce = secrets.token_urlsafe(16)
    claims = {"a": account.id, "n": nonce, "t": int(time.time()), "k": ring.current_id}
    if return_to:
        claims["r"] = return_to
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signature = _b64(hmac.new(ring.derive(PURPOSE), payload.encode(), hashlib.sha256).digest())
    account.auth_info = {**(account.auth_info or {}), "pending_state": nonce}
    db.session.commit()
    return f"{payload}.{signature}"


def consume_state(state: str) -> IntegrationAccount:
    """The account a state belongs to; the state cannot be used again."""
    try:
        payload, signature = state.split(".", 1)
        claims = json.loads(_unb64(payload))
        expected = _b64(hmac.new(current_keyring().derive(PURPOSE, claims["k"]), payload.encode(), hashlib.sha256).digest())
    except (ValueError, KeyError, TypeError):
        raise InvalidState("the state parameter is malformed") from None
    if not hmac.compare_digest(expected, signature):
        raise InvalidState("the state parameter is not ours")
    if claims["t"] + STATE_TTL < time.time():
        raise InvalidState("the authorization took longer than 30 minutes; start again")
    account = db.session.get(IntegrationAccount, claims["a"])
    if account is None or (account.auth_info or {}).get("pending_state") != claims["n"]:
        raise InvalidState("this authorization was already completed or replaced by a newer one")
    info = dict(account.auth_info)
    info.pop("pending_state")
    account.auth_info = info
    db.session.commit()
    return account


def state_return_to(state: str) -> str | None:
    """The ``return_to`` of a state that ``consume_state`` has already verified."""
    try:
        return json.loads(_unb64(state.split(".", 1)[0])).get("r")
    except (ValueError, AttributeError):
        return None
