"""Keyset pagination: pages follow from the last row seen, never from an OFFSET, so page 20,000
of a million orders costs what page 1 costs.

Rows are ordered newest first by ``(sort column DESC NULLS FIRST, id DESC)``, the order a
backward scan of an ``(account_id, sort column, id)`` index yields. The cursor is the sort
value and id of the row a page ended (or began) at, opaque to clients.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, literal, or_, tuple_


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True)
class Page:
    rows: list
    next_cursor: str | None  # older rows
    prev_cursor: str | None  # newer rows


def encode_cursor(value: Any, row_id: int) -> str:
    raw = json.dumps([value.isoformat() if isinstance(value, datetime) else value, row_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, is_time: bool) -> tuple[Any, int]:
    try:
        value, row_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(row_id, int) or isinstance(row_id, bool):
            raise TypeError
        if value is not None and is_time:
            value = datetime.fromisoformat(value)
        elif value is not None and not isinstance(value, (int, str)):
            raise TypeError
    except (ValueError, TypeError):
        raise InvalidCursor("the page cursor is not one this server gave out; start from the first page") from None
    return value, row_id


def paginate(session, query, sort_column, id_column, *, after: str | None = None, before: str | None = None, limit: int = 50) -> Page:
    """One page of ``query``: the first, the one after ``after`` (older), or the one before
    ``before`` (newer). Reads ``limit + 1`` rows to know whether another page exists."""
    is_time = _is_time(sort_column)
    backwards = before is not None and after is None
    if after is not None:
        value, row_id = decode_cursor(after, is_time)
        query = query.where(_older_than(sort_column, id_column, value, row_id))
    elif before is not None:
        value, row_id = decode_cursor(before, is_time)
        query = query.where(_newer_than(sort_column, id_column, value, row_id))
    if backwards:
        query = query.order_by(sort_column.asc().nulls_last(), id_column.asc())
    else:
        query = query.order_by(sort_column.desc().nulls_first(), id_column.desc())
    rows = list(session.execute(query.limit(limit + 1)).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
    key = sort_column.key

    def cursor_of(row):
        return encode_cursor(getattr(row, key), row.id)

    has_older = more if not backwards else True
    has_newer = (after is not None) if not backwards else more
    return Page(
        rows=rows,
        next_cursor=cursor_of(rows[-1]) if rows and has_older else None,
        prev_cursor=cursor_of(rows[0]) if rows and has_newer else None,
    )


def _is_time(column) -> bool:
    from sqlalchemy import DateTime

    column_type = column.type
    return isinstance(column_type, DateTime) or isinstance(getattr(column_type, "impl", None), DateTime)


def _key(sort_column, id_column, value, row_id):
    # Bound with the columns' own types, so the value is stored-format aware (UTC datetimes
    # on SQLite are text in the column's format, not the driver's default).
    return tuple_(literal(value, sort_column.type), literal(row_id, id_column.type))


def _older_than(sort_column, id_column, value, row_id):
    # NULL sort values come first (newest end), so everything non-NULL is older than them.
    if value is None:
        return or_(and_(sort_column.is_(None), id_column < row_id), sort_column.is_not(None))
    return tuple_(sort_column, id_column) < _key(sort_column, id_column, value, row_id)


def _newer_than(sort_column, id_column, value, row_id):
    if value is None:
        return and_(sort_column.is_(None), id_column > row_id)
    return or_(tuple_(sort_column, id_column) > _key(sort_column, id_column, value, row_id), sort_column.is_(None))
