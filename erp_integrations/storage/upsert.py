"""Bulk upsert keyed on external ids: INSERT ... ON CONFLICT DO UPDATE, one statement a page.

Works on PostgreSQL and SQLite (both have ON CONFLICT). A row whose ``remote_updated_at`` is
older than the stored one is left alone, so a late or replayed page can never move a record
backwards.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import JSON, bindparam, or_
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..hooks import get_plugin_manager
from ..models.base import MoneyType, UTCDateTime


@dataclass
class UpsertResult:
    written: int
    ids: dict[tuple, int]  # conflict key -> primary key, for rows written


def bulk_upsert(model, rows: Sequence[dict], *, key: tuple[str, ...] = ("account_id", "external_id"), account=None, notify: bool = True) -> UpsertResult:
    if not rows:
        return UpsertResult(0, {})
    table = model.__table__
    rows = _with_defaults(table, rows)
    columns = tuple(rows[0])
    result = _execute(table, columns, tuple(key), "update", rows)
    ids = {tuple(row[1:]): row[0] for row in result}
    if notify and account is not None and ids:
        written_keys = set(ids)
        written = [r for r in rows if tuple(r[k] for k in key) in written_keys]
        get_plugin_manager().hook.erp_record_upserted(account=account, entity=table.name, records=written)
    return UpsertResult(len(ids), ids)


def insert_missing(model, rows: Sequence[dict], *, key: tuple[str, ...]) -> int:
    """INSERT ... ON CONFLICT DO NOTHING: add rows whose key is not stored yet (history rows,
    placeholder parents). Returns how many were inserted."""
    if not rows:
        return 0
    table = model.__table__
    rows = _with_defaults(table, rows)
    return len(_execute(table, tuple(rows[0]), tuple(key), "nothing", rows))


def _execute(table, columns: tuple[str, ...], key: tuple[str, ...], mode: str, rows: Sequence[dict]) -> list[tuple]:
    dialect = db.session.get_bind().dialect
    if dialect.name == "postgresql":
        return _pipelined(table, columns, key, mode, rows)
    if dialect.name == "sqlite":
        # One statement compiled once and cached by SQLAlchemy, executed with the page as
        # parameters: batched into multi-row VALUES ("insertmanyvalues") with RETURNING.
        return db.session.execute(_statement(sqlite.insert, table, columns, key, mode), [dict(r) for r in rows]).all()
    raise NotImplementedError(f"bulk upsert is not available on {dialect.name}")


@lru_cache(maxsize=256)
def _statement(insert, table, columns: tuple[str, ...], key: tuple[str, ...], mode: str):
    """INSERT ... ON CONFLICT (key) DO UPDATE (never backwards in remote_updated_at) or DO
    NOTHING, RETURNING the primary key and the conflict key of each row written."""
    statement = insert(table)
    updated_columns = {c: statement.excluded[c] for c in columns if c not in key and c != "id"}
    if mode == "update" and updated_columns:
        where = None
        if "remote_updated_at" in table.c and "remote_updated_at" in columns:
            stored, incoming = table.c.remote_updated_at, statement.excluded.remote_updated_at
            where = or_(stored.is_(None), incoming.is_(None), incoming >= stored)
        statement = statement.on_conflict_do_update(index_elements=list(key), set_=updated_columns, where=where)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(key))
    return statement.returning(table.c.id, *(table.c[k] for k in key))


def ids_by_external_id(model, account_id: int, external_ids) -> dict[str, int]:
    external_ids = list(set(external_ids))
    if not external_ids:
        return {}
    table = model.__table__
    query = db.select(table.c.external_id, table.c.id).where(table.c.account_id == account_id, table.c.external_id.in_(external_ids))
    return dict(db.session.execute(query).all())


_compiled: dict[tuple, tuple] = {}


def _copy_processor(column_type, dialect):
    """How a value goes into COPY: JSON as JSON text (psycopg would send a list as an array);
    UTC times and money checked the way their column types check them, in a fraction of the
    time (these run for every cell of every page); everything else through the column type's
    own bind processing."""
    if isinstance(column_type, JSON):
        return lambda value: None if value is None else json.dumps(value)
    if isinstance(column_type, UTCDateTime):
        return _aware_time
    if isinstance(column_type, MoneyType):
        return _exact_money
    return column_type.bind_processor(dialect)


def _aware_time(value):
    if value is not None and value.tzinfo is None:
        raise ValueError("naive datetime given; use timezone-aware UTC")
    return value  # psycopg sends the offset; PostgreSQL stores the instant


def _exact_money(value):
    if value is None or type(value) is Decimal:
        return value
    if isinstance(value, float):
        raise TypeError("money must be a Decimal (or int/str), never a float")
    return Decimal(value)


def _with_defaults(table, rows: Sequence[dict]) -> list[dict]:
    """Fill Python-side column defaults (synced_at, created_at...) the statement would not:
    one value per page, so a page's rows share their sync time."""
    present = set(rows[0])
    missing = {}
    for column in table.columns:
        if column.name in present or column.primary_key or column.default is None:
            continue
        default = column.default
        missing[column.name] = default.arg(None) if default.is_callable else default.arg
    return [{**r, **missing} for r in rows] if missing else list(rows)


def _pipelined(table, columns: tuple[str, ...], key: tuple[str, ...], mode: str, rows: Sequence[dict]) -> list[tuple]:
    """PostgreSQL: COPY the page into a temporary staging table, then one set-based
    INSERT ... SELECT ... ON CONFLICT ... RETURNING. COPY is the cheapest way into PostgreSQL,
    and the upsert runs once per page instead of once per row."""
    connection = db.session.connection()
    cache_key = (table.name, columns, key, mode)
    prepared = _compiled.get(cache_key)
    if prepared is None:
        # Compiled once per table and column set: compiling SQL per page would cost more than
        # the page's COPY.
        prepared = _compiled[cache_key] = _compile_pipeline(table, columns, key, mode, connection.dialect)
    sql, processors, reset, copy_sql = prepared
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(reset)
        with cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row([p(row[c]) if p else row[c] for c, p in zip(columns, processors, strict=True)])
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


def _compile_pipeline(table, columns: tuple[str, ...], key: tuple[str, ...], mode: str, dialect) -> tuple:
    stage = f"stage_{table.name}"
    statement = _statement(postgresql.insert, table, columns, key, mode).values({c: bindparam(c) for c in columns})
    compiled = str(statement.compile(dialect=dialect))
    # Keep the compiled ON CONFLICT ... RETURNING clause; feed it from the staging table.
    conflict = compiled[compiled.index(" ON CONFLICT ") :]
    quoted = ", ".join(dialect.identifier_preparer.quote(c) for c in columns)
    sql = f"INSERT INTO {table.name} ({quoted}) SELECT {quoted} FROM {stage}{conflict}"  # noqa: S608
    processors = [_copy_processor(table.c[c].type, dialect) for c in columns]
    # One round trip: the stage exists once per connection, and DELETE empties it of an earlier
    # page of the same transaction (cheaper than TRUNCATE for a page of rows).
    reset = f"CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE {table.name} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS; DELETE FROM {stage}"
    return sql, processors, reset, f"COPY {stage} ({quoted}) FROM STDIN"
