"""Webhook receiver throughput and acknowledgement latency behind gunicorn, printed as JSON.

    python bench/webhook_receiver.py --database-url postgresql://erp:erp@127.0.0.1/postgres \\
        --redis-url redis://127.0.0.1:6379/14 [--requests 20000] [--clients 16] [--workers 4]

Signed deliveries (unique notification ids) are posted over keep-alive connections by client
processes; every 200 means the delivery is committed in PostgreSQL. The baseline in the same
run is a minimal WSGI app on the same gunicorn and clients (answers 200, does nothing): its
throughput is what the machine allows any Python receiver, so ``ours / floor`` says how much
of that the receiver's own work (HMAC, insert + commit, Redis) costs. The load generator shares
the machine's cores with gunicorn, PostgreSQL and Redis.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import free_port, fresh_database  # noqa: E402

APP_KEY, APP_SECRET = "benchappkey", "bench-app-secret"
FLOOR_APP = "bench_floor_app:app"
THREADS = 4


def _client(port: int, path: str, start: int, count: int, results) -> None:
    from erp_integrations_tiktok_shop.signing import sign_webhook

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies, failures = [], 0
    for n in range(start, start + count):
        body = json.dumps({"type": 1, "tts_notification_id": f"73{n:017d}", "shop_id": "", "timestamp": 1700000000, "data": {"order_id": f"58{n:016d}", "order_status": "AWAITING_SHIPMENT", "update_time": 1700000000}}).encode()
        headers = {"Authorization": sign_webhook(APP_KEY, APP_SECRET, body), "Content-Type": "application/json"}
        began = time.perf_counter()
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        latencies.append(time.perf_counter() - began)
        failures += response.status != 200
    results.put((latencies, failures))


def load(port: int, path: str, requests: int, clients: int, first_id: int = 0) -> dict:
    results = multiprocessing.Queue()
    per = requests // clients
    processes = [multiprocessing.Process(target=_client, args=(port, path, first_id + k * per, per, results)) for k in range(clients)]
    began = time.perf_counter()
    for p in processes:
        p.start()
    gathered = [results.get() for _ in processes]
    elapsed = time.perf_counter() - began
    for p in processes:
        p.join()
    latencies = sorted(x for lat, _ in gathered for x in lat)
    return {
        "requests": len(latencies),
        "non_200": sum(f for _, f in gathered),
        "per_second": round(len(latencies) / elapsed),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 2),
    }


def gunicorn(app_spec: str, port: int, workers: int, env: dict, cwd: str | None = None) -> subprocess.Popen:
    # Threads let PostgreSQL group the commits of concurrent requests into one WAL flush.
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", "gthread", "--threads", str(THREADS), "-b", f"127.0.0.1:{port}", "--keep-alive", "30", "--log-level", "warning", app_spec]
    process = subprocess.Popen(command, env=env, cwd=cwd, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).connect()
            return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read())
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    args = parser.parse_args()

    from redis import Redis

    Redis.from_url(args.redis_url).flushdb()
    with fresh_database(args.database_url) as url:
        from erp_integrations.app import create_app
        from erp_integrations.crypto.keyring import generate_key_entry

        env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": args.redis_url, "ERP_INTEGRATIONS_SECRET_KEYS": generate_key_entry("bench")}
        app = create_app(env)
        with app.app_context():
            from erp_integrations.accounts import create_account

            account = create_account("tiktok_shop", {"name": "bench", "region": "US", "app_key": APP_KEY, "app_secret": APP_SECRET})
            account_id = account.id
        results = {}
        for name, spec, cwd in (("floor", FLOOR_APP, os.path.dirname(os.path.abspath(__file__))), ("ours", "erp_integrations.app:create_app()", None)):
            port = free_port()
            server = gunicorn(spec, port, args.workers, env, cwd)
            try:
                load(port, f"/webhooks/tiktok-shop/{account_id}", min(2_000, args.requests), args.clients, first_id=10**12)  # warm up
                results[name] = load(port, f"/webhooks/tiktok-shop/{account_id}", args.requests, args.clients)
            finally:
                server.terminate()
                server.wait(timeout=30)
        with app.app_context():
            from sqlalchemy import func, select

            from erp_integrations.extensions import db
            from erp_integrations.models import WebhookEvent

            stored = db.session.scalar(select(func.count()).select_from(WebhookEvent))
        print(json.dumps({
            "gunicorn_workers": args.workers,
            "threads_per_worker": THREADS,
            "clients": args.clients,
            "ours": results["ours"],
            "floor": results["floor"],
            "ours_over_floor": round(results["ours"]["per_second"] / results["floor"]["per_second"], 3),
            "stored_rows": stored,
            "cpu_count": os.cpu_count(),
        }, indent=2))


if __name__ == "__main__":
    main()
