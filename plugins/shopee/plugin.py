"""Entry point of the Shopee connector."""

from erp_integrations.toolkit import hookimpl

from .connector import ShopeeConnector


@hookimpl
def register_connectors(register):
    register(ShopeeConnector)


@hookimpl
def register_commands(cli):
    from .commands import sandbox_command

    cli.commands["sandbox"].add_command(sandbox_command)
