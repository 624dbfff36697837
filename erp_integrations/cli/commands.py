"""The host's own commands."""

from __future__ import annotations

import json
import sys

import click

from .. import __version__


def _app():
    from ..app import create_app

    return create_app()


@click.group()
@click.version_option(__version__, prog_name="erp-integrations")
def cli():
    """Marketplace integrations for an ERP: accounts, sync, webhooks."""


# -- database ---------------------------------------------------------------------------------


@cli.group()
def db():
    """Database migrations (Alembic)."""


def _database_url() -> str:
    return _app().config["SQLALCHEMY_DATABASE_URI"]


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision):
    """Bring the database to REVISION (default: the newest)."""
    from .. import migrate

    migrate.upgrade(_database_url(), revision)
    click.echo(f"database at {migrate.current_revision(_database_url())}")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision):
    """Step the database back to REVISION (e.g. -1, or base)."""
    from .. import migrate

    migrate.downgrade(_database_url(), revision)
    click.echo(f"database at {migrate.current_revision(_database_url()) or 'base'}")


@db.command("current")
def db_current():
    """Print the database's revision and the newest one."""
    from .. import migrate

    url = _database_url()
    click.echo(f"current: {migrate.current_revision(url) or 'base'}\nhead: {migrate.head_revision(url)}")


@db.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes (its file name and docstring).")
def db_revision(message):
    """Autogenerate a migration from the models (for developers)."""
    from .. import migrate

    migrate.revision(_database_url(), message)


# -- plugins ------------------------------------------------------------------------------------


@cli.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def plugins_command(as_json):
    """List loaded connectors with their versions and where they come from."""
    from ..hooks import get_connectors, get_plugin_manager

    pm = get_plugin_manager()
    dists = {id(plugin): dist for plugin, dist in pm.list_plugin_distinfo()}
    rows = []
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda pair: pair[0]):
        if plugin is None:  # a blocked name
            continue
        dist = dists.get(id(plugin))
        rows.append(
            {
                "name": name,
                "module": getattr(plugin, "__name__", repr(plugin)),
                "distribution": dist.project_name if dist else None,
                "version": dist.version if dist else __version__,
                "hooks": sorted(h.name for h in pm.get_hookcallers(plugin) or []),
            }
        )
    connectors = [{"name": c.name, "display_name": c.display_name, "version": c.version} for c in get_connectors().values()]
    if as_json:
        click.echo(json.dumps({"plugins": rows, "connectors": connectors}, indent=2))
        return
    for c in connectors:
        click.echo(f"{c['name']:<14} {c['display_name']:<14} {c['version']}")
    blocked = sorted(name for name, _ in pm.list_name_plugin() if pm.is_blocked(name))
    if blocked:
        click.echo(f"blocked: {', '.join(blocked)}")


# -- secrets ------------------------------------------------------------------------------------


@cli.group()
def secrets():
    """Encryption keys for stored credentials."""


@secrets.command("generate-key")
@click.option("--id", "key_id", default=None, help="Key id (default: random).")
def secrets_generate_key(key_id):
    """Print a new key ring entry; put it first in ERP_INTEGRATIONS_SECRET_KEYS to rotate."""
    from ..crypto import generate_key_entry

    click.echo(generate_key_entry(key_id))


@secrets.command("rotate")
def secrets_rotate():
    """Re-encrypt every stored credential (and income signing key) under the current (first) key."""
    from ..crypto.vault import CredentialVault
    from ..extensions import db as database
    from ..income.signing import reseal

    app = _app()
    with app.app_context():
        vault = CredentialVault(database.session)
        count = vault.rotate()
        keys = reseal(vault.keyring)
        database.session.commit()
        click.echo(f"re-encrypted {count} credential(s) and {keys} income signing key(s) under key {vault.keyring.current_id}")


# -- accounts -----------------------------------------------------------------------------------


@cli.group()
def accounts():
    """Connector accounts (shops)."""


