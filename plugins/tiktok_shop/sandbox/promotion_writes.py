"""Promotion writes: Create Activity, Update Activity, Update Activity Product and Remove Activity
Product (202309), with the checks and error codes each documents.

Built to the reference (``reference/official_reference.md``, "Promotion Modify" scope: the
fields' rules and each endpoint's error list) and the official samples
``promotion_202309_activities``, ``put_promotion_202309_activities_activity_id``,
``put_..._products`` and ``delete_..._products``:

- A title is required, unique among the shop's activities (17029004) and at most 50 characters
  (17029002); the begin time must be later than now (17029005) and before the end (17029006).
- Products of a PRODUCT-level activity carry their own price (FIXED_PRICE, FLASHSALE:
  ``activity_price_amount``) or percentage (DIRECT_DISCOUNT: ``discount``) and ``skus: []``
  (17029013, 17029029/30, 17029041/42); a VARIATION-level activity's SKUs carry them instead
  (17029031/32, 17029037/38, 17029043/44) and its products' quantity limit is -1 (17029015).
  Limits are -1 or 1 to 99 (17029050) and never lowered (17029058).
- A product or SKU cannot be in two ONGOING or NOT_START activities (17029022).

The reference gives no number for "too long" (17029007, 17029008): the sandbox allows an
activity a year and a flash sale three days, and says so in the message. The response to
Create says ``ONGOING`` in the sample; an activity created here starts later (its begin time
must be in the future), so it answers ``NOT_START``, the status the activity then has.
"""

from __future__ import annotations

from flask import Flask, g

from .api_errors import ApiError, ok
from .data import DAY
from .money import parse
from .promotions import (
    ACTIVITY_ID_BASE,
    ACTIVITY_TYPES,
    ALREADY_DEACTIVATED,
    EXPIRED,
    INVALID,
    SHOP_STRIDE,
    Activity,
    CoveredProduct,
    CoveredSku,
    find_activity,
    promotions_of,
)
from .server import Endpoint, api_route, sandbox

SCOPE = "Promotion Modify"
LEVELS = ("PRODUCT", "VARIATION", "SHOP")
PRICED = ("FIXED_PRICE", "FLASHSALE")
LONGEST, LONGEST_FLASHSALE = 365 * DAY, 3 * DAY
MAX_ITEMS = 300

TITLE_TOO_LONG = (17029002, "Title Length Too Long", 400)
TITLE_EMPTY = (17029003, "The activity title is empty.", 400)
TITLE_TAKEN = (17029004, "Duplicate activity title.", 400)
BEGIN_PAST = (17029005, "Begin Time Earlier Than Now", 400)
TOO_SHORT = (17029006, "The activity period is too short.", 400)
TOO_LONG = (17029007, "The activity period is too long.", 400)
FLASHSALE_TOO_LONG = (17029008, "FlashSale Period Too Long", 400)
BEGIN_LOCKED = (17029011, "Not allowed to update the beginning time of activity", 400)
SKUS_NOT_EMPTY = (17029013, "`sku` must be `[]` for activities of which `product_level==PRODUCT`.", 400)
VARIATION_LIMIT = (17029015, "When `product_level==VARIATION`, the value of `quantity_limit` must be `-1`.", 400)
PRODUCT_NOT_OURS = (17029017, "You are specifying products not in your shop.", 400)
PRODUCT_DISCOUNT_LIMIT = (17029020, "Product discount exceeds limit. The limit varies based on products and regions.", 400)
SKU_DISCOUNT_LIMIT = (17029021, "SKU discount exceeds limit. The limit varies based on products and regions.", 400)
IN_ANOTHER = (17029022, "The product or SKU cannot be in two `ONGOING` or `NOT_START` activities at the same time.", 400)
PRICE_NOT_DISCOUNT_PRODUCT = (
    17029029,
    "You are incorrectly specifying `activity_price_amount` instead of `discount` when `activity_type==DIRECT_DISCOUNT` and `product_level==PRODUCT`.",
    400,
)
DISCOUNT_NOT_PRICE_PRODUCT = (
    17029030,
    "You are incorrectly specifying `discount` instead of `activity_price_amount` when `activity_type==FIXED_PRICE / FLASHSALE` and `product_level==PRODUCT`.",
    400,
)
PRICE_NOT_DISCOUNT_SKU = (
    17029031,
    "You are incorrectly specifying `activity_price_amount` instead of `discount` when `activity_type==DIRECT_DISCOUNT` and `product_level==VARIATION`.",
    400,
)
DISCOUNT_NOT_PRICE_SKU = (
    17029032,
    "You are incorrectly specifying `discount` instead of `activity_price_amount` when `activity_type==FIXED_PRICE / FLASHSALE` and `product_level==VARIATION`.",
    400,
)
NO_PRODUCTS = (17029033, "`products` is empty.", 400)
BAD_PRICE = (17029034, "`activity_price_amount` is invalid.", 400)
NOT_SUPPORTED = (17029036, "ActivityType is not supported.", 400)
NO_SKUS = (17029037, "`skus` is empty when `product_level==VARIATION`.", 400)
PRODUCT_PRICED_IN_VARIATION = (17029038, "When `product_level==VARIATION`, you must not specify `product.activity_price_amount` and `product.discount`.", 400)
DUPLICATE_PRODUCT = (17029039, "Duplicate product ID.", 400)
DUPLICATE_SKU = (17029040, "Duplicate SKU ID.", 400)
NEED_PRODUCT_DISCOUNT = (17029041, "You must specify `product.discount` when `activity_type==DIRECT_DISCOUNT` and `product_level==PRODUCT`.", 400)
NEED_PRODUCT_PRICE = (
    17029042,
    "You must specify `product.activity_price_amount` when `activity_type==FIXED_PRICE / FLASHSALE` and `product_level==PRODUCT`.",
    400,
)
NEED_SKU_DISCOUNT = (17029043, "You must specify `sku.discount` when `activity_type==DIRECT_DISCOUNT` and `product_level==VARIATION`.", 400)
NEED_SKU_PRICE = (17029044, "You must specify `sku.activity_price_amount` when `activity_type==FIXED_PRICE / FLASHSALE` and `product_level==VARIATION`.", 400)
TOO_MANY = (17029046, "Number of items per request exceeds the limit.", 400)
ONGOING_FLASHSALE = (17029047, "An `ONGOING` flash sale product cannot be updated.", 400)
BAD_LIMIT = (17029050, "The value of `quantity_limit` and `quantity_per_user` must be `-1` or in the range of `[1, 99]`.", 400)
PRODUCT_NOT_FOUND = (17029051, "Product ID not found.", 400)
PRODUCT_TYPE = (17029052, "ProductType is not supported", 400)
SKU_NOT_OF_PRODUCT = (17029053, "The SKU ID does not match the product ID.", 400)
LIMIT_LOWERED = (17029058, "Unable to decrease buyer/num PurchaseLimit.", 400)
LEVEL_LOCKED = (17029102, "Product level and shop level are not interchangeable", 400)

