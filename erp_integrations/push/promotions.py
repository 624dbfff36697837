"""The seller's promotion changes, checked before they are recorded in the outbox: create an
activity, edit its title or dates, set the price or percentage of a product (or of its SKUs)
in it, take a product or SKU out of it, end it.

Every check here has a field and a message; what only the marketplace can know (a product in
another running activity, a price above the marketplace's limit) comes back as the failed
change's error, in the marketplace's words. The Promotions toggle must be on: it is what keeps
the activities' statuses current here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from ..extensions import db
from ..hooks import get_connector
from ..models import Promotion
from .outbox import RESOLVERS, PushRequestInvalid, Resolved, _text

MAX_LIMIT = 99  # quantity limits: -1 (none) or 1 to 99


def _connector(account):
    connector = get_connector(account.connector)
    if not connector().stream_enabled(account, "promotions"):
        raise PushRequestInvalid({"activity": ["the Promotions feature is off for this account: turn it on to act on promotions"]})
    return connector


def _open_activity(account, item: dict, connector) -> Promotion:
    activity_id = _text(item, "activity")
    row = db.session.scalars(
        select(Promotion).where(Promotion.account_id == account.id, Promotion.kind == "activity", Promotion.external_id == activity_id)
    ).first()
    if row is None:
        raise PushRequestInvalid({"activity": [f"no synced promotion activity {activity_id!r} (sync promotions first)"]})
    if row.status in connector.promotion_final_statuses:
        raise PushRequestInvalid({"activity": [f"activity {activity_id} is {row.status}: only an activity not over yet can be changed"]})
    return row


def _title(account, item: dict, connector, *, required: bool, excluding: str | None = None) -> str | None:
    title = _text(item, "title", required=required)
    if title is None:
        return None
    if len(title) > connector.promotion_title_max:
        raise PushRequestInvalid({"title": [f"must be at most {connector.promotion_title_max} characters"]})
    taken = select(Promotion.external_id).where(Promotion.account_id == account.id, Promotion.kind == "activity", Promotion.title == title)
    if any(other != excluding for other in db.session.scalars(taken)):
        raise PushRequestInvalid({"title": [f"another activity is called {title!r}: titles are unique in a shop"]})
    return title


def _instant(item: dict, name: str, *, required: bool) -> int | None:
    """An ISO 8601 time with its offset ("2026-12-24T09:00:00+08:00"), as unix seconds."""
    raw = item.get(name)
    if raw is None and not required:
        return None
    try:
        when = datetime.fromisoformat(str(raw)) if isinstance(raw, str) else None
    except ValueError:
        when = None
    if when is None:
        raise PushRequestInvalid({name: ['must be an ISO 8601 time with its offset, such as "2026-12-24T09:00:00+08:00"']})
    if when.tzinfo is None:
        raise PushRequestInvalid({name: ["must say its offset from UTC (Z, +08:00...): a time without one is ambiguous"]})
    return int(when.astimezone(UTC).timestamp())


def _period(starts: int | None, ends: int | None, *, starts_changed: bool) -> None:
    now = int(datetime.now(UTC).timestamp())
    if starts_changed and starts is not None and starts <= now:
        raise PushRequestInvalid({"starts_at": ["must be in the future"]})
    if starts is not None and ends is not None and ends <= starts:
        raise PushRequestInvalid({"ends_at": ["must be after the start (starts_at)"]})


def resolve_create(account, item: dict) -> Resolved:
    """``{"title", "type", "level", "starts_at", "ends_at"}``: a new activity, empty until
    products are added to it once it is synced."""
    connector = _connector(account)
    title = _title(account, item, connector, required=True)
    kind = _text(item, "type")
    if kind not in connector.promotion_types:
        raise PushRequestInvalid({"type": [f"must be one of: {', '.join(connector.promotion_types)}"]})
    level = _text(item, "level")
    if level not in connector.promotion_levels:
        raise PushRequestInvalid({"level": [f"must be one of: {', '.join(connector.promotion_levels)}"]})
    starts, ends = _instant(item, "starts_at", required=True), _instant(item, "ends_at", required=True)
    _period(starts, ends, starts_changed=True)
    payload = {"title": title, "activity_type": kind, "product_level": level, "begin_time": starts, "end_time": ends}
    return Resolved(f"new:{title}", payload, payload)


def resolve_update(account, item: dict) -> Resolved:
    """``{"activity", "title"?, "starts_at"?, "ends_at"?}``: at least one of them."""
    connector = _connector(account)
    row = _open_activity(account, item, connector)
    title = _title(account, item, connector, required=False, excluding=row.external_id)
    starts, ends = _instant(item, "starts_at", required=False), _instant(item, "ends_at", required=False)
    if title is None and starts is None and ends is None:
        raise PushRequestInvalid({"title": ["name a new title, starts_at or ends_at"]})
    current = lambda t: None if t is None else int(t.timestamp())  # noqa: E731
    _period(starts or current(row.starts_at), ends or current(row.ends_at), starts_changed=starts is not None)
    payload = {
        "activity_id": row.external_id,
        "title": title or row.title,
        "begin_time": starts or current(row.starts_at),
        "end_time": ends or current(row.ends_at),
        "promotion_row": row.id,
    }
    return Resolved(row.external_id, payload, {k: payload[k] for k in ("title", "begin_time", "end_time")})


def _limit(entry: dict, name: str, field: str) -> int:
    value = entry.get(name, -1)
    if value is None:
        return -1
    if not isinstance(value, int) or isinstance(value, bool) or not (value == -1 or 1 <= value <= MAX_LIMIT):
        raise PushRequestInvalid({field: [f"must be -1 (no limit) or 1 to {MAX_LIMIT}"]})
    return value


def _offer(entry: dict, pricing: str, field: str) -> dict:
    """The percentage off, or the activity price, as the activity's type prices products."""
    other = "price" if pricing == "percent" else "percent_off"
    if entry.get(other) is not None:
        raise PushRequestInvalid({f"{field}{other}": [f"this activity's type is priced by {'percent_off' if pricing == 'percent' else 'price'}"]})
    if pricing == "percent":
        value = entry.get("percent_off")
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 99:
            raise PushRequestInvalid({f"{field}percent_off": ["is required: a whole percentage from 1 to 99"]})
        return {"discount": str(value)}
    raw = entry.get("price")
    if isinstance(raw, float) or raw is None or isinstance(raw, bool):
        raise PushRequestInvalid({f"{field}price": ['is required: a decimal string such as "12.50" (never a float)']})
    try:
        amount = Decimal(str(raw))
    except InvalidOperation:
        raise PushRequestInvalid({f"{field}price": [f"{raw!r} is not a decimal amount"]}) from None
    if not amount.is_finite() or amount <= 0:
        raise PushRequestInvalid({f"{field}price": ["must be a positive amount"]})
    return {"activity_price_amount": str(amount)}