@accounts.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (secrets masked).")
def accounts_list(as_json):
    """List every account: id, connector, name, status and whether it is the default."""
    from sqlalchemy import select

    from ..accounts import serialize_account
    from ..extensions import db as database
    from ..models import IntegrationAccount

    with _app().app_context():
        rows = [serialize_account(a) for a in database.session.scalars(select(IntegrationAccount).order_by(IntegrationAccount.id))]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        marker = "*" if row["is_default"] else " "
        click.echo(f"{marker}{row['id']:>4}  {row['connector']:<12} {row['name']:<30} {row['status']}")


@accounts.command("create")
@click.argument("connector")
@click.option("--config", "config_json", required=True, help="The account config as JSON (see GET /api/v1/connectors).")
@click.option("--default", "is_default", is_flag=True, help="Make it the connector's default account.")
def accounts_create(connector, config_json, is_default):
    """Create an account from a JSON config."""
    from ..accounts import AccountValidationError, create_account

    try:
        config = json.loads(config_json)
    except ValueError as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint="--config") from None
    with _app().app_context():
        try:
            account = create_account(connector, config, is_default=is_default)
        except AccountValidationError as exc:
            for field, messages in exc.fields.items():
                click.echo(f"{field}: {'; '.join(map(str, messages)) if isinstance(messages, list) else messages}", err=True)
            sys.exit(2)
        click.echo(f"created account {account.id}")


# -- sync ---------------------------------------------------------------------------------------


def _find_account(reference: str):
    from sqlalchemy import select

    from ..extensions import db as database
    from ..models import IntegrationAccount

    query = (
        select(IntegrationAccount).where(IntegrationAccount.id == int(reference))
        if reference.isdigit()
        else select(IntegrationAccount).where(IntegrationAccount.name == reference)
    )
    found = database.session.scalars(query).all()
    if len(found) != 1:
        raise click.BadParameter(f"no single account with id or name {reference!r} (see `erp-integrations accounts list`)", param_hint="ACCOUNT")
    return found[0]


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
    """Push ERP changes to a marketplace (stock, prices, shipments)."""


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


# -- services -----------------------------------------------------------------------------------


@cli.group()
def users():
    """Users of the admin pages and the API."""


