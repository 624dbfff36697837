"""Affiliate orders, their lines (one per SKU) and creators; LIVE sessions and daily performance."""

from erp_integrations.mapping import Mapper, integer, money, text, unix
from erp_integrations.models import AffiliateOrder, AffiliateOrderLine, LiveSession


class AffiliateOrderMapper(Mapper):
    model = AffiliateOrder
    columns = {
        "external_id": text("id"),
        "status": text("status"),
        "remote_created_at": unix("create_time"),
        "delivered_at": unix("delivery_time"),
    }


def _commission_rate_bps(document):
    # Hundredths of a percent: "1550" (seller side, a string) or 1550 (creator side) = 15.50 %.
    return integer("commission_rate")(document)


class AffiliateLineMapper(Mapper):
    """Seller- and creator-side SKUs carry the same facts under slightly different names."""

    model = AffiliateOrderLine
    columns = {
        "product_external_id": text("product_id"),
        "quantity": lambda d: integer("quantity")(d) or 0,
        "currency": text("price.currency"),
        "price": money("price.amount"),
        "content_type": text("content_type"),
        "content_id": text("content_id"),
        "campaign_id": text("campaign_id"),
        "open_collaboration_id": text("open_collaboration_id"),
        "target_collaboration_id": text("target_collaboration_id"),
        "commission_rate_bps": _commission_rate_bps,
        "shop_ads_commission_rate_bps": integer("shop_ads_commission_rate"),
        "estimated_commission_base": money("estimated_commission_base.amount"),
        "estimated_commission": lambda d: money("estimated_paid_commission.amount")(d) if "estimated_paid_commission" in d else money("estimated_commission.amount")(d),
        "estimated_shop_ads_commission": lambda d: money("estimated_paid_shop_ads_commission.amount")(d) if "estimated_paid_shop_ads_commission" in d else money("estimated_shop_ads_commission.amount")(d),
        "actual_commission_base": money("actual_commission_base.amount"),
        "actual_commission": lambda d: money("actual_paid_commission.amount")(d) if "actual_paid_commission" in d else money("actual_commission.amount")(d),
        "actual_shop_ads_commission": lambda d: money("actual_paid_shop_ads_commission.amount")(d) if "actual_paid_shop_ads_commission" in d else money("actual_shop_ads_commission.amount")(d),
        "refunded_quantity": lambda d: integer("refunded_quantity")(d) or 0,
        "returned_quantity": lambda d: integer("returned_quantity")(d) or 0,
    }


class LiveSessionMapper(Mapper):
    model = LiveSession
    columns = {
        "external_id": text("id"),
        "title": text("title"),
        "username": text("username"),
        "started_at": unix("start_time"),
        "ended_at": unix("end_time"),
        "currency": text("sales_performance.gmv.currency"),
        "gmv": money("sales_performance.gmv.amount"),
        "orders": integer("sales_performance.sku_orders"),
        "units_sold": integer("sales_performance.unit_sold"),
        "customers": integer("sales_performance.customers"),
        "viewers": integer("interaction_performance.viewers"),
        "views": integer("interaction_performance.views"),
        "peak_concurrent_users": integer("interaction_performance.pcu"),
        "average_concurrent_users": integer("interaction_performance.acu"),
        "click_to_order_rate": text("sales_performance.click_to_order_rate"),
    }
