"""Delayed settlements: orders delivered more than N days ago (default 30, a per-account
setting) whose money has not arrived, aged from the **delivery** time.

- Seller side: the marketplace's unsettled transactions (``erp_statement_transactions`` with
  ``is_settled`` false) of orders whose ``delivered_at`` is older than the line; the amount is
  the estimated settlement.
- Creator side: affiliate orders (``side = creator``) still awaiting settlement (ORDERED) whose
  ``delivered_at`` is older than the line; the amount is the estimated commission.

The check raises one ``settlement_delayed`` alert per account through the ``notify`` hook when
the first order crosses the line, and resolves it when none is left (``check_account``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, func, select

from ..alerts import raise_alert, resolve_alerts
from ..extensions import db
from ..models import AffiliateOrder, AffiliateOrderLine, SalesOrder, StatementTransaction
from .figures import CREATOR_AWAITING

DEFAULT_DAYS = 30
ALERT_KIND = "settlement_delayed"

COLUMNS = (
    ("side", "Side", "text"),
    ("order", "Order", "text"),
    ("delivered_at", "Delivered", "datetime"),
    ("age_days", "Days since delivery", "count"),
    ("currency", "Currency", "text"),
    ("amount", "Amount awaited", "money"),
)


def alert_days(account) -> int:
    return int((account.config or {}).get("settlement_alert_days") or DEFAULT_DAYS)


def delayed(account_ids: list[int], days: int, now: datetime | None = None, limit: int | None = None) -> list[dict]:
    """Every delayed order of these accounts, oldest delivery first."""
    now = now or datetime.now(UTC)
    line = now - timedelta(days=days)
    seller = (
        select(
            SalesOrder.external_id,
            SalesOrder.delivered_at,
            func.coalesce(StatementTransaction.currency, SalesOrder.currency),
            func.sum(StatementTransaction.settlement_amount),
        )
        .join(SalesOrder, and_(SalesOrder.account_id == StatementTransaction.account_id, SalesOrder.external_id == StatementTransaction.order_external_id))
        .where(StatementTransaction.account_id.in_(account_ids), StatementTransaction.is_settled.is_(False), SalesOrder.delivered_at < line)
        .group_by(SalesOrder.external_id, SalesOrder.delivered_at, StatementTransaction.currency, SalesOrder.currency)
        .order_by(SalesOrder.delivered_at)
        .limit(limit)
    )
    creator = (
        select(AffiliateOrder.external_id, AffiliateOrder.delivered_at, AffiliateOrderLine.currency, func.sum(AffiliateOrderLine.estimated_commission))
        .join(AffiliateOrderLine, AffiliateOrderLine.affiliate_order_id == AffiliateOrder.id)
        .where(
            AffiliateOrder.account_id.in_(account_ids),
            AffiliateOrder.side == "creator",
            AffiliateOrder.status.in_(CREATOR_AWAITING),
            AffiliateOrder.delivered_at < line,
        )
        .group_by(AffiliateOrder.external_id, AffiliateOrder.delivered_at, AffiliateOrderLine.currency)
        .order_by(AffiliateOrder.delivered_at)
        .limit(limit)
    )
    rows = []
    for side, query in (("seller", seller), ("creator", creator)):
        for ident, delivered, currency, amount in db.session.execute(query):
            rows.append(
                {
                    "side": side,
                    "order": ident,
                    "delivered_at": delivered,
                    "age_days": (now - delivered).days,
                    "currency": currency or "???",
                    "amount": amount or Decimal(0),
                }
            )
    rows.sort(key=lambda r: r["delivered_at"])
    return rows[:limit] if limit else rows


def check_account(account, now: datetime | None = None) -> dict:
    """Raise or resolve the account's delayed-settlement alert; what was found."""
    days = alert_days(account)
    rows = delayed([account.id], days, now)
    if rows:
        totals: dict[str, Decimal] = {}
        for r in rows:
            totals[r["currency"]] = totals.get(r["currency"], Decimal(0)) + r["amount"]
        owed = ", ".join(f"{amount:,.2f} {currency}" for currency, amount in sorted(totals.items()))
        raise_alert(
            account.id,
            ALERT_KIND,
            f"{len(rows)} order(s) delivered more than {days} days ago are not settled yet ({owed} awaited).",
            data={"orders": len(rows), "days": days, "oldest_delivery": rows[0]["delivered_at"].isoformat()},
        )
    else:
        resolve_alerts(account.id, ALERT_KIND)
    return {"delayed_orders": len(rows), "days": days}
