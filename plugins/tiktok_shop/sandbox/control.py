"""The control API under ``/sandbox/v1`` (not TikTok's; local use only, no auth): change the
world the way sellers and buyers would, inject faults, and read ground truth.

``GET /sandbox/v1/stats?shop=<id or cipher>`` is what tests compare the ERP tables with: counts
and money totals per entity, money as strings per currency."""

from __future__ import annotations

import time

import numpy as np
from flask import Flask, jsonify, request

from . import logistics, promotions
from .data import FATE_CANCELLED, FATE_NORMAL, FATE_RETURNED, ORDER_STATUSES, STATUS_CODE, LiveSession
from .documents import order_rewards
from .endpoints_finance import unsettled_mask
from .endpoints_orders import cancellation_times
from .ledger import BalanceEntries, balance_entries, ledger
from .money import fmt, parse
from .server import sandbox
from .state import Faults

CONFIGURABLE = {
    "redirect_url": (str, type(None)),
    "auto_approve": (bool,),
    "access_token_ttl": (int,),
    "refresh_token_ttl": (int,),
    "code_ttl": (int,),
    "rate_limit": (int,),
    "webhook_time_factor": (int, float),
    "granted_scopes": (list,),
}
FAULT_FIELDS = {
    "error_rate": float,
    "unavailable_rate": float,
    "timeout_rate": float,
    "truncate_rate": float,
    "latency_ms": int,
    "timeout_seconds": float,
    "paths": list,
    "after": int,
}
FORWARD = {
    "AWAITING_SHIPMENT": ("UNPAID", "ON_HOLD"),
    "ON_HOLD": ("UNPAID",),
    "AWAITING_COLLECTION": ("AWAITING_SHIPMENT",),
    "IN_TRANSIT": ("AWAITING_COLLECTION",),
    "DELIVERED": ("IN_TRANSIT",),
    "COMPLETED": ("DELIVERED",),
    "CANCELLED": ("UNPAID", "ON_HOLD", "AWAITING_SHIPMENT"),
}


def problem(message: str, status: int = 400):
    return jsonify(error=message), status


def body() -> dict:
    payload = request.get_json(silent=True)
    return payload if isinstance(payload, dict) else {}


