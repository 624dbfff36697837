"""``erp-integrations demo``: the README's first command. Needs no servers: SQLite in the
instance folder, the embedded queue, and the bundled TikTok Shop sandbox on a local port.

It starts the sandbox, creates a demo account, runs Connect & Authorize against the sandbox's
consent page, syncs every stream with a progress bar, prints what landed, and serves the admin
pages and the API until interrupted (signing in as a demo administrator whose password it prints).
"""

from __future__ import annotations

import os
import secrets
import socket
from urllib.parse import parse_qs, urlparse

import click
import requests
from sqlalchemy import func, select

DEMO_ACCOUNT = "Demo TikTok Shop"
DEMO_ADMIN = "admin@demo.invalid"
# What the summary counts: rows now in each ERP table for the demo account (every run's rows
# together, each row once), the same tables and names as the monitor's "Rows written".
TABLES = (
    ("products", "Product"),
    ("SKUs", "ProductVariant"),
    ("stock levels", "StockLevel"),
    ("warehouses", "Warehouse"),
    ("orders", "SalesOrder"),
    ("order lines", "OrderLine"),
    ("status changes", "OrderStatusChange"),
    ("packages", "Shipment"),
    ("returns + cancellations", "AfterSale"),
    ("statements", "FinanceStatement"),
    ("statement transactions", "StatementTransaction", True),
    ("unsettled transactions", "StatementTransaction", False),
    ("payments", "Payout"),
    ("withdrawals", "Withdrawal"),
    ("affiliate orders", "AffiliateOrder"),
    ("creators", "Creator"),
    ("LIVE sessions", "LiveSession"),
    ("shop performance days", "ShopPerformanceDay"),
)


def check_port_free(port: int) -> None:
    """Stop before any work when the admin pages' port is taken by another program."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise click.ClickException(f"port {port} on 127.0.0.1 is already in use by another program; choose another with --port") from None


def _table_count(models, account_id: int, model_name: str, settled: bool | None = None) -> int:
    model = getattr(models, model_name)
    query = select(func.count()).select_from(model).where(model.account_id == account_id)
    if settled is not None:
        query = query.where(model.is_settled.is_(settled))
    from erp_integrations.extensions import db

    return db.session.scalar(query)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _demo_admin(account) -> str:
    """The demo's administrator, with a new random password each run (printed, never stored)."""
    from erp_integrations.auth import create_user
    from erp_integrations.auth.users import update_user
    from erp_integrations.extensions import db
    from erp_integrations.models import User

    password = secrets.token_urlsafe(12)
    user = db.session.scalars(select(User).where(User.email == DEMO_ADMIN)).first()
    if user is None:
        user = create_user(DEMO_ADMIN, password, "admin", name="Demo admin")
    else:
        update_user(user, role="admin", is_active=True, password=password)
    user.current_account_id = account.id
    db.session.commit()
    return password


def run_demo(port: int, orders: int = 2_000, serve: bool = True) -> dict:
    from erp_integrations import migrate, models
    from erp_integrations.accounts import create_account, delete_account
    from erp_integrations.app import create_app
    from erp_integrations.extensions import db
    from erp_integrations.hooks import get_connector
    from erp_integrations.models import IntegrationAccount
    from erp_integrations.oauth_state import consume_state, issue_state
    from erp_integrations.sync import run_sync

    from .sandbox import SandboxConfig, SandboxServer

    # The demo serves plain http on loopback, where a https-only session cookie would never
    # come back; a deployment keeps the default (secure) behind https.
    if serve:
        check_port_free(port)
    sandbox_port = _free_port()
    app = create_app(
        {
            "ERP_INTEGRATIONS_COOKIE_SECURE": os.environ.get("ERP_INTEGRATIONS_COOKIE_SECURE", "0"),
            # The sandbox is the one host besides TikTok's own that the demo's account may use.
            "ERP_INTEGRATIONS_ALLOWED_HOSTS": f"http://127.0.0.1:{sandbox_port}",
        }
    )
    settings = app.config["ERP_SETTINGS"]
    click.echo(f"database: {settings.database_url}")
    migrate.upgrade(settings.database_url)
    click.echo(f"starting the TikTok Shop sandbox ({orders} orders per shop)...")
    sandbox = SandboxServer(SandboxConfig(orders=orders, redirect_url=f"http://127.0.0.1:{port}/oauth/tiktok_shop/callback"), port=sandbox_port).start()
    try:
        with app.app_context():
            # The sandbox's data describes "now", so an account from an earlier demo would hold
            # another world's records: start it afresh.
            old = db.session.scalars(select(IntegrationAccount).where(IntegrationAccount.name == DEMO_ACCOUNT)).first()
            if old is not None:
                delete_account(old)
            account = create_account(
                "tiktok_shop",
                {
                    "name": DEMO_ACCOUNT,
                    "region": "US",
                    "app_key": sandbox.sandbox.config.app_key,
                    "app_secret": sandbox.sandbox.config.app_secret,
                    "service_id": sandbox.sandbox.config.service_id,
                    "api_base_url": sandbox.url,
                    "auth_base_url": sandbox.url,
                    "authorize_base_url": sandbox.url,
                    "features": {f.key: f.key != "promotions" for f in get_connector("tiktok_shop").features},
                },
            )
            connector = get_connector("tiktok_shop")()
            url = connector.authorization_url(account, issue_state(account))
            click.echo(f"Connect & Authorize: {url.split('?')[0]} (approved automatically in the demo)")
            config = sandbox.sandbox.config
            click.echo(
                f"sandbox app (to add another shop by hand; a sandbox's, not a real secret): app key {config.app_key}, app secret {config.app_secret}, service id {config.service_id}, base URL {sandbox.url}"
            )
            # The seller ticks the US shop on the consent page; the sandbox's other shops are in
            # other regions (a US account would refuse them).
            redirect = requests.get(url + "&auto_approve=1&shop=0", allow_redirects=False, timeout=30)
            query = parse_qs(urlparse(redirect.headers["Location"]).query)
            account = consume_state(query["state"][0])
            result = connector.complete_authorization(account, query["code"][0])
            if result["binding"] != "connected":
                raise click.ClickException(result["message"])
            bound = result["bound_shop"]
            click.echo(f"authorized; bound to {bound['name']} ({bound['key']})")
            streams = [s for s in connector.streams if connector.stream_enabled(account, s)]
            failures = []
            with click.progressbar(streams, label="full sync", item_show_func=lambda s: s or "") as bar:
                for stream in bar:
                    try:
                        run_sync(account.id, stream, full=True, trigger="demo")
                    except Exception as exc:  # shown below; the other streams still run
                        failures.append(f"{stream}: {exc}")
            landed = {entry[0]: _table_count(models, account.id, *entry[1:]) for entry in TABLES}
            click.echo("\nrows now in the ERP tables for this shop:")
            for label, count in landed.items():
                click.echo(f"  {label:<26}{count:>8}")
            for failure in failures:
                click.echo(f"  failed: {failure}", err=True)
            account_id = account.id
            password = _demo_admin(account)
        if serve:
            click.echo(f"\nAdmin pages: http://127.0.0.1:{port}/  sign in as {DEMO_ADMIN} / {password}")
            click.echo(
                f"API: http://127.0.0.1:{port}/api/v1/accounts/{account_id}/runs  (Bearer token: erp-integrations users token {DEMO_ADMIN}; OpenAPI: /api/v1/openapi.json); Ctrl+C to stop"
            )
            app.run(host="127.0.0.1", port=port)
        return {"account_id": account_id, "landed": landed, "failures": failures}
    finally:
        sandbox.stop()
