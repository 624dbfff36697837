"""Setting up: database migrations, the installed plugins, the encryption keys."""

from __future__ import annotations

import json

import click

from .. import __version__
from .base import app as _app
from .base import cli

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
