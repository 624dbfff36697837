"""Connect & Authorize, Sync now, and the runs of an account."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, request
from sqlalchemy import select

from ..accounts import get_account
from ..accounts.binding import BindingRefused, authorized_shops, choose_shop
from ..auth import requires
from ..connectors import MarketplaceError, Unsupported
from ..extensions import db
from ..hooks import get_connector
from ..http_guards import int_arg
from ..models import SyncCursor, SyncRun
from ..oauth_state import InvalidState, consume_state, issue_state, state_return_to
from ..sync.enqueue import NotSyncable, enqueue_sync
from ..toolkit.breaker import circuit_breaker, paused_apis
from . import api_blueprint
from .errors import ApiError, error_response
from .helpers import json_object

oauth_blueprint = Blueprint("oauth", __name__, url_prefix="/oauth")


@api_blueprint.post("/accounts/<int:account_id>/authorize")
@requires("manage")
def start_authorization(account_id: int):
    account = get_account(account_id)
    connector = get_connector(account.connector)()
    connector.require("authorize")  # before a state is issued: nothing is recorded
    try:
        url = connector.authorization_url(account, issue_state(account))
    except ValueError as exc:
        raise ApiError(422, str(exc)) from None
    return jsonify(authorization_url=url, callback_path=f"/oauth/{account.connector}/callback")


@oauth_blueprint.get("/<connector_name>/callback")
def authorization_callback(connector_name: str):
    """Where the marketplace sends the seller back. The redirect URL registered with the
    marketplace must point here."""
    from ..hooks.manager import UnknownConnector

    try:
        connector = get_connector(connector_name)()
    except UnknownConnector as exc:
        return error_response(404, str(exc))
    try:
        connector.require("authorize")
    except Unsupported as exc:  # this blueprint is not the API's: its handlers do not apply
        return error_response(exc.status, str(exc))
    code, state = request.args.get("code"), request.args.get("state")
    if request.args.get("error") or not code or code == "null":
        denied = request.args.get("error")
        return _refused(state, f"authorization refused: {denied}" if denied else "the callback needs code and state")
    if not state:
        return error_response(400, "the callback needs code and state")
    try:
        account = consume_state(state)
    except InvalidState as exc:
        return error_response(400, str(exc))
    if account.connector != connector_name:
        return error_response(400, "the state belongs to another connector's account")
    return_to = state_return_to(state)
    try:
        callback = {k: v for k, v in request.args.items() if k not in ("code", "state")}
        result = connector.complete_authorization(account, code, callback)
    except (MarketplaceError, BindingRefused) as exc:
        db.session.rollback()
        refused = isinstance(exc, MarketplaceError)
        message = f"{get_connector(connector_name).display_name} refused the authorization: {exc}" if refused else exc.message
        if return_to:
            flash(message, "error")
            return redirect(return_to)
        return error_response(502 if refused else exc.status, message)
    if return_to:
        flash(f"{account.name}: {result['message']}", BINDING_FLASH[result["binding"]])
        return redirect(return_to)
    if result["binding"] == "refused":
        return error_response(409, result["message"])
    return jsonify(account_id=account.id, status=account.status, **result)


# How each binding outcome is shown on the settings page the callback returns to.
BINDING_FLASH = {"connected": "success", "choose_shop": "warn", "refused": "error"}


@api_blueprint.get("/accounts/<int:account_id>/shops")
@requires("read")
def list_authorized_shops(account_id: int):
    """The shops the account's authorization covers, and which one it is bound to."""
    account = get_account(account_id)
    connector = get_connector(account.connector)
    return jsonify(
        status=account.status,
        shop_setting=connector.shop_setting,
        bound_shop_id=account.external_shop_id,
        shops=[{**s.as_dict(), "bound": s.id == account.external_shop_id} for s in authorized_shops(account)],
    )


