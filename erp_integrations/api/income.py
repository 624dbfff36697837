"""Income verification over the API: a report (with its score) for one or more accounts, a
signed statement; and, outside the API (no sign-in, RFC 8615), the public keys that verify
statements."""

from __future__ import annotations

from flask import Blueprint, jsonify

from ..auth import check, requires
from ..http_guards import MAX_ID
from ..income import IncomeRefused, IncomeRequest, Window, WindowError, build_report, parse_rates, public_keys
from ..income.service import issue_statement
from ..income.window import DEFAULT_DAYS
from . import api_blueprint
from .errors import ApiError
from .helpers import json_object


def income_request() -> IncomeRequest:
    """``{"accounts": [1, 2], "days": 90, "rates": {"GBP": "1.27"}, "allow_stale": false}``;
    the caller must hold ``income`` on every account named."""
    body = json_object()
    unknown = sorted(set(body) - {"accounts", "days", "rates", "allow_stale"})
    if unknown:
        raise ApiError(422, "invalid income request", {k: ["unknown field"] for k in unknown})
    accounts = body.get("accounts")
    if not isinstance(accounts, list) or not accounts or not all(isinstance(a, int) and not isinstance(a, bool) and 1 <= a <= MAX_ID for a in accounts):
        raise ApiError(422, "invalid income request", {"accounts": [f"must be a non-empty list of account ids (1 to {MAX_ID})"]})
    if len(set(accounts)) != len(accounts):
        raise ApiError(422, "invalid income request", {"accounts": ["an account is named twice"]})
    allow_stale = body.get("allow_stale", False)
    if not isinstance(allow_stale, bool):
        raise ApiError(422, "invalid income request", {"allow_stale": ["must be true or false"]})
    for account_id in accounts:
        check("income", account_id)
    try:
        window = Window.ending(days=body.get("days", DEFAULT_DAYS))
        rates = parse_rates(body.get("rates"))
    except WindowError as exc:
        raise ApiError(422, "invalid income request", {"days": [str(exc)]}) from None
    except IncomeRefused as exc:
        raise ApiError(exc.status, "invalid income request", {exc.field: [exc.message]}) from None
    return IncomeRequest(tuple(accounts), window, rates, allow_stale)


def _refused(exc: IncomeRefused) -> ApiError:
    if exc.status == 422:
        return ApiError(422, "invalid income request", {exc.field: [exc.message]})
    return ApiError(exc.status, exc.message)


@api_blueprint.post("/income/reports")
@requires("signed_in")
def income_report():
    request = income_request()
    try:
        return jsonify(build_report(request))
    except IncomeRefused as exc:
        raise _refused(exc) from None


@api_blueprint.post("/income/statements")
@requires("signed_in")
def income_statement():
    request = income_request()
    try:
        return jsonify(issue_statement(request)), 201
    except IncomeRefused as exc:
        raise _refused(exc) from None


# Where verifiers look for the keys without an account here (RFC 8615 well-known URI).
well_known_blueprint = Blueprint("well_known", __name__, url_prefix="/.well-known/erp-integrations")


@well_known_blueprint.get("/income-keys.json")
@requires("public")
def income_keys():
    """The public keys that verify statements, current and retired (by ``kid``)."""
    return jsonify(keys=public_keys())
