"""The Shopee v2 endpoints the connector calls, plus the writes a seller makes from the ERP.
Field names and nesting follow the official samples (shared/shopee/samples/)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode, urlsplit, urlunsplit

from flask import Flask, g, jsonify, redirect, request

from .data import TWO_DECIMALS, Item, Model, Order, Shop, escrow, wallet
from .server import PUBLIC, SHOP, ApiError, api_route, body, envelope, param_error, sandbox

MAX_WINDOW = 15 * 86_400  # get_order_list: "diff in 15days" (API.md 4.3)
OPTIONAL_ORDER_FIELDS = frozenset(
    {
        "buyer_user_id",
        "buyer_username",
        "item_list",
        "pay_time",
        "package_list",
        "shipping_carrier",
        "total_amount",
        "cancel_by",
        "cancel_reason",
        "pickup_done_time",
        "payment_method",
        "estimated_shipping_fee",
        "actual_shipping_fee",
    }
)


def money(amount: Decimal) -> float | int:
    """Prices are JSON numbers in the shop currency: whole numbers where the currency has no
    minor unit (the VND sample's 48000), two decimals elsewhere."""
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _int_arg(name: str, *, required: bool = True, default: int | None = None) -> int | None:
    value = request.args.get(name)
    if value in (None, ""):
        if required:
            raise param_error(f"{name} is required")
        return default
    try:
        return int(value)
    except ValueError:
        raise param_error(f"invalid field {name}: value must be an integer") from None


def _page_size() -> int:
    size = _int_arg("page_size")
    if not 1 <= size <= 100:
        raise param_error("page_size should be between 1 and 100")
    return size


# -- authorization ----------------------------------------------------------------------------


def auth_partner():
    """The consent page (``/api/v2/shop/auth_partner``). The seller logs in and picks a shop;
    Shopee then redirects to ``redirect`` with ``code`` and ``shop_id`` added (API.md 3.3).
    ``auto_approve=1&shop=N`` consents for shop N without the page (tests, the demo)."""
    target = request.args.get("redirect", "")
    if not target.startswith(("http://", "https://")):
        raise param_error("redirect is required and must be an http(s) URL")
    shops = sandbox().data.shops
    if request.args.get("auto_approve") != "1":
        links = "".join(f'<li><a href="{request.full_path}&auto_approve=1&shop={s.index}">{s.name} ({s.region})</a></li>' for s in shops)
        return f"<!doctype html><title>Shopee sandbox: authorize</title><h1>Authorize the app for a shop</h1><ul>{links}</ul>"
    try:
        shop = shops[int(request.args.get("shop", "0"))]
    except (ValueError, IndexError):
        raise param_error("shop must be the index of a sandbox shop") from None
    code = sandbox().state.issue_code(shop.shop_id)
    parts = urlsplit(target)
    query = "&".join(p for p in (parts.query, urlencode({"code": code, "shop_id": shop.shop_id})) if p)
    return redirect(urlunsplit(parts._replace(query=query)), 302)


def token_get():
    data = body()
    shop_id = data.get("shop_id")
    if not isinstance(shop_id, int) or not data.get("code"):
        raise param_error("code and shop_id are required")
    state = sandbox().state
    if not state.take_code(str(data["code"]), shop_id):
        raise ApiError("error_auth", "Invalid code", 403)
    access, refresh = state.issue_tokens(shop_id)
    return jsonify(envelope(top={"shop_id_list": [shop_id], "access_token": access, "refresh_token": refresh, "expire_in": 14_400}))


def access_token_get():
    data = body()
    shop_id = data.get("shop_id")
    if not isinstance(shop_id, int) or not data.get("refresh_token"):
        raise param_error("refresh_token and shop_id are required")
    rotated = sandbox().state.rotate(str(data["refresh_token"]), shop_id)
    if rotated is None:
        raise ApiError("error_auth", "Invalid refresh_token.", 403)
    access, refresh = rotated
    return jsonify(
        envelope(top={"partner_id": sandbox().config.partner_id, "shop_id": shop_id, "access_token": access, "refresh_token": refresh, "expire_in": 14_400})
    )


def shop_info():
    shop: Shop = g.shop
    now = sandbox().clock()
    return jsonify(
        envelope(
            top={
                "auth_time": now - 86_400,
                "expire_time": now + 364 * 86_400,
                "shop_name": shop.name,
                "region": shop.region,
                "status": "NORMAL",
                "shop_fulfillment_flag": "Others",
                "is_cb": False,
                "is_upgraded_cbsc": False,
                "merchant_id": None,
                "is_sip": False,
                "sip_affi_shops": [],
                "is_main_shop": False,
                "is_direct_shop": False,
                "linked_direct_shop_list": [],
                "linked_main_shop_id": 0,
            }
        )
    )


# -- orders -----------------------------------------------------------------------------------


def order_list():
    field = request.args.get("time_range_field")
    if field not in ("create_time", "update_time"):
        raise param_error("time_range_field should be create_time or update_time")
    time_from, time_to, size = _int_arg("time_from"), _int_arg("time_to"), _page_size()
    if not time_from < time_to or time_to - time_from > MAX_WINDOW:
        raise ApiError("order.order_list_invalid_time", "Start time must be earlier than end time and diff in 15days.")
    status = request.args.get("order_status")
    try:
        offset = int(request.args.get("cursor") or 0)
    except ValueError:
        raise param_error("invalid cursor") from None
    matching = sorted(
        (o for o in g.shop.orders if time_from <= getattr(o, field) <= time_to and (not status or o.status == status)),
        key=lambda o: (getattr(o, field), o.order_sn),
    )
    page = matching[offset : offset + size]
    more = offset + size < len(matching)
    with_status = "order_status" in (request.args.get("response_optional_fields") or "").split(",")
    orders = [{"order_sn": o.order_sn, **({"order_status": o.status} if with_status else {})} for o in page]
    return jsonify(envelope({"more": more, "next_cursor": str(offset + size) if more else "", "order_list": orders}))


def order_detail():
    sns = [s for s in (request.args.get("order_sn_list") or "").split(",") if s]
    if not 1 <= len(sns) <= 50:
        raise param_error("order_sn_list should have 1 to 50 order_sn")
    shop: Shop = g.shop
    missing = [s for s in sns if s not in shop.by_sn]
    if missing:
        raise ApiError("error_not_found", "Wrong parameters, detail: the order is not found.")
    wanted = set((request.args.get("response_optional_fields") or "").split(",")) & OPTIONAL_ORDER_FIELDS
    return jsonify(envelope({"order_list": [_order_document(shop, shop.by_sn[s], wanted) for s in sns]}))


def _order_document(shop: Shop, order: Order, wanted: set[str]) -> dict:
    document = {
        "order_sn": order.order_sn,
        "region": shop.region,
        "currency": shop.currency,
        "cod": False,
        "order_status": order.status,
        "message_to_seller": "",
        "create_time": order.create_time,
        "update_time": order.update_time,
        "days_to_ship": 2,
        "ship_by_date": (order.pay_time or order.create_time) + 2 * 86_400 if order.pay_time else 0,
        "booking_sn": "",
    }
    optional = {
        "buyer_user_id": lambda: order.buyer_user_id,
        "buyer_username": lambda: f"buyer{order.buyer_user_id}",
        "pay_time": lambda: order.pay_time,
        "total_amount": lambda: money(order.total_amount()) if order.pay_time else 0,
        "estimated_shipping_fee": lambda: money(order.shipping_fee),
        "actual_shipping_fee": lambda: money(order.shipping_fee),
        "shipping_carrier": lambda: order.carrier,
        "payment_method": lambda: "Credit Card/Debit Card",
        "cancel_by": lambda: order.cancel_by,
        "cancel_reason": lambda: order.cancel_reason,
        "pickup_done_time": lambda: order.pickup_done_time or 0,
        "item_list": lambda: [_order_item(line) for line in order.lines],
        "package_list": lambda: [_package(order)],
    }
    document.update({name: read() for name, read in optional.items() if name in wanted})
    return document


def _order_item(line) -> dict:
    return {
        "item_id": line.item.item_id,
        "item_name": line.item.name,
        "item_sku": line.item.sku,
        "model_id": line.model.model_id,
        "model_name": line.model.name,
        "model_sku": line.model.sku,
        "model_quantity_purchased": line.quantity,
        "model_original_price": money(line.original_price),
        "model_discounted_price": money(line.discounted_price),
        "wholesale": False,
        "weight": 0.3,
        "add_on_deal": False,
        "main_item": False,
        "add_on_deal_id": 0,
        "promotion_type": "",
        "promotion_id": 0,
        "order_item_id": line.order_item_id,
        "promotion_group_id": 0,
        "image_info": {"image_url": ""},
        "product_location_id": [],
        "is_prescription_item": False,
        "is_b2c_owned_item": False,
    }


LOGISTICS_STATUS = {
    "UNPAID": "LOGISTICS_NOT_START",
    "READY_TO_SHIP": "LOGISTICS_READY",
    "PROCESSED": "LOGISTICS_REQUEST_CREATED",
    "SHIPPED": "LOGISTICS_PICKUP_DONE",
    "TO_CONFIRM_RECEIVE": "LOGISTICS_DELIVERY_DONE",
    "COMPLETED": "LOGISTICS_DELIVERY_DONE",
    "TO_RETURN": "LOGISTICS_DELIVERY_DONE",
    "IN_CANCEL": "LOGISTICS_READY",
    "CANCELLED": "LOGISTICS_REQUEST_CANCELED",
}


def _package(order: Order) -> dict:
    return {
        "package_number": order.package_number,
        "logistics_status": LOGISTICS_STATUS[order.status],
        "logistics_channel_id": 18_025,
        "shipping_carrier": order.carrier,
        "allow_self_design_awb": False,
        "item_list": [
            {
                "item_id": line.item.item_id,
                "model_id": line.model.model_id,
                "model_quantity": line.quantity,
                "order_item_id": line.order_item_id,
                "promotion_group_id": 0,
                "product_location_id": "",
            }
            for line in order.lines
        ],
        "parcel_chargeable_weight_gram": 300 * sum(line.quantity for line in order.lines),
        "group_shipment_id": None,
        "sorting_group": "",
    }


def _escrow_document(shop: Shop, order: Order) -> dict:
    income = escrow(order, shop.region)
    return {
        "order_sn": order.order_sn,
        "buyer_user_name": f"buyer{order.buyer_user_id}",
        "return_order_sn_list": [],
        "order_income": {
            "escrow_amount": money(income["escrow_amount"]),
            "buyer_total_amount": money(order.total_amount() or Decimal(0)),
            "order_selling_price": money(income["goods"]),
            "commission_fee": money(income["commission_fee"]),
            "service_fee": money(income["service_fee"]),
            "seller_transaction_fee": money(income["seller_transaction_fee"]),
            "buyer_paid_shipping_fee": money(order.shipping_fee),
            "actual_shipping_fee": money(order.shipping_fee),
            "final_shipping_fee": 0,
            "items": [
                {
                    "item_id": line.item.item_id,
                    "item_name": line.item.name,
                    "item_sku": line.item.sku,
                    "model_id": line.model.model_id,
                    "model_sku": line.model.sku,
                    "original_price": money(line.original_price * line.quantity),
                    "selling_price": money(line.discounted_price * line.quantity),
                    "discounted_price": money(line.discounted_price * line.quantity),
                    "quantity_purchased": line.quantity,
                }
                for line in order.lines
            ],
        },
    }


def escrow_detail():
    sn = request.args.get("order_sn")
    if not sn:
        raise param_error("order_sn is required")
    shop: Shop = g.shop
    order = shop.by_sn.get(sn)
    if order is None:
        raise ApiError("error_not_found", "Wrong parameters, detail: the order is not found.")
    return jsonify(envelope(_escrow_document(shop, order)))


def escrow_detail_batch():
    """Up to 50 orders; an order not found fails alone, with ``fail_error`` on its element
    (API.md 4.4). POST with a JSON body, as the older capture and congminh's manager send it;
    GET with the list in the query, as the current schema says."""
    sns = body().get("order_sn_list") if request.method == "POST" else (request.args.get("order_sn_list") or "").split(",")
    if not isinstance(sns, list) or not sns or any(not isinstance(s, str) for s in sns):
        raise param_error("order_sn_list is required")
    if len(sns) > 50:
        raise ApiError("exceed_max_limit", "order_sn_list can have at most 50 order_sn")
    shop: Shop = g.shop
    answers = []
    for sn in sns:
        order = shop.by_sn.get(sn)
        if order is None:
            answers.append({"escrow_detail": {"order_sn": sn}, "fail_error": "order_not_found", "fail_message": "the order is not found"})
        else:
            answers.append({"escrow_detail": _escrow_document(shop, order)})
    return jsonify(envelope(answers))


def escrow_list():
    """Escrow released to the seller in [release_time_from, release_time_to], by page number,
    with ``more`` and no total (API.md 4.4)."""
    since, until = _int_arg("release_time_from"), _int_arg("release_time_to")
    size = _int_arg("page_size", required=False, default=40)
    page_no = _int_arg("page_no", required=False, default=1)
    if not 1 <= size <= 100 or page_no < 1:
        raise param_error("page_size should be between 1 and 100 and page_no at least 1")
    shop: Shop = g.shop
    now = sandbox().clock()
    released = sorted(
        ((o, t) for o in shop.orders if (t := o.released_at(now)) is not None and since <= t <= until),
        key=lambda pair: (pair[1], pair[0].order_sn),
    )
    page = released[(page_no - 1) * size : page_no * size]
    return jsonify(
        envelope(
            {
                "escrow_list": [
                    {"order_sn": o.order_sn, "payout_amount": money(escrow(o, shop.region)["escrow_amount"]), "escrow_release_time": t} for o, t in page
                ],
                "more": page_no * size < len(released),
            }
        )
    )


def wallet_transactions():
    """The wallet's transactions created in [create_time_from, create_time_to] (at most 15
    days apart), newest first, by page number from 0 (API.md 4.4: "page_no starts at 0"),
    with ``more`` and no total; ``money_flow`` and ``transaction_type`` narrow it. The order
    is the sandbox's choice: the API does not document one, so the connector must not rely on
    it."""
    page_no, size = _int_arg("page_no"), _page_size()
    since, until = _int_arg("create_time_from"), _int_arg("create_time_to")
    if page_no < 0:
        raise param_error("page_no should be at least 0")
    if since > until:
        raise ApiError("time_invalid", "create_time_from should be earlier than create_time_to.")
    if until - since > MAX_WINDOW:
        raise ApiError("time_period_too_large", "The time range should be within 15 days.")
    flow, kind = request.args.get("money_flow"), request.args.get("transaction_type")
    if flow not in (None, "", "MONEY_IN", "MONEY_OUT"):
        raise param_error("money_flow should be MONEY_IN or MONEY_OUT")
    shop: Shop = g.shop
    matching = [
        t
        for t in reversed(wallet(shop, sandbox().clock()))
        if since <= t["create_time"] <= until and (not flow or t["money_flow"] == flow) and (not kind or t["transaction_type"] == kind)
    ]
    page = matching[page_no * size : (page_no + 1) * size]
    money_fields = ("amount", "current_balance", "transaction_fee")
    listed = [{**t, **{k: money(t[k]) for k in money_fields}} for t in page]
    return jsonify(envelope({"transaction_list": listed, "more": (page_no + 1) * size < len(matching)}))


# -- products ---------------------------------------------------------------------------------


def item_list():
    offset, size = _int_arg("offset", required=False, default=0), _page_size()
    statuses = request.args.getlist("item_status") or ["NORMAL"]
    statuses = [s for value in statuses for s in value.split(",")]
    since, until = _int_arg("update_time_from", required=False), _int_arg("update_time_to", required=False)
    items = [
        i
        for i in sorted(g.shop.items.values(), key=lambda i: i.item_id)
        if i.status in statuses and (since is None or i.update_time >= since) and (until is None or i.update_time <= until)
    ]
    if offset > len(items):
        raise param_error("offset over limit, please use the next field")
    page = items[offset : offset + size]
    more = offset + size < len(items)
    return jsonify(
        envelope(
            {
                "item": [{"item_id": i.item_id, "item_status": i.status, "update_time": i.update_time, "tag": {"kit": False}} for i in page],
                "total_count": len(items),
                "has_next_page": more,
                "next_offset": offset + size if more else 0,
            }
        )
    )


def _items_arg(limit: int) -> list[Item]:
    ids = [s for s in (request.args.get("item_id_list") or "").split(",") if s]
    if not 1 <= len(ids) <= limit:
        raise ApiError("product.error_param", f"item_id_list should have 1 to {limit} item_id")
    try:
        return [g.shop.items[int(i)] for i in ids]
    except (ValueError, KeyError):
        raise ApiError("product.error_item_not_found", "Item not found.") from None


def _stock_info(shop: Shop, models: list[Model]) -> dict:
    return {
        "summary_info": {"total_reserved_stock": sum(m.reserved for m in models), "total_available_stock": sum(m.stock for m in models)},
        "seller_stock": [{"location_id": shop.location_id, "stock": sum(m.stock for m in models), "if_saleable": True}],
    }


def _price_info(shop: Shop, model: Model) -> list[dict]:
    price = money(model.price)
    return [{"currency": shop.currency, "original_price": price, "current_price": price}]


def item_base_info():
    shop: Shop = g.shop
    documents = []
    for item in _items_arg(50):
        document = {
            "item_id": item.item_id,
            "category_id": item.category_id,
            "item_name": item.name,
            "description": f"{item.name}, from the sandbox.",
            "item_sku": item.sku,
            "create_time": item.create_time,
            "update_time": item.update_time,
            "item_status": item.status,
            "has_model": item.has_model,
            "condition": "NEW",
            "weight": "0.30",
            "stock_info_v2": _stock_info(shop, item.models),
        }
        if not item.has_model:  # "omitted when has_model=true" (API.md 4.7)
            document["price_info"] = _price_info(shop, item.models[0])
        documents.append(document)
    return jsonify(envelope({"item_list": documents}))


def model_list():
    shop: Shop = g.shop
    try:
        item = shop.items[int(request.args.get("item_id", ""))]
    except (ValueError, KeyError):
        raise ApiError("product.error_item_not_found", "Item not found.") from None
    models = item.models if item.has_model else []
    return jsonify(
        envelope(
            {
                "tier_variation": [{"name": "Size", "option_list": [{"option": m.name, "image": {"image_id": "", "image_url": ""}} for m in models]}]
                if models
                else [],
                "model": [
                    {
                        "model_id": m.model_id,
                        "tier_index": [n],
                        "model_sku": m.sku,
                        "model_status": "MODEL_NORMAL",
                        "price_info": _price_info(shop, m),
                        "stock_info_v2": _stock_info(shop, [m]),
                        "pre_order": {"is_pre_order": False, "days_to_ship": 2},
                        "gtin_code": "",
                        "weight": "0.30",
                        "dimension": {"package_height": 10, "package_length": 20, "package_width": 15},
                    }
                    for n, m in enumerate(models)
                ],
                "standardise_tier_variation": [],
            }
        )
    )


def _per_model(list_key: str, apply) -> dict:
    """An update_stock or update_price call: the item, then each entry for one of its models.
    ``apply(model, entry)`` changes the model and returns its success entry, or returns the
    failure reason. Shopee answers per model (API.md 4.1), and a change moves the item's
    ``update_time`` (API.md 4.7)."""
    data = body()
    try:
        item = g.shop.items[int(data.get("item_id"))]
    except (TypeError, ValueError, KeyError):
        raise ApiError("product.error_item_not_found", "Item not found.") from None
    entries = data.get(list_key)
    if not isinstance(entries, list) or not 1 <= len(entries) <= 50:
        raise ApiError("product.error_param", f"{list_key} should have 1 to 50 entries")
    success, failure = [], []
    for entry in entries:
        model = item.model(entry.get("model_id")) if isinstance(entry, dict) else None
        outcome = apply(model, entry) if model is not None else "model_id is invalid"
        if isinstance(outcome, dict):
            success.append(outcome)
        else:
            failure.append({"model_id": model.model_id if model else (entry.get("model_id", 0) if isinstance(entry, dict) else 0), "failed_reason": outcome})
    if success:
        item.update_time = sandbox().clock()
    return envelope({"failure_list": failure, "success_list": success})


def update_stock():
    """Stock per model and location; model_id 0 for an item without variants (API.md 3.5)."""
    shop: Shop = g.shop

    def apply(model: Model, entry: dict):
        stocks = entry.get("seller_stock")
        if not isinstance(stocks, list) or len(stocks) != 1 or not isinstance(stocks[0], dict):
            return "seller_stock should have one entry per location"
        location, stock = stocks[0].get("location_id", shop.location_id), stocks[0].get("stock")
        if location != shop.location_id:
            return f"location_id {location} is not a location of this shop"
        if not isinstance(stock, int) or isinstance(stock, bool) or stock < max(model.reserved, 0):
            return "stock must be an integer not below the reserved stock"
        model.stock = stock
        return {"model_id": model.model_id, "location_id": location, "stock": stock}

    return jsonify(_per_model("stock_list", apply))


def update_price():
    """Prices have two decimals in SG/MY/BR/MX and none elsewhere (API.md 4.7)."""
    places = 2 if g.shop.region in TWO_DECIMALS else 0

    def apply(model: Model, entry: dict):
        try:
            price = Decimal(str(entry.get("original_price")))
        except InvalidOperation:
            price = Decimal(-1)
        if not price.is_finite() or price <= 0 or price != round(price, places):
            return f"original_price must be above 0 with at most {places} decimals"
        model.price = price
        return {"model_id": model.model_id, "original_price": money(price)}

    return jsonify(_per_model("price_list", apply))


# -- logistics --------------------------------------------------------------------------------
# The sandbox's one channel is seller-arranged ("non_integrated"): the seller ships with a carrier
# of their own and gives its tracking number, the flow of API.md 4.6 with that one branch.


def _order_arg(source) -> Order:
    sn = source.get("order_sn")
    if not sn:
        raise param_error("order_sn is required")
    order = g.shop.by_sn.get(sn)
    if order is None:
        raise ApiError("error_not_found", "Wrong parameters, detail: the order is not found.")
    package = source.get("package_number")
    if package and package != order.package_number:
        raise ApiError("logistics.package_not_exist", "The package is not exist.")
    return order


def shipping_parameter():
    order = _order_arg(request.args)
    if order.status != "READY_TO_SHIP":
        raise ApiError("logistics.ship_order_not_ready_to_ship", "The order is not ready to ship.")
    return jsonify(envelope({"info_needed": {"dropoff": [], "pickup": [], "non_integrated": ["tracking_number"]}, "dropoff": None, "pickup": None}))


def ship_order():
    data = body()
    order = _order_arg(data)
    methods = [m for m in ("pickup", "dropoff", "non_integrated") if m in data]
    if len(methods) != 1:
        raise ApiError("logistics.ship_order_only_support_one_type", "Only one of pickup, dropoff and non_integrated can be sent.")
    if order.status in ("PROCESSED", "SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED", "TO_RETURN"):
        raise ApiError("logistics.package_already_shipped", "The package has already been shipped.")
    if order.status != "READY_TO_SHIP":
        raise ApiError("logistics.ship_order_not_ready_to_ship", "The order is not ready to ship.")
    if methods[0] != "non_integrated":
        raise ApiError("logistics.ship_order_invalid_type", f"This channel does not support {methods[0]}.")
    tracking = (data["non_integrated"] or {}).get("tracking_number") if isinstance(data["non_integrated"], dict) else None
    if not isinstance(tracking, str) or not tracking.strip():
        raise ApiError("logistics.ship_order_need_tracking_number", "tracking_number is required for this channel.")
    order.status, order.tracking_number, order.update_time = "PROCESSED", tracking.strip(), sandbox().clock()
    sandbox().pushes.order_status(g.shop, order)
    return jsonify(envelope())


def tracking_number():
    order = _order_arg(request.args)
    return jsonify(envelope({"tracking_number": order.tracking_number, "first_mile_tracking_number": ""}))


def tracking_info():
    """The carrier's events of the order's package, from its own times (API.md 4.6)."""
    order = _order_arg(request.args)
    events = []
    if order.status in ("PROCESSED", "SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED", "TO_RETURN"):
        events.append(
            {"update_time": order.pay_time or order.create_time, "description": "Order is created in the carrier's system", "logistics_status": "ORDER_CREATED"}
        )
    if order.pickup_done_time:
        events.append({"update_time": order.pickup_done_time, "description": f"Parcel picked up by {order.carrier}", "logistics_status": "PICKED_UP"})
    if order.status in ("TO_CONFIRM_RECEIVE", "COMPLETED", "TO_RETURN"):
        events.append({"update_time": order.update_time, "description": "Parcel delivered", "logistics_status": "DELIVERED"})
    return jsonify(
        envelope(
            {
                "order_sn": order.order_sn,
                "package_number": order.package_number,
                "logistics_status": LOGISTICS_STATUS[order.status],
                "tracking_info": events[::-1],
            }
        )
    )


# -- returns ----------------------------------------------------------------------------------


def return_list():
    """``returns/get_return_list``: page_no and page_size required, optional create and update
    time windows of at most 15 days each, the list under the key ``return`` (API.md 4.5). The
    page_no sample is 1 while its description says the default is 0: pages count from 0 here,
    as the description says."""
    page_no, size = _int_arg("page_no"), _page_size()
    if page_no < 0:
        raise param_error("page_no should be at least 0")
    shop: Shop = g.shop
    chosen = shop.returns
    for field in ("create_time", "update_time"):
        since, until = _int_arg(f"{field}_from", required=False), _int_arg(f"{field}_to", required=False)
        if since is None and until is None:
            continue
        if since is None or until is None or not since < until or until - since > MAX_WINDOW:
            raise param_error(f"{field}_from and {field}_to should both be set, in order, at most 15 days apart")
        chosen = [r for r in chosen if since <= getattr(r, field) <= until]
    status = request.args.get("status")
    if status:
        chosen = [r for r in chosen if r.status == status]
    chosen = sorted(chosen, key=lambda r: (r.update_time, r.return_sn))
    page = chosen[page_no * size : (page_no + 1) * size]
    return jsonify(envelope({"more": (page_no + 1) * size < len(chosen), "return": [_return_document(shop, r) for r in page]}))


def _return_document(shop: Shop, found) -> dict:
    line = found.line
    return {
        "return_sn": found.return_sn,
        "order_sn": found.order.order_sn,
        "status": found.status,
        "reason": found.reason,
        "text_reason": "",
        "refund_amount": money(found.refund_amount),
        "amount_before_discount": money(found.refund_amount),
        "currency": shop.currency,
        "create_time": found.create_time,
        "update_time": found.update_time,
        "due_date": found.create_time + 3 * 86_400,
        "tracking_number": "",
        "needs_logistics": found.solution == 0,
        "dispute_reason": [],
        "dispute_text_reason": [],
        "image": [],
        "user": {"username": f"buyer{found.order.buyer_user_id}", "email": "", "portrait": ""},
        "item": [
            {
                "item_id": line.item.item_id,
                "model_id": line.model.model_id,
                "name": line.item.name,
                "images": [],
                "amount": line.quantity,
                "item_price": money(line.discounted_price),
                "is_add_on_deal": False,
                "is_main_item": False,
                "add_on_deal_id": 0,
                "item_sku": line.item.sku,
                "variation_sku": line.model.sku,
            }
        ],
        "negotiation_status": "TERMINATED",
        "seller_proof_status": "NOT_NEEDED",
        "seller_compensation_status": "COMPENSATION_NOT_REQUIRED",
        "return_solution": found.solution,
    }


# -- push ---------------------------------------------------------------------------------------


def set_push_config():
    """``push/set_app_push_config``: the app's callback URL and the codes switched on or off
    (API.md 3.6); partner level, so it holds for every shop of the app."""
    data = body()
    state = sandbox().state
    if "callback_url" in data:
        url = data["callback_url"]
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise param_error("callback_url must be an http(s) URL")
        state.push_callback = url
    for key, switch_on in (("set_push_config_on", True), ("set_push_config_off", False)):
        codes = data.get(key) or []
        if not isinstance(codes, list) or any(not isinstance(c, int) for c in codes):
            raise param_error(f"{key} must be a list of push codes")
        state.push_codes = state.push_codes | set(codes) if switch_on else state.push_codes - set(codes)
    return jsonify(envelope({"result": "success"}))


def lost_push_messages():
    """The earliest 100 pushes lost in the last three days (API.md 4.8); partner level."""
    lost = sandbox().pushes.lost_since(sandbox().clock())
    page = lost[:100]
    return jsonify(
        envelope(
            {
                "push_message_list": [{"shop_id": m.shop_id, "code": m.code, "timestamp": m.timestamp, "data": m.data} for m in page],
                "has_next_page": len(lost) > 100,
                "last_message_id": page[-1].message_id if page else 0,
            }
        )
    )


def confirm_lost_push():
    last = body().get("last_message_id")
    if not isinstance(last, int) or not sandbox().pushes.confirm(last):
        raise param_error("last_message_id is not a message of the lost-push list")
    return jsonify(envelope({}))


def register(app: Flask) -> None:
    for method, path, level, handler in (
        ("GET", "/api/v2/shop/auth_partner", PUBLIC, auth_partner),
        ("POST", "/api/v2/auth/token/get", PUBLIC, token_get),
        ("POST", "/api/v2/auth/access_token/get", PUBLIC, access_token_get),
        ("GET", "/api/v2/shop/get_shop_info", SHOP, shop_info),
        ("GET", "/api/v2/order/get_order_list", SHOP, order_list),
        ("GET", "/api/v2/order/get_order_detail", SHOP, order_detail),
        ("GET", "/api/v2/payment/get_escrow_detail", SHOP, escrow_detail),
        ("POST", "/api/v2/payment/get_escrow_detail_batch", SHOP, escrow_detail_batch),
        ("GET", "/api/v2/payment/get_escrow_list", SHOP, escrow_list),
        ("GET", "/api/v2/payment/get_wallet_transaction_list", SHOP, wallet_transactions),
        ("GET", "/api/v2/product/get_item_list", SHOP, item_list),
        ("GET", "/api/v2/product/get_item_base_info", SHOP, item_base_info),
        ("GET", "/api/v2/product/get_model_list", SHOP, model_list),
        ("POST", "/api/v2/product/update_stock", SHOP, update_stock),
        ("POST", "/api/v2/product/update_price", SHOP, update_price),
        ("GET", "/api/v2/returns/get_return_list", SHOP, return_list),
        ("GET", "/api/v2/logistics/get_shipping_parameter", SHOP, shipping_parameter),
        ("POST", "/api/v2/logistics/ship_order", SHOP, ship_order),
        ("GET", "/api/v2/logistics/get_tracking_number", SHOP, tracking_number),
        ("GET", "/api/v2/logistics/get_tracking_info", SHOP, tracking_info),
        ("POST", "/api/v2/push/set_app_push_config", PUBLIC, set_push_config),
        ("GET", "/api/v2/push/get_lost_push_message", PUBLIC, lost_push_messages),
        ("POST", "/api/v2/push/confirm_consumed_lost_push_message", PUBLIC, confirm_lost_push),
    ):
        api_route(app, method, path, level)(handler)