@api_blueprint.post("/accounts/<int:account_id>/shop")
@requires("manage")
def choose_account_shop(account_id: int):
    """Bind the account to one of its authorized shops: ``{"shop": key}`` (TikTok: the cipher)."""
    account = get_account(account_id)
    connector = get_connector(account.connector)
    if not connector.shop_setting:
        raise ApiError(501, f"{connector.display_name} accounts are bound by their authorization; there is no shop to choose")
    payload = json_object()
    try:
        outcome = choose_shop(account, connector, payload.get("shop"))
    except BindingRefused as exc:
        db.session.rollback()
        raise ApiError(exc.status, exc.message, {exc.field: [exc.message]}) from None
    return jsonify(account_id=account.id, status=account.status, **outcome.as_dict())


def _refused(state: str | None, message: str):
    """The seller cancelled (or the marketplace sent no code): end the attempt, and take an
    admin who started it from the pages back there with the message."""
    try:
        consume_state(state or "")
    except InvalidState:
        return error_response(400, message)
    return_to = state_return_to(state)
    if return_to:
        flash(message[:1].upper() + message[1:], "error")
        return redirect(return_to)
    return error_response(400, message)


@api_blueprint.post("/accounts/<int:account_id>/sync")
@requires("manage")
def sync_now(account_id: int):
    """Sync now: ``{"streams": [...], "full": false}``; every enabled stream when none are named."""
    account = get_account(account_id)
    payload = json_object(optional=True)
    streams, full = payload.get("streams"), payload.get("full", False)
    if streams is not None and (not isinstance(streams, list) or not all(isinstance(s, str) for s in streams)):
        raise ApiError(422, "invalid sync request", {"streams": ["must be a list of stream names"]})
    if not isinstance(full, bool):
        raise ApiError(422, "invalid sync request", {"full": ["must be true or false"]})
    try:
        jobs = enqueue_sync(account, streams, full=full, trigger="manual")
    except NotSyncable as exc:
        raise ApiError(409, str(exc)) from None
    except ValueError as exc:
        raise ApiError(422, "invalid sync request", {"streams": [str(exc)]}) from None
    return jsonify(jobs=[{"id": j.id, "status": j.status, "queue": j.queue} for j in jobs]), 202


@api_blueprint.get("/accounts/<int:account_id>/runs")
@requires("read")
def list_runs(account_id: int):
    account = get_account(account_id)
    limit = int_arg("limit", 50, 1, 500)
    runs = db.session.scalars(select(SyncRun).where(SyncRun.account_id == account.id).order_by(SyncRun.id.desc()).limit(limit))
    cursors = {c.stream: c.cursor for c in db.session.scalars(select(SyncCursor).where(SyncCursor.account_id == account.id))}
    return jsonify(
        runs=[
            {
                "id": r.id,
                "stream": r.stream,
                "trigger": r.trigger,
                "status": r.status,
                "started_at": r.started_at.isoformat(),
                "finished_at": r.finished_at.isoformat() if r.finished_at else None,
                "counts": r.counts,
                "api_calls": r.api_calls,
                "error": r.error,
                # infrastructure, marketplace, authorization or error (see the README's reliability section)
                "failure_kind": r.failure_kind,
            }
            for r in runs
        ],
        cursors=cursors,
        paused_apis=[{**p, "opened_at": p["opened_at"].isoformat(), "until": p["until"].isoformat()} for p in paused_apis(account.id)],
    )


@api_blueprint.post("/accounts/<int:account_id>/paused-apis/<group>/resume")
@requires("manage")
def resume_paused_api(account_id: int, group: str):
    """Close an API group's circuit now (the marketplace is known to be back)."""
    account = get_account(account_id)
    if group not in {p["group"] for p in paused_apis(account.id)}:
        raise ApiError(404, f"the {group} API of this account is not paused")
    circuit_breaker().reset(str(account.id), group)
    return jsonify(account_id=account.id, group=group, paused=False)
