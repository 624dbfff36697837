"""Admin data pages at 1,000,000 orders: time per page through the whole stack, as JSON.

    python bench/admin_pages.py --database-url postgresql://erp:erp@127.0.0.1/postgres [--orders 1000000] [--requests 200]

Seeds one account with ``--orders`` orders (SQL ``generate_series``: seeding is not what is
measured), signs in an administrator, then times GET requests through the Flask app (session
cookie, permission check, keyset query, template): the first page, pages deep in the list
(following ``after`` cursors taken from across the whole range), a status filter, a search
by order id, and the same pages as JSON from the data API. The baseline in the same run is
the floor of any page: the bare keyset SQL for 50 rows. Target: p95 at most 100 ms per page.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import fresh_database  # noqa: E402

STATUSES = ("UNPAID", "AWAITING_SHIPMENT", "AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED", "CANCELLED")


def seed(connection, account_id: int, orders: int) -> None:
    from sqlalchemy import text

    statuses = "ARRAY[" + ",".join(f"'{s}'" for s in STATUSES) + "]"
    # Statuses skewed like a real shop's: most orders completed, few unpaid or cancelled.
    connection.execute(
        text(f"""
        INSERT INTO erp_sales_orders (account_id, external_id, status, remote_created_at, synced_at, currency, total_amount,
                                      is_cod, is_sample, is_replacement, is_on_hold, fulfillment_type)
        SELECT :a, (576460000000000000 + n)::text,
               ({statuses})[1 + (CASE WHEN n % 100 < 70 THEN 5 WHEN n % 100 < 80 THEN 4 WHEN n % 100 < 88 THEN 3 ELSE (n % 7) END)],
               TIMESTAMPTZ '2026-05-01' + (n * INTERVAL '13 seconds'), now(), 'USD', ((n % 50000) / 100.0 + 5)::numeric(18,4),
               false, false, false, false, 'FULFILLMENT_BY_SELLER'
        FROM generate_series(1, :n) AS n
    """),
        {"a": account_id, "n": orders},
    )
    connection.execute(text("ANALYZE erp_sales_orders"))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summary(samples: list[float]) -> dict:
    return {
        "n": len(samples),
        "p50_ms": round(statistics.median(samples) * 1000, 2),
        "p95_ms": round(percentile(samples, 95) * 1000, 2),
        "max_ms": round(max(samples) * 1000, 2),
    }


def timed_requests(client, urls: list[str]) -> dict:
    """Time GET requests through the app, after one to warm the pool and the template cache."""
    client.get(urls[0])
    samples = []
    for target in urls:
        t = time.perf_counter()
        response = client.get(target)
        samples.append(time.perf_counter() - t)
        assert response.status_code == 200, (target, response.status_code, response.get_data(as_text=True)[:300])
    return summary(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200, help="Requests per kind of page.")
    args = parser.parse_args()

    with fresh_database(args.database_url) as url:
        from sqlalchemy import select, text

        from erp_integrations.accounts import create_account
        from erp_integrations.app import create_app
        from erp_integrations.auth import create_user
        from erp_integrations.browse import LISTINGS, paginate
        from erp_integrations.browse.keyset import encode_cursor
        from erp_integrations.crypto.keyring import generate_key_entry
        from erp_integrations.extensions import db
        from erp_integrations.models import SalesOrder

        app = create_app({"DATABASE_URL": url, "ERP_INTEGRATIONS_SECRET_KEYS": generate_key_entry("bench"), "ERP_INTEGRATIONS_COOKIE_SECURE": "0"})
        with app.app_context():
            account_id = create_account("tiktok_shop", {"name": "Bench", "region": "US", "app_key": "abcdef12", "app_secret": "secret-value"}).id
            create_user("bench@example.com", "bench password", "admin")
            started = time.perf_counter()
            with db.engine.begin() as connection:
                seed(connection, account_id, args.orders)
            seeded_s = time.perf_counter() - started
            # Cursors spread over the whole list, so "deep" pages really are deep.
            rows = db.session.execute(
                select(SalesOrder.remote_created_at, SalesOrder.id).where(
                    SalesOrder.account_id == account_id, SalesOrder.id % max(1, args.orders // args.requests) == 0
                )
            ).all()
            cursors = [encode_cursor(at, row_id) for at, row_id in rows][: args.requests]
            random.Random(7).shuffle(cursors)

            # Floor: the bare keyset query for one page, no HTTP, no template.
            floor = []
            listing = LISTINGS["orders"]
            for cursor in cursors:
                query = select(SalesOrder).where(SalesOrder.account_id == account_id)
                t = time.perf_counter()
                paginate(db.session, query, listing.sort_column, SalesOrder.id, after=cursor, limit=50)
                floor.append(time.perf_counter() - t)
                db.session.rollback()

        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        assert client.post("/login", data={"email": "bench@example.com", "password": "bench password", "csrf_token": token}).status_code == 302
        base = f"/accounts/{account_id}/data/orders"
        api = f"/api/v1/accounts/{account_id}/data/orders"
        some_ids = [str(576460000000000000 + random.Random(n).randint(1, args.orders)) for n in range(args.requests)]
        kinds = {
            "first_page": [base] * args.requests,
            "deep_pages": [f"{base}?after={c}" for c in cursors],
            "status_filter_deep": [f"{base}?status=CANCELLED&after={c}" for c in cursors],
            "search_by_id": [f"{base}?q={i}" for i in some_ids],
            "api_json_deep": [f"{api}?after={c}" for c in cursors],
        }
        results = {kind: timed_requests(client, urls) for kind, urls in kinds.items()}
        floor_summary = summary(floor)
        worst_p95 = max(r["p95_ms"] for r in results.values())
        print(
            json.dumps(
                {
                    "orders": args.orders,
                    "seed_seconds": round(seeded_s, 1),
                    "pages": results,
                    "floor_keyset_sql": floor_summary,
                    "worst_p95_ms": worst_p95,
                    "worst_p95_over_floor_p95": round(worst_p95 / floor_summary["p95_ms"], 1),
                    "target_p95_ms": 100,
                    "met": worst_p95 <= 100,
                },
                indent=2,
            )
        )
        with app.app_context():
            db.session.execute(text("SELECT 1"))


if __name__ == "__main__":
    main()
