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
    ("statement transactions", "StatementTransaction"),
    ("payments", "Payout"),
    ("withdrawals", "Withdrawal"),
    ("affiliate orders", "AffiliateOrder"),
    ("creators", "Creator"),
    ("LIVE sessions", "LiveSession"),
    ("shop performance days", "ShopPerformanceDay"),
)


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
    app = create_app({"ERP_INTEGRATIONS_COOKIE_SECURE": os.environ.get("ERP_INTEGRATIONS_COOKIE_SECURE", "0")})
    settings = app.config["ERP_SETTINGS"]
    click.echo(f"database: {settings.database_url}")
    migrate.upgrade(settings.database_url)
    click.echo(f"starting the TikTok Shop sandbox ({orders} orders per shop)...")
    sandbox = SandboxServer(SandboxConfig(orders=orders, redirect_url=f"http://127.0.0.1:{port}/oauth/tiktok_shop/callback"), port=_free_port()).start()
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
            redirect = requests.get(url + "&auto_approve=1", allow_redirects=False, timeout=30)
            query = parse_qs(urlparse(redirect.headers["Location"]).query)
            account = consume_state(query["state"][0])
            bound = connector.complete_authorization(account, query["code"][0])["bound_shop"]
            click.echo(f"authorized; bound to {bound['name']} ({bound['cipher']})")
            streams = [s for s in connector.streams if connector.stream_enabled(account, s)]
            failures = []
            with click.progressbar(streams, label="full sync", item_show_func=lambda s: s or "") as bar:
                for stream in bar:
                    try:
                        run_sync(account.id, stream, full=True, trigger="demo")
                    except Exception as exc:  # shown below; the other streams still run
                        failures.append(f"{stream}: {exc}")
            landed = {label: db.session.scalar(select(func.count()).select_from(getattr(models, model)).where(getattr(models, model).account_id == account.id)) for label, model in TABLES}
            click.echo("\nwhat landed in the ERP tables:")
            for label, count in landed.items():
                click.echo(f"  {label:<26}{count:>8}")
            for failure in failures:
                click.echo(f"  failed: {failure}", err=True)
            account_id = account.id
            password = _demo_admin(account)
        if serve:
            click.echo(f"\nAdmin pages: http://127.0.0.1:{port}/  sign in as {DEMO_ADMIN} / {password}")
            click.echo(f"API: http://127.0.0.1:{port}/api/v1/accounts/{account_id}/runs  (Bearer token: erp-integrations users token {DEMO_ADMIN}; OpenAPI: /api/v1/openapi.json); Ctrl+C to stop")
            app.run(host="127.0.0.1", port=port)
        return {"account_id": account_id, "landed": landed, "failures": failures}
    finally:
        sandbox.stop()
