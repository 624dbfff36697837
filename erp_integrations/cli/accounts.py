"""Accounts (shops) and the users who may see them."""

from __future__ import annotations

import json
import sys

import click

from .base import app as _app
from .base import cli
from .base import find_account as _find_account

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


# -- users ----------------------------------------------------------------------------------------


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
