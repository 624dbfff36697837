"""``erp-integrations demo``: the README's first command. Needs no servers: SQLite in the
instance folder, the embedded queue, and the bundled sandboxes on local ports.

For each connector asked for (``--connectors``, every one that offers a demo by default) it
starts the connector's sandbox, creates a demo account, runs Connect & Authorize against the
sandbox's consent page, syncs every stream with a progress bar and prints what landed; then it
serves the admin pages and the API until interrupted (signing in as a demo administrator whose
password it prints). A connector offers a demo through ``Connector.demo_shop``.
"""

from __future__ import annotations

import os
import secrets
import socket
from urllib.parse import parse_qs, urlparse

import click
import requests
from sqlalchemy import func, select

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
    ("promotions and coupons", "Promotion"),
    ("promoted products and SKUs", "PromotionProduct"),
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


def demo_connectors(names: str | None) -> list:
    """The connectors to demo: those named (comma-separated), else every one with a demo."""
    from .hooks import get_connectors

    offered = {name: c for name, c in sorted(get_connectors().items()) if c.supports("authorize") and c.supports("sync") and hasattr(c, "demo_shop")}
    if not names:
        return list(offered.values())
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in offered]
    if unknown or not wanted:
        raise click.BadParameter(f"no demo for {', '.join(unknown) or 'nothing'}; connectors with a demo: {', '.join(offered)}", param_hint="--connectors")
    return [offered[n] for n in wanted]


def run_demo(port: int, orders: int = 2_000, serve: bool = True, connectors: str | None = None) -> dict:
    from . import migrate, models
    from .app import create_app
    from .extensions import db

    chosen = demo_connectors(connectors)
    if serve:
        check_port_free(port)
    ports = {c.name: _free_port() for c in chosen}
    app = create_app(
        {
            # The demo serves plain http on loopback, where a https-only session cookie would
            # never come back; a deployment keeps the default (secure) behind https.
            "ERP_INTEGRATIONS_COOKIE_SECURE": os.environ.get("ERP_INTEGRATIONS_COOKIE_SECURE", "0"),
            # The sandboxes are the only hosts besides the marketplaces' own the demo may use.
            "ERP_INTEGRATIONS_ALLOWED_HOSTS": ",".join(f"http://127.0.0.1:{p}" for p in ports.values()),
        }
    )
    settings = app.config["ERP_SETTINGS"]
    click.echo(f"database: {settings.database_url}")
    migrate.upgrade(settings.database_url)
    erp_url = f"http://127.0.0.1:{port}"
    shops, accounts, landed, failures = [], {}, {}, []
    try:
        for connector_class in chosen:
            click.echo(f"\nstarting the {connector_class.display_name} sandbox ({orders} orders per shop)...")
            shop = connector_class().demo_shop(orders=orders, port=ports[connector_class.name], erp_url=erp_url)
            shops.append(shop)
            with app.app_context():
                account_id, rows, failed = _demo_account(app, connector_class, shop, erp_url, models)
            accounts[connector_class.name], landed[connector_class.name] = account_id, rows
            failures += failed
        with app.app_context():
            password = _demo_admin(db.session.get(models.IntegrationAccount, next(iter(accounts.values()))))
        if serve:
            click.echo(f"\nAdmin pages: {erp_url}/  sign in as {DEMO_ADMIN} / {password}")
            first = next(iter(accounts.values()))
            click.echo(
                f"API: {erp_url}/api/v1/accounts/{first}/runs  (Bearer token: erp-integrations users token {DEMO_ADMIN}; OpenAPI: /api/v1/openapi.json); Ctrl+C to stop"
            )
            app.run(host="127.0.0.1", port=port)
        return {"accounts": accounts, "landed": landed, "failures": failures}
    finally:
        for shop in shops:
            shop.server.stop()


def _credentials(connector_class, config: dict) -> str:
    """The sandbox's settings by their dialog labels, to add another shop by hand."""
    labels = {name: field.metadata.get("label", name) for name, field in connector_class.config_schema().fields.items()}
    settings = ", ".join(f"{labels.get(k, k)} {v}" for k, v in config.items() if k not in ("region", "features"))
    return f"sandbox settings (to add another shop by hand; the sandbox's, not real credentials): {settings}"


def _demo_account(app, connector_class, shop, erp_url: str, models) -> tuple[int, dict, list[str]]:
    """One connector's demo account: created afresh, authorized on its sandbox's consent page
    (approved automatically), fully synced; its rows per ERP table."""
    from .accounts import create_account, delete_account
    from .extensions import db
    from .oauth_state import consume_state, issue_state
    from .sync import run_sync

    name = f"Demo {connector_class.display_name}"
    # The sandbox's data describes "now", so an account from an earlier demo would hold
    # another world's records: start it afresh.
    old = db.session.scalars(select(models.IntegrationAccount).where(models.IntegrationAccount.name == name)).first()
    if old is not None:
        delete_account(old)
    connector = connector_class()
    config = {"features": {f.key: f.available for f in connector.features}, **shop.config}
    account = create_account(connector_class.name, {"name": name, **config})
    with app.test_request_context(base_url=erp_url):  # the callback URL a marketplace may need
        url = connector.authorization_url(account, issue_state(account))
    click.echo(f"Connect & Authorize: {url.split('?')[0]} (approved automatically in the demo)")
    click.echo(_credentials(connector_class, shop.config))
    redirect = requests.get(url + shop.approve, allow_redirects=False, timeout=30)
    query = {k: v[0] for k, v in parse_qs(urlparse(redirect.headers["Location"]).query).items()}
    account = consume_state(query.pop("state"))
    result = connector.complete_authorization(account, query.pop("code"), query)
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
                failures.append(f"{name} {stream}: {exc}")
    rows = {entry[0]: _table_count(models, account.id, *entry[1:]) for entry in TABLES}
    click.echo(f"\nrows now in the ERP tables for {name}:")
    for label, count in rows.items():
        click.echo(f"  {label:<26}{count:>8}")
    for failure in failures:
        click.echo(f"  failed: {failure}", err=True)
    return account.id, rows, failures
