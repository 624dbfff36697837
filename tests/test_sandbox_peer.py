"""An independent client, the PyPI package tiktok-shop-api (generated from the official docs),
signs requests the sandbox must accept, and its strict models must parse every response."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from tiktok_shop_api import TikTokShop, TikTokShopAuth
from tiktok_shop_api.generated.models.create_promotion_activity_request import CreatePromotionActivityRequest
from tiktok_shop_api.generated.models.get_order_list_request import GetOrderListRequest
from tiktok_shop_api.generated.models.get_seller_financial_transactions_types_item import GetSellerFinancialTransactionsTypesItem
from tiktok_shop_api.generated.models.get_shop_live_performance_list_account_type import GetShopLivePerformanceListAccountType
from tiktok_shop_api.generated.models.inventory_search_request import InventorySearchRequest
from tiktok_shop_api.generated.models.remove_promotion_activity_products_request import RemovePromotionActivityProductsRequest
from tiktok_shop_api.generated.models.search_coupon_list_request import SearchCouponListRequest
from tiktok_shop_api.generated.models.search_creator_affiliate_orders_request import SearchCreatorAffiliateOrdersRequest
from tiktok_shop_api.generated.models.search_promotion_activities_request import SearchPromotionActivitiesRequest
from tiktok_shop_api.generated.models.update_promotion_activity_products_request import UpdatePromotionActivityProductsRequest
from tiktok_shop_api.generated.models.update_promotion_activity_request import UpdatePromotionActivityRequest
from tiktok_shop_api.generated.models.update_shop_webhook_request import UpdateShopWebhookRequest
from tiktok_shop_api.generated.models.update_shop_webhook_request_event_type import UpdateShopWebhookRequestEventType

from sandbox_support import APP_KEY, APP_SECRET, SERVICE_ID, start_sandbox

START, END = dt.date(2025, 1, 1), dt.date(2027, 1, 1)


def consent_code(server) -> str:
    location = requests.get(
        f"{server.url}/open/authorize", params={"service_id": SERVICE_ID, "state": "peer", "auto_approve": "1"}, allow_redirects=False, timeout=10
    ).headers["Location"]
    return location.split("code=")[1].split("&")[0]


@pytest.fixture(scope="module")
def peer():
    server = start_sandbox(orders=1_500)
    auth = TikTokShopAuth(APP_KEY, APP_SECRET, service_id=SERVICE_ID, base_url=server.url)
    tokens = auth.exchange_code(consent_code(server))
    client = TikTokShop(APP_KEY, APP_SECRET, access_token=tokens.access_token, base_url=server.url)
    cipher = client.authorization.get_authorized_shops().data.shops[0].cipher
    yield server, auth, tokens, client, client.with_shop(shop_cipher=cipher)
    client.close()
    server.stop()


def test_peer_oauth(peer):
    server, auth, _, _, _ = peer
    tokens = auth.exchange_code(consent_code(server))  # its own grant: refreshing retires the old token
    assert tokens.access_token.startswith("TTP_") and tokens.access_token_expire_in > dt.datetime.now().timestamp()
    renewed = auth.refresh(tokens.refresh_token)
    assert renewed.access_token != tokens.access_token


def test_peer_reads_every_synced_operation(peer):
    _, _, _, client, shop = peer
    orders = shop.orders.get_order_list(page_size=20)
    assert len(orders.data.orders) == 20 and orders.data.next_page_token
    following = shop.orders.get_order_list(page_size=20, page_token=orders.data.next_page_token)
    assert {o.id for o in following.data.orders}.isdisjoint({o.id for o in orders.data.orders})
    order_id = orders.data.orders[0].id
    assert shop.orders.get_order_detail(ids=[order_id]).data.orders[0].id == order_id
    assert shop.orders.get_order_price_details(order_id).data.currency == "USD"
    assert client.seller.get_active_shops().data.shops
    products = shop.products.search_products(page_size=5).data.products
    assert shop.products.get_product(products[0].id).data.id == products[0].id
    inventory = shop.products.inventory_search(body=InventorySearchRequest(product_ids=[products[0].id])).data.inventory
    assert inventory[0].product_id == products[0].id
    statements = shop.finance.get_statements(sort_field="statement_time", page_size=5).data.statements
    assert statements and statements[0].currency == "USD"
    shop.finance.get_transactions_by_statement(statements[0].id, sort_field="order_create_time")
    shop.finance.get_transactions_by_order(order_id)
    assert shop.finance.get_payments(sort_field="create_time").data.payments
    withdrawals = shop.finance.get_seller_financial_transactions(types=[GetSellerFinancialTransactionsTypesItem.WITHDRAW]).data
    assert withdrawals.withdrawals
    shop.finance.get_unsettled_transactions(sort_field="order_create_time")
    assert shop.fulfillment.search_package(page_size=5).data.packages
    package_id = shop.fulfillment.search_package(page_size=1).data.packages[0].id
    assert shop.fulfillment.get_package_detail(package_id).data.package_id == package_id
    shop.fulfillment.get_order_tracking(order_id)
    assert shop.return_and_refund.search_returns().data.return_orders
    assert shop.return_and_refund.search_cancellations().data.cancellations
    assert shop.affiliate_seller.search_seller_affiliate_orders(page_size=10).data.orders
    warehouse = shop.logistics.get_warehouse_list().data.warehouses[0]
    options = shop.logistics.get_warehouse_delivery_options(warehouse.id).data.delivery_options
    standard = next(o for o in options if o.type_ == "STANDARD")
    assert shop.logistics.get_shipping_providers(standard.id).data.shipping_providers
    awaiting = shop.orders.get_order_list(page_size=1, body=GetOrderListRequest.from_dict({"order_status": "AWAITING_SHIPMENT"})).data
    assert shop.fulfillment.get_package_handover_time_slots(awaiting.orders[0].packages[0].id).data.pickup_slots
    assert shop.analytics.get_shop_performance(start_date_ge=START, end_date_lt=END).data.performance.intervals
    lives = shop.analytics.get_shop_live_performance_list(
        start_date_ge=START, end_date_lt=END, account_type=GetShopLivePerformanceListAccountType.OFFICIAL_ACCOUNTS
    )
    assert lives.data.live_stream_sessions


def test_peer_reads_and_deactivates_promotions(peer):
    """Its strict models parse activities (with the products Get Activity adds), coupons in
    their millisecond times, and Deactivate Activity's answer."""
    _, _, _, _, shop = peer
    first = shop.promotion.search_promotion_activities(body=SearchPromotionActivitiesRequest(page_size=5)).data
    assert len(first.activities) == 5 and first.next_page_token
    following = shop.promotion.search_promotion_activities(body=SearchPromotionActivitiesRequest(page_size=5, page_token=first.next_page_token)).data
    assert {a.id for a in following.activities}.isdisjoint({a.id for a in first.activities})
    covering = next(a for a in first.activities + following.activities if a.product_level != "SHOP")
    detail = shop.promotion.get_activity(covering.id).data
    assert detail.activity_id == covering.id and detail.products and detail.products[0].activity_price.currency == "USD"
    coupons = shop.promotion.search_coupon_list(page_size=3, body=SearchCouponListRequest()).data
    assert len(coupons.coupons) == 3 and coupons.next_page_token
    coupon = shop.promotion.get_coupon(coupons.coupons[0].id).data.coupon
    assert coupon.id == coupons.coupons[0].id and coupon.create_time > 10**12  # milliseconds, as TikTok sends them
    running = next(a for a in first.activities + following.activities if a.status == "ONGOING")
    ended = shop.promotion.deactivate_activity(running.id).data
    assert (ended.activity_id, ended.status) == (running.id, "DEACTIVATED")


