"""The Shopee connector class. It proves the host is generic: nothing in the host knows it."""

from __future__ import annotations

import time

import requests

from erp_integrations.toolkit import ConnectionResult, Connector

from . import __version__
from .config import FEATURES, OWN_HOSTS, REGIONS, ShopeeConfigSchema
from .signing import sign_api

SHOP_INFO_PATH = "/api/v2/shop/get_shop_info"


class ShopeeConnector(Connector):
    name = "shopee"
    display_name = "Shopee"
    version = __version__
    regions = REGIONS
    features = FEATURES
    streams = ("products", "inventory", "orders", "returns")
    config_schema = ShopeeConfigSchema
    own_hosts = OWN_HOSTS
    # Configuration and the connection test only, for now: the host hides the rest and answers
    # 501 ("does not offer ... yet") if asked.
    capabilities = frozenset()

    def test_connection(self, account, secrets):
        config = account.config or {}
        if not secrets.get("access_token") or not config.get("shop_id"):
            return ConnectionResult(False, "not_authorized", "Not authorized: this version of the Shopee connector cannot authorize a shop yet.")
        timestamp = int(time.time())
        params = {
            "partner_id": config["partner_id"],
            "timestamp": timestamp,
            "access_token": secrets["access_token"],
            "shop_id": config["shop_id"],
            "sign": sign_api(secrets["partner_key"], config["partner_id"], SHOP_INFO_PATH, timestamp, secrets["access_token"], config["shop_id"]),
        }
        base = config.get("api_base_url") or "https://partner.shopeemobile.com"
        try:
            # The token rides in the query on Shopee; never log this URL.
            payload = requests.get(base.rstrip("/") + SHOP_INFO_PATH, params=params, timeout=15).json()
        except (requests.RequestException, ValueError) as exc:
            return ConnectionResult(False, "unreachable", f"cannot reach {base}: {type(exc).__name__}")
        # Shopee reports errors with HTTP 200 too: the ``error`` field decides.
        if payload.get("error"):
            return ConnectionResult(False, "rejected", f"{payload.get('error')}: {payload.get('message', '')}", {"request_id": payload.get("request_id")})
        return ConnectionResult(True, "ok", f"Connected to {payload.get('shop_name', 'the shop')}.")
