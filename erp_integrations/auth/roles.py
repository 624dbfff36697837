"""Who may do what. One table, read by the API and the admin pages alike.

Verbs, from least to most:

- ``signed_in``: anyone with a valid session or token (the connector list, their own profile).
- ``affiliate``: affiliate orders, creators and commissions of an account.
- ``income``: the account's income report, score and signed statement (for lenders).
- ``read``: everything else an account shows (data pages, sync monitor, webhook log).
- ``manage``: change an account's settings, authorize it, sync, push, retry.
- ``admin``: create and delete accounts, choose defaults, users, the global job list.

Roles:

- ``admin``: every verb on every account.
- ``manager``: ``read``, ``affiliate``, ``income`` and ``manage`` on the accounts assigned to them.
- ``viewer``: ``read``, ``affiliate`` and ``income`` on every account.
- ``creator``: ``affiliate`` only, on the accounts assigned to them (a creator partner sees the
  commissions they earn, not the shop's orders or finances).
- ``analyst``: ``income`` only, on the accounts assigned to them (a lender's analyst reads the
  income report and statement of the applicants' shops, and nothing else of them).
"""

from __future__ import annotations

ROLES = ("admin", "manager", "viewer", "creator", "analyst")
ROLE_LABELS = {"admin": "Administrator", "manager": "Manager", "viewer": "Viewer", "creator": "Creator partner", "analyst": "Lender's analyst"}
VERBS = ("signed_in", "affiliate", "income", "read", "manage", "admin")

_ROLE_VERBS = {
    "admin": frozenset(VERBS),
    "manager": frozenset({"signed_in", "affiliate", "income", "read", "manage"}),
    "viewer": frozenset({"signed_in", "affiliate", "income", "read"}),
    "creator": frozenset({"signed_in", "affiliate"}),
    "analyst": frozenset({"signed_in", "income"}),
}
# Roles whose account verbs apply only to the accounts assigned to them.
_ASSIGNED_ONLY = frozenset({"manager", "creator", "analyst"})


def sees_every_account(role: str) -> bool:
    return role not in _ASSIGNED_ONLY


def allows(role: str, verb: str, account_id: int | None = None, assigned: frozenset[int] | set[int] = frozenset()) -> bool:
    """Whether ``role`` may ``verb`` (on ``account_id`` when the verb concerns an account)."""
    if verb not in VERBS:
        raise ValueError(f"unknown verb {verb!r}")
    if verb not in _ROLE_VERBS.get(role, ()):
        return False
    if account_id is None or sees_every_account(role):
        return True
    return account_id in assigned


def account_verbs(role: str) -> tuple[str, ...]:
    """The per-account verbs a role has at all, for drawing menus."""
    return tuple(v for v in ("affiliate", "income", "read", "manage") if v in _ROLE_VERBS.get(role, ()))
