"""Moving data: sync, purge, push."""

from __future__ import annotations

import json
import sys

import click

from .base import app as _app
from .base import cli
from .base import find_account as _find_account

# -- sync ---------------------------------------------------------------------------------------


@cli.command("sync")
@click.argument("account")
@click.option("--stream", "streams", multiple=True, help="Stream to sync (repeatable; default: every enabled stream).")
@click.option("--full", is_flag=True, help="Ignore cursors: backfill the whole history window again.")
@click.option("--wait", is_flag=True, help="With REDIS_URL: wait for the workers to finish. Without Redis the sync always runs here.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def sync_command(account, streams, full, wait, as_json):
    """Sync ACCOUNT (its id or name)."""
    from ..connectors import Unsupported
    from ..sync import run_sync
    from ..sync.enqueue import NotSyncable, choose_streams

    app = _app()
    with app.app_context():
        found = _find_account(account)
        account_id = found.id
        try:
            chosen = choose_streams(found, streams)
        except (NotSyncable, Unsupported) as exc:
            raise click.ClickException(f"{found.name}: {exc}") from None
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--stream") from None
        if app.config["ERP_SETTINGS"].redis_url:
            results = _sync_through_workers(found, chosen, full, wait)
        else:
            results = []
            for stream in chosen:
                try:
                    run = run_sync(found.id, stream, full=full, trigger="cli")
                    results.append({"stream": stream, "status": run.status, "counts": run.counts, "api_calls": run.api_calls, "error": run.error})
                except Exception as exc:  # recorded on the run; reported here, the next stream still runs
                    results.append({"stream": stream, "status": "failed", "counts": {}, "api_calls": 0, "error": f"{type(exc).__name__}: {exc}"})
    if as_json:
        click.echo(json.dumps({"account": account_id, "streams": results}, indent=2))
    else:
        for r in results:
            counts = ", ".join(f"{k} {v}" for k, v in sorted((r.get("counts") or {}).items())) or "-"
            click.echo(f"{r['stream']:<18} {r['status']:<10} {counts}" + (f"  [{r['error']}]" if r.get("error") else ""))
    if any(r["status"] == "failed" for r in results):
        sys.exit(1)


@cli.command("purge-history")
@click.argument("account")
def purge_history_command(account):
    """Delete ACCOUNT's ERP rows older than its history window (history_months)."""
    from ..retention import purge_history

    with _app().app_context():
        deleted = purge_history(_find_account(account))
    for table, count in deleted.items():
        click.echo(f"{table:<30}{count:>8}")


@cli.group()
def push():
    """Push ERP changes to a marketplace (stock, prices, shipments, decisions on returns and
    cancellation requests)."""


def _push(account: str, kind: str, item: dict) -> None:
    from ..connectors import Unsupported
    from ..push import PushRequestInvalid, request_changes, run_push

    app = _app()
    with app.app_context():
        found = _find_account(account)
        embedded = not app.config["ERP_SETTINGS"].redis_url
        try:
            # Without Redis there is no worker to wait for: push here, now.
            results = request_changes(found, kind, [item], schedule=not embedded)
        except Unsupported as exc:
            raise click.ClickException(f"{found.name}: {exc}") from None
        except PushRequestInvalid as exc:
            raise click.UsageError("; ".join(f"{name.removeprefix('items[0].')}: {' '.join(messages)}" for name, messages in exc.fields.items())) from None
        for result in results:
            click.echo(f"{result['target']}: {result['status']}" + (f" ({result['note']})" if result.get("note") else ""))
        if embedded and any(r["status"] == "queued" for r in results):
            totals = run_push(found.id, kind)
            click.echo(f"sent {totals['sent']}, failed {totals['failed']}")
            if totals["failed"]:
                sys.exit(1)


@push.command("stock")
@click.argument("account")
@click.argument("sku")
@click.argument("quantity", type=int)
@click.option("--warehouse", help="Warehouse id (default: the account's default warehouse).")
def push_stock_command(account, sku, quantity, warehouse):
    """Set the available QUANTITY of SKU (marketplace SKU id or seller SKU)."""
    _push(account, "stock", {"sku": sku, "quantity": quantity, "warehouse": warehouse})


@push.command("price")
@click.argument("account")
@click.argument("sku")
@click.argument("amount")
@click.option("--currency", help="Default: the SKU's currency.")
def push_price_command(account, sku, amount, currency):
    """Set the price of SKU to AMOUNT (a decimal such as 12.50)."""
    _push(account, "price", {"sku": sku, "amount": amount, "currency": currency})


@push.command("ship")
@click.argument("account")
@click.option("--package", help="Marketplace package id.")
@click.option("--order", help="Marketplace order id (when the order has one package).")
@click.option("--tracking", "tracking_number", required=True, help="The carrier's tracking number.")
@click.option("--provider", "shipping_provider_id", help="The marketplace's shipping provider id (the seller's own carrier).")
@click.option(
    "--handover", "handover_method", type=click.Choice(["DROP_OFF", "PICKUP"]), default="DROP_OFF", show_default=True, help="How the carrier gets the package."
)
def push_ship_command(account, package, order, tracking_number, shipping_provider_id, handover_method):
    """Ship a package with its tracking number."""
    _push(
        account,
        "shipment",
        {
            "package": package,
            "order": order,
            "tracking_number": tracking_number,
            "shipping_provider_id": shipping_provider_id,
            "handover_method": handover_method,
        },
    )


def _decision_command(kind: str):
    @click.argument("account")
    @click.argument(kind.upper())
    @click.argument("decision", type=click.Choice(["approve", "reject"]))
    @click.option("--reason", "reject_reason", help="To reject: one of the marketplace's reasons (GET .../reject-reasons lists them).")
    @click.option("--comment", help="To reject: a note for the buyer and the marketplace.")
    def command(account, decision, reject_reason, comment, **ids):
        _push(account, f"{kind}_decision", {kind: ids[kind], "decision": decision, "reject_reason": reject_reason, "comment": comment})

    command.__doc__ = f"Approve or reject the buyer's {kind} request {kind.upper()} (its marketplace id)."
    return push.command(kind)(command)


@push.command("cancel-order")
@click.argument("account")
@click.argument("order")
@click.option("--reason", "cancel_reason", required=True, help="One of the marketplace's reasons for the order's status (GET .../cancel-reasons lists them).")
def push_cancel_order_command(account, order, cancel_reason):
    """Cancel ORDER (not yet shipped) as the seller."""
    _push(account, "order_cancel", {"order": order, "cancel_reason": cancel_reason})


push_return_command = _decision_command("return")
push_cancellation_command = _decision_command("cancellation")


def _sync_through_workers(account, streams, full, wait):
    from ..jobs.queue import get_queue_backend
    from ..sync.enqueue import enqueue_sync

    jobs = enqueue_sync(account, streams, full=full, trigger="cli")
    if not wait:
        return [{"stream": s, "status": j.status, "job": j.id} for s, j in zip(streams, jobs, strict=True)]
    from rq.job import Job

    connection = get_queue_backend().connection
    results = []
    for stream, job in zip(streams, jobs, strict=True):
        # Blocks on Redis until the worker publishes the result: no polling loop.
        result = Job.fetch(job.id, connection=connection).latest_result(timeout=3600)
        if result is None:
            results.append({"stream": stream, "status": "unknown", "error": "no result within an hour"})
        elif result.type == result.Type.SUCCESSFUL:
            results.append({"stream": stream, **result.return_value})
        else:
            results.append({"stream": stream, "status": "failed", "error": (result.exc_string or "").strip().splitlines()[-1]})
    return results
