"""Analytics (LIVE sessions, shop performance) and webhook subscriptions (Event API)."""

from __future__ import annotations

import datetime as dt
import zlib
from urllib.parse import urlsplit

import numpy as np
from flask import Flask, g, request

from .api_errors import invalid_param, ok
from .data import DAY, STATUS_CODE
from .money import fmt
from .search import paged_search
from .server import Endpoint, api_route, sandbox

ANALYTICS = "TikTok Shop Analytics"
EVENT_TYPES = (
    "ORDER_STATUS_CHANGE",
    "RECIPIENT_ADDRESS_UPDATE",
    "PACKAGE_UPDATE",
    "PRODUCT_STATUS_CHANGE",
    "SELLER_DEAUTHORIZATION",
    "UPCOMING_AUTHORIZATION_EXPIRATION",
    "CANCELLATION_STATUS_CHANGE",
    "RETURN_STATUS_CHANGE",
    "NEW_CONVERSATION",
    "NEW_MESSAGE",
    "PRODUCT_INFORMATION_CHANGE",
    "PRODUCT_CREATION",
    "PRODUCT_CATEGORY_CHANGE",
    "NEW_MESSAGE_LISTENER",
    "INVOICE_STATUS_CHANGE",
    "PRODUCT_AUDIT_STATUS_CHANGE",
    "REVERSE_STATUS_UPDATE",
)
LIVE_SORT_FIELDS = ("gmv", "products_added", "different_products_sold", "sku_orders", "unit_sold", "customers")


def date_range(names: tuple[str, str] = ("start_date_ge", "end_date_lt")) -> tuple[int, int]:
    """start_date_ge / end_date_lt (or the given names) as unix seconds; the sandbox's shops keep UTC."""
    bounds = []
    for name in names:
        raw = request.args.get(name)
        if not raw:
            raise invalid_param(f"{name} is required (YYYY-MM-DD)")
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            raise invalid_param(f"{name} must be a date as YYYY-MM-DD") from None
        bounds.append(int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()))
    if bounds[0] >= bounds[1]:
        raise invalid_param(f"{names[0]} must be before {names[1]}")
    return bounds[0], bounds[1]


def service_day(shop, day: int) -> tuple[int, int, int, int]:
    """One day of a shop's chat support, fixed by the shop and the day: (sessions, tenths of a
    percent answered within 24 h, tenths of a percent rated satisfied, tenths of a minute to the
    first answer). Rates in whole tenths, so a range's averages are exact to recompute."""
    h = zlib.crc32(f"{shop.id}:{day // DAY}".encode())
    return h % 25, 800 + (h >> 5) % 200, 850 + (h >> 13) % 150, 10 + (h >> 21) % 200


def service_performance(shop, start: int, end: int) -> dict:
    """Customer Service Performance over [start, end): sessions summed, rates weighted by the
    sessions of each day, to one decimal as the API gives them ("93.4")."""
    days = [service_day(shop, d) for d in range(start, end, DAY)]
    sessions = sum(d[0] for d in days)

    def average(k: int) -> str:
        if not sessions:
            return "0"
        tenths = (sum(d[0] * d[k] for d in days) * 2 + sessions) // (2 * sessions)  # half up
        return f"{tenths // 10}.{tenths % 10}"

    return {"support_session_count": sessions, "response_percentage": average(1), "satisfaction_percentage": average(2), "response_time_mins": average(3)}


def iso_day(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).date().isoformat()


