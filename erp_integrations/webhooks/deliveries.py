"""Storing verified deliveries in the inbox: many in one statement, each at most once.

A delivery is one row, unique per connector and notification id, so a retried or replayed
delivery has no second effect. The receiver's group commit hands this module a batch; it goes
in as one multi-row ``INSERT ... ON CONFLICT DO NOTHING RETURNING``, committed (autocommit
on PostgreSQL: one round trip) and durable when the call returns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from sqlalchemy import LargeBinary, create_engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from ..extensions import db
from ..models.base import UTCDateTime, utcnow


@dataclass(frozen=True)
class Delivery:
    """A verified delivery on its way into the inbox."""

    connector: str
    account_id: int
    notification_id: str
    event_type: str | None
    headers: dict
    body: bytes
    status: str = "received"
    error: str | None = None


def insert_deliveries(engine, deliveries: list[Delivery]) -> list[bool | Exception]:
    """Insert a batch in one statement (up to ``MAX_BATCH`` deliveries), committed when it
    returns. Per delivery: True if stored now, False if its notification id was
    already stored (earlier, or by an earlier delivery of the same batch), or the exception its
    own row raised: a batch whose statement breaks a constraint (an account deleted a moment
    ago) is retried row by row, so one bad row fails alone."""
    keys = [(d.connector, d.notification_id) for d in deliveries]
    first: dict[tuple[str, str], int] = {}  # a retry racing its original in one batch is a duplicate
    for k, key in enumerate(keys):
        first.setdefault(key, k)
    unique = [deliveries[k] for k in first.values()]
    failed: dict[tuple[str, str], Exception] = {}
    try:
        stored = _insert_once_more_if_disconnected(engine, unique)
    except IntegrityError:
        if len(unique) == 1:
            raise
        stored = set()
        for delivery in unique:
            try:
                stored |= _insert_once_more_if_disconnected(engine, [delivery])
            except IntegrityError as exc:
                failed[(delivery.connector, delivery.notification_id)] = exc
    return [failed.get(key) or (key in stored and first[key] == k) for k, key in enumerate(keys)]


def _insert_once_more_if_disconnected(engine, deliveries: list[Delivery]) -> set:
    """The pool skips the ping on checkout (a round trip per batch); a connection that died
    meanwhile (a restarted or terminated backend) fails the insert, the pool is replaced, and
    the insert runs again on a fresh connection instead of answering 503.
    Running it twice is harmless: a row stored by the first try is a duplicate to the second."""
    try:
        return _insert(engine, deliveries)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        # The database dropped its connections (a restart, terminated backends): the pooled
        # ones are all dead, so start a fresh pool (requests holding one finish with it).
        engine.dispose(close=False)
        return _insert(engine, deliveries)


_COLUMNS = ("connector", "account_id", "notification_id", "event_type", "headers", "body", "status", "error", "received_at")

# The driver (psycopg) converts a statement's placeholders on every call unless the statement
# has at most 50 parameters, when the conversion is cached: above that, a row costs more CPU
# than batching saves. Larger groups go out as several statements.
MAX_BATCH = 50 // len(_COLUMNS)


def _insert(engine, deliveries: list[Delivery]) -> set[tuple[str, str]]:
    """The keys of the deliveries stored now. The statement goes to the driver directly: on
    this path the SQL layer's per-execution bookkeeping cost more CPU than the insert."""
    dialect = engine.dialect
    bind_time, bind_body = _binders(dialect)
    received_at = bind_time(utcnow())
    params = []
    for d in deliveries:
        params += (d.connector, d.account_id, d.notification_id, d.event_type, json.dumps(d.headers), bind_body(d.body), d.status, d.error, received_at)
    sql = _insert_sql(len(deliveries), dialect.paramstyle)
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(sql, params)
            stored = {(row[0], row[1]) for row in cursor.fetchall()}
        finally:
            # A statement cut short by an error stays open while its cursor lives, and SQLite
            # then keeps the connection's write lock even after the connection is closed.
            cursor.close()
        connection.commit()  # autocommit on PostgreSQL; SQLite's driver opened a transaction
    except BaseException as exc:
        is_error = isinstance(exc, dialect.loaded_dbapi.Error)
        disconnected = is_error and dialect.is_disconnect(exc, connection.dbapi_connection, None)
        connection.invalidate()  # whatever state it is in, it is not reused
        if is_error:
            # As the SQL layer would raise it (IntegrityError, OperationalError...), without
            # the parameters: they hold bodies and signatures, which stay out of logs.
            raise DBAPIError.instance(
                sql, None, exc, dialect.loaded_dbapi.Error, hide_parameters=True, dialect=dialect, connection_invalidated=disconnected
            ) from exc
        raise
    finally:
        connection.close()
    return stored


@cache
def _insert_sql(rows: int, paramstyle: str) -> str:
    """INSERT of ``rows`` deliveries, ON CONFLICT on the unique (connector, notification_id):
    SQL both databases accept. Cached per batch size."""
    mark = "?" if paramstyle == "qmark" else "%s"
    row = "(" + ", ".join([mark] * len(_COLUMNS)) + ", 0)"
    return (
        f"INSERT INTO integration_webhook_events ({', '.join(_COLUMNS)}, attempts) VALUES {', '.join([row] * rows)} "
        "ON CONFLICT (connector, notification_id) DO NOTHING RETURNING connector, notification_id"
    )


@cache
def _binders(dialect):
    """The column types' conversions to driver values (received_at, body), as the SQL layer
    would apply them."""
    return tuple(type_.bind_processor(dialect) or (lambda value: value) for type_ in (UTCDateTime(), LargeBinary()))


def receiver_engine(app):
    """The receiver's own pool: autocommit, and no pre-ping round trip per checkout (a dead
    connection fails the insert, the receiver answers 503, and the marketplace retries); no
    rollback on return either, as an autocommit connection has no transaction to end."""
    engine = app.extensions.get("erp_integrations.receiver_engine")
    if engine is None:
        with app.app_context():
            app_engine = db.engine
        if app_engine.dialect.name == "postgresql":
            options = {**app.config["SQLALCHEMY_ENGINE_OPTIONS"], "pool_pre_ping": False}  # the app's driver settings
            engine = create_engine(app_engine.url, **options, isolation_level="AUTOCOMMIT", pool_size=10, max_overflow=20, pool_reset_on_return=None)
        else:  # SQLite: the app's engine, whose connections carry the busy timeout and WAL
            engine = app_engine
        app.extensions["erp_integrations.receiver_engine"] = engine
    return engine
