"""Query parameters the API does not know are refused (422), not ignored: a typo such as
``?created_after=`` must not quietly return everything; so is a known one sent empty (OpenAPI's
parameters do not allow empty values, and "nothing" is not a filter). What each operation knows
is read from the OpenAPI document itself, so the document and the check cannot disagree."""

from __future__ import annotations

import re
from functools import lru_cache

from flask import request

from . import api_blueprint
from .errors import ApiError


@lru_cache(maxsize=1)
def _known_parameters() -> dict[tuple[str, str], frozenset[str]]:
    from .openapi import build_spec

    known = {}
    for path, operations in build_spec()["paths"].items():
        for method, operation in operations.items():
            known[(path, method)] = frozenset(p["name"] for p in operation.get("parameters", []) if p.get("in") == "query")
    return known


def _template(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)  # /accounts/<int:account_id> -> /accounts/{account_id}


@api_blueprint.before_request
def _refuse_unknown_query_parameters():
    rule = request.url_rule
    if rule is None or not request.args:
        return
    known = _known_parameters().get((_template(rule.rule), request.method.lower()))
    if known is None:
        return
    unknown = sorted(set(request.args) - known)
    if unknown:
        takes = ", ".join(sorted(known)) or "none"
        raise ApiError(422, "unknown query parameters", {name: [f"unknown parameter; this operation takes: {takes}"] for name in unknown})
    empty = sorted(name for name, values in request.args.lists() if any(value == "" for value in values))
    if empty:
        raise ApiError(422, "empty query parameters", {name: ["must not be empty; leave the parameter out instead"] for name in empty})
