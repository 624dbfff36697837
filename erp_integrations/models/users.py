"""People who use the admin UI and the API, their roles, and the accounts they are assigned."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .integration import IntegrationAccount

user_accounts = Table(
    "integration_user_accounts",
    Base.metadata,
    Column("user_id", ForeignKey("integration_users.id", ondelete="CASCADE"), primary_key=True),
    Column("account_id", ForeignKey("integration_accounts.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    __tablename__ = "integration_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str | None] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))  # admin, manager, viewer, creator
    password_hash: Mapped[str] = mapped_column(String(255))
    # SHA-256 of the user's API token: the token itself is shown once and never stored.
    api_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Bumped on password change or "sign out everywhere": older session cookies stop working.
    session_version: Mapped[int] = mapped_column(default=1)
    # The shop the account switcher last chose, so every page opens scoped to it.
    current_account_id: Mapped[int | None] = mapped_column(ForeignKey("integration_accounts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    accounts: Mapped[list[IntegrationAccount]] = relationship(secondary=user_accounts, order_by=IntegrationAccount.id)


class SignInAttempt(Base):
    """Failed sign-ins of one key (an email typed at one address, or one address), for the
    growing delay of ``auth/throttle.py``. Keys are digests: no email or address is stored."""

    __tablename__ = "integration_sign_in_attempts"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime]
    next_allowed_at: Mapped[datetime | None]
