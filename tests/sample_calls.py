"""For each official response sample: the sandbox call that answers the same operation."""

from __future__ import annotations

import time
from dataclasses import dataclass

import requests

from erp_integrations_tiktok_shop.cancel_reasons import seller_cancel_reasons

from sandbox_support import APP_KEY, APP_SECRET, SandboxServer, control, raw_call


@dataclass
class Context:
    server: SandboxServer
    token: dict
    creator: dict
    cipher: str
    order_id: str
    settled_order_id: str
    awaiting_order_id: str
    product_id: str
    sku_id: str
    package_id: str
    ship_package_id: str
    return_id: str
    cancel_id: str
    cancel_order_id: str  # an order awaiting shipment for the seller to cancel
    region: str
    statement_id: str
    warehouse_id: str

    def call(self, method: str, path: str, query: dict | None = None, body: dict | None = None, shop: bool = True, creator: bool = False):
        token = (self.creator if creator else self.token)["access_token"]
        return raw_call(self.server, method, path, query=query, body=body, token=token, cipher=self.cipher if shop else None)


def _data(response) -> dict:
    body = response.json()
    assert body["code"] == 0, body
    return body["data"]


def make_context(server: SandboxServer, token: dict, creator: dict, cipher: str) -> Context:
    def call(method, path, query=None, body=None):
        return _data(raw_call(server, method, path, query=query, body=body, token=token["access_token"], cipher=cipher))

    completed = call("POST", "/order/202309/orders/search", {"page_size": 1, "sort_field": "create_time", "sort_order": "ASC"}, {"order_status": "COMPLETED"})[
        "orders"
    ][0]
    awaiting = call("POST", "/order/202309/orders/search", {"page_size": 3}, {"order_status": "AWAITING_SHIPMENT"})["orders"]
    products = call("POST", "/product/202502/products/search", {"page_size": 1}, {"status": "ACTIVATE"})["products"]
    returns = call("POST", "/return_refund/202309/returns/search", {"page_size": 10}, {"return_status": ["RETURN_OR_REFUND_REQUEST_COMPLETE"]})["return_orders"]
    statements = call("GET", "/finance/202309/statements", {"sort_field": "statement_time", "page_size": 1})["statements"]
    warehouses = call("GET", "/logistics/202309/warehouses")["warehouses"]
    # A pending return and a pending cancellation for approve/reject, made through the control API.
    delivered = call("POST", "/order/202309/orders/search", {"page_size": 5}, {"order_status": "DELIVERED"})["orders"]
    control(server, "POST", f"/shops/{cipher}/orders/{delivered[0]['id']}/return", json={"type": "REFUND"})
    control(server, "POST", f"/shops/{cipher}/orders/{delivered[1]['id']}/return", json={"type": "REFUND"})
    control(server, "POST", f"/shops/{cipher}/orders/{awaiting[1]['id']}/cancel", json={"request": True})
    pending_returns = call(
        "POST",
        "/return_refund/202309/returns/search",
        {"page_size": 10},
        {"return_status": ["RETURN_OR_REFUND_REQUEST_PENDING"], "order_ids": [delivered[0]["id"], delivered[1]["id"]]},
    )["return_orders"]
    pending_cancel = call("POST", "/return_refund/202309/cancellations/search", {"page_size": 10}, {"order_ids": [awaiting[1]["id"]]})["cancellations"][0]
    return (
        Context(
            server=server,
            token=token,
            creator=creator,
            cipher=cipher,
            order_id=completed["id"],
            settled_order_id=completed["id"],
            awaiting_order_id=awaiting[0]["id"],
            product_id=products[0]["id"],
            sku_id=products[0]["skus"][0]["id"],
            package_id=completed["packages"][0]["id"],
            ship_package_id=awaiting[0]["packages"][0]["id"],
            return_id=returns[0]["return_id"] if returns else pending_returns[0]["return_id"],
            cancel_id=pending_cancel["cancel_id"],
            cancel_order_id=awaiting[2]["id"],
            region=next(s["region"] for s in control(server, "GET", "/shops").json()["shops"] if s["cipher"] == cipher),
            statement_id=statements[0]["id"],
            warehouse_id=warehouses[0]["id"],
        )
        if len(pending_returns) == 2
        else _fail("the control API did not open two returns")
    )


