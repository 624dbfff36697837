"""Bulk upsert keyed on external ids: INSERT ... ON CONFLICT DO UPDATE, one statement a page.

Works on PostgreSQL and SQLite (both have ON CONFLICT). A row whose ``remote_updated_at`` is
older than the stored one is left alone, so a late or replayed page can never move a record
backwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_
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
    statement = insert(table).values(list(rows))
    updated_columns = {c: statement.excluded[c] for c in rows[0] if c not in key and c != "id"}
    where = None
    if "remote_updated_at" in table.c and "remote_updated_at" in rows[0]:
        stored, incoming = table.c.remote_updated_at, statement.excluded.remote_updated_at
        where = or_(stored.is_(None), incoming.is_(None), incoming >= stored)
    statement = statement.on_conflict_do_update(index_elements=list(key), set_=updated_columns, where=where)
    statement = statement.returning(table.c.id, *(table.c[k] for k in key))
    result = db.session.execute(statement).all()
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
    statement = insert(model.__table__).values(list(rows)).on_conflict_do_nothing(index_elements=list(key))
    return db.session.execute(statement).rowcount or 0


def ids_by_external_id(model, account_id: int, external_ids) -> dict[str, int]:
    external_ids = list(set(external_ids))
    if not external_ids:
        return {}
    table = model.__table__
    query = db.select(table.c.external_id, table.c.id).where(table.c.account_id == account_id, table.c.external_id.in_(external_ids))
    return dict(db.session.execute(query).all())
