"""Migrations bring an empty database to head, round-trip, and match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from erp_integrations import migrate
from erp_integrations.models import Base


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_from_empty_creates_every_table(databases):
    url = databases.new()
    assert migrate.current_revision(url) is None
    migrate.upgrade(url)
    assert migrate.current_revision(url) == migrate.head_revision(url)
    assert _tables(url) == set(Base.metadata.tables)


def test_downgrade_and_upgrade_round_trip(databases):
    url = databases.new()
    migrate.upgrade(url)
    migrate.downgrade(url, "base")
    assert _tables(url) == set()
    migrate.upgrade(url)
    assert _tables(url) == set(Base.metadata.tables)


def test_migrations_match_the_models(databases):
    url = databases.new()
    migrate.upgrade(url)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": migrate.compare_type})
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert diff == [], f"models and migrations differ: run `erp-integrations db revision -m ...`: {diff}"


def test_db_upgrade_command(databases, tmp_path):
    import os
    import subprocess
    import sys

    url = databases.new()
    env = {**os.environ, "DATABASE_URL": url, "ERP_INTEGRATIONS_INSTANCE": str(tmp_path)}
    env.pop("REDIS_URL", None)
    result = subprocess.run([sys.executable, "-m", "erp_integrations", "db", "upgrade"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"database at {migrate.head_revision(url)}"
    current = subprocess.run([sys.executable, "-m", "erp_integrations", "db", "current"], env=env, capture_output=True, text=True)
    assert f"current: {migrate.head_revision(url)}" in current.stdout
