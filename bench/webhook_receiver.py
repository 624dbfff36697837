"""Webhook receiver throughput and acknowledgement latency behind gunicorn, printed as JSON.

    apt-get install wrk
    python bench/webhook_receiver.py --database-url postgresql://erp:erp@127.0.0.1/postgres \\
        --redis-url redis://127.0.0.1:6379/14 [--seconds 10] [--rounds 3] [--workers 2] \\
        [--worker-classes gevent,gthread]

wrk posts signed deliveries (each a new notification id) over keep-alive connections; every
200 means the delivery is committed in PostgreSQL, which the script checks by counting the
stored rows. The deliveries are signed before the clock starts, and the load comes from wrk (C,
one thread) rather than Python clients, because the load generator shares the machine's two
cores with gunicorn, PostgreSQL and Redis: every cycle it spends is one the receiver doesn't
get. The baseline in the same run is a minimal WSGI app on the same gunicorn and wrk (reads
the body, answers 200): its throughput is what the machine allows any Python receiver, so
``ours / floor`` says how much of that the receiver's own work (HMAC, insert + commit, Redis)
costs. Each round measures the floor, then ours, after a warm-up; the medians of the rounds
are reported beside every round, as a shared two-core machine varies from minute to minute.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import free_port, fresh_database  # noqa: E402

APP_KEY, APP_SECRET = "benchappkey", "bench-app-secret"
HERE = os.path.dirname(os.path.abspath(__file__))
FLOOR_APP = "bench_floor_app:app"
LOAD_SCRIPT = os.path.join(HERE, "webhook_load.lua")
WRK_THREADS = 1  # one C thread keeps 16 connections busy; a second would only take CPU
WARM_UP_SECONDS = 5  # the workers load the app, open their pools and fill their caches


def write_deliveries(path: str, first: int, count: int) -> None:
    """``count`` signed deliveries, one "signature<TAB>body" line each (the wrk script's input)."""
    from erp_integrations_tiktok_shop.signing import sign_webhook

    with open(path, "w") as out:
        for n in range(first, first + count):
            body = json.dumps(
                {
                    "type": 1,
                    "tts_notification_id": f"73{n:017d}",
                    "shop_id": "",
                    "timestamp": 1700000000,
                    "data": {"order_id": f"58{n:016d}", "order_status": "AWAITING_SHIPMENT", "update_time": 1700000000},
                }
            )
            out.write(f"{sign_webhook(APP_KEY, APP_SECRET, body.encode())}\t{body}\n")


def load(url: str, deliveries: str, seconds: int, connections: int) -> dict:
    command = [
        "wrk",
        "-t",
        str(WRK_THREADS),
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
        "--timeout",
        "10s",
        "-s",
        LOAD_SCRIPT,
        url,
        "--",
        deliveries,
        str(WRK_THREADS),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"^WRK (\{.*\})$", output, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"wrk printed no summary:\n{output}")
    summary = json.loads(match.group(1))
    return {
        "requests": summary["requests"],
        "non_200": summary["non_2xx"] + summary["socket_errors"],
        "per_second": round(summary["requests"] / (summary["duration_us"] / 1e6)),
        "p50_ms": round(summary["p50_us"] / 1000, 2),
        "p99_ms": round(summary["p99_us"] / 1000, 2),
        "max_ms": round(summary["max_us"] / 1000, 2),
    }


def gunicorn_command(app_spec: str, port: int, workers: int, worker_class: str = "gevent", threads: int = 8) -> list[str]:
    # The receiver writes what a worker process's concurrent requests have ready in one
    # statement (group commit): gevent's greenlets or gthread's threads make them concurrent.
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        str(workers),
        "-k",
        worker_class,
        "-b",
        f"127.0.0.1:{port}",
        "--keep-alive",
        "30",
        "--log-level",
        "warning",
    ]
    if worker_class == "gthread":
        command += ["--threads", str(threads)]
    return command + [app_spec]


