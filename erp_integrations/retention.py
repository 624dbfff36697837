"""Retention: ERP rows older than an account's history window are purged.

The window is the account's ``history_months`` (default 6; 12 for long retention), the same
window the first sync reads, so what is purged would not come back on a full sync. The
catalogue (products, SKUs, stock) is current state and is never purged. Order lines, status
history and affiliate lines go with their parents (ON DELETE CASCADE).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete

from .extensions import db
from .jobs import job_function
from .models import (
    AffiliateOrder,
    AfterSale,
    FinanceStatement,
    IntegrationAccount,
    LiveSession,
    Payout,
    SalesOrder,
    Shipment,
    ShopPerformanceDay,
    ShopServiceDay,
    StatementTransaction,
    Withdrawal,
)
from .reports.rollups import forget_before

# Each table with the time that decides its age.
DATED_TABLES = (
    (SalesOrder, SalesOrder.remote_created_at),
    (Shipment, Shipment.remote_created_at),
    (AfterSale, AfterSale.remote_created_at),
    (FinanceStatement, FinanceStatement.statement_time),
    (StatementTransaction, StatementTransaction.order_created_at),
    (Payout, Payout.remote_created_at),
    (Withdrawal, Withdrawal.remote_created_at),
    (AffiliateOrder, AffiliateOrder.remote_created_at),
    (LiveSession, LiveSession.started_at),
)


def history_cutoff(account: IntegrationAccount, now: datetime | None = None) -> datetime:
    months = int((account.config or {}).get("history_months") or 6)
    return (now or datetime.now(UTC)) - timedelta(days=31 * months)


def purge_history(account: IntegrationAccount, now: datetime | None = None) -> dict[str, int]:
    """Delete the account's rows older than its history window; returns rows deleted per table."""
    cutoff = history_cutoff(account, now)
    deleted = {}
    for model, column in DATED_TABLES:
        result = db.session.execute(delete(model).where(model.account_id == account.id, column < cutoff))
        deleted[model.__tablename__] = result.rowcount or 0
    for model in (ShopPerformanceDay, ShopServiceDay):  # kept by day, not by time
        result = db.session.execute(delete(model).where(model.account_id == account.id, model.day < cutoff.date()))
        deleted[model.__tablename__] = result.rowcount or 0
    forget_before(account.id, cutoff)
    db.session.commit()
    return deleted


@job_function("purge_history")
def purge_history_job(account_id: int) -> dict:
    """Purge the account's ERP rows older than its history window (the scheduler runs it daily)."""
    from .accounts import get_account

    return purge_history(get_account(account_id))
