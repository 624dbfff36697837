"""Connect & Authorize, TikTok's half: the consent page's link, and the shops a grant covers. The
host runs the sequence (``erp_integrations.toolkit.oauth``): the code becomes tokens, and the
account binds to one of the authorized shops."""

from __future__ import annotations

from urllib.parse import urlencode

from erp_integrations.accounts.binding import AuthorizedShop

from .config import CONSENT_BASE_URLS


def authorization_url(account, state: str) -> str:
    config = account.config or {}
    if not config.get("service_id"):
        raise ValueError("set the account's Service ID (Partner Center) before authorizing")
    base = config.get("authorize_base_url") or CONSENT_BASE_URLS["US" if account.region == "US" else "ROW"]
    return f"{base.rstrip('/')}/open/authorize?{urlencode({'service_id': config['service_id'], 'state': state})}"


def authorized_shops(client) -> list[AuthorizedShop]:
    """The shops a seller's grant covers (Get Authorized Shops), each selected by its cipher."""
    return [
        AuthorizedShop(id=str(s.get("id")), key=s.get("cipher") or "", name=s.get("name") or "", region=s.get("region"), seller_type=s.get("seller_type"))
        for s in client.get_authorized_shops()
    ]
