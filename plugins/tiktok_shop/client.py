"""A TikTok Shop Open API client on requests.

``_send`` signs one request and maps TikTok's envelope onto the host's error tree; retries,
the circuit breaker and the refresh-once on an expired token are the host's
(``erp_integrations.toolkit.http.ApiClient``); resource methods name operations.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlencode

import orjson

from erp_integrations.toolkit import TokenExpired, TransportError, ValidationFailed
from erp_integrations.toolkit.http import ApiClient

from .config import DEFAULT_API_BASE_URL, DEFAULT_AUTH_BASE_URL
from .errors import error_for
from .signing import sign_request

USER_AGENT = "erp-integrations-tiktok-shop/0.1"


class TikTokShopClient(ApiClient):
    def __init__(
        self,
        app_key: str,
        app_secret: str,
        *,
        shop_cipher: str | None = None,
        api_base_url: str = DEFAULT_API_BASE_URL,
        auth_base_url: str = DEFAULT_AUTH_BASE_URL,
        **transport,
    ):
        """``transport``: access_token, timeout, retry, session, clock, token_source,
        rate_limiter, breaker, breaker_scope (``erp_integrations.toolkit.http.ApiClient``)."""
        self.app_key = app_key
        self._app_secret = app_secret
        self.shop_cipher = shop_cipher
        self.auth_base_url = auth_base_url.rstrip("/")
        super().__init__(api_base_url=api_base_url, **transport)

    def __repr__(self) -> str:  # never show the secret or the token
        return f"<TikTokShopClient app_key={self.app_key} shop_cipher={self.shop_cipher}>"

    # -- transport -------------------------------------------------------------------------

    def _send(self, method: str, path: str, query: dict, body: dict | None, shop_scoped: bool) -> dict:
        params = {k: (",".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)) for k, v in query.items() if v is not None}
        params["app_key"] = self.app_key
        params["timestamp"] = str(int(self.clock()))
        if shop_scoped:
            if not self.shop_cipher:
                raise ValidationFailed("this account has no shop cipher yet: authorize a shop first")
            params["shop_cipher"] = self.shop_cipher
        raw_body = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode() if body is not None else None
        params["sign"] = sign_request(self._app_secret, path, params, raw_body, "application/json")
        headers = {"content-type": "application/json", "user-agent": USER_AGENT}
        if self.access_token:
            headers["x-tts-access-token"] = self.access_token
        url = f"{self.api_base_url}{path}?{urlencode(params)}"
        if self.rate_limiter is not None:
            self.rate_limiter.acquire(f"{self.app_key}:{self.shop_cipher or '-'}:{method}:{path}")
        return self._exchange(method, url, headers, raw_body)

    def _exchange(self, method: str, url: str, headers: dict, raw_body: bytes | None) -> dict:
        response = self._http(method, url, headers=headers, data=raw_body)
        try:
            payload = orjson.loads(response.content)
        except ValueError:
            if response.status_code >= 500 or response.status_code == 429:
                raise error_for(0, f"HTTP {response.status_code} without a JSON body", None, response.status_code) from None
            raise TransportError(f"HTTP {response.status_code}: the body is not JSON (truncated?)") from None
        if not isinstance(payload, dict) or "code" not in payload:
            raise TransportError(f"HTTP {response.status_code}: not a TikTok Shop response envelope")
        if payload["code"] != 0 or response.status_code >= 400:
            raise error_for(int(payload["code"]), str(payload.get("message", "")), payload.get("request_id"), response.status_code)
        data = payload.get("data")
        return data if isinstance(data, dict) else {}

    def is_token_problem(self, exc) -> bool:
        # 105002, or a token TikTok no longer knows.
        return isinstance(exc, TokenExpired) or (exc.code == 36009004 and "token" in exc.message.lower())

    def page(
        self, method: str, path: str, items_key: str, *, query: dict | None = None, body: dict | None = None, token: str | None = None, shop_scoped: bool = True
    ) -> tuple[list[dict], str | None]:
        """One page: ``(items, next_page_token)``, None when it was the last. The one paging
        call: the streams fetch page by page (resumable from a checkpointed token, and
        prefetched on another thread), and ``paginate`` loops over it."""
        query = dict(query or {})
        if token:
            query["page_token"] = token
        data = self.request(method, path, query=query, body=body, shop_scoped=shop_scoped)
        return data.get(items_key) or [], data.get("next_page_token") or None

    def paginate(
        self,
        method: str,
        path: str,
        items_key: str,
        *,
        query: dict | None = None,
        body: dict | None = None,
        page_size: int = 100,
        token: str | None = None,
        shop_scoped: bool = True,
    ) -> Iterator[tuple[list[dict], str | None]]:
        """Yield ``(items, next_page_token)`` per page from ``token`` (the start when None),
        so callers can checkpoint after each."""
        query = dict(query or {}, page_size=page_size)
        while True:
            items, token = self.page(method, path, items_key, query=query, body=body, token=token, shop_scoped=shop_scoped)
            yield items, token
            if not token:
                return

    # -- token host (not signed: the app secret travels in the query, over TLS) ------------

    def _token_call(self, path: str, params: dict) -> dict:
        params = {"app_key": self.app_key, "app_secret": self._app_secret, **params}
        url = f"{self.auth_base_url}{path}?{urlencode(params)}"
        return self._exchange("GET", url, {"user-agent": USER_AGENT}, None)

    def get_token(self, auth_code: str) -> dict:
        return self._token_call("/api/v2/token/get", {"auth_code": auth_code, "grant_type": "authorized_code"})

    def refresh_access_token(self, refresh_token: str) -> dict:
        return self._token_call("/api/v2/token/refresh", {"refresh_token": refresh_token, "grant_type": "refresh_token"})

    # -- resources ------------------------------------------------------------------------

    def get_authorized_shops(self) -> list[dict]:
        return self.request("GET", "/authorization/202309/shops", shop_scoped=False).get("shops") or []
