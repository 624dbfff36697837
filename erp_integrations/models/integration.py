"""Integration-side tables: accounts, credentials, cursors, runs, inbox, bindings, logs, alerts.

Every table is prefixed ``integration_`` because this module shares a database with an ERP,
whose own ``accounts`` or ``alerts`` tables must never collide with ours.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class AccountStatus:
    NEW = "new"  # configured, never authorized
    CHOOSE_SHOP = "choose_shop"  # authorized for several shops: an admin picks the one it syncs
    CONNECTED = "connected"
    NEEDS_REAUTH = "needs_reauth"
    DISABLED = "disabled"
    ALL = (NEW, CHOOSE_SHOP, CONNECTED, NEEDS_REAUTH, DISABLED)


class IntegrationAccount(Base):
    """One connected shop (or creator account) of one connector."""

    __tablename__ = "integration_accounts"
    __table_args__ = (
        UniqueConstraint("connector", "name"),
        # At most one default per connector, enforced by the database itself.
        Index(
            "uq_integration_accounts_default_per_connector",
            "connector",
            unique=True,
            postgresql_where=text("is_default"),
            sqlite_where=text("is_default"),
        ),
        # A marketplace shop syncs into one account per connector: a second binding would
        # write the same orders twice under two accounts.
        Index(
            "uq_integration_accounts_shop_per_connector",
            "connector",
            "external_shop_id",
            unique=True,
            postgresql_where=text("external_shop_id IS NOT NULL"),
            sqlite_where=text("external_shop_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    connector: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(120))
    region: Mapped[str | None] = mapped_column(String(8))
    # Non-secret connector settings, validated by the connector's schema. Secrets live in
    # integration_credentials, encrypted.
    config: Mapped[dict] = mapped_column(default=dict)
    features: Mapped[dict] = mapped_column(default=dict)
    sync_interval_minutes: Mapped[int | None]  # None means manual
    webhook_url: Mapped[str | None] = mapped_column(String(2048))
    is_default: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(32), default=AccountStatus.NEW)
    external_shop_id: Mapped[str | None] = mapped_column(String(128))
    # Authorization: expiry times drive refreshes; auth_info keeps what the marketplace said of
    # the grant (authorized shops, scopes, seller name), never a token.
    authorized_at: Mapped[datetime | None]
    access_expires_at: Mapped[datetime | None]
    refresh_expires_at: Mapped[datetime | None]
    auth_info: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    credentials: Mapped[list[AccountCredential]] = relationship(back_populates="account", cascade="all, delete-orphan", passive_deletes=True)


class AccountCredential(Base):
    """One encrypted secret of an account (app secret, access token, refresh token...)."""

    __tablename__ = "integration_credentials"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("integration_accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(32))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    account: Mapped[IntegrationAccount] = relationship(back_populates="credentials")


class SyncCursor(Base):
    __tablename__ = "integration_sync_cursors"
    __table_args__ = (UniqueConstraint("account_id", "stream"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("integration_accounts.id", ondelete="CASCADE"))
    stream: Mapped[str] = mapped_column(String(64))
    # Connector-defined position: typically an update-time watermark plus a page token so that
    # a killed job resumes on the page where it stopped.
    cursor: Mapped[dict] = mapped_column(default=dict)
    lookback_seconds: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SyncRun(Base):
    __tablename__ = "integration_sync_runs"
    __table_args__ = (Index("ix_integration_sync_runs_account_stream_started", "account_id", "stream", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("integration_accounts.id", ondelete="CASCADE"))
    stream: Mapped[str] = mapped_column(String(64))
    trigger: Mapped[str] = mapped_column(String(32), default="manual")  # manual, schedule, webhook, backfill
    status: Mapped[str] = mapped_column(String(16), default="running")  # running, succeeded, failed
    job_id: Mapped[str | None] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    counts: Mapped[dict] = mapped_column(default=dict)
    api_calls: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    # Renewed with every checkpoint: a running run whose heartbeat stops had its worker die
    # (the scheduler's sweep fails and retries it).
    heartbeat_at: Mapped[datetime | None]
    # Why a failed run failed: "infrastructure" (our database, Redis or worker went away: the
    # scheduler's sweep queues the stream again), "marketplace", "authorization" or "error".
    failure_kind: Mapped[str | None] = mapped_column(String(16))


class WebhookEvent(Base):
    """Durable inbox: the raw delivery is stored before it is acknowledged."""

    __tablename__ = "integration_webhook_events"
    __table_args__ = (
        UniqueConstraint("connector", "notification_id"),
        Index("ix_integration_webhook_events_account_status", "account_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    connector: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("integration_accounts.id", ondelete="SET NULL"))
    notification_id: Mapped[str] = mapped_column(String(128))
    event_type: Mapped[str | None] = mapped_column(String(64))
    headers: Mapped[dict] = mapped_column(default=dict)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    # received -> processing (claimed by a worker) -> processed | ignored | failed; rejected:
    # signed but unreadable, kept so nothing is lost.
    status: Mapped[str] = mapped_column(String(16), default="received")
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    processed_at: Mapped[datetime | None]


class PushRequest(Base):
    """The outbox of changes the ERP sends to a marketplace (stock, prices, shipments).

    One row per target (a SKU at a warehouse, a SKU's price, a package): a newer request
    replaces the payload and bumps ``version``, so the push job always sends the latest value
    and a burst of changes costs one call (latest wins). A push is marked sent only if the
    version it read is still current, so a change made during the call is pushed next time.
    """

    __tablename__ = "integration_push_requests"
    __table_args__ = (
        UniqueConstraint("account_id", "kind", "target"),
        Index("ix_integration_push_requests_pending", "account_id", "kind", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("integration_accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # stock, price, shipment
    target: Mapped[str] = mapped_column(String(255))
    payload: Mapped[dict] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, sent, failed
    # What the marketplace last accepted for this target: a request equal to it is a no-op.
    last_sent: Mapped[dict | None]
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class ExternalRef(Base):
    """Binding between a marketplace record and its ERP row (the OCA connector's binding)."""

    __tablename__ = "integration_external_refs"
    __table_args__ = (UniqueConstraint("account_id", "entity", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("integration_accounts.id", ondelete="CASCADE"))
    entity: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(128))
    local_id: Mapped[int | None]
    remote_updated_at: Mapped[datetime | None]
    last_synced_at: Mapped[datetime] = mapped_column(default=utcnow)
    content_hash: Mapped[str | None] = mapped_column(String(64))


class IntegrationLog(Base):
    __tablename__ = "integration_logs"
    __table_args__ = (Index("ix_integration_logs_account_created", "account_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("integration_accounts.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(16), default="info")
    event: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Alert(Base):
    __tablename__ = "integration_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("integration_accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))  # needs_reauth, sync_failing, settlement_delayed...
    severity: Mapped[str] = mapped_column(String(16), default="warning")
    message: Mapped[str] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