def _fail(message: str):
    raise AssertionError(message)


def pending_return_ids(ctx: Context) -> list[str]:
    data = _data(ctx.call("POST", "/return_refund/202309/returns/search", {"page_size": 10}, {"return_status": ["RETURN_OR_REFUND_REQUEST_PENDING"]}))
    return [r["return_id"] for r in data["return_orders"]]


def activity_with_skus(ctx: Context) -> str:
    """An ongoing activity priced SKU by SKU: its detail carries every key of the sample."""
    activities = _data(ctx.call("POST", "/promotion/202309/activities/search", body={"status": "ONGOING", "page_size": 100}))["activities"]
    return next(a["id"] for a in activities if a["product_level"] == "VARIATION")


def live_coupon(ctx: Context) -> str:
    coupons = _data(ctx.call("POST", "/promotion/202406/coupons/search", {"page_size": 100}, {"display_type": ["LIVE"]}))["coupons"]
    return coupons[0]["id"]


def create_body() -> dict:
    now = int(time.time())
    return {"title": "Sample created", "activity_type": "FLASHSALE", "product_level": "PRODUCT", "begin_time": now + 3_600, "end_time": now + 86_400}


def _activity(ctx: Context, title: str, kind: str = "DIRECT_DISCOUNT") -> str:
    """A new product-level activity starting tomorrow, for the write samples."""
    now = int(time.time())
    body = {"title": title, "activity_type": kind, "product_level": "PRODUCT", "begin_time": now + 86_400, "end_time": now + 8 * 86_400}
    return _data(ctx.call("POST", "/promotion/202309/activities", body=body))["activity_id"]


def _free_product(ctx: Context) -> str:
    """A product in no running or upcoming activity (a product may be in only one)."""
    taken = set()
    for status in ("ONGOING", "NOT_START"):
        for activity in _data(ctx.call("POST", "/promotion/202309/activities/search", body={"status": status, "page_size": 100}))["activities"]:
            detail = _data(ctx.call("GET", f"/promotion/202309/activities/{activity['id']}"))
            taken |= {p["id"] for p in detail["products"]}
    products = _data(ctx.call("POST", "/product/202502/products/search", {"page_size": 100}, {"status": "ACTIVATE"}))["products"]
    return next(p["id"] for p in products if p["id"] not in taken)


def _with_product(ctx: Context, title: str) -> tuple[str, dict]:
    activity, product = _activity(ctx, title), _free_product(ctx)
    entry = {"id": product, "discount": "10", "quantity_limit": -1, "quantity_per_user": 2, "skus": []}
    return activity, {"activity_id": activity, "products": [entry]}


def added_products(ctx: Context):
    activity, body = _with_product(ctx, "Sample products added")
    return ctx.call("PUT", f"/promotion/202309/activities/{activity}/products", body=body)


def removed_products(ctx: Context):
    activity, body = _with_product(ctx, "Sample products removed")
    _data(ctx.call("PUT", f"/promotion/202309/activities/{activity}/products", body=body))
    return ctx.call("DELETE", f"/promotion/202309/activities/{activity}/products", body={"product_ids": [body["products"][0]["id"]]})


def standard_option(ctx: Context) -> str:
    options = _data(ctx.call("GET", f"/logistics/202309/warehouses/{ctx.warehouse_id}/delivery_options"))["delivery_options"]
    return next(o["id"] for o in options if o["type"] == "STANDARD")


def token_call(ctx: Context, endpoint: str):
    params = {"app_key": APP_KEY, "app_secret": APP_SECRET}
    if endpoint == "refresh":
        params.update(refresh_token=ctx.token["refresh_token"], grant_type="refresh_token")
    else:
        from sandbox_support import SERVICE_ID

        location = requests.get(
            f"{ctx.server.url}/open/authorize", params={"service_id": SERVICE_ID, "state": "s", "auto_approve": "1"}, allow_redirects=False, timeout=10
        ).headers["Location"]
        params.update(auth_code=location.split("code=")[1].split("&")[0], grant_type="authorized_code")
    return requests.get(f"{ctx.server.url}/api/v2/token/{endpoint}", params=params, timeout=10)


