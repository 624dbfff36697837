"""Helpers for talking to the TikTok Shop sandbox over real sockets in tests."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlencode, urlparse

import requests

from erp_integrations.toolkit.http import RetryPolicy
from erp_integrations_tiktok_shop.client import TikTokShopClient
from erp_integrations_tiktok_shop.sandbox import SandboxConfig, SandboxServer
from erp_integrations_tiktok_shop.signing import sign_request

APP_KEY, APP_SECRET, SERVICE_ID = "sandboxappkey", "sandbox-app-secret", "7000000000000000001"
CALLBACK = "http://127.0.0.1:9/callback"  # never contacted: the test reads the redirect itself


def start_sandbox(**overrides) -> SandboxServer:
    config = SandboxConfig(**{"shops": 2, "orders": 2_000, "seed": 42, "redirect_url": CALLBACK, **overrides})
    return SandboxServer(config).start()


def authorize(server: SandboxServer, user_type: str = "seller", shops: list[int] | None = None) -> dict:
    """Consent (auto-approved) then the code exchange; returns the token data."""
    params = {"service_id": SERVICE_ID, "state": "test-state", "auto_approve": "1"}
    if user_type == "creator":
        params["user_type"] = "creator"
    query = list(params.items()) + [("shop", str(s)) for s in shops or []]
    redirect = requests.get(f"{server.url}/open/authorize", params=query, allow_redirects=False, timeout=10)
    assert redirect.status_code == 302, redirect.text
    location = parse_qs(urlparse(redirect.headers["Location"]).query)
    assert location["state"] == ["test-state"]
    token = requests.get(
        f"{server.url}/api/v2/token/get",
        params={"app_key": APP_KEY, "app_secret": APP_SECRET, "auth_code": location["code"][0], "grant_type": "authorized_code"},
        timeout=10,
    ).json()
    assert token["code"] == 0, token
    return token["data"]


def shops_of(server: SandboxServer) -> list[dict]:
    return requests.get(f"{server.url}/sandbox/v1/shops", timeout=10).json()["shops"]


def client_for(server: SandboxServer, token: dict | None = None, shop: int = 0, **kwargs) -> TikTokShopClient:
    token = token or authorize(server)
    kwargs.setdefault("retry", RetryPolicy(attempts=1))
    return TikTokShopClient(
        APP_KEY,
        APP_SECRET,
        access_token=token["access_token"],
        shop_cipher=shops_of(server)[shop]["cipher"],
        api_base_url=server.url,
        auth_base_url=server.url,
        **kwargs,
    )


def raw_call(
    server: SandboxServer,
    method: str,
    path: str,
    *,
    query: dict | None = None,
    body: dict | bytes | None = None,
    token: str | None = None,
    cipher: str | None = None,
    app_key: str = APP_KEY,
    app_secret: str = APP_SECRET,
    timestamp: int | str | None = None,
    sign: str | None = None,
    content_type: str = "application/json",
) -> requests.Response:
    """One request built by hand, so each part of it can be made wrong on purpose."""
    params = {k: str(v) for k, v in (query or {}).items()}
    if app_key is not None:
        params["app_key"] = app_key
    params["timestamp"] = str(int(time.time()) if timestamp is None else timestamp)
    if cipher:
        params["shop_cipher"] = cipher
    raw = body if isinstance(body, bytes) else (json.dumps(body, separators=(",", ":")).encode() if body is not None else None)
    if sign != "":
        params["sign"] = sign or sign_request(app_secret, path, params, raw, content_type)
    headers = {"content-type": content_type}
    if token:
        headers["x-tts-access-token"] = token
    return requests.request(method, f"{server.url}{path}?{urlencode(params)}", data=raw, headers=headers, timeout=30)


def control(server: SandboxServer, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, f"{server.url}/sandbox/v1{path}", timeout=30, **kwargs)
