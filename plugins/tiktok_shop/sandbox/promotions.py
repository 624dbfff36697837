"""Promotions: activities (discounts, flash deals, buy-more-save-more, shipping discounts) with
the products and SKUs they cover, and coupons.

Built to the reference (``reference/official_reference.md``, "Promotion Information" scope) and
the official samples ``official_docs/promotion_202309_activities_search`` / ``get_promotion_
202309_activities_activity_id`` / ``promotion_202406_coupons_search`` / ``..._coupon_id``:

- Search Activities takes its filters *and* its paging in the body (``page_size`` 0..100, 50 by
  default; ``page_token`` "" for the first page). Its error list has 17029059 "`page_token +
  page_size` must be less than `10000`": the token is an offset, so it is one here too.
- An activity's products come only from Get Activity; the search answers the activity alone.
- Coupons page with ``page_size`` (1..100, 50 by default) and ``page_token`` in the query, and
  their ``create_time``/``update_time`` are in **milliseconds** (the sample's 1661756811000),
  while activity times and coupon durations are in seconds.
- Deactivate answers ``{activity_id, title, status, update_time}``; deactivating twice is
  17029010 "Activity is deactivated", an expired one 17029012, an unknown id 17029009 (the
  endpoint's documented errors).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from flask import Flask, g, request

from .api_errors import ApiError, ok
from .data import DAY, seeded
from .money import fmt
from .paging import page_size
from .search import paged_search
from .server import Endpoint, api_route, sandbox

SCOPE = "Promotion Information"
ACTIVITY_TYPES = ("FIXED_PRICE", "DIRECT_DISCOUNT", "FLASHSALE", "SHIPPING_DISCOUNT", "BUY_MORE_SAVE_MORE")
ACTIVITY_STATUSES = ("DRAFT", "NOT_START", "ONGOING", "EXPIRED", "DEACTIVATED", "NOT_EFFECTIVE")
COUPON_STATUSES = ("NOT_START", "ONGOING", "EXPIRED", "DEACTIVATED")
COUPON_DISPLAY_TYPES = ("REGULAR", "LIVE", "CREATOR_EXCLUSIVE", "CHAT", "PROMO_CODE")
ACTIVITY_ID_BASE = 7_136_000_000_000_000_000
COUPON_ID_BASE = 7_342_000_000_000_000_000
SHOP_STRIDE = 10**12

INVALID = (17029001, "Invalid parameters", 400)
PAGE_TOO_DEEP = (17029059, "`page_token + page_size` must be less than `10000`.", 400)
NO_ACTIVITY = (17029009, "Activity does not exist", 404)
ALREADY_DEACTIVATED = (17029010, "Activity is deactivated", 400)
EXPIRED = (17029012, "Not allowed to update expired activities", 400)


@dataclass
class CoveredSku:
    id: str
    discount: int  # percent off
    price: int  # the activity price, minor units


@dataclass
class CoveredProduct:
    id: str
    discount: int
    price: int  # the lowest activity price of its SKUs
    quantity_limit: int  # -1: no limit
    quantity_per_user: int
    skus: list[CoveredSku]


@dataclass
class Activity:
    id: str
    title: str
    activity_type: str
    product_level: str  # PRODUCT, VARIATION (its SKUs priced one by one), SHOP
    begin_time: int
    end_time: int
    status: str
    create_time: int
    update_time: int
    products: list[CoveredProduct] = field(default_factory=list)


@dataclass
class Coupon:
    id: str
    title: str
    display_type: str
    status: str
    create_time: int  # seconds here; served in milliseconds, as TikTok does
    update_time: int
    claim_start: int
    claim_end: int
    amount_off: int  # minor units; 0 for a percentage coupon
    percentage: int
    min_spend: int
    claimed: int
    redeemed: int


def promotions_of(shop) -> tuple[list[Activity], list[Coupon]]:
    """A shop's activities and coupons, seeded on first use (most runs never ask for them)."""
    box = sandbox()
    with box.state.lock:
        if not shop.promotions_seeded:
            seed_promotions(box.data, shop)
            shop.promotions_seeded = True
    return shop.activities, shop.coupons


