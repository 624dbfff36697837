"""Bulk upsert keyed on external ids: INSERT ... ON CONFLICT DO UPDATE, one statement a page.

Works on PostgreSQL and SQLite (both have ON CONFLICT). A row whose ``remote_updated_at`` is
older than the stored one is left alone, so a late or replayed page can never move a record
backwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import json

from sqlalchemy import JSON, bindparam, or_
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..hooks import get_plugin_manager


@dataclass
class UpsertResult:
    written: int
    ids: dict[tuple, int]  # conflict key -> primary key, for rows written


def bulk_upsert(model, rows: Sequence[dict], *, key: tuple[str, ...] = ("account_id", "external_id"), account=None, notify: bool = True) -> UpsertResult:
    if not rows:
        return UpsertResult(0, {})
    dialect = db.session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
    if insert is None:
        raise NotImplementedError(f"bulk upsert is not available on {dialect}")
    table = model.__table__
    rows = _with_defaults(table, rows)
    columns = list(rows[0])
    # One statement compiled once and cached, executed with the page as parameters: SQLAlchemy
    # batches it into multi-row VALUES ("insertmanyvalues") with RETURNING. Building a literal
    # multi-row VALUES per page instead spends most of a page compiling SQL.
    statement = insert(table)
    updated_columns = {c: statement.excluded[c] for c in columns if c not in key and c != "id"}
    where = None
    if "remote_updated_at" in table.c and "remote_updated_at" in columns:
        stored, incoming = table.c.remote_updated_at, statement.excluded.remote_updated_at
        where = or_(stored.is_(None), incoming.is_(None), incoming >= stored)
    if updated_columns:
        statement = statement.on_conflict_do_update(index_elements=list(key), set_=updated_columns, where=where)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(key))
    statement = statement.returning(table.c.id, *(table.c[k] for k in key))
    if dialect == "postgresql":
        result = _pipelined(statement.values({c: bindparam(c) for c in columns}), table, columns, rows)  # noqa: S608
    else:
        result = db.session.execute(statement, [dict(r) for r in rows]).all()
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
    dialect = db.session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    table = model.__table__
    rows = _with_defaults(table, rows)
    columns = list(rows[0])
    statement = insert(table).on_conflict_do_nothing(index_elements=list(key))
    if dialect == "postgresql":
        return len(_pipelined(statement.values({c: bindparam(c) for c in columns}).returning(table.c.id), table, columns, rows))
    return db.session.execute(statement, [dict(r) for r in rows]).rowcount or 0


def ids_by_external_id(model, account_id: int, external_ids) -> dict[str, int]:
    external_ids = list(set(external_ids))
    if not external_ids:
        return {}
    table = model.__table__
    query = db.select(table.c.external_id, table.c.id).where(table.c.account_id == account_id, table.c.external_id.in_(external_ids))
    return dict(db.session.execute(query).all())


_compiled: dict[tuple, tuple] = {}


def _copy_processor(column_type, dialect):
    """How a value goes into COPY: JSON as JSON text (psycopg would send a list as an array),
    everything else through the column type's own bind processing."""
    if isinstance(column_type, JSON):
        return lambda value: None if value is None else json.dumps(value)
    return column_type.bind_processor(dialect)


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


def _pipelined(statement, table, columns: list[str], rows: Sequence[dict]) -> list[tuple]:
    """PostgreSQL: COPY the page into a temporary staging table, then one set-based
    INSERT ... SELECT ... ON CONFLICT ... RETURNING. COPY is the cheapest way into PostgreSQL,
    and the upsert runs once per page instead of once per row."""
    connection = db.session.connection()
    dialect = connection.dialect
    stage = f"stage_{table.name}"
    cache_key = (table.name, tuple(columns), str(statement))
    if cache_key not in _compiled:
        compiled = str(statement.compile(dialect=dialect))
        # Keep the compiled ON CONFLICT ... RETURNING clause; feed it from the staging table.
        conflict = compiled[compiled.index(" ON CONFLICT ") :]
        quoted = ", ".join(dialect.identifier_preparer.quote(c) for c in columns)
        sql = f"INSERT INTO {table.name} ({quoted}) SELECT {quoted} FROM {stage}{conflict}"
        processors = [_copy_processor(table.c[c].type, dialect) for c in columns]
        create = f"CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE {table.name} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        _compiled[cache_key] = (sql, processors, create, f"COPY {stage} ({quoted}) FROM STDIN")
    sql, processors, create, copy_sql = _compiled[cache_key]
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(create)
        cursor.execute(f"DELETE FROM {stage}")  # cheaper than TRUNCATE for a page of rows
        with cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row([p(row[c]) if p else row[c] for c, p in zip(columns, processors)])
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()
