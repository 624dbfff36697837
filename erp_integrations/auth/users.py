"""Users: creation, passwords (scrypt via Werkzeug), API tokens, assignments, sign-in (throttled
by ``throttle.py``: a growing delay per email and address, never a lock)."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import IntegrationAccount, User
from . import throttle
from .roles import ROLES

MIN_PASSWORD_LENGTH = 10
MAX_EMAIL_LENGTH = 254  # RFC 5321's path limit, and the column's
TOKEN_PREFIX = "eit_"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
# Checked against when the email is unknown, so a wrong email costs as much time as a wrong
# password and sign-in does not reveal which emails exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password-" + secrets.token_hex(8))


class UserError(ValueError):
    def __init__(self, fields: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items()))
        self.fields = fields


class SignInRefused(Exception):
    """Wrong email or password, a disabled user, or too many tries from here. The message never
    says which part was wrong, and is the same whether the email exists or not."""


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def _check(email: str, role: str, password: str | None) -> None:
    problems: dict[str, list[str]] = {}
    if len(email) > MAX_EMAIL_LENGTH:
        problems["email"] = [f"must be at most {MAX_EMAIL_LENGTH} characters"]
    elif not _EMAIL.match(email):
        problems["email"] = ["must be an email address"]
    if role not in ROLES:
        problems["role"] = [f"must be one of {', '.join(ROLES)}"]
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        problems["password"] = [f"must be at least {MIN_PASSWORD_LENGTH} characters"]
    if problems:
        raise UserError(problems)


def create_user(email: str, password: str, role: str, *, name: str | None = None, account_ids: list[int] | None = None) -> User:
    email = normalize_email(email)
    _check(email, role, password)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise UserError({"email": ["another user has this email"]})
    user = User(email=email, role=role, name=name, password_hash=generate_password_hash(password))
    db.session.add(user)
    if account_ids:
        assign_accounts(user, account_ids, commit=False)
    db.session.commit()
    return user


def update_user(user: User, *, role: str | None = None, name: str | None = None, is_active: bool | None = None, password: str | None = None) -> User:
    _check(user.email, role or user.role, password)
    if role is not None:
        user.role = role
    if name is not None:
        user.name = name
    if is_active is not None:
        user.is_active = is_active
        if not is_active:
            user.session_version += 1
    if password is not None:
        user.password_hash = generate_password_hash(password)
        user.session_version += 1
    db.session.commit()
    return user


def assign_accounts(user: User, account_ids: list[int], *, commit: bool = True) -> User:
    accounts = list(db.session.scalars(select(IntegrationAccount).where(IntegrationAccount.id.in_(account_ids))))
    missing = sorted(set(account_ids) - {a.id for a in accounts})
    if missing:
        raise UserError({"accounts": [f"no account with id {', '.join(map(str, missing))}"]})
    user.accounts = accounts
    if commit:
        db.session.commit()
    return user


def issue_api_token(user: User) -> str:
    """A new API token for ``user`` (replacing the old one); shown once, stored as a hash."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    user.api_token_hash = token_hash(token)
    db.session.commit()
    return token


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_for_token(token: str) -> User | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    user = db.session.scalar(select(User).where(User.api_token_hash == token_hash(token)))
    return user if user is not None and user.is_active else None


def sign_in(email: str, password: str, address: str | None = None) -> User:
    """The user whose email and password these are, or ``SignInRefused``. ``address``: the
    client's, for the throttle."""
    email = normalize_email(email)
    try:
        throttle.check(email, address)
    except throttle.Throttled as exc:
        raise SignInRefused(str(exc)) from None
    user = db.session.scalar(select(User).where(User.email == email)) if len(email) <= MAX_EMAIL_LENGTH else None
    if user is None:
        check_password_hash(_DUMMY_HASH, password)  # as slow as a real check
    if user is None or not check_password_hash(user.password_hash, password) or not user.is_active:
        throttle.failed(email, address)
        raise SignInRefused("wrong email or password")
    throttle.succeeded(email, address)
    user.last_login_at = datetime.now(UTC)
    db.session.commit()
    return user


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0


def serialize_user(user: User) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "is_active": user.is_active,
        "accounts": [a.id for a in user.accounts],
        "has_api_token": user.api_token_hash is not None,
        "current_account_id": user.current_account_id,
        "created_at": user.created_at.isoformat(),
        "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
    }