def register(app: Flask) -> None:
    def shop_or_404(key: str):
        shop = sandbox().data.shop_by(key)
        if shop is None:
            try:
                index = int(key)
            except ValueError:
                index = -1
            shops = sandbox().data.shops
            shop = shops[index] if 0 <= index < len(shops) else None
        return shop

    def shop_and_order(key: str, order_id: str):
        """(shop, order index), or (None, None) when either is unknown."""
        shop = shop_or_404(key)
        i = sandbox().data.order_index(shop, order_id) if shop else None
        return (shop, i) if i is not None else (None, None)

    @app.get("/sandbox/v1/shops")
    def control_shops():
        box = sandbox()
        return jsonify(
            shops=[
                {"index": s.index, "id": s.id, "cipher": s.cipher, "name": s.name, "region": s.region, "currency": s.currency, "orders": int(s.orders.count)}
                for s in box.data.shops
            ],
            app_key=box.config.app_key,
            service_id=box.config.service_id,
            as_of=box.data.as_of,
        )

    @app.put("/sandbox/v1/app")
    def control_app():
        box = sandbox()
        changes = body()
        for key, value in changes.items():
            if key not in CONFIGURABLE or not isinstance(value, CONFIGURABLE[key]) or (isinstance(value, bool) and bool not in CONFIGURABLE[key]):
                return problem(f"{key}: not a setting, or wrong type; settings: {', '.join(CONFIGURABLE)}")
        for key, value in changes.items():
            setattr(box.config, key, tuple(value) if isinstance(value, list) else value)
        return jsonify({key: (list(v) if isinstance(v := getattr(box.config, key), tuple) else v) for key in CONFIGURABLE})

    @app.route("/sandbox/v1/faults", methods=["GET", "PUT", "DELETE"])
    def control_faults():
        box = sandbox()
        if request.method == "DELETE":
            box.state.faults = Faults()
            with box.state.lock:
                box.state.injected.clear()
        elif request.method == "PUT":
            changes = body()
            for key, value in changes.items():
                if key not in FAULT_FIELDS or not isinstance(value, (int, float) if FAULT_FIELDS[key] is not list else list):
                    return problem(f"{key}: unknown fault or wrong type; faults: {', '.join(FAULT_FIELDS)}")
            current = vars(box.state.faults) | {k: (tuple(v) if isinstance(v, list) else v) for k, v in changes.items()}
            box.state.faults = Faults(**current)
        shown = {k: (list(v) if isinstance(v, tuple) else v) for k, v in vars(box.state.faults).items()}
        with box.state.lock:
            return jsonify(shown | {"injected": dict(box.state.injected)})

    @app.post("/sandbox/v1/shops/<key>/orders")
    def control_new_orders(key):
        box, shop = sandbox(), shop_or_404(key)
        if shop is None:
            return problem("no such shop", 404)
        count = body().get("count", 1)
        if not isinstance(count, int) or not 1 <= count <= 10_000:
            return problem("count must be an integer from 1 to 10000")
        made = []
        with box.state.lock:  # a new order takes the next index: two requests at once took the same one
            for _ in range(count):
                core = box.data.add_order(shop, box.clock())
                box.webhooks.order_status_changed(shop, core)
                made.append(box.data.order_id(shop, core.index))
        return jsonify(order_ids=made), 201

    def shop_and_range():
        shop = shop_or_404(request.args.get("shop", ""))
        if shop is None:
            return None, problem("shop= must be a shop id, cipher or index", 404)
        try:
            return (shop, int(request.args["start"]), int(request.args["end"])), None
        except (KeyError, ValueError):
            return None, problem("start and end must be unix times")

    @app.get("/sandbox/v1/income")
    def control_income():
        """``?shop=KEY&start=UNIX&end=UNIX``: the ground truth of an income report."""
        found, refused = shop_and_range()
        return refused or jsonify(income_truth(*found))

    @app.get("/sandbox/v1/reports")
    def control_reports():
        """``?shop=KEY&start=UNIX&end=UNIX``: the ground truth of a report over [start, end):
        the income figures (orders created in the range) and the finance ones (statements whose
        statement time, payments whose paid time, falls in it; the balance at its end)."""
        found, refused = shop_and_range()
        return refused or jsonify({**income_truth(*found), **finance_truth(*found)})

    @app.post("/sandbox/v1/shops/<key>/orders/scripted")
    def control_scripted_orders(key):
        """Orders whose every figure is chosen: ``{"orders": [{"days_ago": 10, "prices":
        ["100.00"], "fate": "completed"|"cancelled"|"refunded", "creator": true,
        "commission_rate": 1500}]}`` (commission in hundredths of a percent). Each has lived
        its whole life by now (``ShopData.add_scripted_order``)."""
        box, shop = sandbox(), shop_or_404(key)
        if shop is None:
            return problem("no such shop", 404)
        specs = body().get("orders")
        if not isinstance(specs, list) or not 1 <= len(specs) <= 10_000:
            return problem("orders must be a list of 1 to 10000 order specs")
        fates = {"completed": FATE_NORMAL, "cancelled": FATE_CANCELLED, "refunded": FATE_RETURNED}
        parsed = []
        for n, spec in enumerate(specs):
            if not isinstance(spec, dict):
                return problem(f"orders[{n}] must be an object")
            days_ago, prices, fate = spec.get("days_ago"), spec.get("prices"), spec.get("fate", "completed")
            rate = spec.get("commission_rate", 0)
            if not isinstance(days_ago, (int, float)) or isinstance(days_ago, bool) or not 0 <= days_ago <= 3650:
                return problem(f"orders[{n}].days_ago must be a number of days from 0 to 3650")
            if not isinstance(prices, list) or not 1 <= len(prices) <= 50:
                return problem(f"orders[{n}].prices must list 1 to 50 unit prices")
            try:
                minor = [parse(p, shop.decimals) if isinstance(p, str) else parse("", 0) for p in prices]
            except ValueError as exc:
                return problem(f"orders[{n}].prices: {exc} (write each price as a decimal string)")
            if any(m <= 0 for m in minor):
                return problem(f"orders[{n}].prices must be above zero")
            if fate not in fates:
                return problem(f"orders[{n}].fate must be one of {', '.join(fates)}")
            if not isinstance(rate, int) or isinstance(rate, bool) or not 0 <= rate <= 10_000:
                return problem(f"orders[{n}].commission_rate must be hundredths of a percent, 0 to 10000")
            parsed.append((int(days_ago * 86_400), minor, fates[fate], 0 if spec.get("creator") else -1, rate))
        now = box.clock()
        made = []
        with box.state.lock:
            for seconds_ago, minor, fate, creator, rate in parsed:
                core = box.data.add_scripted_order(shop, now - seconds_ago, now, minor, fate, creator, rate)
                made.append(box.data.order_id(shop, core.index))
        return jsonify(order_ids=made), 201

    @app.post("/sandbox/v1/shops/<key>/orders/<order_id>/status")
    def control_order_status(key, order_id):
        box, (shop, i) = sandbox(), shop_and_order(key, order_id)
        if shop is None:
            return problem("no such shop or order", 404)
        status = body().get("status")
        if status not in ORDER_STATUSES or status == "UNPAID":
            return problem(f"status must be one of {', '.join(s for s in ORDER_STATUSES if s != 'UNPAID')}")
        current = box.data.order_core(shop, i).status
        if current not in FORWARD.get(status, ()):
            return problem(f"an order cannot go from {current} to {status}", 409)
        core = box.data.move_order(shop, i, status, box.clock())
        box.webhooks.order_status_changed(shop, core)
        if status in ("AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED"):
            box.webhooks.package_updated(shop, core)
        return jsonify(order_id=order_id, status=core.status, update_time=core.update_time)

    @app.post("/sandbox/v1/shops/<key>/orders/<order_id>/cancel")
    def control_cancel(key, order_id):
        box, (shop, i) = sandbox(), shop_and_order(key, order_id)
        if shop is None:
            return problem("no such shop or order", 404)
        core = box.data.order_core(shop, i)
        if core.status not in FORWARD["CANCELLED"]:
            return problem(f"an order in {core.status} cannot be cancelled", 409)
        now = box.clock()
        if body().get("request"):
            box.data.cancellation_requests[(shop.index, i)] = [("CANCELLATION_REQUEST_PENDING", now)]
            box.data.version += 1
            box.webhooks.cancellation_status_changed(shop, core, "CANCELLATION_REQUEST_PENDING")
            return jsonify(order_id=order_id, cancel_status="CANCELLATION_REQUEST_PENDING")
        core = box.data.move_order(shop, i, "CANCELLED", now)
        box.webhooks.order_status_changed(shop, core)
        box.webhooks.cancellation_status_changed(shop, core, "CANCELLATION_REQUEST_COMPLETE")
        return jsonify(order_id=order_id, status="CANCELLED")

    @app.post("/sandbox/v1/shops/<key>/orders/<order_id>/return")
    def control_return(key, order_id):
        box, (shop, i) = sandbox(), shop_and_order(key, order_id)
        if shop is None:
            return problem("no such shop or order", 404)
        core = box.data.order_core(shop, i)
        if core.status not in ("DELIVERED", "COMPLETED") or core.return_stages:
            return problem("only a delivered order without a return can be returned", 409)
        kind = body().get("type", "REFUND")
        if kind not in ("REFUND", "RETURN_AND_REFUND"):
            return problem("type must be REFUND or RETURN_AND_REFUND")
        core = box.data.move_return(shop, i, "RETURN_OR_REFUND_REQUEST_PENDING", box.clock(), kind)
        box.webhooks.return_status_changed(shop, core)
        return jsonify(order_id=order_id, return_status="RETURN_OR_REFUND_REQUEST_PENDING")

    @app.post("/sandbox/v1/shops/<key>/orders/<order_id>/settle")
    def control_settle(key, order_id):
        box, (shop, i) = sandbox(), shop_and_order(key, order_id)
        if shop is None:
            return problem("no such shop or order", 404)
        core = box.data.order_core(shop, i)
        if core.status not in ("DELIVERED", "COMPLETED") or core.return_stages or core.settle_time:
            return problem("only a delivered, unsettled order without a return can be settled", 409)
        # Settle "yesterday" so the statement (generated at 00:00 UTC) already exists.
        box.data.settle(shop, i, box.clock() - 86_400)
        return jsonify(order_id=order_id, settled=True)

    @app.post("/sandbox/v1/shops/<key>/stock")
    def control_stock(key):
        box, shop = sandbox(), shop_or_404(key)
        if shop is None:
            return problem("no such shop", 404)
        change = body()
        found = box.data.sku_by_id(shop, str(change.get("sku_id")))
        warehouses = [w.id for w in shop.warehouses[:2]]
        if found is None or str(change.get("warehouse_id")) not in warehouses:
            return problem("sku_id and warehouse_id must name a SKU and a sales warehouse of this shop")
        available = change.get("available")
        if not isinstance(available, int) or available < 0:
            return problem("available must be an integer >= 0")
        product, sku = found
        sku.stock[warehouses.index(str(change["warehouse_id"]))][0] = available
        product.update_time = box.clock()
        box.data.version += 1
        return jsonify(sku_id=sku.id, available=available)

    @app.post("/sandbox/v1/shops/<key>/live_sessions")
    def control_live_start(key):
        box, shop = sandbox(), shop_or_404(key)
        if shop is None:
            return problem("no such shop", 404)
        now = box.clock()
        k = len(shop.live_sessions)
        session = LiveSession(
            str(int(shop.live_sessions[0].id) + 10_000 + k), str(body().get("title") or f"LIVE #{k + 1}"), shop.creators[0], now, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
        )
        shop.live_sessions.append(session)
        return jsonify(id=session.id, start_time=now), 201

    @app.post("/sandbox/v1/shops/<key>/live_sessions/<session_id>/end")
    def control_live_end(key, session_id):
        box, shop = sandbox(), shop_or_404(key)
        session = next((s for s in shop.live_sessions if s.id == session_id), None) if shop else None
        if session is None or session.end_time:
            return problem("no running LIVE session with that id", 404)
        figures = body()
        for name in ("gmv", "units", "sku_orders", "customers", "viewers", "views", "pcu", "acu", "products_added"):
            value = figures.get(name, 0)
            if not isinstance(value, int) or value < 0:
                return problem(f"{name} must be an integer >= 0 (gmv in minor units)")
            setattr(session, name, value)
        session.end_time = box.clock()
        return jsonify(id=session.id, end_time=session.end_time)

    @app.post("/sandbox/v1/shops/<key>/webhooks/trigger")
    def control_trigger(key):
        from .webhooks import TYPE_CODES

        box, shop = sandbox(), shop_or_404(key)
        if shop is None:
            return problem("no such shop", 404)
        request_body = body()
        event_type = request_body.get("event_type")
        if event_type not in TYPE_CODES:
            return problem(f"event_type must be one of {', '.join(TYPE_CODES)}")
        data = request_body.get("data")
        if not isinstance(data, dict):
            return problem("data must be the event's data object")
        delivery = box.webhooks.send(shop, event_type, data, address=request_body.get("address"))
        if delivery is None:
            return problem("the shop has no subscription for that event type; subscribe or pass address", 409)
        return jsonify(notification_id=delivery.id), 202

    @app.post("/sandbox/v1/shops/<key>/deauthorize")
    def control_deauthorize(key):
        box, shop = sandbox(), shop_or_404(key)
        if shop is None:
            return problem("no such shop", 404)
        revoked = 0
        with box.state.lock:
            for token in box.state.tokens.values():
                if shop.index in token.shops and not token.revoked:
                    token.revoked = True
                    revoked += 1
        box.webhooks.deauthorized(shop)
        return jsonify(revoked=revoked)

    @app.post("/sandbox/v1/tokens/expire")
    def control_expire_tokens():
        """Expire access tokens now (``{"refresh": true}`` expires refresh tokens too)."""
        box = sandbox()
        past = int(time.time()) - 1
        with box.state.lock:
            for token in box.state.tokens.values():
                token.access_expires_at = past
                if body().get("refresh"):
                    token.refresh_expires_at = past
        return jsonify(expired=len(box.state.tokens))

    @app.get("/sandbox/v1/webhooks/deliveries")
    def control_deliveries():
        """``?settled=1&timeout=S`` waits until no delivery is pending (for tests to await)."""
        box = sandbox()
        if request.args.get("settled"):
            if not box.webhooks.wait_settled(float(request.args.get("timeout", 10))):
                return problem("deliveries still pending at the timeout", 408)
        shop = request.args.get("shop")
        chosen = shop_or_404(shop) if shop else None
        return jsonify(deliveries=[d.as_dict() for d in box.webhooks.deliveries if chosen is None or d.shop == chosen.index])

    @app.get("/sandbox/v1/requests")
    def control_requests():
        return jsonify(sandbox().state.request_counts)

    @app.get("/sandbox/v1/stats")
    def control_stats():
        shop = shop_or_404(request.args.get("shop", ""))
        if shop is None:
            return problem("shop= must be a shop id, cipher or index", 404)
        return jsonify(stats(shop))


