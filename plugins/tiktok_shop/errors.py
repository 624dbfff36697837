"""TikTok Shop's error codes, mapped onto the host's error tree (``erp_integrations.marketplace_errors``).

The classes are the host's; this module only says which class each code is. Every error carries
the API's ``code``, ``message``, ``request_id`` and the HTTP status, and says whether a retry
can help. Messages never contain secrets or tokens.
"""

from __future__ import annotations

from erp_integrations import marketplace_errors as kind
from erp_integrations.toolkit import ErrorCodes

# 36009004 is "invalid parameter" for anything, the credentials included: only its message
# tells a bad app_key, token, timestamp or sign from a bad business parameter.
AUTH_WORDS = ("app_key", "access_token", "x-tts-access-token", "timestamp", "sign")


def _refine(code, message: str, http_status: int):
    if code == 36009004 and any(word in message for word in AUTH_WORDS):
        return kind.AuthError
    return None


CODES = ErrorCodes(
    {
        105002: kind.TokenExpired,  # access token expired: refresh once
        36004001: kind.ReauthorizationRequired,  # refresh token expired
        36004005: kind.ReauthorizationRequired,  # no authorization record: the seller revoked the app
        105005: kind.PermissionDenied,  # the grant lacks the API's scope
        101000: kind.PermissionDenied,  # the token belongs to another shop
        36009002: kind.RateLimited,
        36009003: kind.ServerError,  # internal error
        36009007: kind.ServerError,  # request timeout
        106001: kind.AuthError,  # invalid sign
    },
    _refine,
)
error_for = CODES.error
