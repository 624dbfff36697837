"""What every request and response of the app passes through, so that no input reaches the
database in a shape it cannot store (a 500) and no page can be framed or sniffed.

- Ids in URLs are the database's integers: one of 2**31 or more matches no route (404), where
  PostgreSQL would refuse it mid-query.
- A body larger than ``MAX_BODY`` is refused (413) before it is read; the webhook receiver, in
  front of Flask, has its own limit.
- NUL characters, which PostgreSQL's text cannot hold, and lone surrogates, which UTF-8 cannot
  encode, are refused (400) in the path, the query and form fields; JSON bodies are checked by
  ``clean_json`` where they are read.
- Every response carries a strict Content-Security-Policy (scripts and styles from the app's own
  files only, never inline; no framing), nosniff and a same-origin Referrer-Policy.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from werkzeug.routing import IntegerConverter

MAX_BODY = 1024 * 1024
MAX_ID = 2**31 - 1
MAX_JSON_DEPTH = 32

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class IdConverter(IntegerConverter):
    """``<int:...>`` bounded to the database's integer range. The bound is in the pattern itself:
    a value refused only after matching would make Werkzeug answer another method's route
    with 405 instead of 404."""

    regex = (
        r"(?:\d{1,9}|1\d{9}|20\d{8}|21[0-3]\d{7}|214[0-6]\d{6}|2147[0-3]\d{5}|21474[0-7]\d{4}"
        r"|214748[0-2]\d{3}|2147483[0-5]\d{2}|21474836[0-3]\d|214748364[0-7])(?!\d)"
    )

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


class BadInput(ValueError):
    """Input refused with a message for its field: 400 for what cannot be read or stored, 422
    for a well-formed value out of range."""

    def __init__(self, field: str, message: str, status: int = 400):
        super().__init__(message)
        self.field, self.message, self.status = field, message, status


def unstorable(text: str) -> str | None:
    """Why ``text`` cannot be stored, or None."""
    if "\x00" in text:
        return "must not contain NUL characters"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid text (a lone surrogate character)"
    return None


def clean_json(value: Any, where: str = "body", depth: int = 0) -> Any:
    """Check a parsed JSON document: no string or key that cannot be stored, no nesting deeper
    than any request of ours needs. Raises ``BadInput``."""
    if depth > MAX_JSON_DEPTH:
        raise BadInput(where, f"is nested more than {MAX_JSON_DEPTH} levels deep")
    if isinstance(value, str):
        problem = unstorable(value)
        if problem:
            raise BadInput(where, problem)
    elif isinstance(value, dict):
        for key, item in value.items():
            problem = unstorable(key)
            if problem:
                raise BadInput(where, f"has a key that {problem}")
            clean_json(item, f"{where}.{key}" if where != "body" else key, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            clean_json(item, f"{where}[{index}]", depth + 1)
    return value


def int_arg(name: str, default: int, low: int, high: int) -> int:
    """A whole-number query argument within ``low``..``high``; ``BadInput`` otherwise."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise BadInput(name, f"must be a whole number from {low} to {high}", status=422)
    return int(raw)


def _check_request_text() -> None:
    problem = unstorable(request.path)
    if problem:
        raise BadInput("path", problem)
    sources = [request.args]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        sources.append(request.form)
    for source in sources:
        for key, values in source.lists():
            for text in (key, *values):
                problem = unstorable(text)
                if problem:
                    raise BadInput(key if unstorable(key) is None else "query", problem)


def install(app: Flask, on_bad_input) -> None:
    """Before any route is added: the bounded id converter, the body limit, the text checks
    (``on_bad_input(BadInput)`` answers them) and the security headers."""
    app.url_map.converters["int"] = IdConverter
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY

    @app.before_request
    def _refuse_unstorable_text():
        try:
            _check_request_text()
        except BadInput as exc:
            return on_bad_input(exc)
        return None

    @app.after_request
    def _security_headers(response):
        for header, value in SECURITY_HEADERS.items():
            response.headers.setdefault(header, value)
        return response
