"""``erp-integrations demo``: the README's first command. Needs no servers: SQLite in the
instance folder, the embedded queue, and (as it grows) the bundled sandbox."""

from __future__ import annotations

import click
from sqlalchemy import select

DEMO_ACCOUNT = "Demo TikTok Shop"


def run_demo(port: int) -> None:
    from erp_integrations import migrate
    from erp_integrations.accounts import create_account, serialize_account
    from erp_integrations.app import create_app
    from erp_integrations.extensions import db
    from erp_integrations.models import IntegrationAccount

    app = create_app()
    settings = app.config["ERP_SETTINGS"]
    click.echo(f"database: {settings.database_url}")
    migrate.upgrade(settings.database_url)
    with app.app_context():
        account = db.session.scalars(select(IntegrationAccount).where(IntegrationAccount.name == DEMO_ACCOUNT)).first()
        if account is None:
            account = create_account(
                "tiktok_shop",
                {"name": DEMO_ACCOUNT, "region": "US", "app_key": "demoappkey", "app_secret": "demo-app-secret"},
            )
        shown = serialize_account(account)
    click.echo(f"account {shown['id']}: {shown['name']} ({shown['status']}), secrets stored encrypted: {shown['config']['app_secret']}")
    click.echo(f"API: http://127.0.0.1:{port}/api/v1/accounts  (OpenAPI: /api/v1/openapi.json); Ctrl+C to stop")
    app.run(host="127.0.0.1", port=port)