def test_peer_creates_an_activity_and_sets_its_products(peer):
    """Its request models are accepted and its strict models parse Create and Update Activity
    and Update and Remove Activity Product."""
    _, _, _, _, shop = peer
    now = int(dt.datetime.now(dt.UTC).timestamp())
    window = {"begin_time": now + 3_600, "end_time": now + 2 * 86_400}
    created = shop.promotion.create_promotion_activity(
        body=CreatePromotionActivityRequest.from_dict({"title": "Peer sale", "activity_type": "DIRECT_DISCOUNT", "product_level": "PRODUCT", **window})
    ).data
    assert created.status == "NOT_START" and created.activity_id
    renamed = shop.promotion.update_promotion_activity(
        created.activity_id, body=UpdatePromotionActivityRequest.from_dict({"title": "Peer sale 2", **window})
    ).data
    assert renamed.title == "Peer sale 2"
    taken = set()
    for activity in shop.promotion.search_promotion_activities(body=SearchPromotionActivitiesRequest(page_size=100)).data.activities:
        if activity.status in ("ONGOING", "NOT_START"):
            taken |= {p.id for p in shop.promotion.get_activity(activity.id).data.products or []}
    product = next(p.id for p in shop.products.search_products(page_size=100).data.products if p.id not in taken and p.status == "ACTIVATE")
    entry = {"id": product, "discount": "10", "quantity_limit": -1, "quantity_per_user": 2, "skus": []}
    body = UpdatePromotionActivityProductsRequest.from_dict({"activity_id": created.activity_id, "products": [entry]})
    assert shop.promotion.update_promotion_activity_products(created.activity_id, body=body).data.total_count == 1
    removed = shop.promotion.remove_promotion_activity_products(
        created.activity_id, body=RemovePromotionActivityProductsRequest.from_dict({"product_ids": [product]})
    )
    assert removed.data.activity_id == created.activity_id
    assert shop.promotion.get_activity(created.activity_id).data.products in (None, [])


def test_peer_webhook_subscription_round_trip(peer):
    _, _, _, _, shop = peer
    body = UpdateShopWebhookRequest(address="https://erp.example.com/webhooks/tiktok-shop/1", event_type=UpdateShopWebhookRequestEventType.ORDER_STATUS_CHANGE)
    shop.event.update_shop_webhook(body=body)
    hooks = shop.event.get_shop_webhooks().data.webhooks
    assert [(h.event_type, h.address) for h in hooks] == [("ORDER_STATUS_CHANGE", "https://erp.example.com/webhooks/tiktok-shop/1")]


def test_peer_creator_orders(peer):
    server = peer[0]
    auth = TikTokShopAuth(APP_KEY, APP_SECRET, service_id=SERVICE_ID, base_url=server.url)
    location = requests.get(
        f"{server.url}/open/authorize",
        params={"service_id": SERVICE_ID, "state": "c", "auto_approve": "1", "user_type": "creator"},
        allow_redirects=False,
        timeout=10,
    ).headers["Location"]
    tokens = auth.exchange_code(location.split("code=")[1].split("&")[0])
    with TikTokShop(APP_KEY, APP_SECRET, access_token=tokens.access_token, base_url=server.url) as creator:
        orders = creator.affiliate_creator.search_creator_affiliate_orders(page_size=10, body=SearchCreatorAffiliateOrdersRequest()).data.orders
    assert orders and all(sku.commission_rate > 0 for order in orders for sku in order.skus)


def test_peer_sees_sandbox_errors(peer):
    from tiktok_shop_api import TikTokShopError

    _, _, _, _, shop = peer
    with pytest.raises(TikTokShopError) as info:
        shop.orders.get_order_list(page_size=500)
    assert info.value.code == 36009004
