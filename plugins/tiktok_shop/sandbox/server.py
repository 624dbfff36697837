"""The sandbox's Flask app: TikTok's checks in TikTok's order, then the endpoint.

Check order (API.md section 11): path and method, app_key, sign present, timestamp window,
sign valid, access token, user type and shop binding, shop_cipher required or forbidden,
scope, rate limit; then injected faults; then the endpoint itself.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app, g, request
from werkzeug.exceptions import MethodNotAllowed, NotFound

from erp_integrations.toolkit.sandbox import sandbox_server

from ..signing import sign_request, signatures_match
from . import api_errors as E
from .api_errors import ApiError
from .data import ShopData
from .state import USER_CREATOR, USER_SELLER, SandboxConfig, SandboxState

TIMESTAMP_PAST, TIMESTAMP_FUTURE = 300, 30


@dataclass(frozen=True)
class Endpoint:
    """What the checks need to know about an endpoint."""

    scope: str
    shop: bool | None = True  # True: shop_cipher required; False: forbidden; None: optional
    user_type: int = USER_SELLER


@dataclass
class Sandbox:
    config: SandboxConfig
    state: SandboxState
    data: ShopData
    endpoints: dict[str, Endpoint] = field(default_factory=dict)
    webhooks: object = None  # WebhookDispatcher, set by create_sandbox_app

    def clock(self) -> int:
        return int(time.time())


def sandbox() -> Sandbox:
    return current_app.extensions["tiktok_sandbox"]


def api_route(app: Flask, method: str, path: str, endpoint: Endpoint) -> Callable:
    """Register a TikTok API endpoint with the metadata its checks use."""

    def decorate(handler):
        name = f"{method} {path}"
        app.add_url_rule(path.replace("{", "<").replace("}", ">"), endpoint=name, view_func=handler, methods=[method])
        app.extensions["tiktok_sandbox"].endpoints[name] = endpoint
        return handler

    return decorate


def _is_api_path(path: str) -> bool:
    return not (path.startswith("/sandbox/") or path.startswith("/open/") or path.startswith("/api/v2/token/"))


def _check_request() -> None:
    box = sandbox()
    config, state = box.config, box.state
    exception = request.routing_exception
    if isinstance(exception, MethodNotAllowed):
        raise ApiError(E.INVALID_METHOD)
    if isinstance(exception, NotFound) or request.endpoint is None:
        raise ApiError(E.INVALID_PATH)
    endpoint = box.endpoints[request.endpoint]
    args = request.args
    if args.get("app_key") != config.app_key:
        raise ApiError(E.INVALID_APP_KEY)
    if not args.get("sign"):
        raise ApiError(E.MISSING_SIGN)
    try:
        timestamp = int(args.get("timestamp", ""))
    except ValueError:
        raise ApiError(E.TIMESTAMP_NEGATIVE) from None
    now = time.time()
    if timestamp < 0:
        raise ApiError(E.TIMESTAMP_NEGATIVE)
    if timestamp < now - TIMESTAMP_PAST:
        raise ApiError(E.TIMESTAMP_OLD)
    if timestamp > now + TIMESTAMP_FUTURE:
        raise ApiError(E.TIMESTAMP_AHEAD)
    body = request.get_data(cache=True)
    pairs = list(args.items(multi=True))
    expected = sign_request(config.app_secret, request.path, pairs, body, request.content_type)
    given = args.get("sign")
    # The official Node SDK signs without a literal "{}" body but sends one: tolerate it.
    if not signatures_match(expected, given) and not (
        body.strip() == b"{}" and signatures_match(sign_request(config.app_secret, request.path, pairs, b"", request.content_type), given)
    ):
        raise ApiError(E.INVALID_SIGN)
    token = state.tokens.get(request.headers.get("x-tts-access-token", ""))
    if token is None or token.revoked:
        raise ApiError(E.INVALID_TOKEN)
    if token.access_expires_at <= now:
        raise ApiError(E.TOKEN_EXPIRED)
    if token.user_type != endpoint.user_type:
        raise ApiError(E.WRONG_USER_OR_SHOP)
    cipher = args.get("shop_cipher")
    if cipher and endpoint.shop is False:
        raise ApiError(E.SHOP_CIPHER_UNEXPECTED)
    if not cipher and endpoint.shop is True:
        raise ApiError(E.SHOP_CIPHER_MISSING)
    shop = None
    if cipher:
        shop = box.data.shop_by(cipher)
        if shop is None or shop.index not in token.shops:
            raise ApiError(E.WRONG_USER_OR_SHOP)
    if endpoint.scope not in token.scopes:
        raise ApiError(E.SCOPE_MISSING)
    limit_key = (config.app_key, shop.index if shop else token.open_id, request.endpoint)
    if not state.rate_limiter.allow(limit_key, config.rate_limit):
        state.count_fault("rate_limited")
        raise ApiError(E.TOO_MANY_REQUESTS)
    if body and request.method in ("POST", "PUT", "DELETE"):
        if (request.mimetype or "") != "application/json":
            raise ApiError(E.INVALID_BODY_FORMAT)
        try:
            g.body = json.loads(body)
        except ValueError:
            raise E.invalid_param("the request body is not valid JSON") from None
        if not isinstance(g.body, dict):
            raise E.invalid_param("the request body must be a JSON object")
    else:
        g.body = {}
    g.token, g.shop = token, shop
    state.count(request.endpoint)
    _inject_faults(state)


def _inject_faults(state: SandboxState) -> None:
    faults = state.faults
    if not faults.applies(request.path):
        return
    if faults.latency_ms:
        time.sleep(faults.latency_ms / 1000)  # the point of this fault is the wall-clock delay
    roll = random.random()
    for kind in ("error", "unavailable", "timeout", "truncate"):
        rate = getattr(faults, f"{kind}_rate")
        if roll < rate:
            state.count_fault(kind)
            break
        roll -= rate
    else:
        return
    if kind == "error":
        raise ApiError(E.INTERNAL_ERROR)
    if kind == "unavailable":
        g.plain_503 = True
        raise ApiError(E.SERVICE_UNAVAILABLE)
    if kind == "timeout":
        time.sleep(faults.timeout_seconds)  # outlast the client's timeout, as a hung upstream would
        raise ApiError(E.REQUEST_TIMEOUT)
    g.truncate = True


def create_sandbox_app(config: SandboxConfig | None = None) -> Flask:
    config = config or SandboxConfig()
    as_of = config.as_of or int(time.time())
    app = Flask("tiktok_shop_sandbox")
    app.config["JSON_SORT_KEYS"] = False
    app.json.sort_keys = False
    data = ShopData(config.seed, config.shops, config.orders, as_of)
    box = Sandbox(config=config, state=SandboxState(config), data=data)
    app.extensions["tiktok_sandbox"] = box

    from .webhooks import WebhookDispatcher

    box.webhooks = WebhookDispatcher(box)

    @app.before_request
    def _checks():
        if _is_api_path(request.path):
            _check_request()

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        if getattr(g, "plain_503", False):
            return "Service Unavailable", 503, {"Content-Type": "text/plain"}
        return exc.response()

    @app.errorhandler(404)
    @app.errorhandler(405)
    def _routing(exc):
        return ApiError(E.INVALID_PATH if exc.code == 404 else E.INVALID_METHOD).response()

    @app.errorhandler(Exception)
    def _crash(exc):
        app.logger.exception("sandbox error")
        return ApiError(E.INTERNAL_ERROR).response()

    @app.after_request
    def _truncate(response):
        if getattr(g, "truncate", False):
            body = response.get_data()
            response.set_data(body[: len(body) // 2])
        return response

    from . import authorization, control, endpoints_catalog, endpoints_finance, endpoints_orders, endpoints_other, logistics, promotion_writes, promotions

    authorization.register(app)
    control.register(app)
    for module in (endpoints_catalog, endpoints_orders, endpoints_finance, endpoints_other, logistics, promotions, promotion_writes):
        module.register(app)
    return app


# The TikTok sandbox on a real socket: ``server.sandbox`` is its state.
SandboxServer = sandbox_server("tiktok-sandbox", create_sandbox_app, "tiktok_sandbox", "webhooks")


__all__ = ["Endpoint", "Sandbox", "SandboxConfig", "SandboxServer", "USER_CREATOR", "USER_SELLER", "api_route", "create_sandbox_app", "sandbox"]