LIVE = ("ONGOING", "NOT_START")


def _open(activity: Activity) -> None:
    """An activity that can still be changed."""
    if activity.status == "DEACTIVATED":
        raise ApiError(ALREADY_DEACTIVATED)
    if activity.status == "EXPIRED":
        raise ApiError(EXPIRED)


def _title(shop, title, *, excluding: str | None = None) -> str:
    """Create lists no "title is empty" error (a missing required field is 17029001 there);
    Update has 17029003 for it."""
    if not isinstance(title, str) or not title.strip():
        raise ApiError(TITLE_EMPTY) if excluding else ApiError(INVALID, "title is required")
    if len(title) > 50:
        raise ApiError(TITLE_TOO_LONG)
    if any(a.title == title and a.id != excluding for a in promotions_of(shop)[0]):
        raise ApiError(TITLE_TAKEN)
    return title


def _period(kind: str, begin, end, now: int) -> tuple[int, int]:
    if not isinstance(begin, int) or not isinstance(end, int):
        raise ApiError(INVALID, "begin_time and end_time must be unix timestamps")
    if end <= begin:
        raise ApiError(TOO_SHORT)
    if kind == "FLASHSALE" and end - begin > LONGEST_FLASHSALE:
        raise ApiError(FLASHSALE_TOO_LONG, f"FlashSale Period Too Long: at most {LONGEST_FLASHSALE // DAY} days here")
    if end - begin > LONGEST:
        raise ApiError(TOO_LONG, f"The activity period is too long: at most {LONGEST // DAY} days here.")
    if end <= now:
        raise ApiError(TOO_SHORT)
    return begin, end


def _limit(value, current: int | None = None) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not (value == -1 or 1 <= value <= 99):
        raise ApiError(BAD_LIMIT)
    if current is not None and (current == -1 and value != -1 or current != -1 and value != -1 and value < current):
        raise ApiError(LIMIT_LOWERED)
    return value


def _percent(value, error) -> int:
    text = str(value)
    if not text.isdigit() or not 1 <= int(text) <= 99:
        raise ApiError(error)
    return int(text)


def _price(shop, value, ceiling: int) -> int:
    try:
        minor = parse(str(value), shop.decimals)
    except ValueError:
        raise ApiError(BAD_PRICE) from None
    if not 0 < minor < ceiling:
        raise ApiError(BAD_PRICE, f"`activity_price_amount` is invalid: it must be above 0 and below the price ({ceiling} minor units)")
    return minor


