"""One error tree for what any marketplace can answer with.

A connector maps its marketplace's codes onto these classes (TikTok: ``errors.error_for``);
the host decides from the class alone what to do: refresh the token once, stop and ask for a
re-authorization, wait and retry, or record the refusal. Messages are what the marketplace
said, with its code and request id, and never a secret or token.
"""

from __future__ import annotations


class MarketplaceError(Exception):
    """Base of every connector's API errors: what the marketplace answered, safe to show
    (never a secret or token), with whether a retry can help."""

    retryable: bool = False
    # Only a person can fix it (authorize the account again): jobs do not retry it, and the
    # account's scheduled syncs pause until then.
    needs_reauthorization: bool = False

    def __init__(self, message: str, *, code: int | str | None = None, request_id: str | None = None, http_status: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.request_id = request_id
        self.http_status = http_status

    def public_message(self) -> str:
        """The message with the marketplace's code and request id, for logs, runs and pages."""
        if self.code is None:
            return self.message
        return f"{self.message} (code {self.code}" + (f", request {self.request_id})" if self.request_id else ")")

    def __str__(self) -> str:
        return self.public_message()


class AuthError(MarketplaceError):
    """Signature, app key, timestamp or token rejected."""


class TokenExpired(AuthError):
    """The access token expired: refresh it once and try again."""


class ReauthorizationRequired(AuthError):
    """The refresh token expired or the seller revoked the app: a person must authorize again."""

    needs_reauthorization = True


class PermissionDenied(MarketplaceError):
    """The grant lacks a scope, or the token is not tied to this shop."""


class RateLimited(MarketplaceError):
    retryable = True


class ServerError(MarketplaceError):
    retryable = True


class ValidationFailed(MarketplaceError):
    """The marketplace refused the request's content (4xx or a business error code)."""


class TransportError(MarketplaceError):
    """No usable answer: connection refused, timeout, truncated or non-JSON body."""

    retryable = True


class ErrorCodes:
    """A marketplace's error codes, declared once, onto the classes above.

    ``table`` names the class of each code the marketplace documents; ``refine`` (optional)
    decides the few that depend on the message too (``error_auth`` about a token, not a
    signature), and answers ``None`` otherwise. An unknown code falls back on the HTTP status
    (429 rate limited, 5xx server error, 401 authentication), and else on
    ``ValidationFailed``: the marketplace refused what was asked.
    """

    def __init__(self, table: dict, refine=None):
        self.table = table
        self.refine = refine

    def error(self, code, message: str, request_id: str | None, http_status: int) -> MarketplaceError:
        kind = (self.refine and self.refine(code, message.lower(), http_status)) or self.table.get(code) or _by_status(http_status)
        return kind(message or f"refused with {code}", code=code, request_id=request_id, http_status=http_status)


def _by_status(http_status: int) -> type[MarketplaceError]:
    if http_status == 429:
        return RateLimited
    if http_status >= 500:
        return ServerError
    if http_status == 401:
        return AuthError
    return ValidationFailed
