"""Shared by the benchmarks: a sandbox in its own process, and an app on a fresh database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import uuid
from contextlib import contextmanager

from sqlalchemy import create_engine, text

# The benchmarks' sandboxes listen on loopback: let accounts (and the servers started from
# here, which inherit the environment) send credentials there.
os.environ.setdefault("ERP_INTEGRATIONS_ALLOWED_HOSTS", "http://127.0.0.1:*")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def sandbox_process(orders: int, shops: int = 1):
    """``erp-integrations sandbox tiktok-shop`` in a child process (its CPU is not ours)."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "erp_integrations",
        "sandbox",
        "tiktok-shop",
        "--port",
        str(port),
        "--orders",
        str(orders),
        "--shops",
        str(shops),
        "--auto-approve",
        "--redirect-url",
        "http://127.0.0.1:9/cb",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        for line in process.stdout:  # wait for its own "ready" line
            if line.startswith("TikTok Shop sandbox on"):
                break
        else:
            raise RuntimeError("the sandbox exited before it was ready")
        url = f"http://127.0.0.1:{port}"
        import requests

        requests.put(f"{url}/sandbox/v1/app", json={"rate_limit": 1_000_000}, timeout=10)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def fresh_database(admin_url: str | None):
    """A new PostgreSQL database (or a SQLite file when no server is given), dropped after."""
    from erp_integrations import migrate
    from erp_integrations.settings import normalize_database_url

    if not admin_url:
        path = os.path.join(tempfile.mkdtemp(), "bench.db")
        url = f"sqlite:///{path}"
        migrate.upgrade(url)
        yield url
        return
    admin_url = normalize_database_url(admin_url)
    name = f"erp_bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = engine.url.set(database=name).render_as_string(hide_password=False)
    try:
        migrate.upgrade(url)
        yield url
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def connect_account(app, sandbox_url: str) -> int:
    """Create and authorize a TikTok Shop account against the sandbox."""
    from urllib.parse import parse_qs, urlparse

    import requests

    from erp_integrations.accounts import create_account
    from erp_integrations.hooks import get_connector
    from erp_integrations.oauth_state import consume_state, issue_state

    with app.app_context():
        account = create_account(
            "tiktok_shop",
            {
                "name": "bench",
                "region": "US",
                "app_key": "sandboxappkey",
                "app_secret": "sandbox-app-secret",
                "service_id": "7000000000000000001",
                "api_base_url": sandbox_url,
                "auth_base_url": sandbox_url,
                "authorize_base_url": sandbox_url,
            },
        )
        connector = get_connector("tiktok_shop")()
        location = requests.get(connector.authorization_url(account, issue_state(account)) + "&shop=0", allow_redirects=False, timeout=30).headers["Location"]
        query = parse_qs(urlparse(location).query)
        account = consume_state(query["state"][0])
        connector.complete_authorization(account, query["code"][0])
        return account.id
