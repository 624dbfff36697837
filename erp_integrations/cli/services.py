"""The long-running processes: web server, workers, scheduler; and the sandboxes' group."""

from __future__ import annotations

import json

import click

from .base import app as _app
from .base import cli

# -- services -----------------------------------------------------------------------------------


@cli.command("worker")
@click.option("--queue", "-q", "queues", multiple=True, help="Queues to serve, highest priority first (default: all).")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--name", default=None, help="Worker name shown by RQ (default: host and process id).")
def worker_command(queues, burst, name):
    """Run an RQ worker (needs REDIS_URL)."""
    from ..jobs.queue import QUEUES
    from ..jobs.worker import run_worker

    settings = _app().config["ERP_SETTINGS"]
    if not settings.redis_url:
        raise click.UsageError("REDIS_URL is not set: without Redis, jobs run inside the web process (embedded queue) and need no worker")
    unknown = set(queues) - set(QUEUES)
    if unknown:
        raise click.BadParameter(f"unknown queue(s) {', '.join(sorted(unknown))}; queues: {', '.join(QUEUES)}", param_hint="--queue")
    run_worker(settings.redis_url, list(queues or QUEUES), burst=burst, name=name)


@cli.command("demo")
@click.option("--port", default=8000, show_default=True, help="Port of the API (and admin UI).")
@click.option("--orders", default=2_000, show_default=True, help="Orders per sandbox shop.")
@click.option("--connectors", default=None, help="Comma-separated connectors to demo (default: every one with a sandbox, e.g. tiktok_shop,shopee).")
@click.option("--no-serve", is_flag=True, help="Stop after the sync instead of serving the API.")
def demo_command(port, orders, connectors, no_serve):
    """Try it with no servers: the bundled sandboxes, an authorized account each, a full sync."""
    from ..demo import run_demo

    result = run_demo(port=port, orders=orders, serve=not no_serve, connectors=connectors)
    if result["failures"]:
        raise SystemExit(1)


@cli.group()
def sandbox():
    """Local emulators of the marketplaces' APIs; connectors add theirs here."""


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, help="Port to listen on.")
@click.option("--no-scheduler", is_flag=True, help="Without Redis: don't run the scheduler inside this process.")
def serve_command(host, port, no_scheduler):
    """Serve the API and admin UI (development server; use a WSGI server in production).

    Without Redis (the embedded mode) the scheduler runs inside this process."""
    app = _app()
    if not app.config["ERP_SETTINGS"].redis_url and not no_scheduler:
        from ..scheduler import start_in_background

        start_in_background(app)
    app.run(host=host, port=port)


@cli.command("scheduler")
@click.option("--tick", "tick_seconds", default=1.0, show_default=True, help="Seconds between ticks.")
@click.option("--max-per-tick", default=100, show_default=True, help="Accounts started per tick at most; the rest start on the next ticks.")
@click.option("--once", is_flag=True, help="Run one tick, print what it did as JSON, and exit.")
def scheduler_command(tick_seconds, max_per_tick, once):
    """Enqueue every account's streams at its sync interval, sweep the webhook inbox and the
    push outbox. With Redis, run one per machine you like: one leads, the others stand by."""
    import dataclasses
    import signal

    from ..scheduler import Scheduler

    app = _app()
    scheduler = Scheduler(app, tick_seconds=tick_seconds, max_per_tick=max_per_tick)
    if once:
        with app.app_context():
            click.echo(json.dumps(dataclasses.asdict(scheduler.tick())))
        return
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: scheduler.stopping.set())
    click.echo(f"scheduler {scheduler.identity}: ticking every {tick_seconds:g} s", err=True)
    scheduler.run()
