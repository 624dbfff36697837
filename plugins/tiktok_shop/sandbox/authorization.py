"""Seller consent page and the token host (``/api/v2/token/get`` and ``/refresh``).

Authorization codes are single-use and expire after 30 minutes; token expiries are absolute
unix times, as the real token host returns them.
"""

from __future__ import annotations

import time
from html import escape
from urllib.parse import urlencode

from flask import Flask, jsonify, redirect, request

from . import api_errors as E
from .api_errors import envelope
from .server import sandbox
from .state import USER_CREATOR, USER_SELLER

CONSENT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Authorize {app}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;color:#161823}}
button{{font-size:1rem;padding:.6rem 1.2rem;margin-right:.5rem;border-radius:4px;border:1px solid #ccc}}
button.primary{{background:#fe2c55;color:#fff;border-color:#fe2c55}} li{{margin:.3rem 0}}</style></head>
<body><h1>TikTok Shop sandbox</h1>
<p><strong>{app}</strong> asks to access your {who}.</p>
<form method="post" action="/open/authorize">
<input type="hidden" name="state" value="{state}"><input type="hidden" name="service_id" value="{service_id}">
<input type="hidden" name="user_type" value="{user_type}">
<ul>{shops}</ul>
<button class="primary" name="decision" value="approve" type="submit">Authorize</button>
<button name="decision" value="deny" type="submit">Cancel</button>
</form></body></html>"""


def register(app: Flask) -> None:
    @app.get("/open/authorize")
    def consent_page():
        box = sandbox()
        service_id = request.args.get("service_id", "")
        if service_id != box.config.service_id:
            return f"Unknown service_id {escape(service_id)!s}.", 400
        user_type = USER_CREATOR if request.args.get("user_type") == "creator" else USER_SELLER
        if box.config.auto_approve or request.args.get("auto_approve") == "1":
            return _finish(request.args.get("state", ""), "approve", user_type, _requested_shops(request.args))
        shops = "".join(f'<li><label><input type="checkbox" name="shop" value="{s.index}" checked> {escape(s.name)}</label></li>' for s in box.data.shops)
        return CONSENT_PAGE.format(
            app=escape(box.config.app_key),
            who="creator account" if user_type == USER_CREATOR else "shops",
            state=escape(request.args.get("state", "")),
            service_id=escape(service_id),
            user_type="creator" if user_type == USER_CREATOR else "seller",
            shops="" if user_type == USER_CREATOR else shops,
        )

    @app.post("/open/authorize")
    def consent_decision():
        user_type = USER_CREATOR if request.form.get("user_type") == "creator" else USER_SELLER
        return _finish(request.form.get("state", ""), request.form.get("decision", "deny"), user_type, _requested_shops(request.form))

    @app.get("/api/v2/token/get")
    def token_get():
        box, args = sandbox(), request.args
        problem = _check_token_call("get", "authorized_code")
        if problem:
            return problem
        with box.state.lock:
            code = box.state.codes.get(args.get("auth_code", ""))
            if code is None or code.used or code.expires_at < time.time():
                return _token_error(E.ApiError(E.INVALID_AUTH_CODE))
            code.used = True
        token = box.state.issue_token(code.user_type, code.shops)
        return jsonify(envelope(_token_data(token), message="success"))

    @app.get("/api/v2/token/refresh")
    def token_refresh():
        box, args = sandbox(), request.args
        problem = _check_token_call("refresh", "refresh_token")
        if problem:
            return problem
        token = box.state.refresh_index.get(args.get("refresh_token", ""))
        if token is None or token.revoked:
            return _token_error(E.ApiError(E.NO_AUTH_RECORD))
        if token.refresh_expires_at <= time.time():
            return _token_error(E.ApiError(E.REFRESH_TOKEN_EXPIRED))
        return jsonify(envelope(_token_data(box.state.refresh(token)), message="success"))


def _requested_shops(values) -> tuple[int, ...]:
    box = sandbox()
    chosen = values.getlist("shop")
    indices = [int(v) for v in chosen if v.isdigit() and int(v) < len(box.data.shops)] if chosen else [s.index for s in box.data.shops]
    return tuple(indices)


def _finish(state: str, decision: str, user_type: int, shops: tuple[int, ...]):
    box = sandbox()
    target = box.config.redirect_url
    if decision != "approve":
        params = {"code": "null", "error": "auth_denied", "state": state}
    else:
        params = {"code": box.state.issue_code(user_type, () if user_type == USER_CREATOR else shops), "state": state}
    if not target:
        return f"<p>Authorization code: <code>{escape(params['code'])}</code></p>", 200
    separator = "&" if "?" in target else "?"
    return redirect(f"{target}{separator}{urlencode(params)}", code=302)


def _check_token_call(endpoint: str, grant_type: str):
    """Count the call, then refuse a wrong app or grant type; None when the call may proceed."""
    sandbox().state.count(f"GET /api/v2/token/{endpoint}")
    problem = _check_app(request.args)
    if problem is None and request.args.get("grant_type") != grant_type:
        problem = _token_error(E.invalid_param(f"grant_type: only {grant_type} is accepted"))
    return problem


def _check_app(args):
    box = sandbox()
    if args.get("app_key") != box.config.app_key or args.get("app_secret") != box.config.app_secret:
        return _token_error(E.ApiError(E.INVALID_APP_KEY))
    return None


def _token_error(exc: E.ApiError):
    return exc.response()


def _token_data(token) -> dict:
    box = sandbox()
    first = box.data.shops[token.shops[0]] if token.shops else None
    return {
        "access_token": token.access_token,
        "access_token_expire_in": token.access_expires_at,
        "refresh_token": token.refresh_token,
        "refresh_token_expire_in": token.refresh_expires_at,
        "open_id": token.open_id,
        "seller_name": first.name if first else "Sandbox Creator",
        "seller_base_region": first.region if first else "US",
        "user_type": token.user_type,
        "granted_scopes": list(token.scopes),
    }