def register(app: Flask) -> None:
    @api_route(app, "GET", "/analytics/202508/shop_lives/performance", Endpoint(ANALYTICS))
    def live_sessions():
        box, shop, args = sandbox(), g.shop, request.args
        start, end = date_range()
        sort_field = args.get("sort_field") or "gmv"
        if sort_field not in LIVE_SORT_FIELDS:
            raise invalid_param(f"sort_field must be one of {', '.join(LIVE_SORT_FIELDS)}")
        descending = (args.get("sort_order") or "DESC").upper() != "ASC"
        sessions = shop.live_sessions
        starts = np.array([s.start_time for s in sessions], dtype=np.int64)
        indices = np.nonzero((starts >= start) & (starts < end))[0]
        attribute = {
            "gmv": "gmv",
            "products_added": "products_added",
            "different_products_sold": "products_added",
            "sku_orders": "sku_orders",
            "unit_sold": "units",
            "customers": "customers",
        }[sort_field]
        keys = np.array([getattr(sessions[i], attribute) for i in indices], dtype=np.int64)

        def build(i: int) -> dict:
            s = sessions[i]
            money = lambda minor: {"amount": fmt(minor, shop.decimals), "currency": shop.currency}  # noqa: E731
            return {
                "id": s.id,
                "title": s.title,
                "username": s.username,
                "start_time": str(s.start_time),
                "end_time": str(s.end_time),
                "sales_performance": {
                    "gmv": money(s.gmv),
                    "products_added": s.products_added,
                    "different_products_sold": min(s.products_added, s.sku_orders),
                    "created_sku_orders": s.sku_orders,
                    "sku_orders": s.sku_orders,
                    "unit_sold": s.units,
                    "customers": s.customers,
                    "avg_price": money(s.gmv // max(1, s.units)),
                    "click_to_order_rate": f"{100 * s.sku_orders // max(1, s.views)}%",
                    "24h_live_gmv": money(s.gmv),
                },
                "interaction_performance": {
                    "acu": s.acu,
                    "pcu": s.pcu,
                    "viewers": s.viewers,
                    "views": s.views,
                    "avg_viewing_duration": "46",
                    "comments": s.views // 20,
                    "shares": s.views // 200,
                    "likes": s.views // 4,
                    "new_followers": s.viewers // 50,
                    "product_impressions": s.views * 2,
                    "product_clicks": s.views // 10,
                    "click_through_rate": "5%",
                },
            }

        filters = {"path": "lives", "start": start, "end": end, "sort": sort_field, "desc": descending}
        items, token, total = paged_search(args, filters, indices, keys, low=1, high=100, default_size=10, descending=descending, build=build)
        return ok({"live_stream_sessions": items, "latest_available_date": iso_day(box.data.as_of), "next_page_token": token, "total_count": total})

    @api_route(app, "GET", "/analytics/202508/shop_lives/overview_performance", Endpoint(ANALYTICS))
    def live_overview():
        box, shop = sandbox(), g.shop
        start, end = date_range()
        chosen = [s for s in shop.live_sessions if start <= s.start_time < end]
        gmv = sum(s.gmv for s in chosen)
        interval = {
            "start_date": iso_day(start),
            "end_date": iso_day(end),
            "gmv": {"amount": fmt(gmv, shop.decimals), "currency": shop.currency},
            "sku_orders": sum(s.sku_orders for s in chosen),
            "customers": sum(s.customers for s in chosen),
            "units_sold": sum(s.units for s in chosen),
            "click_to_order_rate": "1%",
            "click_through_rate": "5%",
        }
        return ok({"performance": {"intervals": [interval], "comparison_intervals": []}, "latest_available_date": iso_day(box.data.as_of)})

    @api_route(app, "GET", "/analytics/202405/shop/performance", Endpoint(ANALYTICS))
    def shop_performance():
        box, shop, args = sandbox(), g.shop, request.args
        start, end = date_range()
        granularity = args.get("granularity") or "ALL"
        if granularity not in ("ALL", "1D"):
            raise invalid_param("granularity must be ALL or 1D")
        days = shop_days(shop, start, end)
        spans = [(start, end)] if granularity == "ALL" else [(d, d + DAY) for d in range(start, end, DAY)]
        intervals = [performance_interval(shop, days, low, high) for low, high in spans]
        return ok({"performance": {"intervals": intervals, "comparison_intervals": []}, "latest_available_date": iso_day(box.data.as_of)})

    api_route(app, "GET", "/analytics/202609/shop_lives/performance", Endpoint(ANALYTICS))(live_sessions)
    api_route(app, "GET", "/analytics/202609/shop_lives/overview_performance", Endpoint(ANALYTICS))(live_overview)
    api_route(app, "GET", "/analytics/202609/shop/performance", Endpoint(ANALYTICS))(shop_performance)

    # -- Customer service ---------------------------------------------------------------------

    @api_route(app, "GET", "/customer_service/202407/performance", Endpoint("Customer Service"))
    def customer_service_performance():
        start, end = date_range(("support_date_ge", "support_date_lt"))
        return ok({"performance": service_performance(g.shop, start, end)})

    # -- Event API ----------------------------------------------------------------------------

    @api_route(app, "GET", "/event/202309/webhooks", Endpoint("Webhook Management"))
    def webhooks_get():
        box, shop = sandbox(), g.shop
        hooks = box.state.webhooks.get(shop.index, {})
        listed = [
            {"event_type": t, "address": h["address"], "create_time": h["create_time"], "update_time": h["update_time"]} for t, h in sorted(hooks.items())
        ]
        return ok({"webhooks": listed, "total_count": len(listed)})

    @api_route(app, "PUT", "/event/202309/webhooks", Endpoint("Webhook Management"))
    def webhooks_put():
        box, shop, body = sandbox(), g.shop, g.body
        address, event_type = body.get("address"), body.get("event_type")
        if not address:
            raise invalid_param("param body.address is missing")
        if event_type not in EVENT_TYPES:
            raise invalid_param("param body.event_type is invalid")
        parts = urlsplit(address)
        loopback = parts.hostname in ("localhost", "127.0.0.1", "::1")
        if not parts.hostname or (parts.scheme != "https" and not (loopback and parts.scheme == "http")):
            raise invalid_param("param body.address must be an https URL")
        now = box.clock()
        with box.state.lock:
            hooks = box.state.webhooks.setdefault(shop.index, {})
            existing = hooks.get(event_type)
            hooks[event_type] = {"address": address, "create_time": existing["create_time"] if existing else now, "update_time": now}
        return ok({})

    @api_route(app, "DELETE", "/event/202309/webhooks", Endpoint("Webhook Management"))
    def webhooks_delete():
        box, shop, body = sandbox(), g.shop, g.body
        event_type = body.get("event_type")
        if event_type not in EVENT_TYPES:
            raise invalid_param("param body.event_type is invalid")
        with box.state.lock:
            box.state.webhooks.get(shop.index, {}).pop(event_type, None)
        return ok({})


def shop_days(shop, start: int, end: int) -> dict:
    cols, n = shop.orders, shop.orders.count
    created = cols.create_time[:n]
    chosen = (created >= start) & (created < end)
    live = chosen & (cols.status[:n] != STATUS_CODE["CANCELLED"])
    return {
        "created": created,
        "live": live,
        "returned": chosen & (cols.return_requested[:n] > 0),
        "cancelled": chosen & (cols.status[:n] == STATUS_CODE["CANCELLED"]),
    }


def performance_interval(shop, days: dict, low: int, high: int) -> dict:
    cols = shop.orders
    n = cols.count
    in_span = (days["created"] >= low) & (days["created"] < high)
    live = days["live"] & in_span
    gmv = int(cols.total[:n][live].sum())
    orders = int(live.sum())
    units = int(cols.lines[:n][live].sum())
    refunds = int(cols.total[:n][days["returned"] & in_span].sum())
    money = lambda minor: {"amount": fmt(minor, shop.decimals), "currency": shop.currency}  # noqa: E731
    return {
        "start_date": iso_day(low),
        "end_date": iso_day(high),
        "gmv": money(gmv),
        "gmv_breakdowns": [{**money(gmv), "type": "PRODUCT_CARD"}],
        "sku_orders": units,
        "orders": orders,
        "avg_order_value": money(gmv // orders if orders else 0),
        "units_sold": units,
        "buyers": orders,
        "buyer_breakdowns": [{"amount": orders, "type": "PRODUCT_CARD"}],
        "product_impressions": orders * 40,
        "product_impression_breakdowns": [{"amount": orders * 40, "type": "PRODUCT_CARD"}],
        "product_page_views": orders * 8,
        "product_page_view_breakdowns": [{"amount": orders * 8, "type": "PRODUCT_CARD"}],
        "avg_product_page_visitors": orders * 5,
        "avg_product_page_visitor_breakdowns": [{"amount": orders * 5, "type": "PRODUCT_CARD"}],
        "refunds": money(refunds),
        "cancellations_and_returns": int((days["cancelled"] & in_span).sum() + (days["returned"] & in_span).sum()),
    }
