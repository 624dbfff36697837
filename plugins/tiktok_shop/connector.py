"""The TikTok Shop connector class: its declaration and the operations the host calls."""

from __future__ import annotations

from erp_integrations.connectors import ConnectionResult, Connector

from . import __version__
from .config import FEATURES, REGIONS, TikTokShopConfigSchema


class TikTokShopConnector(Connector):
    name = "tiktok_shop"
    display_name = "TikTok Shop"
    version = __version__
    regions = REGIONS
    features = FEATURES
    streams = (
        "products",
        "inventory",
        "orders",
        "packages",
        "returns",
        "finance",
        "affiliate_orders",
        "live_sessions",
        "shop_performance",
        "warehouses",
    )
    config_schema = TikTokShopConfigSchema

    def test_connection(self, account, secrets):
        if not secrets.get("access_token"):
            return ConnectionResult(False, "not_authorized", "Not authorized yet: use Connect & Authorize to link a shop.")
        from .client import TikTokShopClient
        from .errors import TikTokShopError

        client = TikTokShopClient.for_account(account, secrets)
        try:
            shops = client.get_authorized_shops()
        except TikTokShopError as exc:
            return ConnectionResult(False, "rejected", exc.public_message(), {"code": exc.code, "request_id": exc.request_id})
        except OSError as exc:
            return ConnectionResult(False, "unreachable", f"cannot reach {client.api_base_url}: {type(exc).__name__}")
        return ConnectionResult(True, "ok", f"Connected: {len(shops)} authorized shop(s).", {"shops": [s.get("name") for s in shops]})
