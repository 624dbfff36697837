"""Users and roles (admins only), and ``/me`` for whoever is signed in."""

from __future__ import annotations

from flask import jsonify
from sqlalchemy import select

from ..auth import current_user, requires
from ..auth.roles import ROLE_LABELS, account_verbs
from ..auth.users import (
    assign_accounts,
    create_user,
    get_user,
    issue_api_token,
    serialize_user,
    update_user,
)
from ..extensions import db
from ..models import User
from . import api_blueprint
from .errors import ApiError
from .helpers import json_object

USER_FIELDS = {"email", "password", "role", "name", "accounts", "is_active"}


@api_blueprint.get("/me")
@requires("signed_in")
def me():
    user = current_user()
    return jsonify(**serialize_user(user), role_label=ROLE_LABELS[user.role], account_verbs=list(account_verbs(user.role)))


@api_blueprint.get("/users")
@requires("admin")
def list_users():
    return jsonify(users=[serialize_user(u) for u in db.session.scalars(select(User).order_by(User.id))])


@api_blueprint.post("/users")
@requires("admin")
def create_user_endpoint():
    payload = _user_payload({"email", "password", "role"})
    user = create_user(payload["email"], payload["password"], payload["role"], name=payload.get("name"), account_ids=payload.get("accounts"))
    return jsonify(serialize_user(user)), 201


@api_blueprint.patch("/users/<int:user_id>")
@requires("admin")
def update_user_endpoint(user_id: int):
    user = _user(user_id)
    payload = _user_payload(set())
    if "email" in payload:
        raise ApiError(422, "invalid user", {"email": ["cannot be changed; create a new user"]})
    if user.id == current_user().id and (payload.get("role", "admin") != "admin" or payload.get("is_active") is False):
        raise ApiError(422, "invalid user", {"role": ["you cannot demote or disable yourself; ask another admin"]})
    if "accounts" in payload:
        assign_accounts(user, payload["accounts"], commit=False)
    update_user(user, role=payload.get("role"), name=payload.get("name"), is_active=payload.get("is_active"), password=payload.get("password"))
    return jsonify(serialize_user(user))


@api_blueprint.post("/users/<int:user_id>/token")
@requires("admin")
def issue_token_endpoint(user_id: int):
    """A new API token, shown in this response only; the previous one stops working."""
    user = _user(user_id)
    return jsonify(token=issue_api_token(user), user=serialize_user(user)), 201


def _user(user_id: int) -> User:
    user = get_user(user_id)
    if user is None:
        raise ApiError(404, f"no user with id {user_id}")
    return user


def _user_payload(required: set[str]) -> dict:
    payload = json_object()
    problems = {k: ["unknown field"] for k in sorted(set(payload) - USER_FIELDS)}
    problems.update({k: ["required"] for k in sorted(required - set(payload))})
    for key in ("email", "password", "role", "name"):
        if key in payload and not isinstance(payload[key], str):
            problems[key] = ["must be a string"]
    if "is_active" in payload and not isinstance(payload["is_active"], bool):
        problems["is_active"] = ["must be true or false"]
    accounts = payload.get("accounts")
    if accounts is not None and not (isinstance(accounts, list) and all(isinstance(a, int) and not isinstance(a, bool) for a in accounts)):
        problems["accounts"] = ["must be a list of account ids"]
    if problems:
        raise ApiError(422, "invalid user", problems)
    return payload