def resolve_product(account, item: dict) -> Resolved:
    """``{"activity", "product", "percent_off" | "price", "quantity_limit"?, "per_buyer_limit"?}``
    for an activity at the product level; at the SKU level ``{"activity", "product",
    "per_buyer_limit"?, "skus": [{"sku", "percent_off" | "price", "quantity_limit"?,
    "per_buyer_limit"?}]}``. A product already in the activity gets the new values."""
    connector = _connector(account)
    row = _open_activity(account, item, connector)
    pricing = connector.promotion_types.get(row.type or "")
    if pricing is None or row.scope not in connector.promotion_levels:
        raise PushRequestInvalid({"activity": [f"activity {row.external_id} is a {row.type} at {row.scope} level: it takes no products one by one"]})
    product = _text(item, "product")
    entry = {"id": product, "quantity_per_user": _limit(item, "per_buyer_limit", "per_buyer_limit")}
    skus = item.get("skus")
    if row.scope == "PRODUCT":
        if skus:
            raise PushRequestInvalid({"skus": ["this activity applies to whole products: give the product's own offer, not its SKUs'"]})
        entry |= _offer(item, pricing, "") | {"quantity_limit": _limit(item, "quantity_limit", "quantity_limit"), "skus": []}
    else:
        if not isinstance(skus, list) or not skus:
            raise PushRequestInvalid({"skus": ["this activity prices SKUs one by one: list them with their offer"]})
        if item.get("quantity_limit") not in (None, -1) or item.get("price") is not None or item.get("percent_off") is not None:
            raise PushRequestInvalid({"product": ["at the SKU level the offer and the quantity limit go on each SKU"]})
        entry["quantity_limit"], entry["skus"] = -1, []
        for k, sku in enumerate(skus):
            field = f"skus[{k}]."
            if not isinstance(sku, dict):
                raise PushRequestInvalid({f"skus[{k}]": ["must be an object"]})
            sku_id = sku.get("sku")
            if not isinstance(sku_id, (str, int)) or isinstance(sku_id, bool) or not str(sku_id).strip():
                raise PushRequestInvalid({f"{field}sku": ["is required (the marketplace's SKU id)"]})
            entry["skus"].append(
                {
                    "id": str(sku_id).strip(),
                    **_offer(sku, pricing, field),
                    "quantity_limit": _limit(sku, "quantity_limit", f"{field}quantity_limit"),
                    "quantity_per_user": _limit(sku, "per_buyer_limit", f"{field}per_buyer_limit"),
                }
            )
    payload = {"activity_id": row.external_id, "product": entry, "promotion_row": row.id}
    return Resolved(f"{row.external_id}:{product}", payload, {"product": entry})


def resolve_product_removal(account, item: dict) -> Resolved:
    """``{"activity", "product"}`` or ``{"activity", "sku"}``: out of the activity."""
    connector = _connector(account)
    row = _open_activity(account, item, connector)
    product, sku = _text(item, "product", required=False), _text(item, "sku", required=False)
    if (product is None) == (sku is None):
        raise PushRequestInvalid({"product": ["name either product or sku"]})
    payload = {"activity_id": row.external_id, "product_id": product, "sku_id": sku, "promotion_row": row.id}
    return Resolved(f"{row.external_id}:{product or sku}", payload, {"removed": True})


def resolve_deactivate(account, item: dict) -> Resolved:
    """``{"activity"}``: end a synced activity now."""
    connector = _connector(account)
    row = _open_activity(account, item, connector)
    return Resolved(row.external_id, {"activity_id": row.external_id, "title": row.title, "promotion_row": row.id}, {"deactivate": True})


RESOLVERS.update(
    {
        "promotion_create": resolve_create,
        "promotion_update": resolve_update,
        "promotion_product": resolve_product,
        "promotion_product_removal": resolve_product_removal,
        "promotion_deactivate": resolve_deactivate,
    }
)
