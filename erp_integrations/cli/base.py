"""The root command group and what every area of the CLI shares."""

from __future__ import annotations

import click

from .. import __version__


def app():
    from ..app import create_app

    return create_app()


@click.group()
@click.version_option(__version__, prog_name="erp-integrations")
def cli():
    """Marketplace integrations for an ERP: accounts, sync, webhooks."""


def find_account(reference: str):
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