def _covered_elsewhere(shop, activity: Activity) -> tuple[set[str], set[str]]:
    products, skus = set(), set()
    for other in promotions_of(shop)[0]:
        if other.id != activity.id and other.status in LIVE:
            products |= {p.id for p in other.products if not p.skus}
            skus |= {s.id for p in other.products for s in p.skus}
    return products, skus


def _priced(shop, activity: Activity, entry: dict, full_price: int, *, sku_level: bool) -> tuple[int, int]:
    """(percent off, activity price) of one product or SKU entry, as its activity type asks."""
    has_price, has_discount = entry.get("activity_price_amount") not in (None, ""), entry.get("discount") not in (None, "")
    if activity.activity_type == "DIRECT_DISCOUNT":
        if has_price:
            raise ApiError(PRICE_NOT_DISCOUNT_SKU if sku_level else PRICE_NOT_DISCOUNT_PRODUCT)
        if not has_discount:
            raise ApiError(NEED_SKU_DISCOUNT if sku_level else NEED_PRODUCT_DISCOUNT)
        percent = _percent(entry["discount"], SKU_DISCOUNT_LIMIT if sku_level else PRODUCT_DISCOUNT_LIMIT)
        return percent, full_price * (100 - percent) // 100
    if has_discount:
        raise ApiError(DISCOUNT_NOT_PRICE_SKU if sku_level else DISCOUNT_NOT_PRICE_PRODUCT)
    if not has_price:
        raise ApiError(NEED_SKU_PRICE if sku_level else NEED_PRODUCT_PRICE)
    price = _price(shop, entry["activity_price_amount"], full_price)
    return max(1, round(100 * (full_price - price) / full_price)), price


def _covered(shop, activity: Activity, entry: dict, existing: CoveredProduct | None) -> CoveredProduct:
    data = sandbox().data
    if not isinstance(entry, dict) or not str(entry.get("id") or "").isdigit():
        raise ApiError(INVALID, "products[].id must be a product id")
    product = data.product_by_id(shop, str(entry["id"]))
    if product is None:
        raise ApiError(PRODUCT_NOT_OURS)
    limit = _limit(entry.get("quantity_limit"), existing.quantity_limit if existing else None)
    per_user = _limit(entry.get("quantity_per_user"), existing.quantity_per_user if existing else None)
    skus = entry.get("skus")
    if activity.product_level == "PRODUCT":
        if skus:
            raise ApiError(SKUS_NOT_EMPTY)
        lowest = min(s.price for s in product.skus)
        percent, price = _priced(shop, activity, entry, lowest, sku_level=False)
        return CoveredProduct(product.id, percent, price, limit, per_user, [])
    if not skus or not isinstance(skus, list):
        raise ApiError(NO_SKUS)
    if entry.get("activity_price_amount") not in (None, "") or entry.get("discount") not in (None, ""):
        raise ApiError(PRODUCT_PRICED_IN_VARIATION)
    if limit != -1:
        raise ApiError(VARIATION_LIMIT)
    own = {s.id: s for s in product.skus}
    covered, seen = [], set()
    for sku_entry in skus:
        sku_id = str((sku_entry or {}).get("id") or "")
        if sku_id in seen:
            raise ApiError(DUPLICATE_SKU)
        seen.add(sku_id)
        sku = own.get(sku_id)
        if sku is None:
            raise ApiError(SKU_NOT_OF_PRODUCT)
        _limit(sku_entry.get("quantity_limit"))
        _limit(sku_entry.get("quantity_per_user"))
        percent, price = _priced(shop, activity, sku_entry, sku.price, sku_level=True)
        covered.append(CoveredSku(sku.id, percent, price))
    kept = [s for s in (existing.skus if existing else []) if s.id not in seen]
    all_skus = kept + covered
    return CoveredProduct(product.id, max(s.discount for s in all_skus), min(s.price for s in all_skus), -1, per_user, all_skus)


def _touch(box, activity: Activity) -> int:
    activity.update_time = max(box.clock(), activity.update_time + 1)
    box.data.version += 1
    return activity.update_time


