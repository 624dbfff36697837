"""Promotions: activities (Search Activities, Get Activity: 202309) and coupons (Search Coupons,
Get Coupon: 202406).

An activity's own discount is given only for the shop-wide kinds (shipping discount,
buy-more-save-more: tiers in ``discount``); a product discount's percentages come per product
from Get Activity, so its summary is written once the products are known. Coupon create and
update times are milliseconds, claim windows seconds (the official samples).
"""

from __future__ import annotations

from decimal import Decimal

from erp_integrations.mapping import Mapper, const, integer, money, text, unix
from erp_integrations.models import Promotion, PromotionProduct


def _shipping_words(rule: dict) -> str:
    threshold = rule.get("threshold_value")
    items = f" on {threshold}+ items" if rule.get("threshold_type") == "MINIMAL_ITEM_QUANTITY" and threshold else ""
    if rule.get("type") == "FREE_SHIPPING":
        return f"Free shipping{items}"
    return f"Shipping fee {rule.get('value')} off{items}"


def _tier_words(details: list[dict]) -> str:
    def one(tier: dict) -> str:
        unit = "%" if tier.get("type") == "PERCENTAGE_OFF" else " off"
        what = "items" if tier.get("threshold_type") == "MINIMAL_ITEM_QUANTITY" else "spent"
        return f"{tier.get('threshold_value')} {what}: {tier.get('value')}{unit}{' off' if unit == '%' else ''}"

    return "; ".join(one(t) for t in sorted(details, key=lambda t: int(t.get("tier") or 0)))


def activity_discount(document: dict) -> str | None:
    discount = document.get("discount") or {}
    if discount.get("shipping_discount"):
        return _shipping_words(discount["shipping_discount"])
    if (discount.get("bmsm_discount") or {}).get("details"):
        return _tier_words(discount["bmsm_discount"]["details"])
    return None


def products_discount(rows: list[dict]) -> tuple[str | None, Decimal | None]:
    """A product discount in words from its products' rows: the range of percentages off."""
    percents = sorted({r["percent_off"] for r in rows if r["percent_off"] is not None and r["sku_external_id"] is None})
    if not percents:
        return None, None
    low, high = percents[0], percents[-1]
    products = sum(1 for r in rows if r["sku_external_id"] is None)
    span = f"{low.normalize():f}%" if low == high else f"{low.normalize():f}-{high.normalize():f}%"
    return f"{span} off on {products} product{'s' if products != 1 else ''}", high


class ActivityMapper(Mapper):
    model = Promotion
    columns = {
        "external_id": lambda d: text("id")(d) or text("activity_id")(d),
        "kind": const("activity"),
        "title": text("title"),
        "type": text("activity_type"),
        "status": text("status"),
        "scope": text("product_level"),
        "starts_at": unix("begin_time"),
        "ends_at": unix("end_time"),
        "discount": activity_discount,
        "remote_created_at": unix("create_time"),
        "remote_updated_at": unix("update_time"),
    }


def _limit(path: str):
    read = integer(path)

    def limit(document):
        value = read(document)
        return None if value is None or value < 0 else value  # -1: no limit

    return limit


class ActivityProductMapper(Mapper):
    """One entry of Get Activity's ``products`` (or of a product's ``skus``)."""

    model = PromotionProduct
    columns = {
        "percent_off": money("discount"),
        "currency": text("activity_price.currency"),
        "activity_price": money("activity_price.amount"),
        "quantity_limit": _limit("quantity_limit"),
        "quantity_per_user": _limit("quantity_per_user"),
    }


def activity_product_rows(detail: dict, *, account_id: int, promotion_id: int) -> list[dict]:
    activity, rows = str(detail.get("activity_id") or detail.get("id")), []
    updated = unix("update_time")(detail)
    for product in detail.get("products") or []:
        fixed = {"account_id": account_id, "promotion_id": promotion_id, "product_external_id": str(product["id"]), "remote_updated_at": updated}
        rows.append(ActivityProductMapper.row(product, external_id=f"{activity}:{product['id']}:*", sku_external_id=None, **fixed))
        for sku in product.get("skus") or []:
            rows.append(ActivityProductMapper.row(sku, external_id=f"{activity}:{product['id']}:{sku['id']}", sku_external_id=str(sku["id"]), **fixed))
    return rows


def _amount_words(amount: dict) -> str:
    return f"{amount['amount']} {amount['currency']}" if amount.get("currency") else str(amount["amount"])


def _coupon_discount(document: dict) -> str | None:
    discount, threshold = document.get("discount") or {}, document.get("threshold") or {}
    cap, reduction, spend = discount.get("max_discount") or {}, discount.get("reduction_amount") or {}, threshold.get("min_spend") or {}
    if discount.get("type") == "PERCENTAGE_OFF":
        words = f"{discount.get('percentage')}% off" + (f" (at most {_amount_words(cap)})" if cap.get("amount") else "")
    elif discount.get("type") == "AMOUNT_OFF" and reduction.get("amount"):
        words = f"{_amount_words(reduction)} off"
    else:
        return None
    return words + (f" from {_amount_words(spend)}" if spend.get("amount") else "")


def _coupon_currency(document: dict) -> str | None:
    discount, threshold = document.get("discount") or {}, document.get("threshold") or {}
    for amount in (discount.get("reduction_amount"), discount.get("max_discount"), threshold.get("min_spend")):
        if amount and amount.get("currency"):
            return str(amount["currency"])
    return None


class CouponMapper(Mapper):
    model = Promotion
    columns = {
        "external_id": text("id"),
        "kind": const("coupon"),
        "title": text("title"),
        "type": text("display_type"),
        "status": text("status"),
        "scope": text("product_scope"),
        "starts_at": unix("claim_duration.start_time"),
        "ends_at": unix("claim_duration.end_time"),
        "discount": _coupon_discount,
        "currency": _coupon_currency,
        "amount_off": money("discount.reduction_amount.amount"),
        "percent_off": money("discount.percentage"),
        "min_spend": money("threshold.min_spend.amount"),
        "promo_code": text("promo_code"),
        "claimed": integer("usage_stats.claimed_count"),
        "redeemed": integer("usage_stats.redeemed_count"),
        "remote_created_at": unix("create_time", milliseconds=True),
        "remote_updated_at": unix("update_time", milliseconds=True),
    }
