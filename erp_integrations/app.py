"""The Flask application factory. Nothing builds an app at import time."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from flask import Flask

from .crypto.vault import load_keyring
from .extensions import db
from .jobs.queue import make_queue_backend
from .settings import Settings


def create_app(env: Mapping[str, str] | None = None) -> Flask:
    """Build the app. ``env`` overrides ``os.environ`` (tests pass their database and Redis)."""
    merged_env = {**os.environ, **(env or {})}
    app = Flask("erp_integrations", instance_path=merged_env.get("ERP_INTEGRATIONS_INSTANCE") or None)
    settings = Settings.from_env(app.instance_path, merged_env)
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    app.config.update(
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        ERP_SETTINGS=settings,
        JSON_SORT_KEYS=False,
    )
    db.init_app(app)
    if settings.database_url.startswith("sqlite"):
        _configure_sqlite(app)
    app.extensions["erp_integrations.keyring"] = load_keyring(settings.secret_keys, settings.instance_path)
    app.extensions["erp_integrations.queue"] = make_queue_backend(app, settings.redis_url)

    from .api import api_blueprint
    from .api.sync import oauth_blueprint
    from .webhooks.receiver import webhooks_blueprint

    app.register_blueprint(api_blueprint)
    app.register_blueprint(oauth_blueprint)
    app.register_blueprint(webhooks_blueprint)
    logging.getLogger("erp_integrations").setLevel(logging.INFO)
    return app


def _configure_sqlite(app: Flask) -> None:
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            # Foreign keys are off by default in SQLite; WAL lets the embedded queue's thread
            # write while a request reads; busy_timeout waits instead of failing on a lock.
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()
