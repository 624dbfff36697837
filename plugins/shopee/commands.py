"""``erp-integrations sandbox shopee``: the command this connector adds to the host's CLI."""

from __future__ import annotations

import click

from erp_integrations.toolkit.sandbox import sandbox_command as declare_sandbox


@declare_sandbox("shopee", port=8700, orders=2_000)
@click.option("--items", default=60, show_default=True, help="Items per shop.")
def sandbox_command(host, port, seed, shops, orders, items):
    """Run the Shopee sandbox: Open Platform v2's checks, envelopes and errors on seeded data."""
    from .sandbox import SandboxConfig, SandboxServer

    config = SandboxConfig(seed=seed, shops=shops, orders=orders, items=items)
    server = SandboxServer(config, host=host, port=port, quiet=False)
    click.echo(f"Shopee sandbox on {server.url}  partner_id={config.partner_id}")
    click.echo(
        f"consent page: {server.url}/api/v2/shop/auth_partner?partner_id=...&timestamp=...&sign=...&redirect=...   control API: {server.url}/sandbox/v1/shops"
    )
    return server
