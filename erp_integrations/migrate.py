"""Run Alembic against the app's database without an alembic.ini."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine


def compare_type(context, inspected_column, metadata_column, inspected_type, metadata_type):
    """Money columns are NUMERIC(20, 4) in every schema; on SQLite the type travels as scaled
    integers, which Alembic would otherwise report as a type change."""
    from sqlalchemy import Numeric

    from .models.base import MoneyType

    if isinstance(metadata_type, MoneyType) and isinstance(inspected_type, Numeric):
        return (inspected_type.precision, inspected_type.scale) != (20, 4)
    return None  # Alembic's own comparison


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("erp_integrations.migrations")))
    # '%' is ConfigParser interpolation syntax; URL-encoded passwords contain it.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def current_revision(database_url: str) -> str | None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head_revision(database_url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()


def revision(database_url: str, message: str, autogenerate: bool = True) -> None:
    command.revision(alembic_config(database_url), message=message, autogenerate=autogenerate)
