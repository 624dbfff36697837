"""The income page: a lender-ready report and score for one account or one person's
accounts, printable, with a signed statement to download."""

from __future__ import annotations

import json

from flask import Response, render_template, request

from ..auth import check, may, visible_accounts
from ..extensions import db
from ..http_guards import MAX_ID
from ..income import IncomeRefused, IncomeRequest, Window, WindowError, build_report
from ..income.service import MAX_ACCOUNTS, issue_statement
from . import ui_blueprint
from .pages import error_page


def _request_from_query() -> IncomeRequest:
    raw_ids = request.args.getlist("account")
    try:
        ids = tuple(dict.fromkeys(int(a) for a in raw_ids))
        days = int(request.args.get("days", 90))
    except ValueError:
        raise IncomeRefused("account and days must be whole numbers", status=400) from None
    if not ids:
        raise IncomeRefused("choose at least one account", status=400)
    if not all(1 <= a <= MAX_ID for a in ids):
        raise IncomeRefused("no such account", status=404)
    if len(ids) > MAX_ACCOUNTS:
        raise IncomeRefused(f"at most {MAX_ACCOUNTS} accounts in one report", status=400)
    for account_id in ids:
        check("income", account_id)
    try:
        window = Window.ending(days=days)
    except WindowError as exc:
        raise IncomeRefused(str(exc), status=400) from None
    return IncomeRequest(ids, window, None, request.args.get("allow_stale") == "1")


@ui_blueprint.get("/income")
def income():
    user = check("signed_in")
    choices = [a for a in db.session.scalars(visible_accounts(user)) if may("income", a.id)]
    if not request.args.getlist("account"):
        return render_template("income.html", report=None, choices=choices, chosen=set(), days=90, problem=None)
    try:
        income_request = _request_from_query()
        report = build_report(income_request)
    except IncomeRefused as exc:
        if exc.status == 404:
            return error_page(404, "No such account", exc.message)
        chosen = {int(a) for a in request.args.getlist("account") if a.isdigit()}
        return render_template("income.html", report=None, choices=choices, chosen=chosen, days=request.args.get("days", 90), problem=exc.message), (
            exc.status if exc.status in (400, 409, 422) else 409
        )
    return render_template("income.html", report=report, choices=choices, chosen=set(income_request.account_ids), days=income_request.window.days, problem=None)


@ui_blueprint.get("/income/statement.json")
def income_statement():
    check("signed_in")
    try:
        document = issue_statement(_request_from_query())
    except IncomeRefused as exc:
        return error_page(exc.status if exc.status in (400, 404, 409) else 409, "No statement", exc.message)
    body = json.dumps(document, indent=2, ensure_ascii=False)
    names = "-".join(str(a["id"]) for a in document["statement"]["subject"]["accounts"])
    return Response(body, mimetype="application/json", headers={"Content-Disposition": f'attachment; filename="income-statement-{names}.json"'})
