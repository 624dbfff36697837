"""Connect & Authorize: the seller consents on TikTok's page, TikTok redirects back with a code,
the code becomes tokens, and the account binds to one of the authorized shops."""

from __future__ import annotations

from urllib.parse import urlencode

from erp_integrations.accounts.binding import AuthorizedShop, bind_after_authorization
from erp_integrations.toolkit.tokens import store_tokens

from .config import CONSENT_BASE_URLS
from .tokens import grant_from


def authorization_url(account, state: str) -> str:
    config = account.config or {}
    if not config.get("service_id"):
        raise ValueError("set the account's Service ID (Partner Center) before authorizing")
    base = config.get("authorize_base_url") or CONSENT_BASE_URLS["US" if account.region == "US" else "ROW"]
    return f"{base.rstrip('/')}/open/authorize?{urlencode({'service_id': config['service_id'], 'state': state})}"


def complete_authorization(connector, account, code: str) -> dict:
    """Exchange the code and store both tokens encrypted; the host then binds the account to
    one of the authorized shops, or leaves it waiting for the admin's choice."""
    client = connector.client(account, with_tokens=False)
    data = client.get_token(code)
    store_tokens(account, grant_from(data))
    creator = int(data.get("user_type") or 0) == 1
    shops = []
    if not creator:
        client.access_token = data["access_token"]
        shops = [
            AuthorizedShop(id=str(s.get("id")), key=s.get("cipher") or "", name=s.get("name") or "", region=s.get("region"), seller_type=s.get("seller_type"))
            for s in client.get_authorized_shops()
        ]
    outcome = bind_after_authorization(account, connector, shops, creator=creator)
    return {"shops": [s.as_dict() for s in shops], **outcome.as_dict()}
