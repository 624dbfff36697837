"""Shopee's ``error`` values onto the host's error tree.

Shopee answers errors in the body, often with HTTP 200 (shared API.md 4.1), so the client
decides by ``error``, never by the status alone. The values and their meanings are API.md 3.3,
3.7 and 4.1; the three that mean "refresh the access token" are the ones congminh's
``fetch.ts`` retries once after a refresh (API.md 3.3).
"""

from __future__ import annotations

from erp_integrations.toolkit import (
    AuthError,
    MarketplaceError,
    PermissionDenied,
    RateLimited,
    ReauthorizationRequired,
    ServerError,
    TokenExpired,
    ValidationFailed,
)

TOKEN = frozenset({"invalid_access_token", "invalid_acceess_token"})
REAUTHORIZE = frozenset({"refresh_token_expired", "shop_access_expired", "error_shop_refresh_token", "shop_no_linked"})
PERMISSION = frozenset({"error_permission", "error_api_call_restricted", "api_suspended", "source_ip_undeclared"})
RATE = frozenset({"error_rate_limit", "error_limit"})
SERVER = frozenset({"error_server", "error_system_busy", "error_inner", "error_busy"})
AUTH = frozenset({"error_sign", "error_auth", "invalid_partner_id", "error_partner_key_expired", "error_shop"})


def error_for(error: str, message: str, request_id: str | None, http_status: int) -> MarketplaceError:
    lowered = message.lower()
    kwargs = {"code": error, "request_id": request_id, "http_status": http_status}
    if error in TOKEN or (error == "error_auth" and "access_token" in lowered):
        return TokenExpired(message or "the access token expired", **kwargs)
    if error in REAUTHORIZE or (error == "error_auth" and "refresh_token" in lowered):
        return ReauthorizationRequired(message or "Shopee refused the authorization", **kwargs)
    if error in PERMISSION:
        return PermissionDenied(message or "no permission", **kwargs)
    if error in RATE or http_status == 429:
        return RateLimited(message or "too many requests", **kwargs)
    if error in SERVER or http_status >= 500:
        return ServerError(message or "Shopee had an internal error", **kwargs)
    if error in AUTH or (error == "error_param" and http_status == 403):
        return AuthError(message or "Shopee refused the request's credentials", **kwargs)
    return ValidationFailed(message or error, **kwargs)