DATES = {"start_date_ge": "2025-01-01", "end_date_lt": "2027-01-01"}
DOCS = "official_docs/"
F = "fudiwei_sdk_tests/"

# (name, sample file under samples/, call). Calls that change data come last.
CALLS = [
    ("token get", F + "auth_api_v2_token_get.response.json", lambda c: token_call(c, "get")),
    ("authorized shops", DOCS + "authorization_202309_shops.response.json", lambda c: c.call("GET", "/authorization/202309/shops", shop=False)),
    ("active shops", DOCS + "seller_202309_shops.response.json", lambda c: c.call("GET", "/seller/202309/shops", shop=False)),
    ("orders search", DOCS + "order_202309_orders_search.response.json", lambda c: c.call("POST", "/order/202309/orders/search", {"page_size": 20}, {})),
    ("order detail 202309", F + "order_202309_orders.response.json", lambda c: c.call("GET", "/order/202309/orders", {"ids": c.order_id})),
    ("order detail 202507", DOCS + "order_202507_orders.response.json", lambda c: c.call("GET", "/order/202507/orders", {"ids": c.order_id})),
    (
        "order price detail",
        DOCS + "order_202407_orders_order_id_price_detail.response.json",
        lambda c: c.call("GET", f"/order/202407/orders/{c.order_id}/price_detail"),
    ),
    (
        "products search",
        DOCS + "product_202502_products_search.response.json",
        lambda c: c.call("POST", "/product/202502/products/search", {"page_size": 5}, {}),
    ),
    ("product detail", DOCS + "product_202309_products_product_id.response.json", lambda c: c.call("GET", f"/product/202309/products/{c.product_id}")),
    (
        "inventory search",
        DOCS + "product_202309_inventory_search.response.json",
        lambda c: c.call("POST", "/product/202309/inventory/search", body={"product_ids": [c.product_id]}),
    ),
    (
        "packages search",
        DOCS + "fulfillment_202309_packages_search.response.json",
        lambda c: c.call("POST", "/fulfillment/202309/packages/search", {"page_size": 5}, {}),
    ),
    ("package detail", DOCS + "fulfillment_202309_packages_package_id.response.json", lambda c: c.call("GET", f"/fulfillment/202309/packages/{c.package_id}")),
    (
        "order tracking",
        DOCS + "fulfillment_202309_orders_order_id_tracking.response.json",
        lambda c: c.call("GET", f"/fulfillment/202309/orders/{c.order_id}/tracking"),
    ),
    (
        "returns search",
        DOCS + "return_refund_202309_returns_search.response.json",
        lambda c: c.call("POST", "/return_refund/202309/returns/search", {"page_size": 10}, {}),
    ),
    (
        "cancellations search",
        DOCS + "return_refund_202309_cancellations_search.response.json",
        lambda c: c.call("POST", "/return_refund/202309/cancellations/search", {"page_size": 10}, {}),
    ),
    ("statements", DOCS + "finance_202309_statements.response.json", lambda c: c.call("GET", "/finance/202309/statements", {"sort_field": "statement_time"})),
    ("payments", DOCS + "finance_202309_payments.response.json", lambda c: c.call("GET", "/finance/202309/payments", {"sort_field": "create_time"})),
    ("withdrawals", DOCS + "finance_202309_withdrawals.response.json", lambda c: c.call("GET", "/finance/202309/withdrawals", {"types": "WITHDRAW,SETTLE"})),
    (
        "statement transactions",
        DOCS + "finance_202501_statements_statement_id_statement_transactions.response.json",
        lambda c: c.call("GET", f"/finance/202501/statements/{c.statement_id}/statement_transactions", {"sort_field": "order_create_time"}),
    ),
    (
        "order statement transactions",
        DOCS + "finance_202501_orders_order_id_statement_transactions.response.json",
        lambda c: c.call("GET", f"/finance/202501/orders/{c.settled_order_id}/statement_transactions"),
    ),
    (
        "unsettled",
        DOCS + "finance_202507_orders_unsettled.response.json",
        lambda c: c.call("GET", "/finance/202507/orders/unsettled", {"sort_field": "order_create_time"}),
    ),
    (
        "affiliate seller orders",
        DOCS + "affiliate_seller_202410_orders_search.response.json",
        lambda c: c.call("POST", "/affiliate_seller/202410/orders/search", {"page_size": 20}, {}),
    ),
    (
        "affiliate creator orders",
        DOCS + "affiliate_creator_202410_orders_search.response.json",
        lambda c: c.call("POST", "/affiliate_creator/202410/orders/search", {"page_size": 20}, {}, shop=False, creator=True),
    ),
    (
        "LIVE sessions",
        DOCS + "analytics_202508_shop_lives_performance.response.json",
        lambda c: c.call("GET", "/analytics/202508/shop_lives/performance", DATES),
    ),
    (
        "LIVE overview",
        DOCS + "analytics_202508_shop_lives_overview_performance.response.json",
        lambda c: c.call("GET", "/analytics/202508/shop_lives/overview_performance", DATES),
    ),
    ("shop performance", DOCS + "analytics_202405_shop_performance.response.json", lambda c: c.call("GET", "/analytics/202405/shop/performance", DATES)),
    (
        "customer service performance",
        DOCS + "customer_service_202407_performance.response.json",
        lambda c: c.call("GET", "/customer_service/202407/performance", {"support_date_ge": DATES["start_date_ge"], "support_date_lt": DATES["end_date_lt"]}),
    ),
    (
        "activities search",
        DOCS + "promotion_202309_activities_search.response.json",
        lambda c: c.call("POST", "/promotion/202309/activities/search", body={"page_size": 100}),
    ),
    (
        "activity detail",
        DOCS + "get_promotion_202309_activities_activity_id.response.json",
        lambda c: c.call("GET", f"/promotion/202309/activities/{activity_with_skus(c)}"),
    ),
    (
        "coupons search",
        DOCS + "promotion_202406_coupons_search.response.json",
        lambda c: c.call("POST", "/promotion/202406/coupons/search", {"page_size": 20}, {}),
    ),
    ("coupon detail", DOCS + "promotion_202406_coupons_coupon_id.response.json", lambda c: c.call("GET", f"/promotion/202406/coupons/{live_coupon(c)}")),
    ("warehouses", DOCS + "logistics_202309_warehouses.response.json", lambda c: c.call("GET", "/logistics/202309/warehouses")),
    (
        "delivery options",
        DOCS + "logistics_202309_warehouses_warehouse_id_delivery_options.response.json",
        lambda c: c.call("GET", f"/logistics/202309/warehouses/{c.warehouse_id}/delivery_options"),
    ),
    (
        "shipping providers",
        DOCS + "logistics_202309_delivery_options_delivery_option_id_shipping_providers.response.json",
        lambda c: c.call("GET", f"/logistics/202309/delivery_options/{standard_option(c)}/shipping_providers"),
    ),
    (
        "handover time slots",
        DOCS + "fulfillment_202309_packages_package_id_handover_time_slots.response.json",
        lambda c: c.call("GET", f"/fulfillment/202309/packages/{c.ship_package_id}/handover_time_slots"),
    ),
    (
        "webhook update",
        DOCS + "put_event_202309_webhooks.response.json",
        lambda c: c.call(
            "PUT", "/event/202309/webhooks", body={"address": "https://erp.example.com/webhooks/tiktok-shop/1", "event_type": "ORDER_STATUS_CHANGE"}
        ),
    ),
    ("webhooks get", DOCS + "get_event_202309_webhooks.response.json", lambda c: c.call("GET", "/event/202309/webhooks")),
    (
        "webhook delete",
        DOCS + "delete_event_202309_webhooks.response.json",
        lambda c: c.call("DELETE", "/event/202309/webhooks", body={"event_type": "ORDER_STATUS_CHANGE"}),
    ),
    (
        "inventory update",
        DOCS + "product_202309_products_product_id_inventory_update.response.json",
        lambda c: c.call(
            "POST",
            f"/product/202309/products/{c.product_id}/inventory/update",
            body={"skus": [{"id": c.sku_id, "inventory": [{"warehouse_id": c.warehouse_id, "quantity": 7}]}, {"id": "1", "inventory": []}]},
        ),
    ),
    (
        "price update",
        DOCS + "product_202309_products_product_id_prices_update.response.json",
        lambda c: c.call(
            "POST", f"/product/202309/products/{c.product_id}/prices/update", body={"skus": [{"id": c.sku_id, "price": {"amount": "19.99", "currency": "USD"}}]}
        ),
    ),
    (
        "deactivate",
        DOCS + "product_202309_products_deactivate.response.json",
        lambda c: c.call("POST", "/product/202309/products/deactivate", body={"product_ids": [c.product_id, "1"]}),
    ),
    (
        "activate",
        DOCS + "product_202309_products_activate.response.json",
        lambda c: c.call("POST", "/product/202309/products/activate", body={"product_ids": [c.product_id, "1"]}),
    ),
    (
        "create product",
        DOCS + "post_product_202309_products.response.json",
        lambda c: c.call(
            "POST",
            "/product/202309/products",
            body={
                "title": "Sandbox mug",
                "skus": [
                    {"seller_sku": "MUG-1", "price": {"amount": "9.90", "currency": "USD"}, "inventory": [{"warehouse_id": c.warehouse_id, "quantity": 3}]}
                ],
            },
        ),
    ),
    (
        "partial edit",
        DOCS + "product_202509_products_product_id_partial_edit.response.json",
        lambda c: c.call("POST", f"/product/202309/products/{c.product_id}/partial_edit", body={"title": "Renamed in the sandbox"}),
    ),
    (
        "delete products",
        DOCS + "delete_product_202309_products.response.json",
        lambda c: c.call("DELETE", "/product/202309/products", body={"product_ids": [c.product_id, "1"]}),
    ),
    (
        "ship package",
        DOCS + "fulfillment_202309_packages_package_id_ship.response.json",
        lambda c: c.call(
            "POST",
            f"/fulfillment/202309/packages/{c.ship_package_id}/ship",
            body={"handover_method": "DROP_OFF", "self_shipment": {"tracking_number": "1Z999", "shipping_provider_id": "6617675021119438849"}},
        ),
    ),
    (
        "approve return",
        DOCS + "return_refund_202309_returns_return_id_approve.response.json",
        lambda c: c.call("POST", f"/return_refund/202309/returns/{pending_return_ids(c)[0]}/approve"),
    ),
    (
        "reject return",
        DOCS + "return_refund_202309_returns_return_id_reject.response.json",
        lambda c: c.call(
            "POST",
            f"/return_refund/202309/returns/{pending_return_ids(c)[0]}/reject",
            body={"reject_reason": "seller_reject_apply_you_have_reached_an_agreement_with_the_buyer", "comment": "agreed with the buyer"},
        ),
    ),
    (
        "reject reasons",
        DOCS + "return_refund_202309_reject_reasons.response.json",
        lambda c: c.call("GET", "/return_refund/202309/reject_reasons", query={"return_or_cancel_id": c.cancel_id}),
    ),
    (
        "approve cancellation",
        DOCS + "return_refund_202309_cancellations_cancel_id_approve.response.json",
        lambda c: c.call("POST", f"/return_refund/202309/cancellations/{c.cancel_id}/approve"),
    ),
    (
        "cancel order",
        DOCS + "return_refund_202309_cancellations.response.json",
        lambda c: c.call(
            "POST",
            "/return_refund/202309/cancellations",
            body={"order_id": c.cancel_order_id, "cancel_reason": seller_cancel_reasons(c.region, "AWAITING_SHIPMENT")[0][0]},
        ),
    ),
    ("create activity", DOCS + "promotion_202309_activities.response.json", lambda c: c.call("POST", "/promotion/202309/activities", body=create_body())),
    (
        "update activity",
        DOCS + "put_promotion_202309_activities_activity_id.response.json",
        lambda c: c.call("PUT", f"/promotion/202309/activities/{_activity(c, 'Sample to rename')}", body={"title": "Sample renamed"}),
    ),
    ("update activity products", DOCS + "put_promotion_202309_activities_activity_id_products.response.json", added_products),
    ("remove activity products", DOCS + "delete_promotion_202309_activities_activity_id_products.response.json", removed_products),
    (
        "deactivate activity",
        DOCS + "promotion_202309_activities_activity_id_deactivate.response.json",
        lambda c: c.call("POST", f"/promotion/202309/activities/{activity_with_skus(c)}/deactivate", body={}),
    ),
    ("token refresh", F + "auth_api_v2_token_refresh.response.json", lambda c: token_call(c, "refresh")),
]
