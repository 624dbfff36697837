"""TikTok Shop request and webhook signatures (Open API 202309+).

Request: sort the query parameters except ``sign`` and ``access_token`` by key, concatenate
``key + value``, prefix the URL path, append the body **exactly as sent** unless the request
is multipart, wrap in the app secret on both sides, and take the lowercase hex HMAC-SHA256
keyed with the app secret. Webhook: lowercase hex HMAC-SHA256 of ``app_key + raw body``.

Both the client and the sandbox use these functions, so they can never drift apart; the
test vectors from the docs and SDKs pin them to the real API.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping

EXCLUDED_PARAMS = frozenset({"sign", "access_token"})


def _first_values(query: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    pairs = query.items() if isinstance(query, Mapping) else query
    values: dict[str, str] = {}
    for key, value in pairs:
        values.setdefault(key, value)  # for repeated keys the first value counts, as the Go SDK does
    return values


def is_multipart(content_type: str | None) -> bool:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type == "multipart/form-data"


def string_to_sign(
    app_secret: str,
    path: str,
    query: Mapping[str, str] | Iterable[tuple[str, str]],
    body: bytes | None = None,
    content_type: str | None = None,
) -> bytes:
    params = _first_values(query)
    parts = [path.encode()]
    for key in sorted(k for k in params if k not in EXCLUDED_PARAMS):
        parts.append(key.encode() + str(params[key]).encode())
    if body and not is_multipart(content_type):
        parts.append(body)
    secret = app_secret.encode()
    return secret + b"".join(parts) + secret


def sign_request(
    app_secret: str,
    path: str,
    query: Mapping[str, str] | Iterable[tuple[str, str]],
    body: bytes | None = None,
    content_type: str | None = None,
) -> str:
    message = string_to_sign(app_secret, path, query, body, content_type)
    return hmac.new(app_secret.encode(), message, hashlib.sha256).hexdigest()


def sign_webhook(app_key: str, app_secret: str, body: bytes) -> str:
    return hmac.digest(app_secret.encode(), app_key.encode() + body, "sha256").hex()  # one-shot C HMAC: the receiver's hot path


def signatures_match(expected: str, given: str | None) -> bool:
    """Constant-time comparison; TikTok rejects upper-case hex, so no case folding either."""
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())