def register(app: Flask) -> None:
    @api_route(app, "POST", "/promotion/202309/activities", Endpoint(SCOPE))
    def activity_create():
        box, shop, body = sandbox(), g.shop, g.body
        with box.state.lock:
            kind = body.get("activity_type")
            if kind not in ACTIVITY_TYPES:
                raise ApiError(NOT_SUPPORTED)
            level = body.get("product_level")
            if level not in LEVELS or (level == "SHOP") != (kind in ("SHIPPING_DISCOUNT", "BUY_MORE_SAVE_MORE")):
                raise ApiError(PRODUCT_TYPE)
            title = _title(shop, body.get("title"))
            now = box.clock()
            if not isinstance(body.get("begin_time"), int) or body["begin_time"] <= now:
                raise ApiError(BEGIN_PAST)
            begin, end = _period(kind, body["begin_time"], body.get("end_time"), now)
            activities = promotions_of(shop)[0]
            activity = Activity(str(ACTIVITY_ID_BASE + shop.index * SHOP_STRIDE + len(activities)), title, kind, level, begin, end, "NOT_START", now, now)
            activities.append(activity)
            box.data.version += 1
        return ok({"activity_id": activity.id, "create_time": activity.create_time, "update_time": activity.update_time, "status": activity.status})

    @api_route(app, "PUT", "/promotion/202309/activities/{activity_id}", Endpoint(SCOPE))
    def activity_update(activity_id):
        box, shop, body = sandbox(), g.shop, g.body
        with box.state.lock:
            activity = find_activity(shop, activity_id)
            _open(activity)
            if body.get("product_level") not in (None, activity.product_level):
                raise ApiError(LEVEL_LOCKED)
            title = _title(shop, body.get("title"), excluding=activity.id)
            now = box.clock()
            begin = body.get("begin_time", activity.begin_time)
            if begin != activity.begin_time:
                if activity.status == "ONGOING":
                    raise ApiError(BEGIN_LOCKED)
                if not isinstance(begin, int) or begin <= now:
                    raise ApiError(BEGIN_PAST)
            begin, end = _period(activity.activity_type, begin, body.get("end_time", activity.end_time), now)
            activity.title, activity.begin_time, activity.end_time = title, begin, end
            updated = _touch(box, activity)
        return ok({"activity_id": activity.id, "title": activity.title, "update_time": updated})

    @api_route(app, "PUT", "/promotion/202309/activities/{activity_id}/products", Endpoint(SCOPE))
    def activity_products_update(activity_id):
        box, shop, body = sandbox(), g.shop, g.body
        with box.state.lock:
            activity = find_activity(shop, activity_id)
            _open(activity)
            if activity.product_level == "SHOP":
                raise ApiError(PRODUCT_TYPE)
            entries = body.get("products")
            if not isinstance(entries, list) or not entries:
                raise ApiError(NO_PRODUCTS)
            if len(entries) > MAX_ITEMS or sum(len(e.get("skus") or []) for e in entries if isinstance(e, dict)) > MAX_ITEMS:
                raise ApiError(TOO_MANY)
            ids = [str((e or {}).get("id")) for e in entries]
            if len(set(ids)) != len(ids):
                raise ApiError(DUPLICATE_PRODUCT)
            if activity.activity_type == "FLASHSALE" and activity.status == "ONGOING":
                raise ApiError(ONGOING_FLASHSALE)
            current = {p.id: p for p in activity.products}
            changed = [_covered(shop, activity, e, current.get(str(e.get("id")))) for e in entries]  # every entry checked before any is kept
            elsewhere_products, elsewhere_skus = _covered_elsewhere(shop, activity)
            if any(p.id in elsewhere_products or any(s.id in elsewhere_skus for s in p.skus) for p in changed):
                raise ApiError(IN_ANOTHER)
            for product in changed:
                current[product.id] = product
            activity.products = list(current.values())
            updated = _touch(box, activity)
            count = sum(len(p.skus) for p in changed) if activity.product_level == "VARIATION" else len(changed)
        return ok({"activity_id": activity.id, "title": activity.title, "update_time": updated, "status": activity.status, "total_count": count})

    @api_route(app, "DELETE", "/promotion/202309/activities/{activity_id}/products", Endpoint(SCOPE))
    def activity_products_remove(activity_id):
        box, shop, body = sandbox(), g.shop, g.body
        with box.state.lock:
            activity = find_activity(shop, activity_id)
            _open(activity)
            product_ids, sku_ids = body.get("product_ids") or [], body.get("sku_ids") or []
            if not isinstance(product_ids, list) or not isinstance(sku_ids, list) or not (product_ids or sku_ids):
                raise ApiError(INVALID, "name product_ids or sku_ids to remove")
            if len(product_ids) > MAX_ITEMS or len(sku_ids) > MAX_ITEMS:
                raise ApiError(TOO_MANY)
            covered = {p.id for p in activity.products}
            covered_skus = {s.id for p in activity.products for s in p.skus}
            if not set(map(str, product_ids)) <= covered or not set(map(str, sku_ids)) <= covered_skus:
                raise ApiError(PRODUCT_NOT_FOUND)
            kept = []
            for product in activity.products:
                if product.id in product_ids:
                    continue
                product.skus = [s for s in product.skus if s.id not in sku_ids]
                if activity.product_level == "VARIATION":
                    if not product.skus:
                        continue  # its last SKU removed: the product is no longer in the activity
                    product.price, product.discount = min(s.price for s in product.skus), max(s.discount for s in product.skus)
                kept.append(product)
            activity.products = kept
            updated = _touch(box, activity)
        return ok({"activity_id": activity.id, "status": activity.status, "update_time": updated})