@users.command("create")
@click.option("--email", required=True, help="Sign-in email (also how the user is named in lists).")
@click.option(
    "--role",
    type=click.Choice(["admin", "manager", "viewer", "creator"]),
    required=True,
    help="admin: everything; manager: configure and sync assigned shops; viewer: read every shop; creator: affiliate pages of assigned shops.",
)
@click.option("--name", default=None, help="Display name.")
@click.option("--account", "accounts", multiple=True, help="Account id or name the user is assigned (repeatable; managers and creator partners).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, help="Prompted for when not given.")
@click.option("--token", "with_token", is_flag=True, help="Also issue an API token and print it (once).")
def users_create(email, role, name, accounts, password, with_token):
    """Create a user who signs in to the admin pages (and, with --token, calls the API)."""
    from ..auth import UserError, create_user, issue_api_token

    with _app().app_context():
        try:
            user = create_user(email, password, role, name=name, account_ids=[_find_account(a).id for a in accounts])
        except UserError as exc:
            raise click.UsageError(str(exc)) from None
        click.echo(f"created {user.email} ({user.role}, id {user.id})")
        if with_token:
            click.echo(f"API token (shown once): {issue_api_token(user)}")


@users.command("token")
@click.argument("email")
def users_token(email):
    """Issue a new API token for a user (the old one stops working) and print it once."""
    from sqlalchemy import select

    from ..auth import issue_api_token
    from ..auth.users import normalize_email
    from ..extensions import db as database
    from ..models import User

    with _app().app_context():
        user = database.session.scalar(select(User).where(User.email == normalize_email(email)))
        if user is None:
            raise click.UsageError(f"no user {email}")
        click.echo(issue_api_token(user))


@users.command("list")
def users_list():
    """List users: id, email, role, active or disabled, and their shops."""
    from sqlalchemy import select

    from ..extensions import db as database
    from ..models import User

    with _app().app_context():
        for user in database.session.scalars(select(User).order_by(User.id)):
            shops = ", ".join(a.name for a in user.accounts) or ("every shop" if user.role in ("admin", "viewer") else "no shop")
            click.echo(f"{user.id:>4}  {user.email:<32} {user.role:<8} {'active' if user.is_active else 'disabled':<9} {shops}")


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


# -- income verification ---------------------------------------------------------------------


@cli.command("income")
@click.argument("accounts", nargs=-1, required=True)
@click.option("--days", default=90, show_default=True, type=click.IntRange(30, 365), help="The window: this many days up to now.")
@click.option("--rate", "rates", multiple=True, metavar="CUR=USD", help="USD per unit of a currency, e.g. GBP=1.27 (repeatable): converts for the score.")
@click.option("--json", "as_json", is_flag=True, help="The whole report as JSON.")
@click.option("--sign", "signed", is_flag=True, help="Print a signed statement (JSON) instead of the report.")
@click.option("--allow-stale", is_flag=True, help="With --sign: issue even when a stream is not fresh (the statement says so).")
def income_command(accounts, days, rates, as_json, signed, allow_stale):
    """Income report and score for ACCOUNTS (ids or names: one person's shop and creator account)."""
    from ..income import IncomeRefused, IncomeRequest, Window, build_report, parse_rates
    from ..income.service import issue_statement

    parsed = {}
    for rate in rates:
        code, sep, value = rate.partition("=")
        if not sep:
            raise click.BadParameter(f"{rate!r}: write CUR=USD, e.g. GBP=1.27", param_hint="--rate")
        parsed[code.strip().upper()] = value.strip()
    with _app().app_context():
        try:
            request = IncomeRequest(tuple(_find_account(a).id for a in accounts), Window.ending(days=days), parse_rates(parsed), allow_stale)
            result = issue_statement(request) if signed else build_report(request)
        except IncomeRefused as exc:
            raise click.ClickException(exc.message) from None
    if signed or as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    _print_income(result)


def _print_income(report: dict) -> None:
    window = report["window"]
    names = ", ".join(f"{a['name']} ({a['kind']})" for a in report["subject"]["accounts"])
    click.echo(f"Income of {names}: {window['days']} days to {window['end'][:10]}")
    for currency, figures in report["currencies"].items():
        seller, creator = figures["seller"], figures["creator"]
        click.echo(f"\n{currency}")
        click.echo(f"  GMV {seller['gmv']} from {seller['orders_counted']} orders (AOV {seller['aov'] or '-'}), refunds {seller['refunds']}")
        click.echo(
            f"  net revenue {seller['net_revenue']}, commission {creator['actual_commission']} (+{creator['estimated_unsettled_commission']} estimated, unsettled)"
        )
        click.echo(f"  income {figures['income']}, monthly {figures['monthly_income']}")
        for month in figures["months"]:
            click.echo(f"    {month['start'][:10]} .. {month['end'][:10]}  {month['income']:>14}  {month['orders']} orders")
    result = report["score"]
    if result.get("score") is None:
        click.echo(f"\nscore: none ({result['reason']})")
        return
    click.echo(f"\nscore {result['score']} / 100 (confidence {result['confidence']})")
    for factor in result["factors"]:
        click.echo(f"  {factor['name']:<12} {factor['value']:>5} x {factor['weight']}%  {factor['confidence']:<6} {'; '.join(factor['reasons'])}")
    if report["stale"]:
        click.echo("\nwarning: some streams are not fresh (see freshness in --json)")


@cli.command("income-keys")
@click.option("--rotate", is_flag=True, help="Retire the signing key (it still verifies old statements) and make a new one.")
def income_keys_command(rotate):
    """Print the public keys that verify income statements (JSON, as served at
    /.well-known/erp-integrations/income-keys.json)."""
    from ..income import public_keys
    from ..income import rotate as rotate_key

    with _app().app_context():
        if rotate:
            click.echo(f"signing with {rotate_key().kid} from now on", err=True)
        click.echo(json.dumps({"keys": public_keys()}, indent=2))


@cli.command("export")
@click.argument("account")
@click.argument("what")
@click.option("--from", "start", help="First day (YYYY-MM-DD, in the account's reporting zone).")
@click.option("--to", "end", help="Last day, included.")
@click.option("--period", type=click.Choice(["day", "week", "month", "custom"]), help="Instead of --from/--to: the period around --date.")
@click.option("--date", "day", help="A day inside --period (default today).")
@click.option("--time-zone", help="IANA zone the days are cut in (default: the account's).")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True, help="CSV (formulas made text) or an XLSX workbook.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True, help="File to write.")
def export_command(account, what, start, end, period, day, time_zone, fmt, output):
    """Export WHAT of ACCOUNT: a report (summary, daily, orders-by-status, top-products,
    top-skus, live-sessions, affiliate-by-day, affiliate-by-creator, delayed-settlements,
    reconciliation) or a listing (orders, statements, payouts, ...), as CSV or XLSX."""
    from zoneinfo import ZoneInfo

    from ..browse import LISTINGS, InvalidQuery
    from ..reports import ReportRefused
    from ..reports.export import csv_chunks, write_xlsx
    from ..reports.periods import account_zone_name
    from ..reports.service import ALL_SECTIONS, scope_of

    args = {k: v for k, v in {"from": start, "to": end, "period": period, "date": day, "time_zone": time_zone}.items() if v}
    name = what.replace("-", "_")
    with _app().app_context():
        found = _find_account(account)
        try:
            zone = ZoneInfo(time_zone or account_zone_name(found))
            if name in LISTINGS:
                columns, rows = _listing_export(LISTINGS[name], found.id, start, end)
            else:
                columns, rows = _report_export(found, name, what, scope_of([found], ALL_SECTIONS, args))
        except (ReportRefused, InvalidQuery) as exc:
            raise click.ClickException(exc.message) from None
        with click.progressbar(length=0, label=f"Exporting {what}", show_pos=True, file=sys.stderr) as bar:

            def progress(n: int) -> None:
                bar.update(n - bar.pos)

            if fmt == "csv" and name in LISTINGS and _on_postgresql():
                with open(output, "wb") as out:  # the database writes the CSV (COPY)
                    from ..browse.listings import copy_csv

                    written = 0
                    for chunk in copy_csv(LISTINGS[name], found.id, _listing_args(LISTINGS[name], start, end), zone.key):
                        out.write(chunk)
                        written += chunk.count(b"\n")
                        progress(written)
            elif fmt == "csv":
                with open(output, "w", encoding="utf-8", newline="") as out:
                    for chunk in csv_chunks(columns, rows, zone, progress=progress):
                        out.write(chunk)
            else:
                write_xlsx(output, [(what, columns, rows)], zone, progress=progress)
    click.echo(f"Wrote {output}")


def _listing_export(listing, account_id: int, start: str | None, end: str | None):
    """A listing's rows for the export; either end of the range may be given alone."""
    from ..browse.listings import export_columns, export_rows

    return export_columns(listing), export_rows(listing, account_id, _listing_args(listing, start, end))


def _listing_args(listing, start: str | None, end: str | None) -> dict:
    prefix = "created" if listing.created else "updated"
    return {f"{prefix}_{edge}": value for edge, value in (("from", start), ("to", end)) if value}


def _on_postgresql() -> bool:
    from ..extensions import db

    return db.engine.dialect.name == "postgresql"


def _report_export(account, name: str, what: str, scope):
    from ..browse import LISTINGS
    from ..reports.delayed import COLUMNS as DELAYED_COLUMNS
    from ..reports.delayed import alert_days, delayed
    from ..reports.reconcile import COLUMNS as RECONCILE_COLUMNS
    from ..reports.reconcile import reconcile
    from ..reports.service import TABLES, summary, summary_rows, table

    if name == "summary":
        return summary_rows(summary(scope))
    if name == "delayed_settlements":
        return DELAYED_COLUMNS, delayed([account.id], alert_days(account))
    if name == "reconciliation":
        return RECONCILE_COLUMNS, reconcile([account.id], scope.period.start, scope.period.end)
    if name in TABLES:
        return table(scope, name)
    known = ", ".join(sorted({"summary", "delayed-settlements", "reconciliation", *(t.replace("_", "-") for t in TABLES), *LISTINGS}))
    raise click.BadParameter(f"{what!r} is not a report or listing; one of: {known}", param_hint="WHAT")
