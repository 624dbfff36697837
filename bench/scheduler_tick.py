"""Scheduler tick time with many accounts, printed as JSON.

    python bench/scheduler_tick.py --database-url postgresql://erp:erp@127.0.0.1/postgres \\
        --redis-url redis://127.0.0.1:6379/14 [--accounts 10000] [--ticks 120]

Accounts get 5/15/30/60-minute intervals (and some manual). After a first tick (which only
records slots), ``--ticks`` consecutive one-second ticks run and are timed: they read every
account, find the due ones and enqueue their fan-out jobs in Redis. The baseline in the same
run is the floor of any tick: the same accounts query alone.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import fresh_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--ticks", type=int, default=120)
    args = parser.parse_args()

    from redis import Redis

    Redis.from_url(args.redis_url).flushdb()
    with fresh_database(args.database_url) as url:
        from sqlalchemy import select

        from erp_integrations.app import create_app
        from erp_integrations.crypto.keyring import generate_key_entry
        from erp_integrations.extensions import db
        from erp_integrations.models import IntegrationAccount
        from erp_integrations.scheduler import Scheduler

        app = create_app({"DATABASE_URL": url, "REDIS_URL": args.redis_url, "ERP_INTEGRATIONS_SECRET_KEYS": generate_key_entry("bench")})
        with app.app_context():
            from erp_integrations.models.base import utcnow

            intervals, now = [5, 15, 30, 60, None], utcnow()
            db.session.execute(
                IntegrationAccount.__table__.insert(),
                [
                    {
                        "connector": "tiktok_shop",
                        "name": f"shop {k}",
                        "config": {},
                        "features": {},
                        "auth_info": {},
                        "sync_interval_minutes": intervals[k % 5],
                        "status": "connected",
                        "is_default": False,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for k in range(args.accounts)
                ],
            )
            db.session.commit()
            scheduler = Scheduler(app, max_per_tick=100)
            start = time.time()
            scheduler.tick(start)
            timings, enqueued, floor, sweeps = [], 0, [], []
            for k in range(1, args.ticks + 1):
                report = scheduler.tick(start + k)
                timings.append(report.seconds)
                if report.sweep_seconds:
                    sweeps.append(report.sweep_seconds)
                enqueued += report.enqueued
                began = time.perf_counter()
                db.session.execute(
                    select(IntegrationAccount.id, IntegrationAccount.sync_interval_minutes).where(IntegrationAccount.status == "connected")
                ).all()
                db.session.rollback()
                floor.append(time.perf_counter() - began)
            timings.sort()
            floor.sort()
            p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
            print(
                json.dumps(
                    {
                        "accounts": args.accounts,
                        "ticks": args.ticks,
                        "enqueued_per_tick": round(enqueued / args.ticks, 1),
                        "tick_p50_ms": round(statistics.median(timings) * 1000, 1),
                        "tick_p99_ms": round(p99 * 1000, 1),
                        "tick_max_ms": round(timings[-1] * 1000, 1),
                        "sweep_ms_once_a_minute": [round(x * 1000, 1) for x in sweeps],
                        "floor_query_p50_ms": round(statistics.median(floor) * 1000, 1),
                        "tick_over_floor_p50": round(statistics.median(timings) / statistics.median(floor), 2),
                    },
                    indent=2,
                )
            )


if __name__ == "__main__":
    main()
