"""Reports and exports at scale, as JSON, each against a floor measured in the same run.

    python bench/reports.py --database-url postgresql://erp:erp@127.0.0.1/postgres [--orders 1000000] [--shops 10] [--requests 40] [--no-exports]

Seeds one shop with ``--orders`` orders over the last 12 months (one line each, statuses
skewed like a real shop's), 12 months of daily statements and weekly payouts, and ``--shops``
more shops sharing the same number of orders between them (SQL ``generate_series``: seeding is
not what is measured). Then:

- **dashboard**: the summary API and the dashboard page for the 12-month range, through the
  whole Flask stack (sign-in cookie, permission check, every query, template), p95 of
  ``--requests`` requests; the same for all the other shops at once. Floor: the bare SQL
  aggregate of the orders' figures for the same range. Targets: 100 ms (one shop), 150 ms (the
  others together).
- **export**: the orders listing as CSV through the CLI (``erp-integrations export``), against
  PostgreSQL's own ``COPY (SELECT the same columns) TO STDOUT WITH CSV``; the same as XLSX in
  rows per second; the exporting process's peak memory (max RSS) at a tenth of the rows and at
  all of them. Targets: CSV within 3x the floor, XLSX 15,000 rows/s, peak under 200 MB and flat.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from admin_pages import STATUSES, summary, timed_requests  # noqa: E402
from common import fresh_database  # noqa: E402

MEASURE_RSS = (
    "import resource, runpy, sys\n"
    "sys.argv = ['erp-integrations'] + sys.argv[1:]\n"
    "try:\n    runpy.run_module('erp_integrations', run_name='__main__')\n"
    "finally:\n    print('maxrss_kb', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
)


def seed(connection, account_id: int, orders: int, offset: int) -> None:
    from sqlalchemy import text

    statuses = "ARRAY[" + ",".join(f"'{s}'" for s in STATUSES) + "]"
    span = 365 * 86_400
    connection.execute(
        text(f"""
        INSERT INTO erp_sales_orders (account_id, external_id, status, remote_created_at, synced_at, currency, sub_total, total_amount, tax, shipping_fee,
                                      is_cod, is_sample, is_replacement, is_on_hold, fulfillment_type)
        SELECT :a, (:o + n)::text,
               ({statuses})[1 + (CASE WHEN n % 100 < 70 THEN 5 WHEN n % 100 < 80 THEN 4 WHEN n % 100 < 88 THEN 3 ELSE (n % 7) END)],
               now() - make_interval(secs => (n::bigint * {span} / :n)), now(), 'USD', ((n % 50000) / 100.0 + 5)::numeric(18,4),
               ((n % 50000) / 100.0 + 9)::numeric(18,4), 0, 4, false, false, false, false, 'FULFILLMENT_BY_SELLER'
        FROM generate_series(1, :n) AS n
    """),
        {"a": account_id, "n": orders, "o": 576460000000000000 + offset},
    )
    connection.execute(
        text("""
        INSERT INTO erp_order_lines (account_id, external_id, order_id, product_external_id, seller_sku, product_name, quantity, currency, sale_price, synced_at, is_gift)
        SELECT o.account_id, o.external_id || '-1', o.id, 'P' || (o.id % 200), 'SKU-' || (o.id % 600), 'Product ' || (o.id % 200), 1, 'USD', o.sub_total, now(), false
        FROM erp_sales_orders o WHERE o.account_id = :a
    """),
        {"a": account_id},
    )
    connection.execute(
        text("""
        INSERT INTO erp_finance_statements (account_id, external_id, statement_time, synced_at, currency, settlement_amount, revenue_amount, fee_amount,
                                            adjustment_amount, shipping_cost_amount, net_sales_amount, payment_status, payment_external_id)
        SELECT :a, 's' || :a || '-' || d, date_trunc('day', now()) - make_interval(days => d), now(), 'USD', 900, 1000, -100, 0, 0, 1000, 'PAID', 'p' || :a || '-' || (d / 7)
        FROM generate_series(1, 365) AS d
    """),
        {"a": account_id},
    )
    connection.execute(
        text("""
        INSERT INTO erp_payouts (account_id, external_id, status, currency, amount, settlement_amount, remote_created_at, paid_at, synced_at)
        SELECT :a, 'p' || :a || '-' || w, 'PAID', 'USD', 6300, 6300, now() - make_interval(days => w * 7), now() - make_interval(days => w * 7 - 1), now()
        FROM generate_series(0, 52) AS w
    """),
        {"a": account_id},
    )


def export(env: dict, account_id: int, fmt: str, path: str, rows_from: str | None) -> tuple[float, int]:
    """Seconds and peak RSS (KB) of one CLI export in its own process."""
    command = [sys.executable, "-c", MEASURE_RSS, "export", str(account_id), "orders", "--format", fmt, "-o", path]
    if rows_from:
        command += ["--from", rows_from]
    t = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    assert done.returncode == 0, done.stderr[-2000:]
    return seconds, int(re.search(r"maxrss_kb (\d+)", done.stderr).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="A PostgreSQL server (COPY is the export's floor).")
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--shops", type=int, default=10, help="Other shops, sharing --orders between them.")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--no-exports", action="store_true", help="Measure the dashboard only.")
    args = parser.parse_args()

    with fresh_database(args.database_url) as url:
        from sqlalchemy import text

        from erp_integrations.accounts import create_account
        from erp_integrations.app import create_app, dispose
        from erp_integrations.auth import create_user
        from erp_integrations.crypto.keyring import generate_key_entry
        from erp_integrations.extensions import db

        keys = generate_key_entry("bench")
        app = create_app({"DATABASE_URL": url, "ERP_INTEGRATIONS_SECRET_KEYS": keys, "ERP_INTEGRATIONS_COOKIE_SECURE": "0"})
        with app.app_context():
            config = {"region": "US", "app_key": "abcdef12", "app_secret": "secret-value"}
            big = create_account("tiktok_shop", {**config, "name": "Big"}).id
            others = [create_account("tiktok_shop", {**config, "name": f"Shop {k}"}).id for k in range(args.shops)]
            create_user("bench@example.com", "bench password", "admin")
            started = time.perf_counter()
            with db.engine.begin() as connection:
                seed(connection, big, args.orders, 0)
                for k, account_id in enumerate(others):
                    seed(connection, account_id, args.orders // max(args.shops, 1), (k + 1) * 10**9)
                for table in ("erp_sales_orders", "erp_order_lines", "erp_finance_statements", "erp_payouts"):
                    connection.execute(text(f"ANALYZE {table}"))
            seeded_s = time.perf_counter() - started

            # The rollups, built from scratch (what the first report after an upgrade does),
            # then kept current: a page of 100 orders rewritten through the storage layer (the
            # sync's path, which marks their hours) and the refresh that follows it.
            from erp_integrations.models import IntegrationAccount, SalesOrder
            from erp_integrations.reports.rollups import refresh
            from erp_integrations.storage.upsert import bulk_upsert

            started = time.perf_counter()
            refresh([big, *others])
            rollup_build_s = time.perf_counter() - started
            page = [
                {"account_id": big, "external_id": external_id, "status": "COMPLETED"}
                for external_id in db.session.scalars(
                    text("SELECT external_id FROM erp_sales_orders WHERE account_id = :a ORDER BY id DESC LIMIT 100"), {"a": big}
                )
            ]
            bulk_upsert(SalesOrder, page, account=db.session.get(IntegrationAccount, big))
            db.session.commit()
            started = time.perf_counter()
            refresh([big])
            page_refresh_ms = (time.perf_counter() - started) * 1000

            from erp_integrations.reports.periods import parse_period

            period = parse_period({"period": "custom", "from": "2025-12-01", "to": "2026-11-30"}, "America/Los_Angeles")
            floor = []
            for _ in range(args.requests):
                t = time.perf_counter()
                db.session.execute(
                    text(
                        "SELECT currency, count(*), sum(sub_total) FROM erp_sales_orders"
                        " WHERE account_id = :a AND remote_created_at >= :s AND remote_created_at < :e GROUP BY currency"
                    ),
                    {"a": big, "s": period.start, "e": period.end},
                ).all()
                floor.append(time.perf_counter() - t)
            copy_s = None
            with db.engine.raw_connection() as raw:
                cursor = raw.cursor()
                t = time.perf_counter()
                with cursor.copy(
                    f"COPY (SELECT external_id, remote_created_at, status, total_amount, currency FROM erp_sales_orders WHERE account_id = {int(big)}"
                    " ORDER BY remote_created_at DESC, id DESC) TO STDOUT WITH CSV"
                ) as copy:
                    for _ in copy:
                        pass
                copy_s = time.perf_counter() - t

        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        assert client.post("/login", data={"email": "bench@example.com", "password": "bench password", "csrf_token": token}).status_code == 302
        range_query = "period=custom&from=2025-12-01&to=2026-11-30"
        many = "&".join(f"account={a}" for a in others)
        dashboard = {
            "summary_api_one_shop": timed_requests(client, [f"/api/v1/reports/summary?account={big}&{range_query}"] * args.requests),
            "dashboard_page_one_shop": timed_requests(client, [f"/reports?account={big}&{range_query}"] * args.requests),
            "summary_api_other_shops": timed_requests(client, [f"/api/v1/reports/summary?{many}&{range_query}"] * args.requests),
            "dashboard_page_other_shops": timed_requests(client, [f"/reports?{many}&{range_query}"] * args.requests),
        }
        floor_summary = summary(floor)
        dispose(app)

        one, other = dashboard["dashboard_page_one_shop"]["p95_ms"], dashboard["dashboard_page_other_shops"]["p95_ms"]
        result = {
            "orders_big_shop": args.orders,
            "other_shops": args.shops,
            "seed_seconds": round(seeded_s, 1),
            "rollups": {"build_all_shops_seconds": round(rollup_build_s, 2), "refresh_after_a_page_of_100_orders_ms": round(page_refresh_ms, 1)},
            "dashboard": dashboard,
            "floor_sql_aggregate": floor_summary,
            "dashboard_p95_over_floor_p95": round(one / floor_summary["p95_ms"], 1),
            "dashboard_target_ms": {"one_shop": 100, "other_shops": 150},
            "dashboard_met": one <= 100 and other <= 150,
        }
        if not args.no_exports:
            result["export"] = exports(url, keys, big, args.orders, copy_s)
        print(json.dumps(result, indent=2))


def exports(url: str, keys: str, big: int, orders: int, copy_s: float) -> dict:
    """The CLI exports of the big shop's orders against the COPY floor, and their peak memory."""
    env = {**os.environ, "DATABASE_URL": url, "ERP_INTEGRATIONS_SECRET_KEYS": keys}
    out = tempfile.mkdtemp()
    tenth_from = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 36.5 * 86_400))
    csv_s, csv_rss = export(env, big, "csv", os.path.join(out, "orders.csv"), None)
    _, csv_rss_tenth = export(env, big, "csv", os.path.join(out, "tenth.csv"), tenth_from)
    xlsx_s, xlsx_rss = export(env, big, "xlsx", os.path.join(out, "orders.xlsx"), None)
    _, xlsx_rss_tenth = export(env, big, "xlsx", os.path.join(out, "tenth.xlsx"), tenth_from)
    return {
        "csv_seconds": round(csv_s, 2),
        "copy_floor_seconds": round(copy_s, 2),
        "csv_over_copy": round(csv_s / copy_s, 1),
        "xlsx_seconds": round(xlsx_s, 2),
        "xlsx_rows_per_second": round(orders / xlsx_s),
        "peak_rss_mb": {
            "csv_tenth": round(csv_rss_tenth / 1024),
            "csv_all": round(csv_rss / 1024),
            "xlsx_tenth": round(xlsx_rss_tenth / 1024),
            "xlsx_all": round(xlsx_rss / 1024),
        },
        "met": csv_s <= 3 * copy_s and orders / xlsx_s >= 15_000 and max(csv_rss, xlsx_rss) < 200 * 1024,
    }


if __name__ == "__main__":
    main()
