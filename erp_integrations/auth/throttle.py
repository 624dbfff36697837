"""Sign-in throttling: a delay that grows with failures, never a lock.

Locking a user after N wrong passwords lets anyone who knows an email keep that user out, and a
different answer for a locked user tells which emails exist. Instead, failures are counted per
(submitted email, client address) and per client address, whether or not the email exists:

- the first ``FREE`` failures of a key cost nothing; each one after that makes the key wait
  ``2 ** (n - FREE + 1)`` seconds (4, 8, 16...), at most ``MAX_DELAY``, before its next try
  is even checked;
- a key's count starts again an hour after its last failure; a success clears its own
  (email, address) count, never the address's;
- so a guesser at one address gets a handful of free tries per email, then about one every five
  minutes (and at most about fifty, then the same pace, for all emails together), while the
  user signs in from their own address at once.

Keys are SHA-256 digests: the table keeps neither the emails typed nor the addresses.
"""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from ..extensions import db
from ..models import SignInAttempt

FREE = 5  # failures of one email from one address before any delay
FREE_PER_ADDRESS = 50  # failures from one address, all emails together
MAX_DELAY = timedelta(minutes=5)
FORGET_AFTER = timedelta(hours=1)


class Throttled(Exception):
    def __init__(self, wait: timedelta):
        seconds = max(1, math.ceil(wait.total_seconds()))
        super().__init__(f"too many sign-in attempts from here; try again in {seconds} second{'s' if seconds != 1 else ''}")
        self.seconds = seconds


def _key(kind: str, *parts: str) -> str:
    return f"{kind}:" + hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def keys_for(email: str, address: str | None) -> tuple[str, str]:
    address = address or "unknown"
    return _key("pair", email, address), _key("address", address)


def check(email: str, address: str | None, now: datetime | None = None) -> None:
    """Refuse (``Throttled``) while either key must wait; same answer for every email."""
    now = now or datetime.now(UTC)
    rows = db.session.scalars(select(SignInAttempt).where(SignInAttempt.key.in_(keys_for(email, address)))).all()
    waits = [row.next_allowed_at - now for row in rows if row.next_allowed_at and row.next_allowed_at > now and now - row.last_failure_at < FORGET_AFTER]
    if waits:
        raise Throttled(max(waits))


def failed(email: str, address: str | None, now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    pair, per_address = keys_for(email, address)
    for key, free in ((pair, FREE), (per_address, FREE_PER_ADDRESS)):
        row = db.session.get(SignInAttempt, key)
        if row is None:
            row = SignInAttempt(key=key, failures=0, last_failure_at=now)
            db.session.add(row)
        elif now - row.last_failure_at >= FORGET_AFTER:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        over = row.failures - free
        row.next_allowed_at = now + min(timedelta(seconds=2 ** min(over + 1, 20)), MAX_DELAY) if over > 0 else None
    db.session.commit()


def succeeded(email: str, address: str | None) -> None:
    pair, _ = keys_for(email, address)
    db.session.execute(delete(SignInAttempt).where(SignInAttempt.key == pair))
    db.session.commit()
