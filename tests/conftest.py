"""Fixtures: a real database (PostgreSQL when TEST_DATABASE_URL is set, else SQLite) and a
real Redis when TEST_REDIS_URL is set (else the embedded queue).

On PostgreSQL each test session gets its own freshly created database, migrated with the
project's Alembic migrations, and dropped at the end.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import socket
import subprocess
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from erp_integrations.crypto import generate_key_entry
from erp_integrations.settings import normalize_database_url

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")
# "rq": the app under test queues jobs in Redis for RQ workers; "embedded": the in-process queue.
TEST_QUEUE = os.environ.get("TEST_QUEUE", "embedded")


def shared_path(*parts: str) -> Path:
    """A file of the public samples kept beside the project; skips the test when absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"public samples not available: {path} is absent (they live in ../shared beside the project)")
    return path


class DatabaseFactory:
    """Creates throwaway databases of the configured kind."""

    def __init__(self, tmp_path_factory):
        self.tmp = tmp_path_factory
        self.created: list[str] = []
        self.admin_url = normalize_database_url(TEST_DATABASE_URL) if TEST_DATABASE_URL else None

    @property
    def kind(self) -> str:
        return "postgresql" if self.admin_url else "sqlite"

    def new(self) -> str:
        if not self.admin_url:
            return f"sqlite:///{self.tmp.mktemp('db') / 'test.db'}"
        name = f"erp_test_{uuid.uuid4().hex[:12]}"
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        self.created.append(name)
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if not self.admin_url:
            return
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            for name in self.created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


# Every secret the suite hands the module (app secrets, passwords, API tokens), and the shapes of
# those it generates (password hashes, the sandbox's tokens and codes, key ring entries). No log
# line written in this process during the whole run may contain one.
SECRETS_USED = (
    "sandbox-app-secret",
    "s3cr3t-app-secret-value",
    "receiver-secret",
    "secret-value-1",
    "a-new-secret",
    "other-secret",
    "correct horse battery",
    "long enough pass",
    "eit_test-admin-token",
    "eit_manager",
    "eit_viewer",
    "eit_creator",
    "eit_hosts-manager",
    "eit_hosts-creator",
)
SECRET_SHAPES = re.compile(r"scrypt:\d+:\d+:\d+\$|pbkdf2:sha256|TTP_[A-Za-z0-9_-]{20,}|\beit_[A-Za-z0-9_-]{20,}")


class LogScanner(logging.Handler):
    """Sees every record any logger of this process emits (at the loggers' own levels) and keeps
    the lines that carry a secret."""

    def __init__(self, extra: tuple[str, ...]):
        super().__init__(logging.NOTSET)
        self.secrets = SECRETS_USED + extra
        self.leaks: list[str] = []

    def emit(self, record):
        line = f"{record.name}: {record.getMessage()}\n{record.exc_text or ''}"
        if any(secret in line for secret in self.secrets) or SECRET_SHAPES.search(line):
            self.leaks.append(line[:500])


@pytest.fixture(scope="session", autouse=True)
def no_secret_in_any_log_line(key_entry):
    scanner = LogScanner((key_entry.partition(":")[2],))
    logging.getLogger().addHandler(scanner)
    yield scanner
    logging.getLogger().removeHandler(scanner)
    assert scanner.leaks == [], f"{len(scanner.leaks)} log line(s) carry a secret, e.g.: {scanner.leaks[:3]}"


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    factory = DatabaseFactory(tmp_path_factory)
    yield factory
    factory.drop_all()


