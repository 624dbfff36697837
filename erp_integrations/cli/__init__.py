"""``erp-integrations``: the command line. Connectors add commands through ``register_commands``."""

from __future__ import annotations

import click

from .commands import cli

_commands_loaded = False


def load_plugin_commands() -> click.Group:
    global _commands_loaded
    if not _commands_loaded:
        from ..hooks import get_plugin_manager

        get_plugin_manager().hook.register_commands(cli=cli)
        _commands_loaded = True
    return cli


def main() -> None:
    load_plugin_commands()(prog_name="erp-integrations")


__all__ = ["cli", "load_plugin_commands", "main"]