def seed_promotions(data, shop) -> None:
    """A shop's activities and coupons, fixed by the seed: their windows are spread around the
    moment the data describes, so each status occurs."""
    active = data.active_products(shop)
    scale = 100 if shop.decimals == 0 else 1
    count = max(12, min(60, data.orders_per_shop // 2_000))
    for k in range(count):
        rng = seeded(data.seed, shop.index, 7, k)
        kind = ACTIVITY_TYPES[k % len(ACTIVITY_TYPES)]
        phase = k % 4  # 0: running now, 1: starts later, 2 and 3: over
        if phase == 0:
            begin, end = data.as_of - rng.randrange(DAY, 20 * DAY), data.as_of + rng.randrange(DAY, 30 * DAY)
        elif phase == 1:
            begin = data.as_of + rng.randrange(DAY, 20 * DAY)
            end = begin + rng.randrange(1, 30) * DAY
        else:
            end = data.as_of - rng.randrange(DAY, 150 * DAY)
            begin = end - rng.randrange(1, 30) * DAY
        created = begin - rng.randrange(DAY, 10 * DAY)
        status = "NOT_START" if begin > data.as_of else "ONGOING" if end > data.as_of else "EXPIRED"
        if k % 11 == 7:
            status = "DRAFT"
        elif k % 13 == 5 and status != "NOT_START":
            status = "DEACTIVATED"
        level = "SHOP" if kind == "SHIPPING_DISCOUNT" else "VARIATION" if k % 3 == 0 else "PRODUCT"
        activity = Activity(
            str(ACTIVITY_ID_BASE + shop.index * SHOP_STRIDE + k),
            f"{kind.replace('_', ' ').title()} {k + 1}",
            kind,
            level,
            begin,
            end,
            status,
            created,
            created + rng.randrange(0, DAY),
        )
        if level != "SHOP":
            for j in sorted({rng.randrange(len(active)) for _ in range(rng.randrange(1, 6))}):
                product = active[j]
                discount = rng.choice((5, 10, 15, 20, 25, 30, 40, 50))
                skus = [CoveredSku(s.id, discount, s.price * (100 - discount) // 100) for s in product.skus] if level == "VARIATION" else []
                lowest = min(s.price for s in product.skus) * (100 - discount) // 100
                limit = rng.choice((-1, -1, 100, 500))
                activity.products.append(CoveredProduct(product.id, discount, lowest, limit, rng.choice((-1, 1, 2, 5)), skus))
        shop.activities.append(activity)
    for k in range(8):
        rng = seeded(data.seed, shop.index, 8, k)
        start = data.as_of - rng.randrange(-10 * DAY, 90 * DAY)
        end = start + rng.randrange(3, 30) * DAY
        status = "NOT_START" if start > data.as_of else "ONGOING" if end > data.as_of else "EXPIRED"
        if k == 5 and status != "NOT_START":
            status = "DEACTIVATED"
        percent = k % 2 == 1
        claimed = rng.randrange(0, 900) if status != "NOT_START" else 0
        shop.coupons.append(
            Coupon(
                str(COUPON_ID_BASE + shop.index * SHOP_STRIDE + k),
                f"{'Percent' if percent else 'Amount'} coupon {k + 1}",
                COUPON_DISPLAY_TYPES[k % len(COUPON_DISPLAY_TYPES)],
                status,
                start - 2 * DAY,
                start - DAY,
                start,
                end,
                0 if percent else rng.randrange(2, 15) * 100 * scale,
                rng.choice((5, 10, 15, 20)) if percent else 0,
                rng.randrange(10, 60) * 100 * scale,
                claimed,
                claimed // 3,
            )
        )


def activity_summary(shop, activity: Activity) -> dict:
    summary = {
        "id": activity.id,
        "title": activity.title,
        "activity_type": activity.activity_type,
        "duration_type": "NORMAL",
        "begin_time": activity.begin_time,
        "end_time": activity.end_time,
        "status": activity.status,
        "create_time": activity.create_time,
        "update_time": activity.update_time,
        "product_level": activity.product_level,
        "activity_commands": "IMMUTABLE" if activity.status in ("EXPIRED", "DEACTIVATED") else "EDITABLE",
        "participation_limit": [{"type": "NO_LIMIT"}],
    }
    # Thresholds live in ``discount`` for the two shop-wide kinds; product discounts carry
    # theirs per product (Get Activity). ``specific_areas`` is a string, as in the sample.
    step = int(activity.id) % 3 + 2
    if activity.activity_type == "SHIPPING_DISCOUNT":
        summary["discount"] = {
            "shipping_discount": {
                "threshold_type": "MINIMAL_ITEM_QUANTITY",
                "threshold_value": str(step),
                "type": "DISCOUNT_SHIPPING_FEE",
                "value": fmt(step * 100 * (100 if shop.decimals == 0 else 1), shop.decimals),
                "shipping_method": "STANDARD_SHIPPING",
                "inventory_type": "SELF_FULFILLED",
                "area_scope": {"type": "WHOLE", "specific_areas": ""},
            }
        }
    elif activity.activity_type == "BUY_MORE_SAVE_MORE":
        tiers = [(1, step, 5 * step), (2, 2 * step, 10 * step)]
        summary["discount"] = {
            "bmsm_discount": {
                "details": [
                    {"tier": tier, "threshold_type": "MINIMAL_ITEM_QUANTITY", "threshold_value": str(items), "type": "PERCENTAGE_OFF", "value": str(off)}
                    for tier, items, off in tiers
                ]
            }
        }
    return summary


def activity_detail(shop, activity: Activity) -> dict:
    money = lambda minor: {"amount": fmt(minor, shop.decimals), "currency": shop.currency}  # noqa: E731
    detail = activity_summary(shop, activity)
    detail["activity_id"] = detail.pop("id")
    detail["products"] = [
        {
            "id": p.id,
            "activity_price": money(p.price),
            "quantity_limit": p.quantity_limit,
            "quantity_per_user": p.quantity_per_user,
            "discount": str(p.discount),
            "skus": [
                {
                    "id": s.id,
                    "discount": str(s.discount),
                    "quantity_limit": p.quantity_limit,
                    "quantity_per_user": p.quantity_per_user,
                    "activity_price": money(s.price),
                }
                for s in p.skus
            ],
        }
        for p in activity.products
    ]
    return detail


def coupon_document(shop, coupon: Coupon) -> dict:
    money = lambda minor: {"amount": fmt(minor, shop.decimals), "currency": shop.currency}  # noqa: E731
    if coupon.percentage:
        discount = {"type": "PERCENTAGE_OFF", "percentage": str(coupon.percentage), "max_discount": money(coupon.min_spend // 2)}
    else:
        discount = {"type": "AMOUNT_OFF", "reduction_amount": money(coupon.amount_off)}
    document = {
        "id": coupon.id,
        "title": coupon.title,
        "display_type": coupon.display_type,
        "status": coupon.status,
        "create_time": coupon.create_time * 1000,
        "update_time": coupon.update_time * 1000,
        "claim_duration": {"start_time": coupon.claim_start, "end_time": coupon.claim_end},
        "redemption_duration": {"type": "ABSOLUTE", "start_time": coupon.claim_start, "end_time": coupon.claim_end + 7 * DAY, "relative_time": 0},
        "target_buyer_segment": "ALL",
        "usage_limits": {"single_buyer_claim_limit": 1, "total_claim_limit": 1_000, "redemption_limit": 1_000},
        "discount": discount,
        "threshold": {"type": "MIN_SPEND", "min_spend": money(coupon.min_spend)},
        "product_scope": "FULL_SHOP",
        "creation_source": "SELLER_CENTER",
    }
    if coupon.display_type == "PROMO_CODE":
        document["promo_code"] = f"TTS{int(coupon.id) % 100_000:05d}"
    return document


def find_activity(shop, activity_id: str) -> Activity:
    activity = next((a for a in promotions_of(shop)[0] if a.id == activity_id), None)
    if activity is None:
        raise ApiError(NO_ACTIVITY)
    return activity


def register(app: Flask) -> None:
    @api_route(app, "POST", "/promotion/202309/activities/search", Endpoint(SCOPE))
    def activities_search():
        shop, body = g.shop, g.body
        status, title, kind = body.get("status"), body.get("activity_title"), body.get("activity_type")
        if status not in (None, "", *ACTIVITY_STATUSES) or kind not in (None, "", *ACTIVITY_TYPES):
            raise ApiError(INVALID)
        size = page_size(body.get("page_size"), 0, 100, 50, code=INVALID[0]) or 50  # 0 is in the documented range: the default
        token = str(body.get("page_token") or "0")  # "" (or none): the first page
        if not token.isdigit():
            raise ApiError(INVALID, "page_token must be the next_page_token of the previous page")
        offset = int(token)
        if offset + size >= 10_000:
            raise ApiError(PAGE_TOO_DEEP)
        chosen = [
            a
            for a in promotions_of(shop)[0]
            if (not status or a.status == status) and (not kind or a.activity_type == kind) and (not title or title in a.title)  # keywords, no fuzzy match
        ]
        chosen.sort(key=lambda a: (-a.create_time, a.id))
        page = chosen[offset : offset + size]
        following = offset + size if offset + size < len(chosen) else None
        return ok(
            {
                "total_count": len(chosen),
                "next_page_token": "" if following is None else str(following),
                "activities": [activity_summary(shop, a) for a in page],
            }
        )

    @api_route(app, "GET", "/promotion/202309/activities/{activity_id}", Endpoint(SCOPE))
    def activity_get(activity_id):
        shop = g.shop
        return ok(activity_detail(shop, find_activity(shop, activity_id)))

    @api_route(app, "POST", "/promotion/202309/activities/{activity_id}/deactivate", Endpoint("Promotion Modify"))
    def activity_deactivate(activity_id):
        box, shop = sandbox(), g.shop
        with box.state.lock:
            activity = find_activity(shop, activity_id)
            if activity.status == "DEACTIVATED":
                raise ApiError(ALREADY_DEACTIVATED)
            if activity.status == "EXPIRED":
                raise ApiError(EXPIRED)
            activity.status, activity.update_time = "DEACTIVATED", max(box.clock(), activity.update_time + 1)
            box.data.version += 1
        return ok({"activity_id": activity.id, "title": activity.title, "status": activity.status, "update_time": activity.update_time})

    @api_route(app, "POST", "/promotion/202406/coupons/search", Endpoint(SCOPE))
    def coupons_search():
        shop, body, args = g.shop, g.body, request.args
        statuses, kinds, keyword = body.get("status") or [], body.get("display_type") or [], body.get("title_keyword")
        if not isinstance(statuses, list) or not set(statuses) <= set(COUPON_STATUSES):
            raise ApiError(INVALID, f"status must be a list of {', '.join(COUPON_STATUSES)}")
        if not isinstance(kinds, list) or not set(kinds) <= set(COUPON_DISPLAY_TYPES):
            raise ApiError(INVALID, f"display_type must be a list of {', '.join(COUPON_DISPLAY_TYPES)}")
        if keyword is not None and not 0 < len(str(keyword)) <= 100:
            raise ApiError(INVALID, "title_keyword must be 1 to 100 characters")
        coupons = promotions_of(shop)[1]
        indices = np.array(
            [
                i
                for i, c in enumerate(coupons)
                if (not statuses or c.status in statuses) and (not kinds or c.display_type in kinds) and (not keyword or keyword in c.title)
            ],
            dtype=np.int64,
        )
        keys = np.array([coupons[i].create_time for i in indices], dtype=np.int64)
        filters = {"path": "coupons", "status": sorted(statuses), "display": sorted(kinds), "q": keyword}
        items, token, total = paged_search(
            args, filters, indices, keys, low=1, high=100, default_size=50, descending=True, build=lambda i: coupon_document(shop, coupons[i])
        )
        return ok({"total_count": total, "next_page_token": token or "", "coupons": items})

    @api_route(app, "GET", "/promotion/202406/coupons/{coupon_id}", Endpoint(SCOPE))
    def coupon_get(coupon_id):
        shop = g.shop
        coupon = next((c for c in promotions_of(shop)[1] if c.id == coupon_id), None)
        if coupon is None:
            raise ApiError(INVALID, "coupon_id does not belong to this shop")
        document = coupon_document(shop, coupon)
        document.update(
            display_channels=["SHOPPING_CENTER"],
            usage_stats={"claimed_count": coupon.claimed, "redeemed_count": coupon.redeemed},
            product_ids=[],
            seller_tnc="",
            live_tasks=[{"type": "FOLLOW_HOST", "min_watch_time": "60"}] if coupon.display_type == "LIVE" else [],
        )
        return ok({"coupon": document})


def truth(shop) -> dict:
    """Ground truth for tests: what a full sync of promotions must hold."""
    activities, coupons = promotions_of(shop)
    by_status: dict[str, int] = {}
    for a in activities:
        by_status[a.status] = by_status.get(a.status, 0) + 1
    return {
        "activities": {
            "count": len(activities),
            "by_status": by_status,
            "products": sum(len(a.products) for a in activities),
            "skus": sum(len(p.skus) for a in activities for p in a.products),
        },
        "coupons": {"count": len(coupons), "claimed_total": sum(c.claimed for c in coupons)},
    }
