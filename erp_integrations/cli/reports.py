"""Income verification and exports."""

from __future__ import annotations

import json
import sys

import click

from .base import app as _app
from .base import cli
from .base import find_account as _find_account

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
