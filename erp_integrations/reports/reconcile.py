"""Reconciliation: proof that what the ERP holds agrees with itself the way the marketplace's
books do, and a list of every place it does not.

Three checks over a range (statements by statement time):

- **statement**: the synced transactions of a statement add up to its settlement amount (a
  missing or extra transaction shows here);
- **payout**: a payout's settlement amount equals the statements it pays (``payment_id``);
- **order**: the revenue settled for an order equals its product value after seller discounts
  (``sub_total + platform_discount``: the platform reimburses its own discounts), and each
  transaction's settlement is its revenue + fees + shipping cost.

Each difference is a row: what was checked, the two amounts, the difference and the reason
where it is known. Everything is one grouped query per check; only differences leave the
database.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, func, literal, select, type_coerce

from ..extensions import db
from ..models import AfterSale, FinanceStatement, Payout, SalesOrder, StatementTransaction
from ..models.base import Money

ZERO = Decimal(0)
# Rounding noise the marketplace itself leaves (per-line rounding of percentages): below a cent
# is not a difference.
TOLERANCE = Decimal("0.005")

COLUMNS = (
    ("check", "Check", "text"),
    ("reference", "Reference", "text"),
    ("currency", "Currency", "text"),
    ("expected", "Expected", "money"),
    ("found", "Found", "money"),
    ("difference", "Difference", "money"),
    ("reason", "Reason", "text"),
)


def as_money(expression):
    """Arithmetic on money columns is money (on SQLite a scaled integer that must be read back
    through the money type, not as a plain number)."""
    return type_coerce(expression, Money)


def _row(check: str, reference: str, currency: str | None, expected, found, reason: str) -> dict:
    expected, found = expected or ZERO, found or ZERO
    return {
        "check": check,
        "reference": reference,
        "currency": currency or "???",
        "expected": expected,
        "found": found,
        "difference": found - expected,
        "reason": reason,
    }


def _differs(a, b) -> bool:
    return abs((a or ZERO) - (b or ZERO)) > TOLERANCE


def statements(account_ids: list[int], start: datetime, end: datetime) -> list[dict]:
    tx = (
        select(
            StatementTransaction.account_id,
            StatementTransaction.statement_external_id,
            func.count().label("n"),
            func.sum(StatementTransaction.settlement_amount).label("total"),
        )
        .where(StatementTransaction.account_id.in_(account_ids), StatementTransaction.is_settled.is_(True))
        .group_by(StatementTransaction.account_id, StatementTransaction.statement_external_id)
        .subquery()
    )
    rows = db.session.execute(
        select(FinanceStatement.external_id, FinanceStatement.currency, FinanceStatement.settlement_amount, tx.c.n, tx.c.total)
        .outerjoin(tx, and_(tx.c.account_id == FinanceStatement.account_id, tx.c.statement_external_id == FinanceStatement.external_id))
        .where(FinanceStatement.account_id.in_(account_ids), FinanceStatement.statement_time >= start, FinanceStatement.statement_time < end)
        .order_by(FinanceStatement.statement_time)
    )
    return _totals_differ("statement", rows, "no transactions synced for this statement", "its {count} transactions do not add up to the settlement amount")


def payouts(account_ids: list[int], start: datetime, end: datetime) -> list[dict]:
    paid = (
        select(
            FinanceStatement.account_id,
            FinanceStatement.payment_external_id,
            func.count().label("n"),
            func.sum(FinanceStatement.settlement_amount).label("total"),
        )
        .where(FinanceStatement.account_id.in_(account_ids), FinanceStatement.payment_external_id.is_not(None), FinanceStatement.payment_external_id != "")
        .group_by(FinanceStatement.account_id, FinanceStatement.payment_external_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Payout.external_id, Payout.currency, func.coalesce(Payout.settlement_amount, Payout.amount), paid.c.n, paid.c.total)
        .outerjoin(paid, and_(paid.c.account_id == Payout.account_id, paid.c.payment_external_id == Payout.external_id))
        .where(Payout.account_id.in_(account_ids), Payout.remote_created_at >= start, Payout.remote_created_at < end)
        .order_by(Payout.remote_created_at)
    )
    return _totals_differ("payout", rows, "no synced statement names this payment", "the {count} statements it pays add up to a different amount")


def _totals_differ(check: str, rows, when_none: str, when_other: str) -> list[dict]:
    """Rows of (reference, currency, amount, count, total of its parts): the ones that differ."""
    found = []
    for ident, currency, amount, count, total in rows:
        if not count and amount:
            found.append(_row(check, ident, currency, amount, ZERO, when_none))
        elif _differs(amount, total):
            found.append(_row(check, ident, currency, amount, total, when_other.format(count=count)))
    return found


def orders(account_ids: list[int], start: datetime, end: datetime) -> list[dict]:
    settled = (
        select(
            StatementTransaction.account_id,
            StatementTransaction.order_external_id,
            func.sum(StatementTransaction.revenue_amount).label("revenue"),
            func.sum(StatementTransaction.settlement_amount).label("settlement"),
            func.sum(
                as_money(
                    func.coalesce(StatementTransaction.revenue_amount, 0)
                    + func.coalesce(StatementTransaction.fee_amount, 0)
                    + func.coalesce(StatementTransaction.shipping_cost_amount, 0)
                )
            ).label("parts"),
        )
        .join(
            FinanceStatement,
            and_(FinanceStatement.account_id == StatementTransaction.account_id, FinanceStatement.external_id == StatementTransaction.statement_external_id),
        )
        .where(
            StatementTransaction.account_id.in_(account_ids),
            StatementTransaction.is_settled.is_(True),
            FinanceStatement.statement_time >= start,
            FinanceStatement.statement_time < end,
        )
        .group_by(StatementTransaction.account_id, StatementTransaction.order_external_id)
        .subquery()
    )
    expected_revenue = as_money(func.coalesce(SalesOrder.sub_total, 0) + func.coalesce(SalesOrder.platform_discount, 0))
    tolerance = literal(TOLERANCE, Money)
    refunded = (
        select(literal(1))
        .where(AfterSale.account_id == SalesOrder.account_id, AfterSale.order_external_id == SalesOrder.external_id, AfterSale.kind == "return")
        .exists()
    )
    rows = db.session.execute(
        select(
            settled.c.order_external_id,
            SalesOrder.currency,
            expected_revenue,
            settled.c.revenue,
            settled.c.settlement,
            settled.c.parts,
            refunded,
            SalesOrder.id,
        )
        .outerjoin(SalesOrder, and_(SalesOrder.account_id == settled.c.account_id, SalesOrder.external_id == settled.c.order_external_id))
        .where(
            (SalesOrder.id.is_(None))
            | (func.abs(as_money(expected_revenue - func.coalesce(settled.c.revenue, 0))) > tolerance)
            | (func.abs(as_money(func.coalesce(settled.c.settlement, 0) - settled.c.parts)) > tolerance)
        )
        .order_by(settled.c.order_external_id)
    )
    found = []
    for ident, currency, expected, revenue, settlement, parts, has_return, order_id in rows:
        if order_id is None:
            found.append(_row("order", ident or "", currency, ZERO, settlement, "settled, but the order itself is not synced"))
        elif _differs(expected, revenue):
            reason = "a return or refund changed what was settled" if has_return else "settled revenue differs from the order's product value"
            found.append(_row("order", ident, currency, expected, revenue, reason))
        else:
            found.append(_row("order", ident, currency, parts, settlement, "settlement is not revenue + fees + shipping cost"))
    return found


def reconcile(account_ids: list[int], start: datetime, end: datetime) -> list[dict]:
    """Every difference of the three checks, statements first."""
    return statements(account_ids, start, end) + payouts(account_ids, start, end) + orders(account_ids, start, end)


ALERT_KIND = "books_disagree"
CHECKED_DAYS = 90


def check_account(account, now: datetime | None = None) -> dict:
    """Reconcile the account's last CHECKED_DAYS days; raise the ``books_disagree`` alert
    (through ``notify``) when anything differs, resolve it when all agree."""
    from datetime import UTC, timedelta

    from ..alerts import raise_alert, resolve_alerts

    now = now or datetime.now(UTC)
    differences = reconcile([account.id], now - timedelta(days=CHECKED_DAYS), now)
    if differences:
        by_check: dict[str, int] = {}
        for d in differences:
            by_check[d["check"]] = by_check.get(d["check"], 0) + 1
        said = ", ".join(f"{n} {check}(s)" for check, n in sorted(by_check.items()))
        raise_alert(
            account.id,
            ALERT_KIND,
            f"The ERP and the marketplace's books differ on {said} in the last {CHECKED_DAYS} days.",
            data={"differences": len(differences), **by_check},
        )
    else:
        resolve_alerts(account.id, ALERT_KIND)
    return {"differences": len(differences)}