def gunicorn(app_spec: str, port: int, workers: int, env: dict, cwd: str | None = None, worker_class: str = "gevent", threads: int = 8) -> subprocess.Popen:
    command = gunicorn_command(app_spec, port, workers, worker_class, threads)
    log = tempfile.TemporaryFile("w+")  # not a pipe: a pipe nobody reads would stall the server once full
    process = subprocess.Popen(command, env=env, cwd=cwd, stderr=log, text=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).connect()
            return process
        except OSError:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(log.read()) from None
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--seconds", type=int, default=10, help="length of each measured run")
    parser.add_argument("--connections", type=int, default=16, help="concurrent keep-alive connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--worker-classes", default="gevent,gthread", help="gunicorn worker classes to measure, comma-separated")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker for gthread")
    parser.add_argument("--max-rate", type=int, default=12_000, help="deliveries prepared per second of run (wrk stops when they run out)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of floor and ours per worker class; medians are reported")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")

    scratch = tempfile.mkdtemp()
    warm_up, measured = os.path.join(scratch, "warm-up.tsv"), os.path.join(scratch, "measured.tsv")
    write_deliveries(warm_up, 10**12, args.max_rate * WARM_UP_SECONDS)
    write_deliveries(measured, 0, int(args.max_rate * args.seconds))

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
        for worker_class in args.worker_classes.split(","):
            rounds = []
            for _ in range(args.rounds):
                runs = {}
                for name, spec, cwd in (("floor", FLOOR_APP, HERE), ("ours", "erp_integrations.app:create_app()", None)):
                    port = free_port()
                    server = gunicorn(spec, port, args.workers, env, cwd, worker_class, args.threads)
                    url = f"http://127.0.0.1:{port}/webhooks/tiktok-shop/{account_id}"
                    try:
                        load(url, warm_up, WARM_UP_SECONDS, args.connections)
                        _reset(app)
                        runs[name] = load(url, measured, args.seconds, args.connections)
                        runs[name]["stored_rows"] = _stored(app)
                    finally:
                        server.terminate()
                        server.wait(timeout=30)
                rounds.append({**runs, "ours_over_floor": round(runs["ours"]["per_second"] / runs["floor"]["per_second"], 3)})
            results[worker_class] = {
                "server": " ".join(["gunicorn", *gunicorn_command("APP", 0, args.workers, worker_class, args.threads)[3:]]),
                "median": {
                    "ours_per_second": statistics.median(r["ours"]["per_second"] for r in rounds),
                    "ours_p99_ms": statistics.median(r["ours"]["p99_ms"] for r in rounds),
                    "floor_per_second": statistics.median(r["floor"]["per_second"] for r in rounds),
                    "ours_over_floor": statistics.median(r["ours_over_floor"] for r in rounds),
                },
                "rounds": rounds,
            }
        shutil.rmtree(scratch)
        print(
            json.dumps(
                {
                    "load": f"wrk, {WRK_THREADS} thread, {args.connections} connections, {WARM_UP_SECONDS} s warm-up then {args.seconds} s measured",
                    **results,
                    "cpu_count": os.cpu_count(),
                },
                indent=2,
            )
        )


def _reset(app) -> None:
    """An empty inbox and a checkpoint before each measured run, so that no run pays for the
    writes of the warm-up or of the run before (the checkpoint needs a superuser; without one it
    is skipped)."""
    from sqlalchemy import text

    from erp_integrations.extensions import db

    with app.app_context():
        db.session.execute(text("DELETE FROM integration_webhook_events" if db.engine.dialect.name == "sqlite" else "TRUNCATE integration_webhook_events"))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            try:
                db.session.execute(text("CHECKPOINT"))
            except Exception:
                pass
            db.session.rollback()
        db.session.remove()


def _stored(app) -> int:
    from sqlalchemy import func, select

    from erp_integrations.extensions import db
    from erp_integrations.models import WebhookEvent

    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(WebhookEvent))
        db.session.remove()
    return count


if __name__ == "__main__":
    main()
