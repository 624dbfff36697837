"""One error tree for everything the TikTok Shop API can answer with.

Every error carries the API's ``code``, ``message``, ``request_id`` and the HTTP status, and
says whether a retry can help. Messages never contain secrets or tokens.
"""

from __future__ import annotations

from erp_integrations.connectors import MarketplaceError

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


class TikTokShopError(MarketplaceError):
    retryable = False

    def __init__(self, message: str, *, code: int | None = None, request_id: str | None = None, http_status: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.request_id = request_id
        self.http_status = http_status

    def public_message(self) -> str:
        parts = [self.message]
        if self.code is not None:
            parts.append(f"(code {self.code}")
            parts[-1] += f", request {self.request_id})" if self.request_id else ")"
        return " ".join(parts)

    def __str__(self) -> str:
        return self.public_message()


class AuthError(TikTokShopError):
    """Signature, app key, timestamp or token rejected."""


class TokenExpired(AuthError):
    """The access token expired: refresh and try again."""


class ReauthorizationRequired(AuthError):
    """The refresh token expired or the seller revoked the app: a person must re-authorize."""

    needs_reauthorization = True


class PermissionDenied(TikTokShopError):
    """Missing scope (105005) or a token not tied to this shop (101000)."""


class RateLimited(TikTokShopError):
    retryable = True


class ServerError(TikTokShopError):
    retryable = True


class ValidationFailed(TikTokShopError):
    """The API refused the request's content (4xx or a business error code)."""


class TransportError(TikTokShopError):
    """No usable answer: connection refused, timeout, truncated or non-JSON body."""

    retryable = True


def error_for(code: int, message: str, request_id: str | None, http_status: int) -> TikTokShopError:
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
