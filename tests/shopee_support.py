"""Helpers for talking to the Shopee sandbox over real sockets in tests."""

from __future__ import annotations

from urllib.parse import urlparse

import requests

from erp_integrations_shopee.sandbox import SandboxConfig, SandboxServer

PARTNER_ID, PARTNER_KEY = 1_000_001, "sandbox-shopee-partner-key"


def start_shopee(**overrides) -> SandboxServer:
    return SandboxServer(SandboxConfig(**{"shops": 2, "orders": 600, "items": 40, "seed": 7, **overrides})).start()


def shopee_config(server, **overrides) -> dict:
    return {
        "name": "Shopee SG",
        "region": "SG",
        "partner_id": PARTNER_ID,
        "partner_key": PARTNER_KEY,
        "api_base_url": server.url,
        "features": {"product_catalog": True, "orders": True, "inventory": True, "returns": True},
        **overrides,
    }


def control(server, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, f"{server.url}/sandbox/v1{path}", timeout=10, **kwargs)


def shops_of(server) -> list[dict]:
    return control(server, "GET", "/shops").json()["shops"]


def truth(server, shop: int = 0) -> dict:
    return control(server, "GET", "/stats", params={"shop_id": shops_of(server)[shop]["shop_id"]}).json()


def authorize(client, account_id: int, shop: int = 0):
    """Connect & Authorize through the API and the sandbox's consent page; the callback's answer."""
    start = client.post(f"/api/v1/accounts/{account_id}/authorize")
    assert start.status_code == 200, start.get_json()
    redirect = requests.get(start.get_json()["authorization_url"] + f"&auto_approve=1&shop={shop}", allow_redirects=False, timeout=10)
    assert redirect.status_code == 302, redirect.text
    return client.get(f"{start.get_json()['callback_path']}?{urlparse(redirect.headers['Location']).query}")


def connect_shopee(client, server, shop: int = 0, **overrides) -> int:
    created = client.post("/api/v1/accounts", json={"connector": "shopee", "config": shopee_config(server, **overrides)})
    assert created.status_code == 201, created.get_json()
    account_id = created.get_json()["id"]
    callback = authorize(client, account_id, shop)
    assert callback.status_code == 200, callback.get_json()
    assert callback.get_json()["binding"] == "connected", callback.get_json()
    return account_id
