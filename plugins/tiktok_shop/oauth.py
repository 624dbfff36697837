"""Connect & Authorize: the seller consents on TikTok's page, TikTok redirects back with a code,
the code becomes tokens, and the account binds to one of the authorized shops."""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlencode

from erp_integrations.extensions import db
from erp_integrations.models import AccountStatus

from .config import CONSENT_BASE_URLS
from .tokens import store_tokens


def authorization_url(account, state: str) -> str:
    config = account.config or {}
    if not config.get("service_id"):
        raise ValueError("set the account's Service ID (Partner Center) before authorizing")
    base = config.get("authorize_base_url") or CONSENT_BASE_URLS["US" if account.region == "US" else "ROW"]
    return f"{base.rstrip('/')}/open/authorize?{urlencode({'service_id': config['service_id'], 'state': state})}"


def complete_authorization(connector, account, code: str) -> dict:
    """Exchange the code, store both tokens encrypted, then bind the account to a shop: the one
    its config names if authorized, else the first authorized shop."""
    client = connector.client(account, with_tokens=False)
    data = client.get_token(code)
    store_tokens(account, data)
    info = dict(account.auth_info or {})
    shops = []
    if int(data.get("user_type") or 0) != 1:
        client.access_token = data["access_token"]
        shops = client.get_authorized_shops()
    info["shops"] = [{"id": s.get("id"), "name": s.get("name"), "region": s.get("region"), "cipher": s.get("cipher"), "seller_type": s.get("seller_type")} for s in shops]
    account.auth_info = info
    config = dict(account.config or {})
    wanted = config.get("shop_cipher")
    chosen = next((s for s in shops if s.get("cipher") == wanted), shops[0] if shops else None)
    if chosen is not None:
        config["shop_cipher"] = chosen["cipher"]
        account.external_shop_id = chosen["id"]
    account.config = config
    account.status = AccountStatus.CONNECTED
    account.authorized_at = datetime.now(timezone.utc)
    db.session.commit()
    return {"shops": info["shops"], "bound_shop": chosen}