def income_truth(shop, start: int, end: int) -> dict:
    """What an income report over [start, end) must say, from the sandbox's own orders (no
    document, no mapper): the seller's side from the shop's orders, the creator's side from the
    orders attributed to creators (a creator account sees the first shop's)."""
    box = sandbox()
    cols, n = shop.orders, shop.orders.count
    created = cols.create_time[:n]
    indices = np.nonzero((created >= start) & (created < end))[0]
    seller = dict.fromkeys(("orders_placed", "orders_counted", "completed_orders", "cancelled_orders", "returned_orders", "units", "shipped", "late"), 0)
    money = dict.fromkeys(
        (
            "gmv",
            "refunds",
            "sales",
            "actual_commission",
            "estimated_unsettled_commission",
            "estimated_commission",
            "bonus_estimated",
            "bonus_actual",
            "reward_estimated",
            "reward_actual",
            "tax",
            "shipping_fee",
        ),
        0,
    )
    attributed = 0
    for core in box.data.order_cores(shop, indices):
        seller["orders_placed"] += 1
        status = core.status
        if core.creator >= 0:
            attributed += 1
            money["sales"] += core.sub_total
            settled = core.settle_time and status != "CANCELLED" and not core.return_stages
            refunded = status == "CANCELLED" or bool(core.return_stages)
            bonus, reward = order_rewards(core)
            if not refunded:
                money["estimated_commission"] += core.affiliate_commission
                money["bonus_estimated"] += bonus
                money["reward_estimated"] += reward
            if settled:
                money["actual_commission"] += core.affiliate_commission
                money["bonus_actual"] += bonus
                money["reward_actual"] += reward
            elif not refunded:
                money["estimated_unsettled_commission"] += core.affiliate_commission
        if status == "CANCELLED":
            seller["cancelled_orders"] += 1
            continue
        if status == "UNPAID":
            continue
        seller["orders_counted"] += 1
        seller["completed_orders"] += status in ("DELIVERED", "COMPLETED")
        seller["units"] += len(core.lines)
        money["gmv"] += core.sub_total
        money["tax"] += core.product_tax
        money["shipping_fee"] += core.shipping_fee
        if core.return_stages and core.return_stages[-1][0] == "RETURN_OR_REFUND_REQUEST_COMPLETE":
            seller["returned_orders"] += 1
            money["refunds"] += core.total
        paid, rts = core.stage_time("AWAITING_SHIPMENT"), core.stage_time("AWAITING_COLLECTION")
        if paid and rts:
            seller["shipped"] += 1
            seller["late"] += rts - paid > 72 * 3600
    from .endpoints_other import service_performance

    first_day, last_day = -(-start // 86_400) * 86_400, end // 86_400 * 86_400  # whole days inside
    return {
        "currency": shop.currency,
        "seller": seller,
        "attributed_orders": attributed,
        "service": service_performance(shop, first_day, last_day) if first_day < last_day else None,
        **{k: fmt(int(v), shop.decimals) for k, v in money.items()},
    }


def balance_at(entries: BalanceEntries, moment: int) -> int:
    """The available balance at ``moment``: settled in, less withdrawn (minor units)."""
    before = entries.created < moment
    settle = np.array([t == "SETTLE" for t in entries.types], dtype=bool)
    return int(entries.amount[before & settle].sum() - entries.amount[before & ~settle].sum())


def finance_truth(shop, start: int, end: int) -> dict:
    box = sandbox()
    book = ledger(box.data, shop, box.clock())
    when = book.days * 86_400
    chosen = (when >= start) & (when < end)
    paid = np.array([book.payment_paid(int(w)) for w in book.weeks], dtype=np.int64)
    paid_in = (paid >= start) & (paid < end)
    minor = lambda value: fmt(int(value), shop.decimals)  # noqa: E731
    cols, n = shop.orders, shop.orders.count
    on_chosen = np.isin(book.statement_day_of_order, book.days[chosen])
    affiliate = int(shop.orders.commission[:n][on_chosen].sum())
    return {
        "statements": {
            # Fees as the statements carry them: negative, the platform's and the creators' parts.
            "affiliate_commission": minor(-affiliate),
            "platform_commission": minor(book.fee[chosen].sum() + affiliate),
            "count": int(chosen.sum()),
            "revenue": minor(book.revenue[chosen].sum()),
            "fees": minor(book.fee[chosen].sum()),
            "shipping_cost": minor(book.shipping[chosen].sum()),
            "settlement": minor(book.settlement[chosen].sum()),
        },
        "payouts": minor(book.week_amount[paid_in].sum()),
        "balance": minor(balance_at(balance_entries(shop, book), end)),
        # What the unsettled-orders endpoint lists today, of the orders created before ``end``.
        "awaiting": minor(cols.settlement[:n][unsettled_mask(shop, book) & (cols.create_time[:n] < end)].sum()),
    }


def stats(shop) -> dict:
    box = sandbox()
    now = box.clock()
    cols, n = shop.orders, shop.orders.count
    statuses = np.bincount(cols.status[:n], minlength=len(ORDER_STATUSES))
    money = lambda minor: {shop.currency: fmt(int(minor), shop.decimals)}  # noqa: E731
    products = [p for p in shop.products if p.status != "DELETED"]
    by_status: dict[str, int] = {}
    for product in products:
        by_status[product.status] = by_status.get(product.status, 0) + 1
    book = ledger(box.data, shop, now)
    entries = balance_entries(shop, book)
    affiliate = cols.creator[:n] >= 0
    created, _ = cancellation_times(box, shop)
    return {
        "shop": shop.id,
        "as_of": now,
        "products": {"count": len(products), "skus": sum(len(p.skus) for p in products), "by_status": by_status},
        "inventory": {"available_total": sum(w[0] for p in products for s in p.skus for w in s.stock)},
        "warehouses": {"count": len(shop.warehouses)},
        "orders": {
            "count": int(n),
            "lines": int(cols.lines[:n].sum()),
            "by_status": {name: int(statuses[code]) for name, code in STATUS_CODE.items() if statuses[code]},
            "payment_total": money(cols.total[:n].sum()),
        },
        "packages": {"count": int((cols.paid_time[:n] > 0).sum())},
        "returns": {"count": int((cols.return_requested[:n] > 0).sum())},
        "cancellations": {"count": int((created > 0).sum())},
        "statements": {"count": int(len(book.days)), "settlement_total": money(book.settlement.sum())},
        "payments": {"count": int(len(book.weeks)), "amount_total": money(book.week_amount.sum())},
        "withdrawals": {"count": len(entries.types), "amount_total": money(entries.amount.sum())},
        "balance": money(balance_at(entries, now + 1)),
        "affiliate_orders": {"count": int(affiliate.sum()), "estimated_commission_total": money(cols.commission[:n][affiliate].sum())},
        "live_sessions": {"count": len(shop.live_sessions), "gmv_total": money(sum(s.gmv for s in shop.live_sessions))},
        "promotions": promotions.truth(shop),
        "delivery_options": logistics.truth(shop),
    }
