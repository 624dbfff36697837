"""A report request resolved against who is asking: which accounts, which sections of figures
they may see, which period in which zone; and the reports built from it.

Scope: one account, several, or (none named) every account the user may see. A user who may
``read`` an account sees all its figures; one who may only see its ``affiliate`` figures (a
creator partner) sees the affiliate section alone; a multi-account report shows the sections
every account in it allows. The zone is the ``time_zone`` asked for, else the accounts' own
reporting zone when they share one, else UTC (said on the report).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..auth import may, visible_accounts
from ..extensions import db
from ..http_guards import MAX_ID
from ..models import IntegrationAccount
from . import breakdowns, rollups
from .figures import as_json, change, compute, ordered_names
from .periods import Period, PeriodError, account_zone_name, parse_period, zone_named

ALL_SECTIONS = ("seller", "finance", "affiliate")


class ReportRefused(Exception):
    """A request the report cannot answer: ``status`` 400/403/404/422 and the field it is about."""

    def __init__(self, status: int, message: str, field: str = "request"):
        super().__init__(message)
        self.status, self.message, self.field = status, message, field


@dataclass(frozen=True)
class Scope:
    accounts: tuple[IntegrationAccount, ...]
    sections: tuple[str, ...]
    period: Period

    @property
    def account_ids(self) -> list[int]:
        return [a.id for a in self.accounts]

    def describe(self) -> dict[str, Any]:
        return {
            "accounts": [{"id": a.id, "name": a.name, "connector": a.connector} for a in self.accounts],
            "sections": list(self.sections),
            "period": self.period.as_dict(),
            "previous_period": self.period.previous().as_dict(),
        }


def sections_for(account_id: int) -> tuple[str, ...]:
    if may("read", account_id):
        return ALL_SECTIONS
    if may("affiliate", account_id):
        return ("affiliate",)
    return ()


def resolve(user, raw_ids: list[str], args) -> Scope:
    """The scope a request names, or ReportRefused saying why not."""
    try:
        ids = list(dict.fromkeys(int(a) for a in raw_ids))
    except ValueError:
        raise ReportRefused(422, "account must be a whole number", "account") from None
    if any(not 1 <= a <= MAX_ID for a in ids):
        raise ReportRefused(404, "no such account", "account")
    if ids:
        accounts = [db.session.get(IntegrationAccount, a) for a in ids]
        if any(a is None for a in accounts):
            raise ReportRefused(404, "no such account", "account")
        for account in accounts:
            if not sections_for(account.id):
                raise ReportRefused(403, f"you may not see the reports of account {account.id}", "account")
    else:
        accounts = [a for a in db.session.scalars(visible_accounts(user).order_by(IntegrationAccount.id)) if sections_for(a.id)]
        if not accounts:
            raise ReportRefused(404, "there is no account you may see reports of", "account")
    sections = [s for s in ALL_SECTIONS if all(s in sections_for(a.id) for a in accounts)]
    asked = [s for s in (args.get("sections") or "").split(",") if s]
    unknown = sorted(set(asked) - set(ALL_SECTIONS))
    if unknown:
        raise ReportRefused(422, f"unknown section {unknown[0]!r} (seller, finance, affiliate)", "sections")
    if asked:
        refused = [s for s in asked if s not in sections]
        if refused:
            raise ReportRefused(403, f"you may not see the {refused[0]} figures of these accounts", "sections")
        sections = [s for s in sections if s in asked]
    return scope_of(accounts, tuple(sections), args)


def scope_of(accounts: list[IntegrationAccount], sections: tuple[str, ...], args) -> Scope:
    """The scope of accounts already allowed (the CLI's, or a checked request's)."""
    zones = {account_zone_name(a) for a in accounts}
    zone = args.get("time_zone") or (zones.pop() if len(zones) == 1 else "UTC")
    try:
        zone_named(zone)
        period = parse_period(args, zone)
    except PeriodError as exc:
        raise ReportRefused(422, exc.message, exc.field) from None
    return Scope(tuple(accounts), tuple(sections), period)


def figures_of(account_ids: list[int], period: Period, sections: tuple[str, ...]):
    """The figures of a period: the seller section from the rollups where they serve it."""
    rolled = "seller" in sections and rollups.serves(account_ids, period)
    seller_from = (lambda into: rollups.seller(account_ids, period, into)) if rolled else None
    return compute(account_ids, period.start, period.end, sections, seller_from)


def summary(scope: Scope) -> dict[str, Any]:
    """Every figure of the scope's sections for the period and the one before, per currency."""
    names = ordered_names(scope.sections)
    current, before = (figures_of(scope.account_ids, p, scope.sections) for p in (scope.period, scope.period.previous()))
    currencies = []
    for currency in sorted(set(current) | set(before)):
        now, then = current.get(currency, {}), before.get(currency, {})
        currencies.append(
            {
                "currency": currency,
                "figures": {n: as_json(now.get(n), n) for n in names},
                "previous": {n: as_json(then.get(n), n) for n in names},
                "change": {n: change(now.get(n), then.get(n), n) for n in names},
            }
        )
    return {**scope.describe(), "currencies": currencies}


