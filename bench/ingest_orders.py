"""Order backfill throughput: sandbox -> real client -> mappers -> bulk upsert, into PostgreSQL.

    python bench/ingest_orders.py --database-url postgresql://user:pass@localhost/postgres \
        [--orders 100000] [--naive-orders 5000] [--memory-sizes 100000,1000000]

Prints JSON. In the same run it measures three paths over the same sandbox pages:
  ours   the sync job's path (run_sync of the orders stream, full backfill)
  naive  row by row through the ORM: look each order and line up, update or add, commit per page
  floor  the same pages fetched and mapped, then written with COPY (no upsert, no history)
and reports ours/naive (target >= 10) and floor/ours (target <= 2.5). With --memory-sizes, the
sync runs in a child process per size and reports its peak RSS (target: flat, under 250 MB).
The sandbox runs in its own process with its rate limit lifted, and so does the client's
(TikTok allows 50 requests/s per shop; this measures whether ingestion could keep up).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ["TIKTOK_SHOP_MAX_QPS"] = "1000000"

from common import connect_account, fresh_database, sandbox_process  # noqa: E402

from erp_integrations.crypto import generate_key_entry  # noqa: E402


def make_app(database_url: str):
    from erp_integrations.app import create_app

    return create_app(
        {
            "DATABASE_URL": database_url,
            "ERP_INTEGRATIONS_SECRET_KEYS": generate_key_entry("bench"),
            "ERP_INTEGRATIONS_INSTANCE": tempfile.mkdtemp(),
            "REDIS_URL": "",
        }
    )


def ours(app, account_id: int) -> dict:
    from erp_integrations.sync import run_sync

    with app.app_context():
        started = time.perf_counter()
        run = run_sync(account_id, "orders", full=True, trigger="bench")
        seconds = time.perf_counter() - started
        counts, calls = dict(run.counts), run.api_calls
    return {
        "orders": counts["orders"],
        "lines": counts["order_lines"],
        "seconds": round(seconds, 2),
        "orders_per_second": round(counts["orders"] / seconds),
        "api_calls": calls,
    }


def _pages(app, account_id: int, limit: int):
    from erp_integrations.accounts import get_account
    from erp_integrations.hooks import get_connector

    account = get_account(account_id)
    client = get_connector("tiktok_shop")().client(account)
    now = int(time.time()) + 1
    body = {"create_time_ge": now - 200 * 86_400, "create_time_lt": now}
    seen = 0
    for orders, _ in client.paginate(
        "POST", "/order/202309/orders/search", "orders", query={"sort_field": "create_time", "sort_order": "ASC"}, body=body, page_size=100
    ):
        yield orders
        seen += len(orders)
        if seen >= limit:
            return


def naive(app, account_id: int, limit: int) -> dict:
    """What a first attempt looks like: the ORM, one record at a time."""
    from erp_integrations.extensions import db
    from erp_integrations.models import OrderLine, SalesOrder
    from erp_integrations_tiktok_shop.mappers.orders import OrderLineMapper, OrderMapper

    with app.app_context():
        started, count = time.perf_counter(), 0
        for page in _pages(app, account_id, limit):
            for document in page:
                row = OrderMapper.row(document, account_id=account_id)
                order = db.session.query(SalesOrder).filter_by(account_id=account_id, external_id=row["external_id"]).one_or_none()
                if order is None:
                    order = SalesOrder(**row)
                    db.session.add(order)
                else:
                    for key, value in row.items():
                        setattr(order, key, value)
                db.session.flush()
                for item in document["line_items"]:
                    line_row = OrderLineMapper.row(item, account_id=account_id, order_id=order.id)
                    line = db.session.query(OrderLine).filter_by(account_id=account_id, external_id=line_row["external_id"]).one_or_none()
                    if line is None:
                        db.session.add(OrderLine(**line_row))
                    else:
                        for key, value in line_row.items():
                            setattr(line, key, value)
                count += 1
            db.session.commit()
        seconds = time.perf_counter() - started
    return {"orders": count, "seconds": round(seconds, 2), "orders_per_second": round(count / seconds)}


def floor(app, account_id: int, limit: int) -> dict:
    """Fetch and map the same pages, then COPY them into bare tables: the least any correct
    path must do."""
    from erp_integrations.extensions import db
    from erp_integrations_tiktok_shop.mappers.orders import OrderLineMapper, OrderMapper

    order_columns = ["account_id", *OrderMapper.columns]
    line_columns = ["account_id", *OrderLineMapper.columns]
    with app.app_context():
        connection = db.engine.raw_connection()
        cursor = connection.cursor()
        cursor.execute("CREATE TEMP TABLE floor_orders AS SELECT " + ", ".join(order_columns) + " FROM erp_sales_orders WITH NO DATA")
        cursor.execute("CREATE TEMP TABLE floor_lines AS SELECT " + ", ".join(line_columns) + " FROM erp_order_lines WITH NO DATA")
        started, count = time.perf_counter(), 0
        for page in _pages(app, account_id, limit):
            orders, lines = io.StringIO(), io.StringIO()
            for document in page:
                row = OrderMapper.row(document, account_id=account_id)
                orders.write("\t".join("\\N" if row.get(c) is None else str(row[c]) for c in order_columns) + "\n")
                for item in document["line_items"]:
                    line = OrderLineMapper.row(item, account_id=account_id)
                    lines.write("\t".join("\\N" if line.get(c) is None else str(line[c]) for c in line_columns) + "\n")
                count += 1
            with cursor.copy("COPY floor_orders (" + ", ".join(order_columns) + ") FROM STDIN") as copy:
                copy.write(orders.getvalue())
            with cursor.copy("COPY floor_lines (" + ", ".join(line_columns) + ") FROM STDIN") as copy:
                copy.write(lines.getvalue())
            connection.commit()
        seconds = time.perf_counter() - started
        connection.close()
    return {"orders": count, "seconds": round(seconds, 2), "orders_per_second": round(count / seconds)}


def child_memory(database_url: str, orders: int) -> dict:
    """Run the sync alone in a child process and report its peak resident memory."""
    result = subprocess.run(
        [sys.executable, __file__, "--child", "--database-url", database_url or "", "--orders", str(orders)], capture_output=True, text=True, timeout=3600
    )
    if result.returncode != 0:
        return {"orders": orders, "error": result.stderr[-500:]}
    return json.loads(result.stdout)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--naive-orders", type=int, default=5_000)
    parser.add_argument("--memory-sizes", default="")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        with sandbox_process(args.orders) as url, fresh_database(args.database_url) as database_url:
            app = make_app(database_url)
            account_id = connect_account(app, url)
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            measured = ours(app, account_id)
            measured["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
            measured["rss_before_sync_mb"] = round(before / 1024, 1)
        print(json.dumps(measured))
        return

    report = {
        "benchmark": "ingest_orders",
        "database": "postgresql" if args.database_url else "sqlite",
        "targets": {"orders_per_second": 5000, "ours_over_naive": 10, "floor_over_ours_at_most": 2.5, "peak_rss_mb_under": 250},
    }
    with sandbox_process(args.orders) as url:
        with fresh_database(args.database_url) as database_url:
            app = make_app(database_url)
            report["ours"] = ours(app, connect_account(app, url))
        with fresh_database(args.database_url) as database_url:
            app = make_app(database_url)
            report["naive"] = naive(app, connect_account(app, url), args.naive_orders)
        if args.database_url:
            with fresh_database(args.database_url) as database_url:
                app = make_app(database_url)
                report["floor"] = floor(app, connect_account(app, url), args.orders)
    report["ratio_ours_over_naive"] = round(report["ours"]["orders_per_second"] / report["naive"]["orders_per_second"], 1)
    if "floor" in report:
        report["ratio_floor_over_ours"] = round(report["floor"]["orders_per_second"] / report["ours"]["orders_per_second"], 2)
    if args.memory_sizes:
        report["memory"] = [child_memory(args.database_url, int(n)) for n in args.memory_sizes.split(",")]
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
