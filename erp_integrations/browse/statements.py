"""A statement with its transactions, fees by kind and the payout that paid it; and an order's
settlement lines (settled and still estimated), each naming its statement."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from ..extensions import db
from ..models import FinanceStatement, Payout, StatementTransaction

ZERO = Decimal(0)


def statement_detail(account_id: int, external_id: str) -> dict | None:
    statement = db.session.scalar(select(FinanceStatement).where(FinanceStatement.account_id == account_id, FinanceStatement.external_id == external_id))
    if statement is None:
        return None
    of_statement = (StatementTransaction.account_id == account_id, StatementTransaction.statement_external_id == external_id)
    transactions = db.session.scalars(
        select(StatementTransaction).where(*of_statement).order_by(StatementTransaction.order_created_at, StatementTransaction.id)
    ).all()
    count, settlement, platform, affiliate = db.session.execute(
        select(
            func.count(),
            func.sum(StatementTransaction.settlement_amount),
            func.sum(StatementTransaction.platform_commission_amount),
            func.sum(StatementTransaction.affiliate_commission_amount),
        ).where(*of_statement)
    ).one()
    fees = statement.fee_amount or ZERO
    payout = None
    if statement.payment_external_id:
        payout = db.session.scalar(select(Payout).where(Payout.account_id == account_id, Payout.external_id == statement.payment_external_id))
    return {
        "statement": statement,
        "transactions": transactions,
        "fees": {
            "Platform commission": platform or ZERO,
            "Affiliate commission": affiliate or ZERO,
            "Other fees": fees - (platform or ZERO) - (affiliate or ZERO),
        },
        "transactions_total": settlement or ZERO,
        "transactions_count": count,
        "agrees": (settlement or ZERO) == (statement.settlement_amount or ZERO),
        "payout": payout,
    }


def order_settlement(account_id: int, order_external_id: str) -> list[StatementTransaction]:
    """The order's settlement lines: on a statement, or estimated while it is not settled."""
    return db.session.scalars(
        select(StatementTransaction)
        .where(StatementTransaction.account_id == account_id, StatementTransaction.order_external_id == order_external_id)
        .order_by(StatementTransaction.is_settled.desc(), StatementTransaction.id)
    ).all()
