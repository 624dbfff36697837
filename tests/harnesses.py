"""Each connector's side of the conformance suite (tests/test_conformance.py): its sandbox,
how an account connects, the ground truth and the ERP's own count of the same figures, changes
made on the marketplace's side, faults that break a sync mid-way, and a signed webhook. A new
connector joins the suite by adding its harness here."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Harness:
    name: str
    slug: str  # the connector in webhook URLs
    start: Callable[[], Any]  # a fresh sandbox
    connect: Callable[[Any, Any], int]  # (client, server) -> a connected account's id
    truth: Callable[[Any], dict]  # server -> the ground truth, comparable
    erp: Callable[[int, dict], dict]  # (account id, truth) -> the same figures from the ERP's tables
    change: Callable[[Any], None]  # server -> buyers, carriers and the seller change things there
    break_orders_mid_way: Callable[[Any], None]  # server -> order calls fail once some pages are in
    heal: Callable[[Any], None]
    signed_webhook: Callable[[str], tuple[bytes, dict]]  # receiver URL -> (body, headers)
    orders_in: Callable[[dict], int]  # the truth's order count
    # Streams an idle run may read more than once, each for a documented reason.
    idle_exceptions: frozenset[str] = field(default_factory=frozenset)


def tiktok() -> Harness:
    from erp_integrations_tiktok_shop.signing import sign_webhook

    from erp_stats import comparable, erp_stats
    from sandbox_support import APP_KEY, APP_SECRET, control, start_sandbox
    from sync_support import connect, truth

    def change(server):
        cipher = control(server, "GET", "/shops").json()["shops"][0]["cipher"]
        new = control(server, "POST", f"/shops/{cipher}/orders", json={"count": 5}).json()["order_ids"]
        control(server, "POST", f"/shops/{cipher}/orders/{new[0]}/status", json={"status": "AWAITING_SHIPMENT"})
        control(server, "POST", f"/shops/{cipher}/orders/{new[1]}/cancel", json={})

    def signed(url):
        body = json.dumps(
            {"type": 1, "tts_notification_id": "7300000000000000042", "shop_id": "", "timestamp": 1, "data": {"order_id": "1", "order_status": "UNPAID"}}
        ).encode()
        return body, {"Authorization": sign_webhook(APP_KEY, APP_SECRET, body), "Content-Type": "application/json"}

    return Harness(
        name="tiktok_shop",
        slug="tiktok-shop",
        start=lambda: start_sandbox(orders=600, redirect_url="https://erp.example.com/oauth/tiktok_shop/callback"),
        connect=connect,
        truth=lambda server: comparable(truth(server)),
        erp=erp_stats,
        change=change,
        # Four pages of 100 of the 600 orders.
        break_orders_mid_way=lambda server: control(server, "PUT", "/faults", json={"error_rate": 1.0, "paths": ["/order/"], "after": 4}),
        heal=lambda server: control(server, "DELETE", "/faults"),
        signed_webhook=signed,
        orders_in=lambda truth: truth["orders"]["count"],
        # The unsettled list is a snapshot the API cannot filter by change, affiliate orders
        # re-read a trailing window (no update-time filter exists), customer service is read a
        # day per call over its trailing days (the API averages a range), and a running
        # coupon's claim counts are read each run (claims do not move its update time).
        idle_exceptions=frozenset({"unsettled", "affiliate_orders", "service_performance", "coupons"}),
    )


def shopee() -> Harness:
    from shopee_support import PARTNER_KEY, connect_shopee, control, erp_side, expected, normalised, shops_of, start_shopee

    from erp_integrations_shopee.signing import sign_push

    def signed(url):
        body = json.dumps(
            {
                "data": {"items": [], "ordersn": "NOSUCHORDER", "status": "SHIPPED", "completed_scenario": "", "update_time": 1},
                "shop_id": 600000,
                "code": 3,
                "timestamp": 1,
            }
        ).encode()
        return body, {"Authorization": sign_push(PARTNER_KEY, url, body), "Content-Type": "application/json"}

    return Harness(
        name="shopee",
        slug="shopee",
        start=lambda: start_shopee(orders=600),
        connect=connect_shopee,
        truth=lambda server: normalised(expected(server)),
        erp=lambda account_id, truth: normalised(erp_side(account_id)),
        change=lambda server: control(server, "POST", "/orders/advance", json={"shop_id": shops_of(server)[0]["shop_id"], "count": 25}),
        # The backfill's first 15-day windows predate the shop (one empty list call each), then
        # a list and a detail call per page of 50: twelve calls stop it a few pages in.
        break_orders_mid_way=lambda server: control(server, "PUT", "/faults", json={"error_rate": 1.0, "paths": ["/api/v2/order/"], "after": 12}),
        heal=lambda server: control(server, "DELETE", "/faults"),
        signed_webhook=signed,
        orders_in=lambda truth: truth["orders"],
    )


HARNESSES = {"tiktok_shop": tiktok, "shopee": shopee}
