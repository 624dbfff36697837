"""``ErrorCodes``: a connector's declared codes win, then its refinement, then the HTTP status."""

from __future__ import annotations

import pytest

from erp_integrations.toolkit import (
    AuthError,
    ErrorCodes,
    PermissionDenied,
    RateLimited,
    ServerError,
    TokenExpired,
    ValidationFailed,
)


def _refine(code, message, http_status):
    return TokenExpired if code == "error_auth" and "access_token" in message else None


CODES = ErrorCodes({"error_perm": PermissionDenied, "error_sign": AuthError, 7: RateLimited}, _refine)


@pytest.mark.parametrize(
    ("code", "message", "status", "kind"),
    [
        ("error_perm", "no", 200, PermissionDenied),
        ("error_sign", "bad sign", 500, AuthError),  # a documented code says more than the status
        (7, "slow down", 200, RateLimited),
        ("error_auth", "Invalid ACCESS_TOKEN", 200, TokenExpired),  # refined on the lowered message
        ("error_auth", "wrong partner", 401, AuthError),  # not refined: the status decides
        ("error_new", "", 429, RateLimited),
        ("error_new", "", 503, ServerError),
        ("error_new", "bad field", 200, ValidationFailed),
    ],
)
def test_codes_then_refinement_then_status(code, message, status, kind):
    error = CODES.error(code, message, "req-1", status)
    assert type(error) is kind
    assert (error.code, error.request_id, error.http_status) == (code, "req-1", status)
    assert error.message == (message or f"refused with {code}")
    assert error.retryable == (kind in (RateLimited, ServerError))
