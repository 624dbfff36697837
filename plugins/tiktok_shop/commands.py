"""``erp-integrations tiktok-shop ...``: commands this connector adds to the host's CLI."""

from __future__ import annotations

import click

from erp_integrations.toolkit.sandbox import sandbox_command as declare_sandbox

from .signing import sign_request, string_to_sign


@click.group("tiktok-shop")
def tiktok_shop_group():
    """TikTok Shop tools: the request-signature debugger. (The sandbox is `erp-integrations
    sandbox tiktok-shop`; the demo is `erp-integrations demo`.)"""


@tiktok_shop_group.command("sign")
@click.option("--app-secret", required=True, help="The app secret to sign with.")
@click.option("--path", "path", required=True, help="URL path, e.g. /order/202309/orders/search")
@click.option(
    "--query", "query", multiple=True, metavar="KEY=VALUE", help="A query parameter (repeatable); sign and access_token are ignored as the API ignores them."
)
@click.option("--body", default=None, help="The request body exactly as sent.")
@click.option("--content-type", default="application/json", show_default=True, help="Content type of the body (multipart bodies are not signed).")
def sign_command(app_secret, path, query, body, content_type):
    """Print the string to sign and the signature, to debug 106001 "invalid sign" errors."""
    if not path.startswith("/"):
        # TikTok signs the path as requested, leading slash included: "orders" signs
        # differently from "/orders" and the API answers 106001.
        click.echo(f"warning: --path {path!r} has no leading slash; TikTok signs the path as sent (e.g. /{path}), so this signature will be refused", err=True)
    pairs = []
    for item in query:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--query")
        pairs.append((key, value))
    raw = body.encode() if body is not None else None
    base = string_to_sign(app_secret, path, pairs, raw, content_type)
    # The string to sign starts and ends with the secret; show it masked so it can be pasted
    # into a ticket safely.
    shown = base[len(app_secret) : -len(app_secret)].decode(errors="replace")
    click.echo(f"string to sign: <app_secret>{shown}<app_secret>")
    click.echo(f"sign: {sign_request(app_secret, path, pairs, raw, content_type)}")


@declare_sandbox("tiktok-shop", port=8600, orders=10_000, shops_help="Shops to seed (US, GB, ID, ... in turn).")
@click.option("--app-key", default="sandboxappkey", show_default=True, help="The app key the sandbox accepts.")
@click.option(
    "--app-secret", default="sandbox-app-secret", show_default=True, help="The app secret the sandbox signs and checks with (a sandbox's, not a real one)."
)
@click.option("--redirect-url", default=None, help="Where the consent page sends the seller back (TikTok: set in Partner Center).")
@click.option("--auto-approve", is_flag=True, help="Skip the consent page's button (tests, demos).")
@click.option("--as-of", type=int, default=None, help="Unix time the seeded data describes (default: now).")
def sandbox_command(host, port, seed, shops, orders, app_key, app_secret, redirect_url, auto_approve, as_of):
    """Run the TikTok Shop sandbox: the Open API's checks, shapes and errors on seeded data."""
    from .sandbox import SandboxConfig, SandboxServer

    config = SandboxConfig(
        seed=seed, shops=shops, orders=orders, app_key=app_key, app_secret=app_secret, redirect_url=redirect_url, auto_approve=auto_approve, as_of=as_of
    )
    click.echo(f"generating {shops} shop(s) x {orders} orders (seed {seed})...")
    server = SandboxServer(config, host=host, port=port, quiet=False)
    click.echo(f"TikTok Shop sandbox on {server.url}  app_key={app_key}  service_id={config.service_id}")
    click.echo(f"consent page: {server.url}/open/authorize?service_id={config.service_id}&state=...   control API: {server.url}/sandbox/v1/shops")
    return server
