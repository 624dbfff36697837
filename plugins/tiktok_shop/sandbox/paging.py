"""Opaque page tokens, as TikTok's: base64 text that contains ``/`` and ``+`` (so clients must
percent-encode them), bound to the query they came from so a token cannot be replayed against
another filter."""

from __future__ import annotations

import base64
import hashlib
import json

from .api_errors import invalid_param

# Three bytes that base64-encode to "+/+/": every token starts with both awkward characters.
_MAGIC = b"\xfb\xff\xbf"


def fingerprint(filters: dict) -> bytes:
    return hashlib.blake2b(json.dumps(filters, sort_keys=True, default=str).encode(), digest_size=8).digest()


def make_token(filters: dict, position: list) -> str:
    return base64.b64encode(_MAGIC + fingerprint(filters) + json.dumps(position, separators=(",", ":")).encode()).decode()


def read_token(token: str | None, filters: dict, code: int = 36009004) -> list | None:
    if not token:
        return None
    try:
        raw = base64.b64decode(token, validate=True)
        if not raw.startswith(_MAGIC) or raw[3:11] != fingerprint(filters):
            raise ValueError
        position = json.loads(raw[11:])
        if not isinstance(position, list):
            raise ValueError
        return position
    except ValueError:
        raise invalid_param("page_token is invalid or does not belong to this query", code) from None


def page_size(raw, low: int, high: int, default: int | None = None, code: int = 36009004) -> int:
    if raw in (None, ""):
        if default is None:
            raise invalid_param("page_size is required", code)
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise invalid_param("page_size must be an integer", code) from None
    if not low <= value <= high:
        raise invalid_param(f"page_size must be between {low} and {high}", code)
    return value
