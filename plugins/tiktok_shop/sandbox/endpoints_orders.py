"""Orders, packages, returns, cancellations and affiliate orders: all views of the orders."""

from __future__ import annotations

import hmac

import numpy as np
from flask import Flask, Response, g, request

from ..cancel_reasons import CANCELLATION_REJECT_REASONS, REASON_NOT_MATCH_ORDER_STATUS, seller_cancel_reasons
from . import documents as D
from . import shipping_documents as SD
from .api_errors import ApiError, invalid_param, ok
from .data import ORDER_STATUSES, STATUS_CODE, statement_time
from .search import check_times, paged_search, slice_page, time_range
from .server import Endpoint, api_route, sandbox
from .state import USER_CREATOR

RETURNS_PARAM_ERROR = 25001001
FULFILLMENT_PARAM_ERROR = 11001002
ALREADY_SHIPPED = (11006021, "Package has been shipped. Please not ship the package again.", 200)
PACKAGE_STATUSES = ("PROCESSING", "FULFILLING", "COMPLETED", "CANCELLED")
# What a pending request of each return type may be answered with (``decision`` of Approve
# Return / Reject Return, node_sdk_catalog.md "POST /return_refund/202309/returns/{return_id}/approve"
# and ".../reject"). The request at hand is pending, so the decisions about a received package
# do not fit it yet.
APPROVE_DECISIONS = {"REFUND": ("APPROVE_REFUND", "OFFER_PARTIAL_REFUND"), "RETURN_AND_REFUND": ("APPROVE_RETURN", "APPROVE_REFUND", "OFFER_PARTIAL_REFUND")}
REJECT_DECISIONS = {"REFUND": ("REJECT_REFUND",), "RETURN_AND_REFUND": ("REJECT_RETURN",)}
# Get Reject Reasons (``GET /return_refund/202309/reject_reasons``), per kind of request: for
# returns the reason names the official samples use (return_refund_202309_*reject*.request.json,
# reject_reasons.response.json), for cancellations TikTok's "Cancel reasons" table.
REJECT_REASONS = {
    "return": (
        ("seller_reject_apply_you_have_reached_an_agreement_with_the_buyer", "You have reached an agreement with the buyer"),
        ("seller_reject_apply_package_has_not_exceeded_estimated_delivery_time", "The package has not exceeded its estimated delivery time"),
    ),
    "cancellation": CANCELLATION_REJECT_REASONS,
}
_PACKAGE_CODES = {
    "PROCESSING": [STATUS_CODE[s] for s in ("UNPAID", "ON_HOLD", "AWAITING_SHIPMENT")],
    "FULFILLING": [STATUS_CODE[s] for s in ("PARTIALLY_SHIPPING", "AWAITING_COLLECTION", "IN_TRANSIT")],
    "COMPLETED": [STATUS_CODE[s] for s in ("DELIVERED", "COMPLETED")],
    "CANCELLED": [STATUS_CODE["CANCELLED"]],
}


def _sort(args, allowed: tuple[str, ...], default_order: str) -> tuple[str, bool]:
    field = args.get("sort_field") or allowed[0]
    if field not in allowed:
        raise invalid_param(f"sort_field must be one of {', '.join(allowed)}")
    order = (args.get("sort_order") or default_order).upper()
    if order not in ("ASC", "DESC"):
        raise invalid_param("sort_order must be ASC or DESC")
    return field, order == "DESC"


def _id_list(body: dict, name: str, limit: int | None = None, code: int = 36009004) -> list[str] | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid_param(f"{name} must be a list of strings", code)
    if limit is not None and len(value) > limit:
        raise invalid_param(f"{name} accepts at most {limit} values", code)
    return value


