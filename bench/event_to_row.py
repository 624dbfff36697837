"""Event to ERP row: how long after an order is placed in the sandbox its row is in the ERP,
through the whole real path, at a steady rate of events. Prints JSON.

    python bench/event_to_row.py --database-url postgresql://erp:erp@127.0.0.1/postgres \\
        --redis-url redis://127.0.0.1:6379/14 [--rate 100] [--seconds 60] [--workers 1]

The path: the sandbox (its own process) places an order and posts TikTok's signed
ORDER_STATUS_CHANGE webhook to the receiver (gunicorn, 2 gevent workers); the receiver verifies it and
commits it to the inbox; an RQ worker (``erp-integrations worker``) refetches the orders the
deliveries name from the sandbox and upserts them with the sync's mapper. Every process shares
the machine's cores.

An event's time is taken just before the control call that places the order; its row's time
is the row's ``synced_at`` (set by the upsert that wrote it). The baseline in the same run is
the delivery alone: event to inbox row committed (``received_at``), so ``row / delivery``
shows what the refetch job adds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import connect_account, free_port, fresh_database, sandbox_process  # noqa: E402
from webhook_receiver import gunicorn  # noqa: E402


def percentiles(values: list[float]) -> dict:
    values = sorted(values)
    return {
        "count": len(values),
        "p50_ms": round(statistics.median(values) * 1000, 1),
        "p95_ms": round(values[int(len(values) * 0.95) - 1] * 1000, 1),
        "p99_ms": round(values[int(len(values) * 0.99) - 1] * 1000, 1),
        "max_ms": round(values[-1] * 1000, 1),
    }


def drive(sandbox_url: str, cipher: str, rate: int, seconds: int) -> dict[str, float]:
    """Place ``rate`` orders a second for ``seconds``, on a fixed schedule (a late call does not
    push the next ones back), from a few threads so one slow call does not stall the rate."""
    import requests

    placed: dict[str, float] = {}
    lock = threading.Lock()
    total = rate * seconds
    start = time.time() + 0.5

    def place(k: int, session) -> None:
        for n in range(k, total, 4):
            due = start + n / rate
            delay = due - time.time()
            if delay > 0:
                time.sleep(delay)  # pacing the load generator, not waiting for a result
            began = time.time()
            response = session.post(f"{sandbox_url}/sandbox/v1/shops/{cipher}/orders", json={"count": 1}, timeout=30)
            response.raise_for_status()
            with lock:
                placed[response.json()["order_ids"][0]] = began

    threads = [threading.Thread(target=place, args=(k, requests.Session())) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return placed


def wait_for_rows(database_url: str, account_id: int, placed: dict[str, float], timeout: float) -> dict:
    """Block until every placed order has its row (or the timeout passes); read the times."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    ids = list(placed)
    deadline = time.time() + timeout
    with engine.connect() as connection:
        while True:
            found = connection.execute(
                text("SELECT count(*) FROM erp_sales_orders WHERE account_id = :a AND external_id = ANY(:ids)"), {"a": account_id, "ids": ids}
            ).scalar()
            if found == len(ids) or time.time() > deadline:
                break
            time.sleep(0.2)  # polling the database for completion; the latencies come from the rows
        rows = dict(
            connection.execute(
                text("SELECT external_id, synced_at FROM erp_sales_orders WHERE account_id = :a AND external_id = ANY(:ids)"), {"a": account_id, "ids": ids}
            ).all()
        )
        received = dict(
            connection.execute(
                text(
                    "SELECT convert_from(body, 'UTF8')::json -> 'data' ->> 'order_id', min(received_at) FROM integration_webhook_events "
                    "WHERE account_id = :a GROUP BY 1"
                ),
                {"a": account_id},
            ).all()
        )
    engine.dispose()
    return {"rows": rows, "received": received}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--rate", type=int, default=100, help="orders placed per second")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=1, help="RQ worker processes")
    parser.add_argument("--worker-class", default="gevent", help="gunicorn worker class of the receiver")
    args = parser.parse_args()

    import requests
    from redis import Redis

    from erp_integrations.crypto.keyring import generate_key_entry

    Redis.from_url(args.redis_url).flushdb()
    with sandbox_process(2_000) as sandbox_url, fresh_database(args.database_url) as url:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "REDIS_URL": args.redis_url,
            "ERP_INTEGRATIONS_SECRET_KEYS": generate_key_entry("bench"),
            "TIKTOK_SHOP_MAX_QPS": "1000000",
        }
        os.environ.update(env)
        from erp_integrations.app import create_app

        app = create_app(env)
        account_id = connect_account(app, sandbox_url)
        port = free_port()
        server = gunicorn("erp_integrations.app:create_app()", port, 2, env, worker_class=args.worker_class)
        workers = [
            subprocess.Popen([sys.executable, "-m", "erp_integrations", "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(args.workers)
        ]
        try:
            with app.app_context():
                from erp_integrations.accounts import get_account, update_account
                from erp_integrations.hooks import get_connector

                account = update_account(get_account(account_id), {"webhook_url": f"http://127.0.0.1:{port}/webhooks/tiktok-shop/{account_id}"})
                get_connector("tiktok_shop")().subscribe_webhooks(account)
            cipher = requests.get(f"{sandbox_url}/sandbox/v1/shops", timeout=10).json()["shops"][0]["cipher"]
            # Warm up (connections, caches, imports), and let the warm-up's events reach their
            # rows before the clock starts, so that none of its backlog counts against the run.
            wait_for_rows(url, account_id, drive(sandbox_url, cipher, args.rate, 2), timeout=120)
            placed = drive(sandbox_url, cipher, args.rate, args.seconds)
            seen = wait_for_rows(url, account_id, placed, timeout=120)
        finally:
            for process in (server, *workers):
                process.terminate()
            for process in (server, *workers):
                process.wait(timeout=60)

    rows, received = seen["rows"], seen["received"]
    to_row = [rows[o].timestamp() - t for o, t in placed.items() if o in rows]
    to_inbox = [received[o].timestamp() - t for o, t in placed.items() if isinstance(received.get(o), datetime)]
    report = {
        "benchmark": "event_to_row",
        "target": "p99 event to ERP row at most 1 s at 100 events/s",
        "rate_per_second": args.rate,
        "seconds": args.seconds,
        "events": len(placed),
        "rows_missing": len(placed) - len(to_row),
        "rq_workers": args.workers,
        "event_to_row": percentiles(to_row),
        "baseline_event_to_inbox": percentiles(to_inbox),
    }
    report["ratio_p99_row_over_inbox"] = round(report["event_to_row"]["p99_ms"] / report["baseline_event_to_inbox"]["p99_ms"], 2)
    report["meets_target"] = report["rows_missing"] == 0 and report["event_to_row"]["p99_ms"] <= 1000
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
