"""The TikTok Shop connector class: its declaration and the operations the host calls."""

from __future__ import annotations

from erp_integrations.connectors import ConnectionResult, Connector

from . import __version__
from .config import DEFAULT_AUTH_BASE_URL, FEATURES, OWN_HOSTS, REGIONS, TikTokShopConfigSchema
from .labels import LABELS
from .streams import STREAMS

# TikTok allows 50 requests per second per API path, app and shop; 45 leaves a margin for the
# clocks of several machines sharing the window.
MAX_QPS = 45
CREATOR_STREAMS = ("affiliate_orders",)
# The API packages behind the income streams: orders search, return search, payments, and the
# creator's affiliate orders (their "Scopes (API packages)" in the reference).
INCOME_SCOPES_SELLER = ("Order Information", "Return & Refund Basic", "Finance Information")
INCOME_SCOPES_CREATOR = ("Read Creator Affiliate Collaborations",)


class TikTokShopConnector(Connector):
    name = "tiktok_shop"
    display_name = "TikTok Shop"
    version = __version__
    regions = REGIONS
    features = FEATURES
    declared_streams = STREAMS
    config_schema = TikTokShopConfigSchema
    own_hosts = OWN_HOSTS
    shop_setting = "shop_cipher"
    labels = LABELS
    # API.md: order statuses (202309) and package search's package_status. The sandbox keeps its
    # own copy on purpose: an emulator that imported the client's constants could not catch them.
    listing_values = {
        "orders": {
            "status": (
                "UNPAID",
                "ON_HOLD",
                "AWAITING_SHIPMENT",
                "PARTIALLY_SHIPPING",
                "AWAITING_COLLECTION",
                "IN_TRANSIT",
                "DELIVERED",
                "COMPLETED",
                "CANCELLED",
            )
        },
        "shipments": {"status": ("PROCESSING", "FULFILLING", "COMPLETED", "CANCELLED")},
    }
    capabilities = frozenset({"authorize", "sync", "push", "webhooks", "webhook_subscriptions"})
    push_kinds = (
        "stock",
        "price",
        "shipment",
        "return_decision",
        "cancellation_decision",
        "order_cancel",
        "promotion_create",
        "promotion_update",
        "promotion_product",
        "promotion_product_removal",
        "promotion_deactivate",
    )
    # Shipping moves the order to AWAITING_COLLECTION and gives the package its tracking.
    push_refresh_streams = {
        "shipment": ("orders", "packages"),
        "return_decision": ("returns", "orders"),
        "cancellation_decision": ("cancellations", "orders"),
        "order_cancel": ("orders", "cancellations"),
        **dict.fromkeys(("promotion_create", "promotion_update", "promotion_product", "promotion_product_removal", "promotion_deactivate"), ("promotions",)),
    }
    refunded_return_statuses = frozenset({"RETURN_OR_REFUND_REQUEST_COMPLETE"})
    # Deactivate Activity refuses these (17029012 expired, 17029010 deactivated already).
    promotion_final_statuses = frozenset({"EXPIRED", "DEACTIVATED"})
    # Create Activity makes product discounts and flash deals (its reference entry); the
    # shop-wide kinds need discount tiers the ERP does not edit yet.
    promotion_types = {"DIRECT_DISCOUNT": "percent", "FIXED_PRICE": "price", "FLASHSALE": "price"}
    promotion_levels = ("PRODUCT", "VARIATION")
    promotion_title_max = 50
    after_sale_open_statuses = {"return": frozenset({"RETURN_OR_REFUND_REQUEST_PENDING"}), "cancellation": frozenset({"CANCELLATION_REQUEST_PENDING"})}

    # -- clients ----------------------------------------------------------------------------

    max_qps = MAX_QPS

    def build_client(self, account, secrets, **transport):
        """The access token comes from the host's token keeper, never from the stored copy."""
        from .client import TikTokShopClient

        config = account.config or {}
        return TikTokShopClient(
            config["app_key"],
            secrets["app_secret"],
            shop_cipher=config.get("shop_cipher"),
            auth_base_url=config.get("auth_base_url") or DEFAULT_AUTH_BASE_URL,
            **transport,
        )

    def refresh_grant(self, client, refresh_token):
        from .tokens import grant_from

        return grant_from(client.refresh_access_token(refresh_token))

    def test_connection(self, account, secrets):
        if not secrets.get("access_token"):
            return ConnectionResult(False, "not_authorized", "Not authorized yet: use Connect & Authorize to link a shop.")
        from erp_integrations.toolkit import MarketplaceError

        client = self.client(account)
        try:
            shops = client.get_authorized_shops()
        except MarketplaceError as exc:
            return ConnectionResult(False, "rejected", exc.public_message(), {"code": exc.code, "request_id": exc.request_id})
        return ConnectionResult(True, "ok", f"Connected: {len(shops)} authorized shop(s).", {"shops": [s.get("name") for s in shops]})

    # -- sync -------------------------------------------------------------------------------

    # Orders (GMV, units, cancellations), returns (refunds), payments (payouts) and the
    # creator's affiliate orders (commissions).
    income_streams = ("orders", "returns", "payments", "affiliate_orders")

    def missing_income_scopes(self, account) -> list[str]:
        """API packages (API.md, "Scopes (API packages)" of each endpoint) an income report
        needs, against the grant's ``granted_scopes`` from the token exchange."""
        info = account.auth_info or {}
        granted = info.get("granted_scopes")
        if granted is None:
            return []  # an older grant that did not say: the sync's 105005 errors will
        creator = int(info.get("user_type") or 0) == 1
        needed = INCOME_SCOPES_CREATOR if creator else INCOME_SCOPES_SELLER
        return [scope for scope in needed if scope not in granted]

    def stream_enabled(self, account, stream: str) -> bool:
        if int((account.auth_info or {}).get("user_type") or 0) == 1 and stream not in CREATOR_STREAMS:
            return False  # a creator account has affiliate orders and nothing shop-side
        return super().stream_enabled(account, stream)

    # -- push -------------------------------------------------------------------------------

    def push(self, account, kind, items):
        from .push import push

        return push(self.client(account), kind, items)

    logistics_feature = "logistics"

    def handover_options(self, account, package_external_id):
        """Get Package Handover Time Slots (``GET /fulfillment/202309/packages/{package_id}/
        handover_time_slots``). TikTok spells the slot's flag ``avaliable``."""
        from datetime import UTC, datetime

        from erp_integrations.toolkit import HandoverOptions, HandoverSlot

        data = self.client(account).request("GET", f"/fulfillment/202309/packages/{package_external_id}/handover_time_slots")
        when = lambda t: datetime.fromtimestamp(int(t), UTC)  # noqa: E731
        slots = [
            HandoverSlot(when(s["start_time"]), when(s["end_time"]), bool(s.get("avaliable", s.get("available"))))
            for s in data.get("pickup_slots") or []
            if s.get("start_time") and s.get("end_time")
        ]
        return HandoverOptions(
            bool(data.get("can_pickup")), bool(data.get("can_drop_off")), bool(data.get("can_van_collection")), data.get("drop_off_point_url") or None, slots
        )

    def order_tracking(self, account, order_external_id):
        """Get Tracking (``GET /fulfillment/202309/orders/{order_id}/tracking``): the carrier's
        events, newest first in TikTok's answer, returned oldest first."""
        from datetime import UTC, datetime

        from erp_integrations.toolkit import TrackingEvent

        data = self.client(account).request("GET", f"/fulfillment/202309/orders/{order_external_id}/tracking")
        events = [
            TrackingEvent(datetime.fromtimestamp(int(e["update_time_millis"]) / 1000, UTC), str(e.get("description") or ""))
            for e in data.get("tracking") or []
            if e.get("update_time_millis") is not None
        ]
        return sorted(events, key=lambda e: e.at)

    # Get Package Shipping Document's types a merchant prints (HAZMAT_LABEL only exists for
    # packages with hazmat items).
    document_types = ("SHIPPING_LABEL", "PACKING_SLIP", "SHIPPING_LABEL_AND_PACKING_SLIP", "SHIPPING_LABEL_PICTURE")

    def shipping_document(self, account, package_external_id, document_type):
        from .shipping_documents import download_document

        client = self.client(account)
        data = client.request("GET", f"/fulfillment/202309/packages/{package_external_id}/shipping_documents", query={"document_type": document_type})
        return download_document(client.session, data.get("doc_url") or "", data.get("tracking_number"))

    def cancel_reasons(self, account, order_status):
        from .cancel_reasons import seller_cancel_reasons

        region = account.region or (account.config or {}).get("region") or ""
        return [{"name": name, "text": text} for name, text in seller_cancel_reasons(region, order_status)]

    def reject_reasons(self, account, kind, external_id):
        from .push import reject_reasons

        return reject_reasons(self.client(account), external_id)

    # -- webhooks ---------------------------------------------------------------------------

    def webhook_verifier(self, account, secrets):
        return (account.config["app_key"], secrets["app_secret"])

    def read_webhook(self, verifier, headers, body):
        from .webhooks import read_webhook

        return read_webhook(verifier, headers, body)

    def handle_webhooks(self, account, events):
        from .webhooks import handle_webhooks

        return handle_webhooks(self, account, events)

    def webhook_subscriptions(self, account):
        from .webhooks import webhook_subscriptions

        return webhook_subscriptions(self.client(account))

    def subscribe_webhooks(self, account):
        from .webhooks import subscribe_webhooks

        return subscribe_webhooks(self, account, self.client(account))

    # -- authorization ------------------------------------------------------------------------

    def authorization_url(self, account, state: str) -> str:
        from .oauth import authorization_url

        return authorization_url(account, state)

    def exchange_code(self, client, code, callback):
        from .tokens import grant_from

        return grant_from(client.get_token(code))

    def authorized_shops(self, client, grant, callback):
        from .oauth import authorized_shops

        return authorized_shops(client)

    def is_creator_grant(self, grant) -> bool:
        return int(grant.info.get("user_type") or 0) == 1

    # -- demo -----------------------------------------------------------------------------------

    def demo_shop(self, orders: int, port: int, erp_url: str):
        """The TikTok sandbox for ``erp-integrations demo``; the seller ticks the US shop (the
        sandbox's other shops are in other regions, which a US account refuses)."""
        from erp_integrations.toolkit import DemoShop

        from .sandbox import SandboxConfig, SandboxServer

        server = SandboxServer(SandboxConfig(orders=orders, redirect_url=f"{erp_url}/oauth/tiktok_shop/callback"), port=port).start()
        config = server.sandbox.config
        return DemoShop(
            server,
            {
                "region": "US",
                "app_key": config.app_key,
                "app_secret": config.app_secret,
                "service_id": config.service_id,
                **dict.fromkeys(("api_base_url", "auth_base_url", "authorize_base_url"), server.url),
            },
        )
