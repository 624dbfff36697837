from __future__ import annotations

from flask import jsonify, request

from ..accounts import (
    account_secrets,
    account_summary,
    create_account,
    delete_account,
    get_account,
    serialize_account,
    set_default_account,
    update_account,
)
from ..auth import current_user, may, requires, visible_accounts
from ..extensions import db
from ..hooks import get_connector
from ..jobs import enqueue, make_job_id
from ..models import IntegrationAccount
from . import api_blueprint
from .errors import ApiError
from .helpers import json_object


@api_blueprint.get("/accounts")
@requires("signed_in")
def list_accounts():
    query = visible_accounts(current_user())
    if connector := request.args.get("connector"):
        query = query.where(IntegrationAccount.connector == connector)
    # A role that may not read an account (a creator partner) learns only which shop it is,
    # never its settings: the same rule as GET /accounts/{id}.
    return jsonify(accounts=[serialize_account(a) if may("read", a.id) else account_summary(a) for a in db.session.scalars(query)])


@api_blueprint.post("/accounts")
@requires("admin")
def create_account_endpoint():
    payload = json_object()
    unknown = set(payload) - {"connector", "config", "is_default"}
    if unknown:
        raise ApiError(422, "unknown top-level fields", {k: ["unknown field; account settings go in config"] for k in sorted(unknown)})
    if not isinstance(payload.get("connector"), str):
        raise ApiError(422, "invalid account", {"connector": ["required: the connector's name, see GET /api/v1/connectors"]})
    if not isinstance(payload.get("is_default", False), bool):
        raise ApiError(422, "invalid account", {"is_default": ["must be true or false"]})
    account = create_account(payload["connector"], payload.get("config"), is_default=payload.get("is_default", False))
    return jsonify(serialize_account(account)), 201


@api_blueprint.get("/accounts/<int:account_id>")
@requires("read")
def show_account(account_id: int):
    return jsonify(serialize_account(get_account(account_id)))


@api_blueprint.patch("/accounts/<int:account_id>")
@requires("manage")
def update_account_endpoint(account_id: int):
    payload = json_object()
    unknown = set(payload) - {"config"}
    if unknown:
        raise ApiError(422, "unknown top-level fields", {k: ["unknown field; account settings go in config"] for k in sorted(unknown)})
    account = update_account(get_account(account_id), payload.get("config", {}), may_change_endpoints=current_user().role == "admin")
    return jsonify(serialize_account(account))


@api_blueprint.delete("/accounts/<int:account_id>")
@requires("admin")
def delete_account_endpoint(account_id: int):
    delete_account(get_account(account_id))
    return "", 204


@api_blueprint.post("/accounts/<int:account_id>/default")
@requires("admin")
def set_default_endpoint(account_id: int):
    return jsonify(serialize_account(set_default_account(get_account(account_id))))


@api_blueprint.post("/accounts/<int:account_id>/test")
@requires("manage")
def test_connection_endpoint(account_id: int):
    """Test now (``?background=1`` runs it as a job and records the outcome in the log)."""
    account = get_account(account_id)
    if request.args.get("background") in ("1", "true"):
        job = enqueue("check_connection", account_id=account.id, job_id=make_job_id("check_connection", account.id))
        return jsonify(job={"id": job.id, "status": job.status}), 202
    result = get_connector(account.connector)().test_connection(account, account_secrets(account))
    return jsonify(result.as_dict())
