"""The Shopee sandbox's Flask app: Shopee's common checks in Shopee's order, then the endpoint.

Check order (shared API.md 3.2, 4.1): partner_id, timestamp (present, a number, within five
minutes), sign (present, then right for the call's level), then for shop-level calls the
access token and shop, then the rate limit and injected faults. Every answer is Shopee's
envelope (``error``, ``message``, ``warning``, ``request_id`` and ``response``, or the fields at
the top level for the auth and shop-info calls); errors travel in the body, with HTTP 403 for
sign and auth failures, 429 for the rate limit, 500 for server errors and 200 for business
errors (API.md 4.1: the status codes are undocumented; every client decides by ``error``).
"""

from __future__ import annotations

import hmac
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app, g, jsonify, request

from erp_integrations.toolkit.sandbox import sandbox_server

from ..signing import sign_api
from .data import ShopData
from .state import SandboxConfig, SandboxState

TIMESTAMP_WINDOW = 300  # "expires in 5 minutes" (API.md 3.2)
PUBLIC, SHOP = "public", "shop"


class ApiError(Exception):
    def __init__(self, error: str, message: str, status: int = 200):
        super().__init__(message)
        self.error, self.message, self.status = error, message, status


def param_error(message: str) -> ApiError:
    return ApiError("error_param", message, 403 if message in COMMON_PARAM_MESSAGES else 200)


COMMON_PARAM_MESSAGES = {"There is no partner_id in query.", "Invalid partner_id.", "no timestamp", "Invalid timestamp", "There is no sign in query."}


@dataclass
class Sandbox:
    config: SandboxConfig
    state: SandboxState
    data: ShopData
    levels: dict[str, str] = field(default_factory=dict)  # endpoint name -> public | shop
    pushes: object = None  # PushDispatcher, set by create_sandbox_app

    def clock(self) -> int:
        return int(time.time())


def sandbox() -> Sandbox:
    return current_app.extensions["shopee_sandbox"]


def envelope(response=None, *, top: dict | None = None, warning: str = "") -> dict:
    body = {"error": "", "message": "", "warning": warning, "request_id": secrets.token_hex(16)}
    if response is not None:
        body["response"] = response
    body.update(top or {})
    return body


def api_route(app: Flask, method: str, path: str, level: str) -> Callable:
    def decorate(handler):
        app.add_url_rule(path, endpoint=path, view_func=handler, methods=[method])
        app.extensions["shopee_sandbox"].levels[path] = level
        return handler

    return decorate


def _check_request() -> None:
    box = sandbox()
    config, state, args = box.config, box.state, request.args
    level = box.levels.get(request.endpoint or "")
    if level is None:
        raise ApiError("error_not_found", f"{request.method} {request.path} is not an API of this sandbox", 404)
    if not args.get("partner_id"):
        raise param_error("There is no partner_id in query.")
    if args.get("partner_id") != str(config.partner_id):
        raise param_error("Invalid partner_id.")
    if not args.get("timestamp"):
        raise param_error("no timestamp")
    try:
        timestamp = int(args["timestamp"])
    except ValueError:
        raise param_error("Invalid timestamp") from None
    if abs(time.time() - timestamp) > TIMESTAMP_WINDOW:
        raise ApiError("error_param", "Timestamp is expired", 403)
    if not args.get("sign"):
        raise param_error("There is no sign in query.")
    token, shop_id = (args.get("access_token", ""), args.get("shop_id", "")) if level == SHOP else ("", "")
    expected = sign_api(config.partner_key, config.partner_id, request.path, timestamp, token, shop_id)
    if not hmac.compare_digest(expected, args["sign"]):
        raise ApiError("error_sign", "Wrong sign.", 403)
    g.shop = None
    if level == SHOP:
        grant = state.access.get(token)
        if grant is None or grant.expires_at <= time.time():
            raise ApiError("invalid_acceess_token", "Invalid access_token.", 403)
        shop = box.data.shop(shop_id)
        if shop is None or grant.shop_id != shop.shop_id:
            raise ApiError("error_auth", "Invalid partner_id or shopid.", 403)
        g.shop = shop
    if not state.allow((config.partner_id, shop_id, request.path)):
        raise ApiError("error_rate_limit", "Too many requests", 429)
    state.calls[request.path] += 1
    faults = state.faults
    if faults.error_rate and faults.applies(request.path) and random.random() < faults.error_rate:
        state.calls["faults"] += 1
        raise ApiError("error_server", "Something wrong. Please try later.", 500)


def body() -> dict:
    """A POST's JSON body (business parameters travel there; API.md 4.1)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError("error_param", "the request body must be a JSON object")
    return data


def create_sandbox_app(config: SandboxConfig | None = None) -> Flask:
    config = config or SandboxConfig()
    app = Flask("shopee_sandbox")
    app.json.sort_keys = False
    data = ShopData(config.seed, config.shops, config.orders, config.items, config.as_of or int(time.time()), config.regions)
    box = app.extensions["shopee_sandbox"] = Sandbox(config, SandboxState(config), data)
    from .push import PushDispatcher

    box.pushes = PushDispatcher(box)

    @app.before_request
    def _checks():
        if request.path.startswith("/api/v2/"):
            _check_request()

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return jsonify(error=exc.error, message=exc.message, request_id=secrets.token_hex(16)), exc.status

    @app.errorhandler(404)
    @app.errorhandler(405)
    def _routing(exc):
        return jsonify(
            error="error_not_found", message=f"{request.method} {request.path} is not an API of this sandbox", request_id=secrets.token_hex(16)
        ), exc.code

    @app.errorhandler(Exception)
    def _crash(exc):
        app.logger.exception("sandbox error")
        return jsonify(error="error_server", message="Something wrong. Please try later.", request_id=secrets.token_hex(16)), 500

    from . import control, endpoints

    endpoints.register(app)
    control.register(app)
    return app


# The Shopee sandbox on a real socket: ``server.sandbox`` is its state.
SandboxServer = sandbox_server("shopee-sandbox", create_sandbox_app, "shopee_sandbox", "pushes")
