"""The Shopee connector class: its declaration and the operations the host calls. Everything
generic (tokens, retries, the circuit breaker, rate limits, binding, the outbox) is the host's."""

from __future__ import annotations

from erp_integrations.toolkit import ConnectionResult, Connector, MarketplaceError

from . import __version__
from .config import FEATURES, OWN_HOSTS, REGIONS, ShopeeConfigSchema
from .streams import STREAMS

# Shopee does not publish a per-second limit for v2 (API.md 3.7): a conservative default,
# shared by all workers, per partner, shop and path.
MAX_QPS = 20


class ShopeeConnector(Connector):
    name = "shopee"
    display_name = "Shopee"
    version = __version__
    regions = REGIONS
    features = FEATURES
    declared_streams = STREAMS
    config_schema = ShopeeConfigSchema
    own_hosts = OWN_HOSTS
    shop_setting = "shop_id"
    # Order statuses (API.md 4.3, "OrderStatus").
    listing_values = {
        "orders": {
            "status": (
                "UNPAID",
                "READY_TO_SHIP",
                "PROCESSED",
                "RETRY_SHIP",
                "SHIPPED",
                "TO_CONFIRM_RECEIVE",
                "IN_CANCEL",
                "CANCELLED",
                "TO_RETURN",
                "COMPLETED",
            )
        }
    }
    labels = {
        "READY_TO_SHIP": "Ready to ship",
        "PROCESSED": "Processed",
        "RETRY_SHIP": "Retry shipping",
        "TO_CONFIRM_RECEIVE": "Delivered, awaiting buyer",
        "IN_CANCEL": "Cancelling",
        "TO_RETURN": "Being returned",
    }
    capabilities = frozenset({"authorize", "sync", "push", "webhooks"})
    # The statuses of a return whose refund the seller has given: accepted, or paid out
    # (API.md 4.5). The reports count these as refunds.
    refunded_return_statuses = frozenset({"ACCEPTED", "REFUND_PAID"})
    push_kinds = ("stock", "price", "shipment")
    # Shipping moves the order to PROCESSED.
    push_refresh_streams = {"shipment": ("orders",)}
    logistics_feature = "orders"  # an order's tracking shows with the orders

    max_qps = MAX_QPS

    def build_client(self, account, secrets, **transport):
        from .client import ShopeeClient

        config = account.config or {}
        return ShopeeClient(
            config["partner_id"],
            secrets["partner_key"],
            shop_id=config.get("shop_id"),
            access_token=secrets.get("access_token"),
            **transport,
        )

    def refresh_grant(self, client, refresh_token):
        from .authorization import grant_from

        return grant_from(client.refresh_access_token(refresh_token))

    def test_connection(self, account, secrets):
        if not secrets.get("access_token") or not (account.config or {}).get("shop_id"):
            return ConnectionResult(False, "not_authorized", "Not authorized yet: use Connect & Authorize to link a shop.")
        try:
            info = self.client(account).shop_info()
        except MarketplaceError as exc:
            return ConnectionResult(False, "rejected", exc.public_message(), {"code": exc.code, "request_id": exc.request_id})
        return ConnectionResult(True, "ok", f"Connected to {info.get('shop_name') or 'the shop'} ({info.get('region')}, {info.get('status')}).")

    def push(self, account, kind, items):
        from .push import push_price, push_shipments, push_stock

        pushers = {"stock": push_stock, "price": push_price, "shipment": push_shipments}
        return pushers[kind](self.client(account), items)

    def order_tracking(self, account, order_external_id):
        """get_tracking_info: the carrier's events, newest first in Shopee's answer, returned
        oldest first."""
        from datetime import UTC, datetime

        from erp_integrations.toolkit import TrackingEvent

        data = self.client(account).call("GET", "/api/v2/logistics/get_tracking_info", query={"order_sn": order_external_id})
        events = [
            TrackingEvent(datetime.fromtimestamp(int(e["update_time"]), UTC), str(e.get("description") or ""))
            for e in data.get("tracking_info") or []
            if e.get("update_time")
        ]
        return sorted(events, key=lambda e: e.at)

    def webhook_verifier(self, account, secrets):
        from .webhooks import webhook_verifier

        return webhook_verifier(account, secrets)

    def read_webhook(self, verifier, headers, body):
        from .webhooks import read_webhook

        return read_webhook(verifier, headers, body)

    def handle_webhooks(self, account, events):
        from .webhooks import handle_webhooks

        return handle_webhooks(self, account, events)

    def authorization_url(self, account, state: str) -> str:
        from .authorization import authorization_url

        return authorization_url(self.client(account, with_tokens=False), state)

    def exchange_code(self, client, code, callback):
        from .authorization import exchange_code

        return exchange_code(client, code, callback)

    def authorized_shops(self, client, grant, callback):
        from .authorization import authorized_shops

        return authorized_shops(client, callback)

    def demo_shop(self, orders: int, port: int, erp_url: str):
        """The Shopee sandbox for ``erp-integrations demo``: its first shop (Singapore)."""
        from erp_integrations.toolkit import DemoShop

        from .sandbox import SandboxConfig, SandboxServer

        server = SandboxServer(SandboxConfig(orders=orders), port=port).start()
        config = server.sandbox.config
        return DemoShop(server, {"region": "SG", "partner_id": config.partner_id, "partner_key": config.partner_key, "api_base_url": server.url})
