"""Affiliate orders, their lines (one per SKU) and creators; LIVE sessions and daily performance."""

from erp_integrations.mapping import Mapper, display_money, integer, money, text, unix
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


def _amount(document, seller_name: str, creator_name: str):
    """Seller-side SKUs say estimated_paid_commission, creator-side estimated_commission."""
    name = seller_name if seller_name in document else creator_name
    return display_money(f"{name}.amount", f"{name}.currency")(document)


class AffiliateLineMapper(Mapper):
    """Seller- and creator-side SKUs carry the same facts under slightly different names."""

    model = AffiliateOrderLine
    columns = {
        "product_external_id": text("product_id"),
        "quantity": lambda d: integer("quantity")(d) or 0,
        "currency": text("price.currency"),
        # The creator side sends display strings for some amounts ("Rp9.900").
        "price": display_money("price.amount", "price.currency"),
        "content_type": text("content_type"),
        "content_id": text("content_id"),
        "campaign_id": text("campaign_id"),
        "open_collaboration_id": text("open_collaboration_id"),
        "target_collaboration_id": text("target_collaboration_id"),
        "commission_rate_bps": _commission_rate_bps,
        "shop_ads_commission_rate_bps": integer("shop_ads_commission_rate"),
        "estimated_commission_base": display_money("estimated_commission_base.amount", "estimated_commission_base.currency"),
        "estimated_commission": lambda d: _amount(d, "estimated_paid_commission", "estimated_commission"),
        "estimated_shop_ads_commission": lambda d: _amount(d, "estimated_paid_shop_ads_commission", "estimated_shop_ads_commission"),
        "actual_commission_base": display_money("actual_commission_base.amount", "actual_commission_base.currency"),
        "actual_commission": lambda d: _amount(d, "actual_paid_commission", "actual_commission"),
        "actual_shop_ads_commission": lambda d: _amount(d, "actual_paid_shop_ads_commission", "actual_shop_ads_commission"),
        # Creator side only: the seller side has no rewards (its co-funded bonus is a fee).
        "estimated_bonus_commission": display_money("estimated_bonus_commission.amount", "estimated_bonus_commission.currency"),
        "actual_bonus_commission": display_money("actual_bonus_commission.amount", "actual_bonus_commission.currency"),
        "estimated_creator_reward": display_money("estimated_creator_commission_reward_fee.amount", "estimated_creator_commission_reward_fee.currency"),
        "actual_creator_reward": display_money("actual_creator_commission_reward_fee.amount", "actual_creator_commission_reward_fee.currency"),
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
