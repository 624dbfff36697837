"""The Flask application factory. Nothing builds an app at import time."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from datetime import timedelta

from flask import Flask, request

from . import http_guards, log_redaction
from .crypto.vault import load_keyring
from .extensions import db
from .jobs.queue import make_queue_backend
from .settings import Settings


def create_app(env: Mapping[str, str] | None = None) -> Flask:
    """Build the app. ``env`` overrides ``os.environ`` (tests pass their database and Redis)."""
    log_redaction.install()  # before anything can log
    merged_env = {**os.environ, **(env or {})}
    app = Flask("erp_integrations", instance_path=merged_env.get("ERP_INTEGRATIONS_INSTANCE") or None)
    settings = Settings.from_env(app.instance_path, merged_env)
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    app.config.update(
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings.database_url),
        ERP_SETTINGS=settings,
        JSON_SORT_KEYS=False,
    )
    db.init_app(app)
    if settings.database_url.startswith("sqlite"):
        _configure_sqlite(app)
    keyring = load_keyring(settings.secret_keys, settings.instance_path)
    app.extensions["erp_integrations.keyring"] = keyring
    _configure_sessions(app, settings, keyring)
    app.extensions["erp_integrations.queue"] = make_queue_backend(app, settings.redis_url)
    http_guards.install(app, _bad_input)  # before any route: it bounds the id converter

    from .api import api_blueprint
    from .api.income import well_known_blueprint
    from .api.sync import oauth_blueprint
    from .ui import ui_blueprint
    from .webhooks import receiver

    app.register_blueprint(api_blueprint)
    app.register_blueprint(well_known_blueprint)
    app.register_blueprint(oauth_blueprint)
    app.register_blueprint(ui_blueprint)
    receiver.mount(app)  # webhook URLs bypass Flask: see webhooks/receiver.py
    logging.getLogger("erp_integrations").setLevel(logging.INFO)
    return app


def dispose(app: Flask) -> None:
    """Close the database connections an app holds (its engine, and the webhook receiver's own
    pool): for a process that builds apps and throws them away (tests, one-off commands)."""
    engine = app.extensions.get("erp_integrations.receiver_engine")
    with app.app_context():
        db.session.remove()
        if engine is not None and engine is not db.engine:
            engine.dispose()
        db.engine.dispose()


def _bad_input(exc: http_guards.BadInput):
    """Unstorable text in a request: the API's JSON error, or the pages' error page."""
    if request.path.startswith("/api/"):
        from .api.errors import error_response

        return error_response(exc.status, "invalid input", {exc.field: [exc.message]})
    from .ui.pages import error_page

    return error_page(exc.status, "Invalid input", f"{exc.field}: {exc.message}.")


def _engine_options(database_url: str) -> dict:
    # hide_parameters: a failed statement's error (and so its log line) never quotes the row's
    # values, which can be a password hash or a token.
    options = {"pool_pre_ping": True, "hide_parameters": True}
    if database_url.startswith("postgresql"):
        # No server-side prepared statements. psycopg prepares a query after its fifth run, and
        # PostgreSQL then keeps one generic plan for it: a sync that starts on empty tables
        # keeps the plan chosen for empty tables (a scan of the whole account where one index
        # probe per id would do), and a page costs more with every page. Planning each
        # statement costs a fraction of a millisecond; it also keeps the module usable behind
        # PgBouncer in transaction mode.
        #
        # No JIT. PostgreSQL compiles a query with LLVM when its estimated cost passes
        # jit_above_cost, an estimate that a report's table of local days (a few hundred rows
        # of UNION ALL) inflates: measured, 1.9 s of compiling for a 1.6 s query that runs in
        # 60 ms without it. PostgreSQL's documentation: "for short queries the added overhead
        # of performing JIT compilation will often be higher than the time it can save"
        # (https://www.postgresql.org/docs/current/jit-decision.html).
        options["connect_args"] = {"prepare_threshold": None, "options": "-c jit=off"}
    return options


def _configure_sessions(app: Flask, settings: Settings, keyring) -> None:
    """Signed session cookies for the admin pages. The signing key is derived from the
    credential key ring, so rotating the ring keeps sessions valid until the old key is dropped."""
    app.config.update(
        SECRET_KEY=keyring.derive("admin-session"),
        SECRET_KEY_FALLBACKS=[keyring.derive("admin-session", key_id) for key_id in keyring.key_ids[1:]],
        SESSION_COOKIE_NAME="erp_integrations_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
    )


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
