"""Shopee Open Platform v2 signatures: lowercase hex HMAC-SHA256 keyed with the partner key.

Public and auth calls sign ``partner_id + api_path + timestamp``; shop calls append
``access_token + shop_id``. Push callbacks sign ``callback_url + "|" + raw body``.
"""

from __future__ import annotations

import hashlib
import hmac


def sign_api(partner_key: str, partner_id: int | str, api_path: str, timestamp: int, access_token: str = "", shop_id: int | str = "") -> str:
    base = f"{partner_id}{api_path}{timestamp}{access_token}{shop_id}"
    return hmac.new(partner_key.encode(), base.encode(), hashlib.sha256).hexdigest()


def sign_push(push_key: str, callback_url: str, body: bytes) -> str:
    return hmac.new(push_key.encode(), callback_url.encode() + b"|" + body, hashlib.sha256).hexdigest()
