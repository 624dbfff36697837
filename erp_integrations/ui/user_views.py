"""Users and their roles (administrators only)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from ..auth import ROLE_LABELS, ROLES, UserError, check, create_user, issue_api_token
from ..auth.users import assign_accounts, get_user, update_user
from ..extensions import db
from ..models import IntegrationAccount, User
from . import ui_blueprint


def _account_ids(form) -> list[int]:
    return [int(v) for v in form.getlist("accounts") if v.isdigit()]


def _users_page(errors: dict | None = None, values: dict | None = None, token: tuple[str, str] | None = None, status: int = 200, confirm_token=None):
    return render_template(
        "users.html",
        users=db.session.scalars(select(User).order_by(User.id)).all(),
        all_accounts=db.session.scalars(select(IntegrationAccount).order_by(IntegrationAccount.connector, IntegrationAccount.id)).all(),
        roles=ROLES,
        role_labels=ROLE_LABELS,
        errors=errors or {},
        values=values or {},
        token=token,
        confirm_token=confirm_token,
    ), status


@ui_blueprint.get("/users")
def users():
    check("admin")
    return _users_page()


@ui_blueprint.post("/users")
def add_user():
    check("admin")
    form = request.form
    try:
        user = create_user(form.get("email", ""), form.get("password", ""), form.get("role", ""), name=form.get("name") or None, account_ids=_account_ids(form))
    except UserError as exc:
        db.session.rollback()
        return _users_page(errors=exc.fields, values={"email": form.get("email"), "name": form.get("name"), "role": form.get("role")}, status=422)
    flash(f"{user.email} can now sign in as {ROLE_LABELS[user.role]}.", "success")
    return redirect(url_for("ui.users"))


@ui_blueprint.post("/users/<int:user_id>")
def edit_user(user_id: int):
    me = check("admin")
    user = get_user(user_id)
    if user is None:
        flash("No such user.", "error")
        return redirect(url_for("ui.users"))
    role, active = request.form.get("role", user.role), request.form.get("is_active") == "on"
    if user.id == me.id and (role != "admin" or not active):
        flash("You cannot demote or disable yourself; ask another administrator.", "error")
        return redirect(url_for("ui.users"))
    try:
        assign_accounts(user, _account_ids(request.form), commit=False)
        update_user(user, role=role, is_active=active, password=request.form.get("password") or None)
    except UserError as exc:
        db.session.rollback()
        flash(f"{user.email}: {exc}", "error")
    else:
        flash(f"{user.email} was updated.", "success")
    return redirect(url_for("ui.users"))


@ui_blueprint.post("/users/<int:user_id>/token")
def new_token(user_id: int):
    check("admin")
    user = get_user(user_id)
    if user is None:
        flash("No such user.", "error")
        return redirect(url_for("ui.users"))
    if request.form.get("confirm") != "yes":
        # A new token revokes the old one at once: an ERP still using it starts getting 401s.
        return _users_page(confirm_token=user)
    return _users_page(token=(user.email, issue_api_token(user)))
