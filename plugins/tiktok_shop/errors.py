"""TikTok Shop's error codes, mapped onto the host's error tree (``erp_integrations.marketplace_errors``).

The classes are the host's, and the plugin's modules import them from ``erp_integrations.toolkit``;
this module only says which class each code is. Every error carries the API's ``code``,
``message``, ``request_id`` and the HTTP status, and says whether a retry can help. Messages
never contain secrets or tokens.
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

# Codes that mean "the token is no good": refresh, or re-authorize.
TOKEN_EXPIRED = 105002
REFRESH_TOKEN_EXPIRED = 36004001
NO_AUTH_RECORD = 36004005
INVALID_AUTH_CODE = 36004004
RATE_LIMITED = 36009002
INTERNAL_ERROR = 36009003
REQUEST_TIMEOUT = 36009007
INVALID_SIGN = 106001
SCOPE_MISSING = 105005
WRONG_TOKEN_FOR_SHOP = 101000
REAUTHORIZE_CODES = frozenset({REFRESH_TOKEN_EXPIRED, NO_AUTH_RECORD})


def error_for(code: int, message: str, request_id: str | None, http_status: int) -> MarketplaceError:
    kwargs = {"code": code, "request_id": request_id, "http_status": http_status}
    if code == TOKEN_EXPIRED:
        return TokenExpired(message, **kwargs)
    if code in REAUTHORIZE_CODES:
        return ReauthorizationRequired(message, **kwargs)
    if code in (SCOPE_MISSING, WRONG_TOKEN_FOR_SHOP):
        return PermissionDenied(message, **kwargs)
    if code == RATE_LIMITED or http_status == 429:
        return RateLimited(message, **kwargs)
    if code in (INTERNAL_ERROR, REQUEST_TIMEOUT) or http_status >= 500:
        return ServerError(message, **kwargs)
    if code == INVALID_SIGN or http_status == 401 or (code == 36009004 and _is_auth_text(message)):
        return AuthError(message, **kwargs)
    return ValidationFailed(message, **kwargs)


def _is_auth_text(message: str) -> bool:
    lowered = message.lower()
    return any(word in lowered for word in ("app_key", "access_token", "x-tts-access-token", "timestamp", "sign"))
