from __future__ import annotations

from typing import Any

from flask import request

from .errors import ApiError


def json_object() -> dict[str, Any]:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ApiError(400, "the request body must be a JSON object (Content-Type: application/json)")
    return payload
