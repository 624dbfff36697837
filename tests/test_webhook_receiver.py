"""The webhook receiver over real sockets: many deliveries at once (group commit), the answers
it gives to what is not a delivery, and the production setup (gunicorn with gevent workers).

The deliveries here carry an event type the connector stores but does not act on, so the jobs
they wake make no marketplace calls; refetching is covered in test_webhooks.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from erp_integrations_tiktok_shop.signing import sign_webhook

APP_KEY, APP_SECRET = "receiverkey", "receiver-secret"


@pytest.fixture
def account_id(client):
    config = {"name": "Receiver", "region": "US", "app_key": APP_KEY, "app_secret": APP_SECRET}
    response = client.post("/api/v1/accounts", json={"connector": "tiktok_shop", "config": config})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def delivery(notification_id: str) -> bytes:
    return json.dumps({"type": 99, "tts_notification_id": notification_id, "shop_id": "", "timestamp": 1700000000, "data": {}}).encode()


def post(base: str, account: int, body: bytes, *, session=requests, secret: str = APP_SECRET):
    headers = {"Authorization": sign_webhook(APP_KEY, secret, body), "Content-Type": "application/json"}
    return session.post(f"{base}/webhooks/tiktok-shop/{account}", data=body, headers=headers, timeout=30)


def post_concurrently(base: str, account: int, bodies: list[bytes], threads: int = 16) -> list[int]:
    local = threading.local()

    def one(body):
        if not hasattr(local, "session"):  # keep-alive per thread, as a marketplace's sender does
            local.session = requests.Session()
        return post(base, account, body, session=local.session).status_code

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, bodies))


def stored(app) -> dict[str, int]:
    from erp_integrations.extensions import db
    from erp_integrations.models import WebhookEvent

    db.session.rollback()
    rows = db.session.execute(select(WebhookEvent.notification_id, func.count()).group_by(WebhookEvent.notification_id)).all()
    return dict(rows)


def settle(app):
    """Let the embedded queue finish the jobs the deliveries woke before the next test."""
    from erp_integrations.jobs import get_queue_backend
    from erp_integrations.jobs.queue import EmbeddedQueue

    backend = get_queue_backend(app)
    if isinstance(backend, EmbeddedQueue):
        backend.join()


def test_concurrent_deliveries_are_each_stored_once_and_a_racing_duplicate_once_in_all(app, erp, account_id):
    distinct = [delivery(f"7400000000000{n:06d}") for n in range(240)]
    racing = [delivery("7499999999999999999")] * 16  # one notification retried by 16 senders at once
    statuses = post_concurrently(erp, account_id, distinct + racing)
    assert statuses == [200] * 256
    counts = stored(app)
    assert len(counts) == 241 and set(counts.values()) == {1}
    from erp_integrations.extensions import db
    from erp_integrations.models import WebhookEvent

    kept = db.session.scalars(select(WebhookEvent.headers).limit(1)).one()  # what an audit needs, nothing more
    assert set(kept) == {"authorization", "content-type", "user-agent"} and kept["content-type"] == "application/json"
    settle(app)


def test_the_rejected_and_the_wrongly_addressed_get_precise_json_errors(app, erp, account_id):
    url = f"{erp}/webhooks/tiktok-shop/{account_id}"
    cases = [
        (requests.get(url, timeout=10), 405, "POST"),
        (requests.post(f"{erp}/webhooks/tiktok-shop", data=b"{}", timeout=10), 404, "/webhooks/<connector>/<account id>"),
        (requests.post(f"{erp}/webhooks/tiktok-shop/abc", data=b"{}", timeout=10), 404, "/webhooks/<connector>/<account id>"),
        (requests.post(f"{erp}/webhooks/no-such-marketplace/{account_id}", data=b"{}", timeout=10), 404, "no connector 'no-such-marketplace'"),
        (requests.post(f"{erp}/webhooks/tiktok-shop/{account_id + 1000}", data=b"{}", timeout=10), 404, f"no tiktok-shop account {account_id + 1000}"),
        (requests.post(url, data=b"x" * (1024 * 1024 + 1), timeout=10), 413, "too large"),
        (post(erp, account_id, delivery("7400000000000000001"), secret="wrong"), 401, "HMAC"),
    ]
    for response, status, message in cases:
        assert response.status_code == status, (response.status_code, response.text)
        assert response.headers["Content-Type"] == "application/json"
        error = response.json()["error"]
        assert error["status"] == status and message in error["message"]
    assert cases[0][0].headers["Allow"] == "POST"
    assert stored(app) == {}
    # Every other URL still reaches the application (here: its API, which wants a sign-in).
    assert requests.get(f"{erp}/api/v1/accounts", timeout=10).status_code == 401


def test_a_delivery_for_an_account_deleted_elsewhere_after_its_secret_was_cached_gets_404(app, app_env, erp, account_id):
    from erp_integrations.accounts import delete_account, get_account
    from erp_integrations.app import create_app, dispose

    assert post(erp, account_id, delivery("7400000000000000002")).status_code == 200  # caches the verifier
    other_process = create_app(app_env)  # another worker: deleting there can't clear this one's cache
    with other_process.app_context():
        delete_account(get_account(account_id))
    dispose(other_process)
    for notification_id in ("7400000000000000003", "7400000000000000004"):  # the insert refuses, then the lookup
        response = post(erp, account_id, delivery(notification_id))
        assert response.status_code == 404 and f"account {account_id}" in response.json()["error"]["message"]
    assert set(stored(app)) == {"7400000000000000002"}
    settle(app)


def test_a_changed_app_secret_refuses_the_old_one_at_once(app, client, erp, account_id):
    """The receiver caches each account's verifier for a while; changing the secret tells it
    (``accounts.signals.credentials_changed``), so a delivery signed with the old secret is
    refused at once rather than accepted until the cache expires."""
    assert post(erp, account_id, delivery("7400000000000000010")).status_code == 200  # caches the verifier
    changed = client.patch(f"/api/v1/accounts/{account_id}", json={"config": {"app_secret": "a-brand-new-secret"}})
    assert changed.status_code == 200, changed.get_json()
    assert post(erp, account_id, delivery("7400000000000000011")).status_code == 401
    assert post(erp, account_id, delivery("7400000000000000012"), secret="a-brand-new-secret").status_code == 200
    assert set(stored(app)) == {"7400000000000000010", "7400000000000000012"}
    settle(app)


def test_a_key_ring_that_cannot_open_the_app_secret_gets_503_so_the_delivery_is_retried(app, app_env, account_id):
    from erp_integrations.app import create_app, dispose
    from erp_integrations.crypto import generate_key_entry

    wrong_keys = create_app({**app_env, "ERP_INTEGRATIONS_SECRET_KEYS": generate_key_entry("other")})
    body = delivery("7400000000000000005")
    response = wrong_keys.test_client().post(
        f"/webhooks/tiktok-shop/{account_id}", data=body, headers={"Authorization": sign_webhook(APP_KEY, APP_SECRET, body)}
    )
    assert response.status_code == 503
    message = response.get_json()["error"]["message"]
    assert "cannot be decrypted with the configured key ring" in message and APP_SECRET not in message
    assert stored(app) == {}
    dispose(wrong_keys)


def test_with_redis_down_a_stored_delivery_is_still_acknowledged_and_waits_for_the_sweep(app, app_env, account_id):
    import socket

    from erp_integrations.app import create_app, dispose

    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        dead_redis = f"redis://127.0.0.1:{closed.getsockname()[1]}/0"
    no_redis = create_app({**app_env, "REDIS_URL": dead_redis})
    body = delivery("7400000000000000006")
    response = no_redis.test_client().post(f"/webhooks/tiktok-shop/{account_id}", data=body, headers={"Authorization": sign_webhook(APP_KEY, APP_SECRET, body)})
    assert (response.status_code, response.data) == (200, b"")
    assert stored(app) == {"7400000000000000006": 1}
    from erp_integrations.extensions import db
    from erp_integrations.models import WebhookEvent

    assert db.session.scalars(select(WebhookEvent.status)).one() == "received"  # the scheduler's sweep wakes it
    dispose(no_redis)


@pytest.fixture
def gunicorn(app, app_env):
    """The production setup: gunicorn with two gevent worker processes on the test database."""
    env = {**os.environ, **app_env}
    command = [sys.executable, "-m", "gunicorn", "-k", "gevent", "-w", "2", "-b", "127.0.0.1:0", "--log-level", "info", "erp_integrations.app:create_app()"]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    log: list[str] = []
    address = None
    for line in process.stderr:  # wait for gunicorn's own "Listening at" line
        log.append(line)
        if "Listening at: " in line:
            address = line.split("Listening at: ")[1].split()[0]
            break
    if address is None:
        pytest.fail("gunicorn exited before it listened:\n" + "".join(log))
    drain = threading.Thread(target=lambda: log.extend(process.stderr), daemon=True)  # a full pipe would stall it
    drain.start()
    yield address
    process.terminate()
    process.wait(timeout=30)
    drain.join(10)
    process.stderr.close()
    assert "Traceback" not in "".join(log), "".join(log)


def test_behind_gunicorn_with_gevent_workers_deliveries_are_stored_once_and_forgeries_refused(app, account_id, gunicorn):
    bodies = [delivery(f"7500000000000{n:06d}") for n in range(300)] + [delivery("7599999999999999999")] * 16
    assert post_concurrently(gunicorn, account_id, bodies) == [200] * 316
    assert post(gunicorn, account_id, delivery("7500000000000000000"), secret="forged").status_code == 401
    counts = stored(app)
    assert len(counts) == 301 and set(counts.values()) == {1}
    # The rest of the app runs on the same workers: the API answers there too.
    from auth_support import ADMIN_TOKEN

    listed = requests.get(f"{gunicorn}/api/v1/accounts", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=10)
    assert listed.status_code == 200 and [a["id"] for a in listed.json()["accounts"]] == [account_id]


if os.environ.get("TEST_DATABASE_URL"):  # PostgreSQL backends to terminate; SQLite has none

    def test_deliveries_after_the_database_dropped_its_connections_are_stored_not_refused(app, erp, account_id):
        from sqlalchemy import text

        from erp_integrations.extensions import db

        assert post(erp, account_id, delivery("7600000000000000000")).status_code == 200  # the pool holds connections now
        db.session.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"))
        db.session.commit()
        answers = [post(erp, account_id, delivery(f"76000000000000000{n:02d}")).status_code for n in range(1, 7)]
        assert answers == [200] * 6
        settle(app)
        assert len(stored(app)) == 7
