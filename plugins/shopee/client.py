"""A Shopee Open Platform v2 client on the host's ``ApiClient``.

Common parameters go in the query, business parameters in the query (GET) or a JSON body
(POST); every call is signed at public level (``partner_id + path + timestamp``) or shop level
(adding ``access_token + shop_id``) (shared API.md 3.2, 4.1). The access token rides in the
query: this client never logs or raises a URL.
"""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import urlencode

from erp_integrations.toolkit import TransportError, ValidationFailed
from erp_integrations.toolkit.http import ApiClient

from .config import DEFAULT_API_BASE_URL
from .errors import error_for
from .signing import sign_api

USER_AGENT = "erp-integrations-shopee/0.1"
AUTHORIZE_PATH = "/api/v2/shop/auth_partner"
# Array parameters sent as repeated keys; the others (order_sn_list, item_id_list) are one
# comma-joined value (the congminh schemas' types, API.md 4).
REPEATED = frozenset({"item_status"})


class ShopeeClient(ApiClient):
    def __init__(
        self,
        partner_id: int,
        partner_key: str,
        *,
        shop_id: str | None = None,
        api_base_url: str = DEFAULT_API_BASE_URL,
        **transport,
    ):
        """``transport``: access_token and ``toolkit.http.ApiClient``'s own settings."""
        self.partner_id = int(partner_id)
        self._partner_key = partner_key
        self.shop_id = str(shop_id) if shop_id else None
        super().__init__(api_base_url=api_base_url, **transport)

    def __repr__(self) -> str:  # never show the key or the token
        return f"<ShopeeClient partner_id={self.partner_id} shop_id={self.shop_id}>"

    def api_group(self, path: str) -> str:
        return path.removeprefix("/api/v2/").split("/", 1)[0]  # order, product, payment...

    def signed_params(self, path: str, *, shop: bool) -> dict:
        timestamp = int(self.clock())
        params = {"partner_id": self.partner_id, "timestamp": timestamp}
        if shop:
            if not self.shop_id:
                raise ValidationFailed("this account has no shop yet: use Connect & Authorize")
            params.update(access_token=self.access_token or "", shop_id=self.shop_id)
        params["sign"] = sign_api(self._partner_key, self.partner_id, path, timestamp, params.get("access_token", ""), params.get("shop_id", ""))
        return params

    def _send(self, method: str, path: str, query: dict, body: dict | None, shop_scoped: bool) -> dict:
        params = {k: (",".join(map(str, v)) if isinstance(v, (list, tuple)) and k not in REPEATED else v) for k, v in query.items() if v is not None}
        params.update(self.signed_params(path, shop=shop_scoped))
        if self.rate_limiter is not None:
            self.rate_limiter.acquire(f"shopee:{self.partner_id}:{self.shop_id or '-'}:{path}")
        raw = json.dumps(body, separators=(",", ":")).encode() if body is not None else None
        response = self._http(
            method,
            f"{self.api_base_url}{path}?{urlencode(params, doseq=True)}",
            headers={"content-type": "application/json", "user-agent": USER_AGENT},
            data=raw,
        )
        try:
            # Amounts are JSON numbers in the shop currency: read as the decimals they were
            # written as, never through binary floats.
            payload = json.loads(response.content, parse_float=Decimal)
        except ValueError:
            if response.status_code >= 500 or response.status_code == 429:
                raise error_for("", f"HTTP {response.status_code} without a JSON body", None, response.status_code) from None
            raise TransportError(f"HTTP {response.status_code}: the body is not JSON (truncated?)") from None
        if not isinstance(payload, dict) or "request_id" not in payload and "error" not in payload:
            raise TransportError(f"HTTP {response.status_code}: not a Shopee response envelope")
        error = payload.get("error") or ""
        if error not in ("", "-") or response.status_code >= 400:
            raise error_for(str(error), str(payload.get("message") or ""), payload.get("request_id"), response.status_code)
        return payload

    def call(self, method: str, path: str, *, query: dict | None = None, body: dict | None = None, shop: bool = True) -> dict:
        """One call's ``response`` object (most endpoints nest their payload there)."""
        payload = self.request(method, path, query=query, body=body, shop_scoped=shop)
        return payload.get("response") or {}

    # -- authorization ------------------------------------------------------------------------

    def authorization_url(self, redirect: str) -> str:
        return f"{self.api_base_url}{AUTHORIZE_PATH}?{urlencode({**self.signed_params(AUTHORIZE_PATH, shop=False), 'redirect': redirect})}"

    def get_token(self, code: str, shop_id: int) -> dict:
        return self.request("POST", "/api/v2/auth/token/get", body={"code": code, "shop_id": shop_id, "partner_id": self.partner_id}, shop_scoped=False)

    def refresh_access_token(self, refresh_token: str) -> dict:
        """A new access token and a new refresh token: the old refresh token is spent."""
        body = {"refresh_token": refresh_token, "shop_id": int(self.shop_id or 0), "partner_id": self.partner_id}
        return self.request("POST", "/api/v2/auth/access_token/get", body=body, shop_scoped=False)

    def shop_info(self) -> dict:
        return self.request("GET", "/api/v2/shop/get_shop_info")  # its fields sit at the top level
