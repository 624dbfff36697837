"""Sign in and sign out."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from ..auth import SignInRefused, current_user, sign_in
from ..auth.guard import end_session, start_session
from ..auth.users import user_count
from ..extensions import db
from . import ui_blueprint
from .pages import safe_next


@ui_blueprint.route("/login", methods=["GET", "POST"])
def login():
    target = safe_next(request.values.get("next"), url_for("ui.home"))
    if request.method == "GET":
        if current_user() is not None:
            return redirect(target)
        return render_template("login.html", next=target, no_users=user_count() == 0)
    try:
        user = sign_in(request.form.get("email", ""), request.form.get("password", ""), request.remote_addr)
    except SignInRefused as exc:
        db.session.rollback()
        return render_template("login.html", next=target, error=str(exc), email=request.form.get("email", "")), 401
    start_session(user)
    return redirect(target)


@ui_blueprint.post("/logout")
def logout():
    end_session()
    return redirect(url_for("ui.login"))
