"""``erp-integrations``: the command line. Connectors add commands through ``register_commands``."""

from __future__ import annotations

import click

# Each area's module adds its commands to the root group when imported.
from . import accounts, reports, services, setup, sync  # noqa: F401
from .base import cli

_commands_loaded = False


def load_plugin_commands() -> click.Group:
    global _commands_loaded
    if not _commands_loaded:
        from ..hooks import get_plugin_manager

        get_plugin_manager().hook.register_commands(cli=cli)
        _commands_loaded = True
    return cli


def plain_warnings() -> None:
    """Operator warnings (the development key) as one plain line on stderr, once per run,
    instead of Python's file, line and source."""
    import warnings

    from ..crypto.vault import DevelopmentKeyWarning

    shown = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, DevelopmentKeyWarning):
            click.echo(f"warning: {message}", err=True)
        else:
            shown(message, category, filename, lineno, file, line)

    warnings.showwarning = show
    warnings.simplefilter("once", DevelopmentKeyWarning)


def main() -> None:
    plain_warnings()
    load_plugin_commands()(prog_name="erp-integrations")


__all__ = ["cli", "load_plugin_commands", "main"]
