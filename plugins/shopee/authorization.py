"""Connect & Authorize, Shopee's half: the seller consents on Shopee's page (``auth_partner``),
Shopee redirects back with ``code`` and ``shop_id``, the code becomes tokens for that shop, and
the host binds the account to it (``erp_integrations.toolkit.oauth``; API.md 3.3, 4.2).

Shopee sends the seller back to the ``redirect`` given in the link, so the host's callback URL,
with the state that ties the answer to this account, travels in the link itself.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from flask import url_for

from erp_integrations.accounts.binding import AuthorizedShop, BindingRefused
from erp_integrations.toolkit.tokens import TokenGrant

REFRESH_LIFETIME = timedelta(days=30)  # "refresh_token lasts 30 days" (API.md 4.2)


def authorization_url(client, state: str) -> str:
    callback = url_for("oauth.authorization_callback", connector_name="shopee", _external=True)
    return client.authorization_url(f"{callback}?{urlencode({'state': state})}")


def grant_from(data: dict) -> TokenGrant:
    """token/get and access_token/get: ``expire_in`` is the access token's remaining seconds."""
    now = datetime.now(UTC)
    return TokenGrant(
        access_token=data["access_token"],
        refresh_token=data["refresh_token"],
        access_expires_at=now + timedelta(seconds=int(data.get("expire_in") or 0)),
        refresh_expires_at=now + REFRESH_LIFETIME,
    )


def _shop_id(callback: dict) -> int:
    try:
        return int(callback.get("shop_id") or "")
    except ValueError:
        # Bad input from the browser, not a refusal by Shopee: a 400 naming the parameter.
        raise BindingRefused("Shopee's callback did not name the shop (shop_id): authorize a shop, not a main account", field="shop_id", status=400) from None


def exchange_code(client, code: str, callback: dict) -> TokenGrant:
    """token/get for the shop the callback names: a code is for one shop (API.md 4.2)."""
    return grant_from(client.get_token(code, _shop_id(callback)))


def authorized_shops(client, callback: dict) -> list[AuthorizedShop]:
    """The one shop the callback named, as get_shop_info describes it."""
    shop_id = _shop_id(callback)
    client.shop_id = str(shop_id)
    info = client.shop_info()
    return [AuthorizedShop(id=str(shop_id), key=str(shop_id), name=info.get("shop_name") or "", region=info.get("region"))]
