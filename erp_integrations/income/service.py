"""An income report for one account or one person's accounts: checks the accounts can be
reported on, gathers the figures per currency and month, scores them, and (on request) signs
the result as a statement. The API, the CLI and the page all come through ``build_report``."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..hooks import get_connector
from ..models import AccountStatus, AffiliateOrder, IntegrationAccount, SalesOrder, SyncRun
from .report import NOT_COUNTED, CurrencyFigures, cents, figures, first_order_at, ratio, service_quality
from .score import ScoreInputs, score
from .window import MONTH_DAYS, Window

MAX_ACCOUNTS = 10
# A statement is refused when any stream it reads last synced longer ago than this
# (ERP_INTEGRATIONS_INCOME_MAX_AGE_HOURS), unless the caller accepts stale data.
DEFAULT_MAX_AGE_HOURS = 24
SCORE_CURRENCY = "USD"  # the revenue tiers' currency


class IncomeRefused(Exception):
    """A report that cannot be made, with what to do about it (the API answers ``status``)."""

    def __init__(self, message: str, *, status: int = 409, field: str = "accounts", account_id: int | None = None, reason: str = "refused"):
        super().__init__(message)
        self.message, self.status, self.field, self.account_id, self.reason = message, status, field, account_id, reason


@dataclass(frozen=True)
class IncomeRequest:
    account_ids: tuple[int, ...]
    window: Window
    rates: dict[str, Decimal] | None = None  # currency -> USD per unit, given by the caller
    allow_stale: bool = False


def parse_rates(raw: Any) -> dict[str, Decimal] | None:
    """``{"GBP": "1.27"}``: how many US dollars one unit of each currency is worth."""
    if raw in (None, {}, ""):
        return None
    if not isinstance(raw, dict):
        raise IncomeRefused('rates must be an object of currency code to USD per unit, e.g. {"GBP": "1.27"}', status=422, field="rates")
    rates = {}
    for code, value in raw.items():
        if not (isinstance(code, str) and len(code) == 3 and code.isalpha() and code.isupper()):
            raise IncomeRefused(f"{code!r} is not a currency code (three capital letters)", status=422, field="rates")
        try:
            rate = Decimal(str(value)) if not isinstance(value, (bool, float)) else None
        except InvalidOperation:
            rate = None
        if rate is None or not rate.is_finite() or rate <= 0:
            raise IncomeRefused(f'rates.{code} must be a positive decimal string, e.g. "1.27"', status=422, field="rates")
        rates[code] = rate
    return rates


def max_age() -> timedelta:
    raw = os.environ.get("ERP_INTEGRATIONS_INCOME_MAX_AGE_HOURS") or current_app.config.get("INCOME_MAX_AGE_HOURS") or DEFAULT_MAX_AGE_HOURS
    return timedelta(hours=float(raw))


def markets() -> set[str] | None:
    """Regions income verification is offered in (ERP_INTEGRATIONS_INCOME_MARKETS, comma
    separated); unset: every region the account's connector supports."""
    raw = os.environ.get("ERP_INTEGRATIONS_INCOME_MARKETS") or current_app.config.get("INCOME_MARKETS")
    return {r.strip().upper() for r in raw.split(",") if r.strip()} if raw else None


def check_account(account: IntegrationAccount) -> None:
    """The errors an applicant meets, each with what to do."""
    connector = get_connector(account.connector)()
    if account.status == AccountStatus.NEEDS_REAUTH:
        raise IncomeRefused(
            f"{account.name}: the access token expired and could not be refreshed; authorize the account again (Connect & Authorize), then sync",
            account_id=account.id,
            reason="reauthorize",
        )
    if account.status != AccountStatus.CONNECTED or not (account.external_shop_id or _kind(account) == "creator"):
        raise IncomeRefused(
            f"{account.name}: no active shop is authorized; use Connect & Authorize to link the shop (or creator account) first",
            account_id=account.id,
            reason="not_authorized",
        )
    allowed = markets() or {code for code, _ in connector.regions}
    if account.region and account.region.upper() not in allowed:
        raise IncomeRefused(
            f"{account.name}: the shop's region {account.region} is outside the markets income verification supports ({', '.join(sorted(allowed))})",
            account_id=account.id,
            reason="unsupported_region",
        )
    missing = connector.missing_income_scopes(account)
    if missing:
        raise IncomeRefused(
            f"{account.name}: the authorization lacks the API package(s) {', '.join(missing)}; apply for them in Partner Center, then authorize the account again",
            account_id=account.id,
            reason="scope_missing",
        )


