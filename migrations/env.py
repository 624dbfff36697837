"""Alembic environment: the URL and metadata come from the host, not from an alembic.ini."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from erp_integrations.migrate import compare_type
from erp_integrations.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with connectable.connect() as connection:
        # Batch mode lets ALTERs work on SQLite (it rebuilds the table); a no-op elsewhere.
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True, compare_type=compare_type)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