# Tables a dashboard shows and an export writes: name -> (section needed, builder, columns).
# Columns: (key, heading, kind) with kind date, text, count, money (money has a currency column).
TABLES: dict[str, tuple[str, Any, tuple[tuple[str, str, str], ...]]] = {
    "daily": (
        "seller",
        breakdowns.daily,
        (
            ("day", "Day", "date"),
            ("currency", "Currency", "text"),
            ("orders", "Orders", "count"),
            ("gmv", "GMV", "money"),
            ("refunds", "Refunds", "money"),
            ("net_sales", "Net sales", "money"),
            ("payouts", "Paid out", "money"),
        ),
    ),
    "orders_by_status": (
        "seller",
        breakdowns.orders_by_status,
        (("status", "Status", "text"), ("currency", "Currency", "text"), ("orders", "Orders", "count"), ("value", "Value", "money")),
    ),
    "top_products": (
        "seller",
        breakdowns.top_products,
        (("id", "Product id", "text"), ("name", "Product", "text"), ("currency", "Currency", "text"), ("units", "Units", "count"), ("sales", "Sales", "money")),
    ),
    "top_skus": (
        "seller",
        breakdowns.top_skus,
        (("id", "Seller SKU", "text"), ("name", "SKU", "text"), ("currency", "Currency", "text"), ("units", "Units", "count"), ("sales", "Sales", "money")),
    ),
    "live_sessions": (
        "seller",
        breakdowns.live_sessions,
        (
            ("id", "Session id", "text"),
            ("title", "Title", "text"),
            ("started_at", "Started", "datetime"),
            ("currency", "Currency", "text"),
            ("gmv", "GMV", "money"),
            ("orders", "Orders", "count"),
            ("viewers", "Viewers", "count"),
            ("peak_viewers", "Peak viewers", "count"),
        ),
    ),
    "affiliate_by_day": (
        "affiliate",
        breakdowns.affiliate_by_day,
        (
            ("day", "Day", "date"),
            ("currency", "Currency", "text"),
            ("orders", "Orders", "count"),
            ("estimated", "Commission estimated", "money"),
            ("actual", "Commission actual", "money"),
        ),
    ),
    "affiliate_by_creator": (
        "affiliate",
        breakdowns.affiliate_by_creator,
        (
            ("creator", "Creator", "text"),
            ("currency", "Currency", "text"),
            ("orders", "Orders", "count"),
            ("estimated", "Commission estimated", "money"),
            ("actual", "Commission actual", "money"),
        ),
    ),
}


def table(scope: Scope, name: str) -> tuple[tuple[tuple[str, str, str], ...], list[dict]]:
    if name not in TABLES:
        raise ReportRefused(404, f"unknown report {name!r}", "report")
    section, build, columns = TABLES[name]
    if section not in scope.sections:
        raise ReportRefused(403, f"the {name} report needs the {section} figures, which you may not see here", "report")
    return columns, build(scope.account_ids, scope.period)


def summary_rows(report: dict) -> tuple[tuple[tuple[str, str, str], ...], list[dict]]:
    """The summary as a table (a row per currency and figure) for the exports."""
    from .definitions import BY_NAME

    columns = (
        ("figure", "Figure", "text"),
        ("label", "Label", "text"),
        ("currency", "Currency", "text"),
        ("value", "Value", "value"),
        ("previous", "Previous period", "value"),
    )
    rows = [
        {"figure": name, "label": BY_NAME[name].label, "currency": c["currency"], "value": value, "previous": c["previous"][name], "kind": BY_NAME[name].kind}
        for c in report["currencies"]
        for name, value in c["figures"].items()
    ]
    return columns, rows


def account_choices(user) -> list[IntegrationAccount]:
    return [a for a in db.session.scalars(visible_accounts(user).order_by(IntegrationAccount.id)) if sections_for(a.id)]
