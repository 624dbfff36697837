"""Shopee's ``error`` values onto the host's error tree.

Shopee answers errors in the body, often with HTTP 200 (shared API.md 4.1), so the client
decides by ``error``, never by the status alone. The values and their meanings are API.md 3.3,
3.7 and 4.1; the three that mean "refresh the access token" are the ones congminh's
``fetch.ts`` retries once after a refresh (API.md 3.3).
"""

from __future__ import annotations

from erp_integrations import marketplace_errors as kind
from erp_integrations.toolkit import ErrorCodes


def _refine(error, message: str, http_status: int):
    # ``error_auth`` covers both tokens and the signature; only the message says which.
    if error == "error_auth" and "access_token" in message:
        return kind.TokenExpired
    if error == "error_auth" and "refresh_token" in message:
        return kind.ReauthorizationRequired
    if error == "error_param" and http_status == 403:
        return kind.AuthError
    return None


def _each(error_class, *errors):
    return dict.fromkeys(errors, error_class)


CODES = ErrorCodes(
    _each(kind.TokenExpired, "invalid_access_token", "invalid_acceess_token")
    | _each(kind.ReauthorizationRequired, "refresh_token_expired", "shop_access_expired", "error_shop_refresh_token", "shop_no_linked")
    | _each(kind.PermissionDenied, "error_permission", "error_api_call_restricted", "api_suspended", "source_ip_undeclared")
    | _each(kind.RateLimited, "error_rate_limit", "error_limit")
    | _each(kind.ServerError, "error_server", "error_system_busy", "error_inner", "error_busy")
    | _each(kind.AuthError, "error_sign", "error_auth", "invalid_partner_id", "error_partner_key_expired", "error_shop"),
    _refine,
)
error_for = CODES.error
