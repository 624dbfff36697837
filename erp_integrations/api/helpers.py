from __future__ import annotations

from typing import Any

from flask import request

from ..http_guards import BadInput, clean_json
from .errors import ApiError


def json_object(*, optional: bool = False) -> dict[str, Any]:
    """The request's JSON object, checked (``http_guards.clean_json``). ``optional``: an empty
    body means ``{}``; a body that is there must still be JSON."""
    if optional and not request.content_length:
        return {}
    if not request.is_json:
        raise ApiError(415, "send the body as JSON (Content-Type: application/json)")
    try:
        payload = request.get_json(silent=True)
    except RecursionError:
        payload = None
    if not isinstance(payload, dict):
        raise ApiError(400, "the request body must be a JSON object (Content-Type: application/json)")
    try:
        return clean_json(payload)
    except BadInput as exc:
        raise ApiError(exc.status, "invalid input", {exc.field: [exc.message]}) from None


def filter_by_choice(query, column, name: str, choices: tuple[str, ...]):
    """Narrow ``query`` to ``?name=`` when given; 422 naming the choices when it is not one."""
    value = request.args.get(name)
    if value is None:
        return query
    if value not in choices:
        raise ApiError(422, "invalid filter", {name: [f"must be one of {', '.join(choices)}"]})
    return query.where(column == value)