@pytest.fixture(scope="session")
def migrated_database_url(databases):
    from erp_integrations import migrate

    url = databases.new()
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def key_entry():
    return generate_key_entry("test1")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real Redis: TEST_REDIS_URL, or a private redis-server started for this session."""
    if TEST_REDIS_URL:
        yield TEST_REDIS_URL
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("tests need Redis: set TEST_REDIS_URL or install redis-server (bash .ci/run does both)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.PIPE,
        text=True,
    )
    for line in process.stdout:  # wait for the server's own "ready" line, not a fixed sleep
        if "Ready to accept connections" in line:
            break
    else:
        pytest.fail("redis-server exited before it was ready")
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)
    process.stdout.close()


@pytest.fixture(scope="session")
def app_env(migrated_database_url, key_entry, request, tmp_path_factory):
    redis_url = request.getfixturevalue("redis_url") if TEST_QUEUE == "rq" else None
    env = {
        "DATABASE_URL": migrated_database_url,
        "ERP_INTEGRATIONS_SECRET_KEYS": key_entry,
        "ERP_INTEGRATIONS_INSTANCE": str(tmp_path_factory.mktemp("instance")),
        # Push jobs run as soon as they are queued; debouncing itself is tested in test_jobs.
        "PUSH_DEBOUNCE_SECONDS": "0",
        # The sandboxes run on loopback ports chosen at random: the only hosts, besides the
        # marketplaces' own, that accounts in the tests may send credentials to.
        "ERP_INTEGRATIONS_ALLOWED_HOSTS": "http://127.0.0.1:*",
    }
    if TEST_QUEUE == "rq":
        env["REDIS_URL"] = redis_url
    return env


@pytest.fixture(scope="session")
def session_app(app_env):
    from erp_integrations.app import create_app, dispose

    app = create_app(app_env)
    yield app
    dispose(app)  # before the session's databases are dropped


@pytest.fixture
def app(session_app):
    """The app with every table emptied before the test (faster than a new database)."""
    from erp_integrations.extensions import db
    from erp_integrations.models import Base

    with session_app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
            if connection.dialect.name == "postgresql":
                connection.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
            else:
                for name in tables:
                    connection.execute(text(f"DELETE FROM {name}"))
    if session_app.config["ERP_SETTINGS"].redis_url:
        from redis import Redis

        Redis.from_url(session_app.config["ERP_SETTINGS"].redis_url).flushdb()
    # In-process state kept on the app (the embedded mode's circuit breaker) starts fresh too.
    session_app.extensions.pop("erp_integrations.breaker", None)
    with session_app.app_context():
        yield session_app
        db.session.remove()


@pytest.fixture
def plugin_manager():
    """The installed plugins plus whatever a test registers (a notifier, a job, a connector),
    for this test alone."""
    from erp_integrations.hooks.manager import build_plugin_manager, reset_plugin_manager

    manager = build_plugin_manager()
    reset_plugin_manager(manager)
    yield manager
    reset_plugin_manager()


@pytest.fixture
def rq_app(app_env, redis_url, app):
    """The test database with jobs going to Redis, whatever mode the session's app uses."""
    from redis import Redis

    from erp_integrations.app import create_app, dispose

    Redis.from_url(redis_url).flushdb()
    rq_app = create_app({**app_env, "REDIS_URL": redis_url})
    with rq_app.app_context():
        yield rq_app
    dispose(rq_app)


@pytest.fixture
def admin(app):
    """The administrator whose API token the ``client`` fixture sends."""
    from auth_support import ADMIN_EMAIL, ADMIN_TOKEN, add_user

    return add_user(ADMIN_EMAIL, "admin", token=ADMIN_TOKEN)


@pytest.fixture
def client(app, admin):
    """An API client signed in as the administrator."""
    from auth_support import api_client

    return api_client(app)


@contextmanager
def serving(app):
    """The app on a real port (a threaded server); yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    http.server_close()


@pytest.fixture
def erp(app):
    """The ERP app on a real port, so the sandbox and clients can post to it."""
    with serving(app) as url:
        yield url


@pytest.fixture
def cli_env(app_env):
    """Environment for running the CLI in a subprocess against the test database."""
    return {**os.environ, **app_env}


TIKTOK_CONFIG = {
    "name": "Main US shop",
    "region": "US",
    "app_key": "6abcdef123",
    "app_secret": "s3cr3t-app-secret-value",
}


@pytest.fixture
def tiktok_config():
    return dict(TIKTOK_CONFIG)


@pytest.fixture(scope="session")
def sandbox():
    """One TikTok Shop sandbox for read-only tests (2 shops x 2,000 orders, seed 42)."""
    from sandbox_support import start_sandbox

    server = start_sandbox()
    yield server
    server.stop()


@pytest.fixture
def fresh_sandbox():
    """A sandbox of its own, for tests that change its data or settings."""
    from sandbox_support import start_sandbox

    server = start_sandbox(orders=500)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def seller_token(sandbox):
    from sandbox_support import authorize

    return authorize(sandbox)
