"""Declarative base and the column types every table shares."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, DateTime, MetaData, Numeric, String, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, registry

# Named constraints make Alembic migrations deterministic and droppable on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend.

    PostgreSQL keeps the zone (timestamptz); SQLite keeps none, so values are normalised to UTC
    on the way in and marked UTC on the way out. Naive datetimes are refused: a naive time in
    an integration is a bug waiting for a DST change.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class MoneyType(TypeDecorator):
    """Exact money on every backend: NUMERIC(20, 4) on PostgreSQL; on SQLite, which has no
    decimal type and would store floats, integers in ten-thousandths (so SUM stays exact)."""

    impl = Numeric(20, 4, asdecimal=True)
    cache_ok = True
    SCALE = Decimal(10_000)

    def load_dialect_impl(self, dialect):
        # On SQLite the scaled integer must travel untouched: Numeric binds and reads through
        # float there, which loses digits beyond 2**53 (the column stays NUMERIC in the schema).
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(self.impl)

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("money must be a Decimal (or int/str), never a float")
        value = Decimal(value)
        if dialect.name == "sqlite":
            scaled = value * self.SCALE
            if scaled != scaled.to_integral_value():
                raise ValueError(f"{value} has more than 4 decimal places")
            return int(scaled)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) / self.SCALE).quantize(Decimal("0.0001"))
        return Decimal(value)


# Money: exact decimals, wide enough for IDR/VND totals, four places for unit prices and rates.
Money = MoneyType()
Currency = String(3)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    # Set on an explicit registry: Flask-SQLAlchemy subclasses the base, and SQLAlchemy 2.1
    # refuses a per-class type_annotation_map next to an inherited registry.
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={
            datetime: UTCDateTime(),
            Decimal: Money,
            dict: JSON,
            list: JSON,
        },
    )
