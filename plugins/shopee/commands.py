"""``erp-integrations sandbox shopee``: the command this connector adds to the host's CLI."""

from __future__ import annotations

import click


@click.command("shopee")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8700, show_default=True, help="Port to listen on.")
@click.option("--seed", default=42, show_default=True, help="Same seed, same data.")
@click.option("--shops", default=2, show_default=True, help="Shops to seed.")
@click.option("--orders", default=2_000, show_default=True, help="Orders per shop.")
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
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