def _only_ids(body: dict, n: int, decoders: dict) -> np.ndarray:
    """Rows named by the body's id lists (all rows when it names none); unknown ids match nothing."""
    mask = np.ones(n, dtype=bool)
    for name, decode in decoders.items():
        ids = _id_list(body, name, code=RETURNS_PARAM_ERROR)
        if ids is not None:
            only = np.zeros(n, dtype=bool)
            only[_indices_of(ids, decode)] = True
            mask &= only
    return mask


def _indices_of(ids: list[str], decode) -> np.ndarray:
    found = [i for i in (decode(x) for x in ids) if i is not None]
    return np.array(sorted(set(found)), dtype=np.int64)


def order_index_or_404(order_id: str, code: int = 36009004) -> int:
    box, shop = sandbox(), g.shop
    i = box.data.order_index(shop, order_id)
    if i is None:
        raise invalid_param(f"order {order_id} does not exist in this shop", code)
    return i


def register(app: Flask) -> None:
    @api_route(app, "POST", "/order/202309/orders/search", Endpoint("Order Information"))
    def orders_search():
        box, shop, body, args = sandbox(), g.shop, g.body, request.args
        cols, n = shop.orders, shop.orders.count
        field, descending = _sort(args, ("create_time", "update_time"), "DESC")
        status = body.get("order_status")
        if status is not None and status not in ORDER_STATUSES:
            raise invalid_param(f"order_status must be one of {', '.join(ORDER_STATUSES)}")
        # create_time grows with the index, so a creation window is a slice, not a scan.
        check_times(body, "create_time_ge", "create_time_lt")
        create = cols.create_time[:n]
        low = int(np.searchsorted(create, body["create_time_ge"], "left")) if isinstance(body.get("create_time_ge"), int) else 0
        high = int(np.searchsorted(create, body["create_time_lt"], "left")) if isinstance(body.get("create_time_lt"), int) else n
        check_times(body, "update_time_ge", "update_time_lt")
        nothing = body.get("shipping_type") not in (None, "TIKTOK") or (
            body.get("warehouse_ids") is not None and shop.warehouses[0].id not in body["warehouse_ids"]
        )
        filtered = nothing or status is not None or body.get("update_time_ge") is not None or body.get("update_time_lt") is not None

        def matches(a: int, b: int) -> np.ndarray:
            mask = time_range(cols.update_time[a:b], body, "update_time_ge", "update_time_lt")
            if status is not None:
                mask &= cols.status[a:b] == STATUS_CODE[status]
            if nothing:
                mask[:] = False
            return mask

        filters = {"path": "orders", **{k: body.get(k) for k in sorted(body)}, "sort": field, "desc": descending}
        build_page = lambda page: [D.order_document(box.data, shop, c) for c in box.data.order_cores(shop, page)]  # noqa: E731
        if field == "create_time":
            orders, token, total = slice_page(
                args,
                filters,
                low,
                high,
                cols.create_time,
                matches=matches if filtered else None,
                page_limits=(1, 100, None),
                descending=descending,
                build_page=build_page,
            )
        else:
            indices = np.flatnonzero(matches(low, high)) + low
            orders, token, total = paged_search(
                args, filters, indices, cols.update_time[indices], low=1, high=100, default_size=None, descending=descending, build_page=build_page
            )
        return ok({"next_page_token": token, "total_count": total, "orders": orders})

    @api_route(app, "GET", "/order/202309/orders", Endpoint("Order Information"))
    def orders_detail():
        box, shop = sandbox(), g.shop
        ids = [x for x in (request.args.get("ids") or "").split(",") if x]
        if not ids:
            raise invalid_param("ids is required")
        if len(ids) > 50:
            raise invalid_param("ids accepts at most 50 order ids")
        found = [box.data.order_index(shop, x) for x in ids]
        return ok({"orders": [D.order_document(box.data, shop, c) for c in box.data.order_cores(shop, [i for i in found if i is not None])]})

    # Newer versions of the same operations, served side by side as TikTok keeps superseded
    # versions alive for months (the shapes the sandbox returns are common to both).
    api_route(app, "GET", "/order/202507/orders", Endpoint("Order Information"))(orders_detail)

    @api_route(app, "GET", "/order/202407/orders/{order_id}/price_detail", Endpoint("Order Information"))
    def order_price_detail(order_id):
        box, shop = sandbox(), g.shop
        core = box.data.order_core(shop, order_index_or_404(order_id))
        return ok(D.price_detail_document(shop, core, box.data))

    # -- packages ---------------------------------------------------------------------------

    @api_route(app, "POST", "/fulfillment/202309/packages/search", Endpoint("Fulfillment Basic", shop=None))
    def packages_search():
        box, body, args = sandbox(), g.body, request.args
        shop = g.shop or box.data.shops[g.token.shops[0]]
        cols, n = shop.orders, shop.orders.count
        field, descending = _sort(args, ("create_time", "update_time"), "DESC")
        status = body.get("package_status")
        if status is not None and status not in PACKAGE_STATUSES:
            raise invalid_param(f"package_status must be one of {', '.join(PACKAGE_STATUSES)}", FULFILLMENT_PARAM_ERROR)
        paid = cols.paid_time[:n]
        mask = (
            (paid > 0) & time_range(paid, body, "create_time_ge", "create_time_lt") & time_range(cols.update_time[:n], body, "update_time_ge", "update_time_lt")
        )
        if status is not None:
            mask &= np.isin(cols.status[:n], _PACKAGE_CODES[status])
        indices = np.nonzero(mask)[0]
        keys = (paid if field == "create_time" else cols.update_time[:n])[indices]
        filters = {"path": "packages", **{k: body.get(k) for k in sorted(body)}, "sort": field, "desc": descending}
        packages, token, total = paged_search(
            args,
            filters,
            indices,
            keys,
            low=1,
            high=50,
            default_size=None,
            descending=descending,
            code=FULFILLMENT_PARAM_ERROR,
            build_page=lambda page: [
                D.package_document(box.data, shop, c, detail=False, shipment=box.data.shipments.get((shop.index, c.index)))
                for c in box.data.order_cores(shop, page)
            ],
        )
        return ok({"next_page_token": token, "total_count": total, "packages": packages})

    def package_index(package_id: str) -> int:
        box, shop = sandbox(), g.shop
        from .data import PACKAGE_ID_BASE

        decoded = box.data.decode(package_id, PACKAGE_ID_BASE)
        if decoded is None or decoded[0] != shop.index or not 0 <= decoded[1] < shop.orders.count or shop.orders.paid_time[decoded[1]] == 0:
            raise invalid_param(f"package {package_id} does not exist in this shop", FULFILLMENT_PARAM_ERROR)
        return decoded[1]

    @api_route(app, "GET", "/fulfillment/202309/packages/{package_id}", Endpoint("Fulfillment Basic"))
    def package_detail(package_id):
        box, shop = sandbox(), g.shop
        i = package_index(package_id)
        return ok(D.package_document(box.data, shop, box.data.order_core(shop, i), detail=True, shipment=box.data.shipments.get((shop.index, i))))

    @api_route(app, "POST", "/fulfillment/202309/packages/{package_id}/ship", Endpoint("Fulfillment Basic"))
    def package_ship(package_id):
        box, shop, body = sandbox(), g.shop, g.body
        i = package_index(package_id)
        core = box.data.order_core(shop, i)
        if core.status == "CANCELLED":
            raise invalid_param("the order of this package is cancelled", FULFILLMENT_PARAM_ERROR)
        if core.status != "AWAITING_SHIPMENT":
            raise ApiError(ALREADY_SHIPPED)
        handover = body.get("handover_method", "DROP_OFF")
        if handover not in ("PICKUP", "DROP_OFF"):
            raise invalid_param("handover_method must be PICKUP or DROP_OFF", FULFILLMENT_PARAM_ERROR)
        self_shipment = body.get("self_shipment") or {}
        if self_shipment and not (isinstance(self_shipment.get("tracking_number"), str) and self_shipment.get("tracking_number")):
            raise invalid_param("self_shipment.tracking_number is required", FULFILLMENT_PARAM_ERROR)
        box.data.shipments[(shop.index, i)] = {
            "tracking_number": self_shipment.get("tracking_number") or D.tracking_number(shop, i),
            "shipping_provider_id": self_shipment.get("shipping_provider_id") or D.PROVIDER[0],
            "handover_method": handover,
        }
        now = box.clock()
        core = box.data.move_order(shop, i, "AWAITING_COLLECTION", now)
        box.webhooks.order_status_changed(shop, core)
        box.webhooks.package_updated(shop, core)
        return ok({})

    @api_route(app, "GET", "/fulfillment/202309/packages/{package_id}/shipping_documents", Endpoint("Fulfillment Basic"))
    def package_shipping_documents(package_id):
        box, shop, args = sandbox(), g.shop, request.args
        i = package_index(package_id)
        document_type = args.get("document_type")
        if document_type not in SD.DOCUMENT_TYPES:
            raise invalid_param(f"document_type must be one of {', '.join(SD.DOCUMENT_TYPES)}", FULFILLMENT_PARAM_ERROR)
        if document_type == "HAZMAT_LABEL":
            raise invalid_param("this package holds no hazmat items", FULFILLMENT_PARAM_ERROR)
        if args.get("document_size", "A6") not in SD.SIZES:
            raise invalid_param("document_size must be A6 or A5", FULFILLMENT_PARAM_ERROR)
        if args.get("document_format", "PDF") != "PDF":
            raise invalid_param("document_format ZPL is only for the BR market", FULFILLMENT_PARAM_ERROR)
        core = box.data.order_core(shop, i)
        if core.status in ("UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "CANCELLED"):
            raise invalid_param("ship the package first: its documents exist once it has shipped", FULFILLMENT_PARAM_ERROR)
        shipment = box.data.shipments.get((shop.index, i)) or {}
        tracking = shipment.get("tracking_number") or D.tracking_number(shop, i)
        expires = box.clock() + SD.URL_LIFETIME
        payload = f"{shop.index}:{i}:{document_type}:{expires}"
        url = f"{request.host_url}sandbox/v1/documents/{payload.replace(':', '-')}-{SD.sign(box.config.app_secret.encode(), payload)}"
        return ok({"doc_url": url, "tracking_number": tracking})

    @app.get("/sandbox/v1/documents/<token>")
    def shipping_document_file(token):
        """What a doc_url points at: TikTok's file host, without an API signature (the URL is
        the credential), refused once expired or altered."""
        box = sandbox()
        try:
            shop_index, i, document_type, expires, signature = token.split("-")
            payload = f"{shop_index}:{i}:{document_type}:{expires}"
            valid = hmac.compare_digest(signature, SD.sign(box.config.app_secret.encode(), payload)) and int(expires) > box.clock()
        except ValueError:
            valid = False
        if not valid:
            return Response("This document link has expired or is not valid.", status=403, mimetype="text/plain")
        shop, i = box.data.shops[int(shop_index)], int(i)
        shipment = box.data.shipments.get((shop.index, i)) or {}
        tracking = shipment.get("tracking_number") or D.tracking_number(shop, i)
        if document_type == "SHIPPING_LABEL_PICTURE":
            return Response(SD.png(), mimetype="image/png")
        lines = [
            f"TikTok Shop {document_type.replace('_', ' ').lower()}",
            f"Package {D.package_id(shop, i)}",
            f"Order {box.data.order_id(shop, i)}",
            f"Tracking {tracking}",
        ]
        return Response(SD.pdf(lines), mimetype="application/pdf")

    @api_route(app, "GET", "/fulfillment/202309/orders/{order_id}/tracking", Endpoint("Fulfillment Basic"))
    def order_tracking(order_id):
        box, shop = sandbox(), g.shop
        core = box.data.order_core(shop, order_index_or_404(order_id))
        steps = {"AWAITING_COLLECTION": "Package is ready for collection", "IN_TRANSIT": "Package picked up by carrier", "DELIVERED": "Package delivered"}
        tracking = [{"description": steps[name], "update_time_millis": at * 1000} for name, at in reversed(core.stages) if name in steps]
        return ok({"tracking": tracking})

    # -- returns ----------------------------------------------------------------------------

    @api_route(app, "POST", "/return_refund/202309/returns/search", Endpoint("Return & Refund Basic"))
    def returns_search():
        box, shop, body, args = sandbox(), g.shop, g.body, request.args
        cols, n = shop.orders, shop.orders.count
        field, descending = _sort(args, ("create_time", "update_time"), "ASC")
        requested = cols.return_requested[:n]
        mask = (
            (requested > 0)
            & time_range(requested, body, "create_time_ge", "create_time_lt")
            & time_range(cols.return_update_time[:n], body, "update_time_ge", "update_time_lt")
        )
        mask &= _only_ids(body, n, {"order_ids": lambda x: box.data.order_index(shop, x), "return_ids": lambda x: _decode_return(box, shop, x)})
        indices = np.nonzero(mask)[0]
        statuses, types = _id_list(body, "return_status", code=RETURNS_PARAM_ERROR), _id_list(body, "return_types", code=RETURNS_PARAM_ERROR)
        if statuses is not None or types is not None:
            # Return status and type are not columns: check the (few) candidates one by one.
            keep = []
            for i in indices:
                core = box.data.order_core(shop, int(i))
                if (statuses is None or core.return_stages[-1][0] in statuses) and (types is None or core.return_type in types):
                    keep.append(i)
            indices = np.array(keep, dtype=np.int64)
        keys = (requested if field == "create_time" else cols.return_update_time[:n])[indices]
        filters = {"path": "returns", **{k: body.get(k) for k in sorted(body)}, "sort": field, "desc": descending}
        returns, token, total = paged_search(
            args,
            filters,
            indices,
            keys,
            low=1,
            high=50,
            default_size=10,
            descending=descending,
            code=RETURNS_PARAM_ERROR,
            build_page=lambda page: [D.return_document(box.data, shop, c, c.return_type or "REFUND") for c in box.data.order_cores(shop, page)],
        )
        return ok({"return_orders": returns, "total_count": total, "next_page_token": token})

    def return_index(return_id: str) -> int:
        box, shop = sandbox(), g.shop
        i = _decode_return(box, shop, return_id)
        if i is None:
            raise invalid_param(f"return {return_id} does not exist in this shop", RETURNS_PARAM_ERROR)
        return i

    def decide_return(return_id: str, approve: bool):
        box, shop, body = sandbox(), g.shop, g.body or {}
        i = return_index(return_id)
        core = box.data.order_core(shop, i)
        if core.return_stages[-1][0] != "RETURN_OR_REFUND_REQUEST_PENDING":
            raise invalid_param("only a pending return can be approved or rejected", RETURNS_PARAM_ERROR)
        decision = body.get("decision")
        allowed = (APPROVE_DECISIONS if approve else REJECT_DECISIONS)[core.return_type]
        if decision is not None and decision not in allowed:
            raise invalid_param(
                f"decision {decision!r} does not fit a pending {core.return_type} request; use one of {', '.join(allowed)}", RETURNS_PARAM_ERROR
            )
        if not approve:
            check_reject_reason(body, "return")
        if not approve:
            following = "REFUND_OR_RETURN_REQUEST_REJECT"
        elif core.return_type == "RETURN_AND_REFUND" and decision in (None, "APPROVE_RETURN"):
            following = "AWAITING_BUYER_SHIP"  # the buyer ships the item back first
        else:
            following = "RETURN_OR_REFUND_REQUEST_COMPLETE"  # a refund (whole or partial) completes at once
        box.webhooks.return_status_changed(shop, box.data.move_return(shop, i, following, box.clock()))
        return ok({})

    def check_reject_reason(body: dict, kind: str) -> None:
        reason = body.get("reject_reason")
        names = [name for name, _ in REJECT_REASONS[kind]]
        if not reason:
            raise invalid_param("reject_reason is required: take one from Get Reject Reasons", RETURNS_PARAM_ERROR)
        if reason not in names:
            raise invalid_param(f"reject_reason {reason!r} is not a reason for rejecting a {kind} request", RETURNS_PARAM_ERROR)
        comment = body.get("comment")
        if comment is not None and (not isinstance(comment, str) or len(comment) > 1000):
            raise invalid_param("comment must be text of at most 1000 characters", RETURNS_PARAM_ERROR)

    @api_route(app, "GET", "/return_refund/202309/reject_reasons", Endpoint("Return & Refund Basic"))
    def reject_reasons():
        box, shop = sandbox(), g.shop
        wanted = request.args.get("return_or_cancel_id")
        if not wanted:
            raise invalid_param("return_or_cancel_id is required", RETURNS_PARAM_ERROR)
        if _decode_return(box, shop, wanted) is not None:
            kind = "return"
        elif _decode_cancel(box, shop, wanted) is not None:
            kind = "cancellation"
        else:
            raise invalid_param(f"{wanted} is neither a return nor a cancellation of this shop", RETURNS_PARAM_ERROR)
        return ok({"reasons": [{"name": name, "text": text} for name, text in REJECT_REASONS[kind]]})

    @api_route(app, "POST", "/return_refund/202309/returns/{return_id}/approve", Endpoint("Return & Refund Basic"))
    def return_approve(return_id):
        return decide_return(return_id, approve=True)

    @api_route(app, "POST", "/return_refund/202309/returns/{return_id}/reject", Endpoint("Return & Refund Basic"))
    def return_reject(return_id):
        return decide_return(return_id, approve=False)

    api_route(app, "POST", "/return_refund/202602/returns/search", Endpoint("Return & Refund Basic"))(returns_search)
    api_route(app, "POST", "/return_refund/202606/returns/{return_id}/reject", Endpoint("Return & Refund Basic"))(return_reject)

    # -- cancellations ----------------------------------------------------------------------

    @api_route(app, "POST", "/return_refund/202309/cancellations/search", Endpoint("Return & Refund Basic"))
    def cancellations_search():
        box, shop, body, args = sandbox(), g.shop, g.body, request.args
        n = shop.orders.count
        field, descending = _sort(args, ("create_time", "update_time"), "ASC")
        created, updated = cancellation_times(box, shop)
        mask = (created > 0) & time_range(created, body, "create_time_ge", "create_time_lt") & time_range(updated, body, "update_time_ge", "update_time_lt")
        mask &= _only_ids(body, n, {"order_ids": lambda x: box.data.order_index(shop, x), "cancel_ids": lambda x: _decode_cancel(box, shop, x)})
        indices = np.nonzero(mask)[0]
        statuses = _id_list(body, "cancel_status", code=RETURNS_PARAM_ERROR)
        if statuses is not None:
            indices = np.array([i for i in indices if cancellation_state(box, shop, int(i))[0] in statuses], dtype=np.int64)
        keys = (created if field == "create_time" else updated)[indices]
        filters = {"path": "cancellations", **{k: body.get(k) for k in sorted(body)}, "sort": field, "desc": descending}

        def build(i: int) -> dict:
            status, made, changed = cancellation_state(box, shop, i)
            seller_reason = box.data.seller_cancellations.get((shop.index, i))
            return D.cancellation_document(box.data, shop, box.data.order_core(shop, i), status, made, changed, seller_reason)

        cancellations, token, total = paged_search(
            args, filters, indices, keys, low=1, high=50, default_size=10, descending=descending, code=RETURNS_PARAM_ERROR, build=build
        )
        return ok({"cancellations": cancellations, "total_count": total, "next_page_token": token})

    def cancel_index(cancel_id: str) -> int:
        box, shop = sandbox(), g.shop
        i = _decode_cancel(box, shop, cancel_id)
        if i is None or cancellation_state(box, shop, i)[1] == 0:
            raise invalid_param(f"cancellation {cancel_id} does not exist in this shop", RETURNS_PARAM_ERROR)
        return i

    def decide_cancellation(cancel_id: str, outcome: str):
        box, shop = sandbox(), g.shop
        i = cancel_index(cancel_id)
        if cancellation_state(box, shop, i)[0] != "CANCELLATION_REQUEST_PENDING":
            raise invalid_param("only a pending cancellation can be approved or rejected", RETURNS_PARAM_ERROR)
        if outcome == "CANCELLATION_REQUEST_CANCEL":
            check_reject_reason(g.body or {}, "cancellation")
        now = box.clock()
        box.data.cancellation_requests[(shop.index, i)].append((outcome, now))
        box.data.version += 1
        if outcome == "CANCELLATION_REQUEST_COMPLETE":
            core = box.data.move_order(shop, i, "CANCELLED", now)
            box.webhooks.order_status_changed(shop, core)
        box.webhooks.cancellation_status_changed(shop, box.data.order_core(shop, i), outcome)
        return ok({})

    @api_route(app, "POST", "/return_refund/202309/cancellations", Endpoint("Return & Refund Basic"))
    def cancel_order():
        """Cancel Order: the seller cancels a whole order not yet shipped, with one of the reasons
        for its status. Cancelling single lines (US and UK, out of stock) is not simulated: a
        request naming only some of the order's lines is refused as such."""
        box, shop, body = sandbox(), g.shop, g.body or {}
        order_id, reason = body.get("order_id"), body.get("cancel_reason")
        if not order_id or not isinstance(order_id, str):
            raise invalid_param("order_id is required", RETURNS_PARAM_ERROR)
        if not reason or not isinstance(reason, str):
            raise invalid_param("cancel_reason is required", RETURNS_PARAM_ERROR)
        i = box.data.order_index(shop, order_id)
        if i is None:
            raise invalid_param(f"order {order_id} does not exist in this shop", RETURNS_PARAM_ERROR)
        core = box.data.order_core(shop, i)
        allowed = [name for name, _ in seller_cancel_reasons(shop.region, core.status)]
        if not allowed:
            raise ApiError((25001006, f"an order in {core.status} cannot be cancelled by the seller", 200))
        if reason not in allowed:
            raise ApiError((REASON_NOT_MATCH_ORDER_STATUS, "Reason not match order status", 200))
        named = _id_list(body, "order_line_item_ids", code=RETURNS_PARAM_ERROR)
        if named is not None and set(named) != {line["id"] for line in D.order_document(box.data, shop, core)["line_items"]}:
            raise invalid_param("cancelling single order lines is not simulated by this sandbox; name every line or none", RETURNS_PARAM_ERROR)
        now = box.clock()
        box.data.seller_cancellations[(shop.index, i)] = reason
        box.data.cancellation_requests[(shop.index, i)] = [("CANCELLATION_REQUEST_COMPLETE", now)]
        box.data.version += 1
        core = box.data.move_order(shop, i, "CANCELLED", now)
        box.webhooks.order_status_changed(shop, core)
        box.webhooks.cancellation_status_changed(shop, core, "CANCELLATION_REQUEST_COMPLETE")
        return ok({"cancel_id": D.cancel_id(shop, i), "cancel_status": "CANCELLATION_REQUEST_SUCCESS"})

    @api_route(app, "POST", "/return_refund/202309/cancellations/{cancel_id}/approve", Endpoint("Return & Refund Basic"))
    def cancellation_approve(cancel_id):
        return decide_cancellation(cancel_id, "CANCELLATION_REQUEST_COMPLETE")

    @api_route(app, "POST", "/return_refund/202309/cancellations/{cancel_id}/reject", Endpoint("Return & Refund Basic"))
    def cancellation_reject(cancel_id):
        return decide_cancellation(cancel_id, "CANCELLATION_REQUEST_CANCEL")

    api_route(app, "POST", "/return_refund/202602/cancellations/search", Endpoint("Return & Refund Basic"))(cancellations_search)

    # -- affiliate ---------------------------------------------------------------------------

    def affiliate_search(shop, creator_side: bool):
        box, body, args = sandbox(), g.body, request.args
        cols, n = shop.orders, shop.orders.count
        create = cols.create_time[:n]
        mask = (cols.creator[:n] >= 0) & time_range(create, body, "create_time_ge", "create_time_lt")
        indices = np.nonzero(mask)[0]
        filters = {"path": "affiliate", "creator": creator_side, **{k: body.get(k) for k in sorted(body)}}
        orders, token, total = paged_search(
            args,
            filters,
            indices,
            create[indices],
            low=1,
            high=100,
            default_size=None if not creator_side else 20,
            descending=True,
            build_page=lambda page: [D.affiliate_order_document(box.data, shop, c, creator_side) for c in box.data.order_cores(shop, page)],
        )
        return ok({"orders": orders, "next_page_token": token, "total_count": total})

    @api_route(app, "POST", "/affiliate_seller/202410/orders/search", Endpoint("Read Seller Affiliate Collaboration"))
    def affiliate_seller_orders():
        return affiliate_search(g.shop, creator_side=False)

    @api_route(app, "POST", "/affiliate_creator/202410/orders/search", Endpoint("Read Creator Affiliate Collaborations", shop=False, user_type=USER_CREATOR))
    def affiliate_creator_orders():
        # A creator sees the orders attributed to them across shops; the sandbox's creators sell
        # for its first shop.
        return affiliate_search(sandbox().data.shops[0], creator_side=True)


def _decode_return(box, shop, return_id: str) -> int | None:
    from .data import RETURN_ID_BASE

    decoded = box.data.decode(return_id, RETURN_ID_BASE)
    if decoded is None or decoded[0] != shop.index or not 0 <= decoded[1] < shop.orders.count or shop.orders.return_requested[decoded[1]] == 0:
        return None
    return decoded[1]


def _decode_cancel(box, shop, cancel_id: str) -> int | None:
    from .data import CANCEL_ID_BASE

    decoded = box.data.decode(cancel_id, CANCEL_ID_BASE)
    if decoded is None or decoded[0] != shop.index or not 0 <= decoded[1] < shop.orders.count:
        return None
    return decoded[1]


def cancellation_state(box, shop, i: int) -> tuple[str, int, int]:
    """(status, created, updated) of order i's cancellation; created 0 when it has none."""
    requests = box.data.cancellation_requests.get((shop.index, i))
    if requests:
        return requests[-1][0], requests[0][1], requests[-1][1]
    cancelled = int(shop.orders.cancel_time[i])
    return ("CANCELLATION_REQUEST_COMPLETE", cancelled, cancelled) if cancelled else ("", 0, 0)


def cancellation_times(box, shop) -> tuple[np.ndarray, np.ndarray]:
    n = shop.orders.count
    created = shop.orders.cancel_time[:n].copy()
    updated = created.copy()
    for (s, i), requests in box.data.cancellation_requests.items():
        if s == shop.index:
            created[i], updated[i] = requests[0][1], requests[-1][1]
    return created, updated


__all__ = ["register", "statement_time"]
