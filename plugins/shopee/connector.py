"""The Shopee connector class: its declaration and the operations the host calls. Everything
generic (tokens, retries, the circuit breaker, rate limits, binding, the outbox) is the host's."""

from __future__ import annotations

import os

from flask import current_app

from erp_integrations.toolkit import ConnectionResult, Connector, MarketplaceError

from . import __version__
from .config import DEFAULT_API_BASE_URL, FEATURES, OWN_HOSTS, REGIONS, ShopeeConfigSchema

# Shopee does not publish a per-second limit for v2 (API.md 3.7): a conservative default,
# shared by all workers, per partner, shop and path.
MAX_QPS = 20


class ShopeeConnector(Connector):
    name = "shopee"
    display_name = "Shopee"
    version = __version__
    regions = REGIONS
    features = FEATURES
    streams = ("products", "orders", "settlements", "returns")
    # Stock comes with the items: the products stream runs for either toggle.
    stream_features = {"products": ("product_catalog", "inventory"), "orders": "orders", "settlements": "orders", "returns": "returns"}
    stream_groups = {"products": ("product",), "orders": ("order",), "settlements": ("payment",), "returns": ("returns",)}
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

    def client(self, account, *, with_tokens: bool = True):
        """A client for this account: its partner credentials, the shared rate limiter, the
        circuit breaker and (unless asked not to) the token keeper."""
        from erp_integrations.accounts import account_secrets
        from erp_integrations.toolkit.breaker import circuit_breaker
        from erp_integrations.toolkit.ratelimit import RateLimiter
        from erp_integrations.toolkit.tokens import TokenKeeper

        from .authorization import grant_from
        from .client import ShopeeClient

        secrets, config = account_secrets(account), account.config or {}
        extensions = current_app.extensions
        if "shopee.rate_limiter" not in extensions:
            # SHOPEE_MAX_QPS: per partner, shop and path.
            extensions["shopee.rate_limiter"] = RateLimiter(
                int(os.environ.get("SHOPEE_MAX_QPS", MAX_QPS)), redis_url=current_app.config["ERP_SETTINGS"].redis_url
            )

        def new_client():
            return ShopeeClient(
                config["partner_id"],
                secrets["partner_key"],
                shop_id=config.get("shop_id"),
                access_token=secrets.get("access_token"),
                api_base_url=config.get("api_base_url") or DEFAULT_API_BASE_URL,
                timeout=float(os.environ.get("SHOPEE_TIMEOUT", 30)),
                rate_limiter=extensions["shopee.rate_limiter"],
                breaker=circuit_breaker(),
                breaker_scope=str(account.id),
            )

        client = new_client()
        if with_tokens:
            client.token_source = TokenKeeper(account, lambda refresh_token: grant_from(new_client().refresh_access_token(refresh_token)))
        return client

    def test_connection(self, account, secrets):
        if not secrets.get("access_token") or not (account.config or {}).get("shop_id"):
            return ConnectionResult(False, "not_authorized", "Not authorized yet: use Connect & Authorize to link a shop.")
        try:
            info = self.client(account).shop_info()
        except MarketplaceError as exc:
            return ConnectionResult(False, "rejected", exc.public_message(), {"code": exc.code, "request_id": exc.request_id})
        return ConnectionResult(True, "ok", f"Connected to {info.get('shop_name') or 'the shop'} ({info.get('region')}, {info.get('status')}).")

    def sync_stream(self, context) -> None:
        from .streams import STREAMS

        STREAMS[context.stream](context, self.client(context.account))

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

    def complete_authorization(self, account, code: str, callback: dict | None = None) -> dict:
        from .authorization import complete_authorization

        return complete_authorization(self, account, code, callback or {})

    def demo_shop(self, orders: int, port: int, erp_url: str):
        """The Shopee sandbox for ``erp-integrations demo``: its first shop (Singapore)."""
        from erp_integrations.toolkit import DemoShop

        from .sandbox import SandboxConfig, SandboxServer

        server = SandboxServer(SandboxConfig(orders=orders), port=port).start()
        config = server.sandbox.config
        return DemoShop(
            server=server,
            config={
                "region": "SG",
                "partner_id": config.partner_id,
                "partner_key": config.partner_key,
                "api_base_url": server.url,
                "features": {f.key: f.available for f in self.features},
            },
            approve="&auto_approve=1&shop=0",
            credentials=f"sandbox partner (to add another shop by hand; a sandbox's, not a real key): partner id {config.partner_id}, partner key {config.partner_key}, base URL {server.url}",
        )
