"""The signed-in user of a request, CSRF tokens, and the one permission check that the API
and the admin pages both call.

A request is signed in by an API token (``Authorization: Bearer eit_...``) or by the session
cookie the sign-in page sets. Browsers send cookies by themselves, so every state-changing
request made with the cookie must also carry the session's CSRF token (a form field or the
``X-CSRF-Token`` header); tokens are never sent by a browser on its own and need none.
"""

from __future__ import annotations

import functools
import hmac
import secrets

from flask import request, session
from sqlalchemy import select

from ..models import IntegrationAccount, User
from .roles import allows, sees_every_account
from .users import get_user, user_for_token

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class NotSignedIn(Exception):
    pass


class Forbidden(Exception):
    pass


# Per-request memo. Kept in the WSGI environ rather than on ``g``: ``g`` belongs to the app
# context, which an outer context (a CLI command, a test) can share across requests.
_MEMO = "erp_integrations.auth"


def _memo() -> dict:
    return request.environ.setdefault(_MEMO, {})


def current_user() -> User | None:
    memo = _memo()
    if "user" not in memo:
        memo["user"], memo["via"] = _authenticate()
    return memo["user"]


def _authenticate() -> tuple[User | None, str | None]:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return user_for_token(header[7:].strip()), "token"
    user_id = session.get("uid")
    if user_id is None:
        return None, None
    user = get_user(user_id)
    if user is None or not user.is_active or session.get("sv") != user.session_version:
        session.clear()
        return None, None
    return user, "session"


def signed_in_by_session() -> bool:
    current_user()
    return _memo()["via"] == "session"


def require_user() -> User:
    user = current_user()
    if user is None:
        raise NotSignedIn("sign in first: send Authorization: Bearer <API token>, or use the admin pages")
    return user


def assigned_account_ids(user: User) -> frozenset[int]:
    memo = _memo()
    if "assigned" not in memo:
        memo["assigned"] = frozenset(a.id for a in user.accounts)
    return memo["assigned"]


def check(verb: str, account_id: int | None = None) -> User:
    """The signed-in user, if they may ``verb`` (on ``account_id``); else raise."""
    user = require_user()
    if not allows(user.role, verb, account_id, assigned_account_ids(user)):
        where = f" on account {account_id}" if account_id is not None else ""
        raise Forbidden(f"your role ({user.role}) does not allow this{where}")
    return user


def may(verb: str, account_id: int | None = None) -> bool:
    user = current_user()
    return user is not None and allows(user.role, verb, account_id, assigned_account_ids(user))


def requires(verb: str):
    """Guard a view: ``verb`` on the ``account_id`` in its URL, if it has one. The verb is kept
    on the view so a test can prove that no route was left unguarded."""

    def decorate(view):
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            if verb != "public":
                check(verb, kwargs.get("account_id"))
            return view(*args, **kwargs)

        guarded.required_verb = verb
        return guarded

    return decorate


def visible_accounts(user: User):
    """A query of the accounts ``user`` may see at all (by any verb)."""
    query = select(IntegrationAccount).order_by(IntegrationAccount.connector, IntegrationAccount.id)
    if not sees_every_account(user.role):
        query = query.where(IntegrationAccount.id.in_(assigned_account_ids(user) or {-1}))
    return query


# -- sessions and CSRF


def start_session(user: User) -> None:
    session.clear()
    session.permanent = True
    session["uid"], session["sv"] = user.id, user.session_version
    session["csrf"] = secrets.token_urlsafe(32)
    _memo().clear()


def end_session() -> None:
    session.clear()


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf() -> None:
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD) or ""
    expected = session.get("csrf") or ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise Forbidden("the form expired or did not come from this site (CSRF check); reload the page and try again")
