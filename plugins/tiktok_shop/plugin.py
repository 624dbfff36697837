"""Entry point of the TikTok Shop connector: the hook implementations the host calls."""

from __future__ import annotations

from erp_integrations.hooks import hookimpl

from .connector import TikTokShopConnector


@hookimpl
def register_connectors(register):
    register(TikTokShopConnector)


@hookimpl
def register_commands(cli):
    from .commands import sandbox_command, tiktok_shop_group

    cli.add_command(tiktok_shop_group)
    cli.commands["sandbox"].add_command(sandbox_command)
