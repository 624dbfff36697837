"""The sandbox's control API, for tests and the demo: the shops, the ground truth, changes
made on Shopee's side, expired tokens and injected faults. Not part of Shopee's API."""

from __future__ import annotations

from flask import Flask, jsonify, request

from .data import PICKED_UP, RELEASE_DELAY
from .server import sandbox
from .state import Faults

# The next status of an order on Shopee's normal path (API.md 4.3).
NEXT_STATUS = {
    "UNPAID": "READY_TO_SHIP",
    "READY_TO_SHIP": "PROCESSED",
    "PROCESSED": "SHIPPED",
    "SHIPPED": "TO_CONFIRM_RECEIVE",
    "TO_CONFIRM_RECEIVE": "COMPLETED",
    "IN_CANCEL": "CANCELLED",
}


def _shop():
    shop = sandbox().data.shop(request.args.get("shop_id") or (request.get_json(silent=True) or {}).get("shop_id"))
    if shop is None:
        return None, (jsonify(error="unknown shop_id"), 404)
    return shop, None


def register(app: Flask) -> None:
    @app.get("/sandbox/v1/shops")
    def shops():
        return jsonify(shops=[{"shop_id": s.shop_id, "name": s.name, "region": s.region, "currency": s.currency} for s in sandbox().data.shops])

    @app.get("/sandbox/v1/stats")
    def stats():
        shop, error = _shop()
        return error or jsonify(sandbox().data.stats(shop, sandbox().clock()))

    @app.post("/sandbox/v1/orders/advance")
    def advance():
        """Move ``count`` orders one step along their path, as buyers and carriers would."""
        shop, error = _shop()
        if error:
            return error
        count, now, moved = int((request.get_json(silent=True) or {}).get("count", 10)), sandbox().clock(), []
        for order in shop.orders:
            if len(moved) >= count:
                break
            nxt = NEXT_STATUS.get(order.status)
            if nxt is None:
                continue
            order.status, order.update_time = nxt, now
            if nxt == "READY_TO_SHIP":
                order.pay_time = now
            if nxt in PICKED_UP and order.pickup_done_time is None:
                order.pickup_done_time = now
            if nxt == "COMPLETED":
                order.release_time = now + RELEASE_DELAY
            moved.append({"order_sn": order.order_sn, "status": nxt})
            sandbox().pushes.order_status(shop, order)
        return jsonify(moved=moved)

    @app.post("/sandbox/v1/tokens/expire")
    def expire_tokens():
        state = sandbox().state
        with state.lock:
            for grant in state.access.values():
                grant.expires_at = 0
        return jsonify(expired=len(state.access))

    @app.route("/sandbox/v1/faults", methods=["PUT", "DELETE"])
    def faults():
        """``{"error_rate": 0..1, "paths": [prefix, ...], "after": n}``; DELETE clears them."""
        state = sandbox().state
        if request.method == "DELETE":
            state.faults = Faults()
            return jsonify(vars(state.faults))
        payload = request.get_json(silent=True) or {}
        try:
            state.faults = Faults(error_rate=float(payload.get("error_rate", 0)), paths=tuple(payload.get("paths") or ()), after=int(payload.get("after", 0)))
        except (TypeError, ValueError):
            return jsonify(error="error_rate is a number, paths a list of path prefixes, after a count"), 400
        return jsonify(vars(state.faults))

    @app.get("/sandbox/v1/pushes")
    def pushes():
        """Every push sent, with its attempts; ``settled=1`` waits until none is pending."""
        box = sandbox()
        if request.args.get("settled") and not box.pushes.wait_settled(float(request.args.get("timeout", 10))):
            return jsonify(error="pushes still pending"), 504
        return jsonify(pushes=[d.as_dict() for d in box.pushes.deliveries])

    @app.post("/sandbox/v1/deauthorize")
    def deauthorize():
        """The seller cancels the app's authorization in Seller Centre: the shop's tokens stop
        working and a code 2 push goes out."""
        shop, error = _shop()
        if error:
            return error
        state = sandbox().state
        with state.lock:
            for grant in list(state.access.values()) + list(state.refresh.values()):
                if grant.shop_id == shop.shop_id:
                    grant.expires_at = 0
        sandbox().pushes.push(shop, 2, {"shop_id": shop.shop_id, "success": 1, "extra": "deauthorized by the seller"})
        return jsonify(deauthorized=shop.shop_id)

    @app.get("/sandbox/v1/calls")
    def calls():
        return jsonify(dict(sandbox().state.calls))