def freshness(account: IntegrationAccount) -> dict[str, str | None]:
    """When each stream the report reads last synced successfully (None: never)."""
    connector = get_connector(account.connector)()
    streams = [s for s in (connector.income_streams or connector.streams) if s in connector.streams and connector.stream_enabled(account, s)]
    last = dict(
        db.session.execute(
            select(SyncRun.stream, func.max(SyncRun.finished_at))
            .where(SyncRun.account_id == account.id, SyncRun.status == "succeeded", SyncRun.stream.in_(streams))
            .group_by(SyncRun.stream)
        ).all()
    )
    return {s: last[s].isoformat() if last.get(s) else None for s in streams}


def stale_streams(fresh: dict[str, str | None], now: datetime) -> list[str]:
    limit = now - max_age()
    return [s for s, at in fresh.items() if at is None or datetime.fromisoformat(at) < limit]


def _kind(account: IntegrationAccount) -> str:
    return "creator" if int((account.auth_info or {}).get("user_type") or 0) == 1 else "seller"


def build_report(request: IncomeRequest, *, for_statement: bool = False) -> dict[str, Any]:
    if not request.account_ids:
        raise IncomeRefused("name at least one account", status=422)
    if len(request.account_ids) > MAX_ACCOUNTS:
        raise IncomeRefused(f"at most {MAX_ACCOUNTS} accounts in one report", status=422)
    accounts = []
    for account_id in request.account_ids:
        account = db.session.get(IntegrationAccount, account_id)
        if account is None:
            raise IncomeRefused(f"no account {account_id}", status=404, account_id=account_id)
        check_account(account)
        accounts.append(account)
    window, now = request.window, datetime.now(UTC)
    ids = [a.id for a in accounts]
    fresh = {a.id: freshness(a) for a in accounts}
    stale = {a.id: stale_streams(fresh[a.id], now) for a in accounts}
    stale = {k: v for k, v in stale.items() if v}
    if stale and for_statement and not request.allow_stale:
        named = "; ".join(f"{db.session.get(IntegrationAccount, k).name}: {', '.join(v)}" for k, v in stale.items())
        raise IncomeRefused(
            f"the data is stale (not synced successfully within {max_age().total_seconds() / 3600:g} hours): {named}; sync, or ask for a statement marked stale",
            reason="stale",
        )

    totals = figures(ids, window)
    slices = window.slices()
    per_slice = [figures(ids, s) for s in slices]
    currencies = sorted(set(totals) | {c for f in per_slice for c in f})
    report_currencies = {}
    for currency in currencies:
        total = totals.get(currency) or CurrencyFigures(currency)
        months = []
        for s, found in zip(slices, per_slice, strict=True):
            part = found.get(currency) or CurrencyFigures(currency)
            months.append(
                {
                    "start": s.start.isoformat(),
                    "end": s.end.isoformat(),
                    "days": s.days,
                    "income": str(cents(part.income)),
                    "net_revenue": str(cents(part.seller.net_revenue)),
                    "commission": str(cents(part.creator.actual_commission)),
                    "orders": part.seller.orders_counted + part.creator.attributed_orders,
                }
            )
        report_currencies[currency] = {
            "seller": total.seller.as_dict(),
            "creator": total.creator.as_dict(),
            "income": str(cents(total.income)),
            "monthly_income": str(cents(total.income / window.months)),
            "months": months,
        }

    first = first_order_at(ids)
    history_days = (window.end - first).days if first else 0
    combined = _combined(totals, request.rates, window)
    report = {
        "subject": {
            "accounts": [
                {"id": a.id, "name": a.name, "connector": a.connector, "kind": _kind(a), "shop_id": a.external_shop_id, "region": a.region} for a in accounts
            ],
            "person": "seller and creator" if len({_kind(a) for a in accounts}) > 1 else _kind(accounts[0]),
        },
        "window": {"start": window.start.isoformat(), "end": window.end.isoformat(), "days": window.days, "months": str(window.months.normalize())},
        "currencies": report_currencies,
        "combined": combined,
        "history": {"first_order_at": first.isoformat() if first else None, "days": history_days},
        "quality": service_quality(ids, window),
        "freshness": {str(k): v for k, v in fresh.items()},
        "stale": bool(stale),
        "generated_at": now.isoformat(),
    }
    report["score"] = _score(report, totals, per_slice, slices, window, ids, history_days, request.rates)
    return report


def _to_usd(amount: Decimal, currency: str, rates: dict[str, Decimal] | None) -> Decimal | None:
    if currency == SCORE_CURRENCY:
        return amount
    if rates and currency in rates:
        return amount * rates[currency]
    return None


