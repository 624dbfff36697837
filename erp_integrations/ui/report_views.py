"""The reports pages: a dashboard for one shop or many (KPI cards against the previous period,
a daily chart, orders by status, top products and SKUs, LIVE sessions, affiliate commission),
delayed settlements and reconciliation; every table downloadable as CSV or XLSX with the
filters on screen."""

from __future__ import annotations

from flask import render_template, request, url_for
from markupsafe import Markup, escape

from ..auth import check
from ..reports import ReportRefused, resolve, summary, table
from ..reports.breakdowns import money_total
from ..reports.charts import daily_chart
from ..reports.definitions import BY_NAME
from ..reports.delayed import COLUMNS as DELAYED_COLUMNS
from ..reports.delayed import DEFAULT_DAYS, alert_days, delayed
from ..reports.export import FORMATS
from ..reports.reconcile import COLUMNS as RECONCILE_COLUMNS
from ..reports.reconcile import reconcile
from ..reports.responses import download
from ..reports.service import TABLES, account_choices, summary_rows
from . import ui_blueprint
from .pages import _label, _money, _when_in, error_page, use_account

KPIS = ("gmv", "net_sales", "orders_counted", "aov", "refunds", "net_settlement", "payouts", "available_balance", "settlement_awaiting")
CREATOR_KPIS = ("commission_estimated", "commission_actual", "commission_awaiting", "bonus_actual", "reward_actual")
CHART_LABELS = {"gmv": "GMV", "net_sales": "Net sales", "refunds": "Refunds", "payouts": "Paid out", "estimated": "Estimated", "actual": "Actual"}


def _scope(user):
    args = request.args
    return resolve(user, args.getlist("account"), args)


def _page(template: str, user, build):
    choices = account_choices(user)
    try:
        scope = _scope(user)
        if len(scope.accounts) == 1:
            use_account(scope.accounts[0])  # the header's switcher shows the shop reported on
        built = build(scope)
    except ReportRefused as exc:
        if exc.status in (403, 404):
            return error_page(exc.status, "No report", exc.message)
        return render_template(template, scope=None, choices=choices, problem=exc.message, args=request.args, title="Reports"), 422
    return render_template(template, scope=scope, choices=choices, problem=None, args=request.args, **built)


def _query(**extra) -> dict:
    """The request's own filters (for download links and the period switcher)."""
    args = {k: request.args.getlist(k) for k in request.args if k not in ("format",)}
    return {**args, **extra}


@ui_blueprint.app_context_processor
def _report_helpers():
    return {"report_query": _query, "figure": BY_NAME.get, "export_formats": tuple(FORMATS)}


@ui_blueprint.app_template_global()
def report_rows(columns, rows: list[dict], zone: str, limit: int | None = None) -> Markup:
    """A report table's rows as HTML in one pass. A year of days is 2,500 cells: rendered cell
    by cell in Jinja they cost a 12-month dashboard 40 ms, here a few."""
    shown = rows if limit is None else rows[:limit]
    if not shown:
        return Markup(f'<tr><td colspan="{len(columns)}" class="empty">Nothing in this period.</td></tr>')
    lines = []
    for r in shown:
        cells = []
        for key, _, kind in columns:
            value = r[key]
            if kind == "money":
                text = _money(value, r["currency"])
            elif kind == "datetime":
                text = _when_in(value, zone)
            elif key in ("status", "side", "check"):
                text = _label(value)
            else:
                text = "" if value is None else value
            cells.append(f'<td class="{kind}">{escape(text)}</td>')
        lines.append(f"<tr>{''.join(cells)}</tr>")
    return Markup("\n".join(lines))


@ui_blueprint.get("/reports")
def reports_dashboard():
    user = check("signed_in")

    def build(scope):
        report = summary(scope)
        tables, charts = {}, {}
        for name, (section, _, _) in TABLES.items():
            if section in scope.sections:
                tables[name] = table(scope, name)
        if "daily" in tables:
            rows = tables["daily"][1]
            for currency in sorted({r["currency"] for r in rows}):
                mine = [r for r in rows if r["currency"] == currency]
                charts[currency] = daily_chart(
                    mine, "gmv", ("net_sales", "refunds", "payouts"), f"GMV, net sales, refunds and payouts per day in {currency}", CHART_LABELS
                )
        if "affiliate_by_day" in tables:
            rows = tables["affiliate_by_day"][1]
            for currency in sorted({r["currency"] for r in rows}):
                mine = [r for r in rows if r["currency"] == currency]
                charts[f"affiliate-{currency}"] = daily_chart(mine, "estimated", ("actual",), f"Affiliate commission per day in {currency}", CHART_LABELS)
        return {"report": report, "tables": tables, "charts": charts, "kpis": KPIS, "creator_kpis": CREATOR_KPIS, "totals": money_total}

    return _page("reports.html", user, build)


@ui_blueprint.get("/reports/download/<name>")
def reports_download(name: str):
    user = check("signed_in")
    fmt = request.args.get("format", "csv")
    if fmt not in FORMATS:
        return error_page(400, "No download", "The format must be csv or xlsx.")
    try:
        scope = _scope(user)
        if name == "summary":
            columns, rows = summary_rows(summary(scope))
        elif name == "delayed-settlements":
            columns, rows = DELAYED_COLUMNS, _delayed_rows(scope)
        elif name == "reconciliation":
            if "finance" not in scope.sections:
                raise ReportRefused(403, "reconciliation needs the finance figures, which you may not see here")
            columns, rows = RECONCILE_COLUMNS, reconcile(scope.account_ids, scope.period.start, scope.period.end)
        else:
            columns, rows = table(scope, name.replace("-", "_"))
    except ReportRefused as exc:
        return error_page(exc.status if exc.status in (403, 404) else 400, "No download", exc.message)
    return download(fmt, f"{name}-{scope.period.first}-{scope.period.last}", [(name, columns, rows)], scope.period.tz)


def _delayed_days(scope) -> int:
    raw = request.args.get("days")
    if raw:
        if not raw.isdigit() or not 1 <= int(raw) <= 365:
            raise ReportRefused(422, "days must be a whole number from 1 to 365", "days")
        return int(raw)
    return alert_days(scope.accounts[0]) if len(scope.accounts) == 1 else DEFAULT_DAYS


def _delayed_rows(scope) -> list[dict]:
    sides = ({"seller"} if "finance" in scope.sections else set()) | ({"creator"} if "affiliate" in scope.sections else set())
    return [r for r in delayed(scope.account_ids, _delayed_days(scope)) if r["side"] in sides]


@ui_blueprint.get("/reports/delayed-settlements")
def reports_delayed():
    user = check("signed_in")

    def build(scope):
        listing = _listing(scope, "Delayed settlements", "delayed-settlements", DELAYED_COLUMNS, _delayed_rows(scope))
        return {**listing, "days_default": _delayed_days(scope)}

    return _page("report_table.html", user, build)


@ui_blueprint.get("/reports/reconciliation")
def reports_reconciliation():
    user = check("signed_in")

    def build(scope):
        if "finance" not in scope.sections:
            raise ReportRefused(403, "reconciliation needs the finance figures, which you may not see here")
        return _listing(scope, "Reconciliation", "reconciliation", RECONCILE_COLUMNS, reconcile(scope.account_ids, scope.period.start, scope.period.end))

    return _page("report_table.html", user, build)


def _listing(scope, title: str, name: str, columns, rows) -> dict:
    return {"title": title, "name": name, "columns": columns, "rows": rows, "self_url": url_for(request.endpoint)}
