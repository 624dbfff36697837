"""Reports over the API: ``/api/v1/reports/...`` with the same scope rules as the pages (a
creator partner gets the affiliate figures of their accounts, nothing else). Every report
takes ``account`` (repeatable; none: every account the caller may see), ``period`` (day, week,
month, custom), ``date`` or ``from``/``to``, ``time_zone``; and ``format=csv|xlsx`` (or an
``Accept`` header naming one) for a streamed download."""

from __future__ import annotations

from flask import jsonify, request

from ..auth import current_user, requires
from ..reports import ReportRefused, resolve, summary, table
from ..reports.definitions import FIGURES
from ..reports.delayed import COLUMNS as DELAYED_COLUMNS
from ..reports.delayed import DEFAULT_DAYS, alert_days, delayed
from ..reports.export import FORMATS, choose_format
from ..reports.reconcile import COLUMNS as RECONCILE_COLUMNS
from ..reports.reconcile import reconcile
from ..reports.responses import download, json_rows
from ..reports.service import TABLES, summary_rows
from . import api_blueprint
from .errors import ApiError

SCOPE_ARGS = {"account", "period", "date", "from", "to", "time_zone", "sections", "format"}


def _scope(extra: frozenset[str] = frozenset()):
    unknown = sorted(set(request.args) - SCOPE_ARGS - extra)
    if unknown:
        raise ApiError(422, "invalid report request", {name: ["unknown parameter"] for name in unknown})
    fmt = choose_format(request.args, request.headers.get("Accept"))
    if fmt is not None and fmt not in FORMATS:
        raise ApiError(422, "invalid report request", {"format": ["must be csv or xlsx"]})
    try:
        return resolve(current_user(), request.args.getlist("account"), request.args), fmt
    except ReportRefused as exc:
        raise _refused(exc) from None


def _refused(exc: ReportRefused) -> ApiError:
    if exc.status == 422:
        return ApiError(422, "invalid report request", {exc.field: [exc.message]})
    return ApiError(exc.status, exc.message)


def _respond(scope, fmt, name: str, columns, rows):
    if fmt:
        return download(fmt, f"{name}-{scope.period.first}-{scope.period.last}", [(name, columns, rows)], scope.period.tz)
    return jsonify({**scope.describe(), "columns": [{"key": k, "label": h, "kind": t} for k, h, t in columns], "rows": json_rows(columns, rows)})


@api_blueprint.get("/reports/definitions")
@requires("signed_in")
def report_definitions():
    """What every figure means: name, label, kind, source table and columns, statuses counted."""
    return jsonify(
        figures=[{"name": f.name, "label": f.label, "kind": f.kind, "section": f.section, "source": f.source, "counts": f.counts} for f in FIGURES],
        tables=sorted(TABLES),
    )


@api_blueprint.get("/reports/summary")
@requires("signed_in")
def report_summary():
    scope, fmt = _scope()
    report = summary(scope)
    if fmt:
        columns, rows = summary_rows(report)
        return download(fmt, f"summary-{scope.period.first}-{scope.period.last}", [("Summary", columns, rows)], scope.period.tz)
    return jsonify(report)


@api_blueprint.get("/reports/delayed-settlements")
@requires("signed_in")
def report_delayed():
    """Orders delivered more than ``days`` (default 30) ago and not settled: the seller side
    needs the finance figures, the creator side the affiliate ones."""
    scope, fmt = _scope(frozenset({"days"}))
    # One account: its own alert setting unless the caller names the days.
    default = alert_days(scope.accounts[0]) if len(scope.accounts) == 1 else DEFAULT_DAYS
    try:
        days = int(request.args.get("days", default))
        if not 1 <= days <= 365:
            raise ValueError
    except ValueError:
        raise ApiError(422, "invalid report request", {"days": ["must be a whole number from 1 to 365"]}) from None
    rows = delayed(scope.account_ids, days)
    sides = {"seller"} if "finance" in scope.sections else set()
    sides |= {"creator"} if "affiliate" in scope.sections else set()
    return _respond(scope, fmt, "delayed-settlements", DELAYED_COLUMNS, [r for r in rows if r["side"] in sides])


@api_blueprint.get("/reports/reconciliation")
@requires("signed_in")
def report_reconciliation():
    scope, fmt = _scope()
    if "finance" not in scope.sections:
        raise ApiError(403, "reconciliation needs the finance figures, which you may not see here")
    return _respond(scope, fmt, "reconciliation", RECONCILE_COLUMNS, reconcile(scope.account_ids, scope.period.start, scope.period.end))


def _table_view(name: str):
    def view():
        scope, fmt = _scope()
        try:
            columns, rows = table(scope, name)
        except ReportRefused as exc:
            raise _refused(exc) from None
        return _respond(scope, fmt, name.replace("_", "-"), columns, rows)

    view.__name__ = f"report_{name}"
    return requires("signed_in")(view)


# One route per table, so each is its own path in the OpenAPI document.
for _name in TABLES:
    api_blueprint.add_url_rule(f"/reports/{_name.replace('_', '-')}", view_func=_table_view(_name), methods=["GET"])