def _combined(totals: dict[str, CurrencyFigures], rates: dict[str, Decimal] | None, window: Window) -> dict[str, Any] | None:
    """One income figure in USD across currencies: only with the caller's rates, and only when
    there is more than one currency to combine."""
    if not rates or len(totals) < 2:
        return None
    converted = [_to_usd(f.income, c, rates) for c, f in totals.items()]
    if any(v is None for v in converted):
        missing = sorted(c for c in totals if _to_usd(Decimal(0), c, rates) is None)
        raise IncomeRefused(f"rates has no rate for {', '.join(missing)}", status=422, field="rates")
    income = sum(converted, Decimal(0))
    used = {c: str(rates[c]) for c in totals if c != SCORE_CURRENCY}
    return {"currency": SCORE_CURRENCY, "rates": used, "income": str(cents(income)), "monthly_income": str(cents(income / window.months))}


def _score(report, totals, per_slice, slices, window, ids, history_days, rates) -> dict[str, Any]:
    """The score reads one currency: USD, or every currency converted to USD with the caller's
    rates. Without them, a report in another currency has no score (and says why)."""
    currencies = list(totals) or [SCORE_CURRENCY]
    unconvertible = [c for c in currencies if _to_usd(Decimal(0), c, rates) is None]
    if unconvertible:
        return {
            "score": None,
            "reason": f"the revenue tiers are in USD: pass rates for {', '.join(unconvertible)} (USD per unit) to score this report",
        }

    def usd(figures_by_currency, pick) -> Decimal:
        return sum((_to_usd(pick(f), c, rates) for c, f in figures_by_currency.items()), Decimal(0))

    month_incomes = [usd(f, lambda x: x.income) * MONTH_DAYS / s.days for f, s in zip(per_slice, slices, strict=True)]
    month_orders = [
        Decimal(sum(x.seller.orders_counted + x.creator.attributed_orders for x in f.values())) * MONTH_DAYS / s.days
        for f, s in zip(per_slice, slices, strict=True)
    ]
    gmv = usd(totals, lambda x: x.seller.gmv)
    refunds = usd(totals, lambda x: x.seller.refunds)
    placed = sum(x.seller.orders_placed for x in totals.values())
    cancelled = sum(x.seller.cancelled_orders for x in totals.values())
    shipped = sum(x.seller.shipped_orders for x in totals.values())
    late = sum(x.seller.late_shipments for x in totals.values())
    orders = sum(x.seller.orders_counted + x.creator.attributed_orders for x in totals.values())
    weeks, active = _weeks(ids, window)
    inputs = ScoreInputs(
        monthly_income=usd(totals, lambda x: x.income) / window.months,
        month_incomes=month_incomes,
        month_orders=[int(m) for m in month_orders],
        active_weeks=active,
        weeks=weeks,
        history_days=history_days,
        window_days=window.days,
        return_rate=ratio(refunds, gmv),
        cancellation_rate=ratio(cancelled, placed),
        late_shipment_rate=ratio(late, shipped),
        orders=orders,
    )
    quality = report["quality"]
    if quality["available"]:
        inputs.quality = Decimal(quality["satisfaction_percentage"]) / 100
        inputs.quality_source = f"customer satisfaction over {quality['support_sessions']} chats"
    result = score(inputs)
    if rates:
        result["rates"] = {c: str(r) for c, r in rates.items() if c in totals}
    return result


def _weeks(ids: list[int], window: Window) -> tuple[int, int]:
    """How many whole weeks the window has, and in how many of them an order was placed (the
    shop's or one attributed to the creator)."""
    weeks = max(1, window.days // 7)
    seen: Counter = Counter()
    start = window.end - timedelta(days=7 * weeks)
    for column, model, extra in (
        (SalesOrder.remote_created_at, SalesOrder, SalesOrder.status.notin_(NOT_COUNTED)),
        (AffiliateOrder.remote_created_at, AffiliateOrder, AffiliateOrder.side == "creator"),
    ):
        rows = db.session.execute(
            select(column).where(model.account_id.in_(ids), column >= start, column < window.end, extra), execution_options={"yield_per": 5_000}
        )
        for (at,) in rows:
            seen[int((at - start).total_seconds() // (7 * 86_400))] += 1
    return weeks, len(seen)


def issue_statement(request: IncomeRequest) -> dict[str, Any]:
    """The report and its score, signed: refused on stale data unless the caller accepts it,
    in which case the statement says so (``stale`` and ``freshness``)."""
    from .signing import sign

    report = build_report(request, for_statement=True)
    return sign({"type": "erp-integrations income statement", "version": 1, **report})
