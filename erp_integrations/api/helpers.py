from __future__ import annotations

from typing import Any

from flask import request

from .errors import ApiError


def json_object() -> dict[str, Any]:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ApiError(400, "the request body must be a JSON object (Content-Type: application/json)")
    return payload


def filter_by_choice(query, column, name: str, choices: tuple[str, ...]):
    """Narrow ``query`` to ``?name=`` when given; 422 naming the choices when it is not one."""
    value = request.args.get(name)
    if value is None:
        return query
    if value not in choices:
        raise ApiError(422, "invalid filter", {name: [f"must be one of {', '.join(choices)}"]})
    return query.where(column == value)
