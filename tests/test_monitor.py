"""The sync monitor tells what is happening now: runs asked for show at once and the page
refreshes until they end; cursors read as dates; a deleted shop leaves no jobs behind."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC

from sqlalchemy import update

from sync_support import connect, shop_clock, sync
from test_alerts import monitor_html


def burst(app_env, redis_url):
    env = {**os.environ, **app_env, "REDIS_URL": redis_url}
    result = subprocess.run([sys.executable, "-m", "erp_integrations", "worker", "--burst"], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]


def streams_row(html: str, stream: str) -> str:
    return re.search(rf'<tr data-stream="{stream}".*?</tr>', html, flags=re.S).group(0)


def test_sync_now_shows_queued_runs_at_once_and_refreshes_until_done(rq_app, admin, app_env, redis_url, fresh_sandbox):
    from auth_support import api_client

    client = api_client(rq_app)
    account_id = connect(client, fresh_sandbox)
    assert client.post(f"/api/v1/accounts/{account_id}/sync", json={"streams": ["orders", "products"]}).status_code == 202
    html = monitor_html(rq_app, account_id)  # no worker has run yet
    assert '<meta http-equiv="refresh"' in html and 'data-refresh="3"' in html
    assert "queued" in streams_row(html, "orders") and "queued" in streams_row(html, "products")
    assert "queued" not in streams_row(html, "returns")
    assert html.count('<tr class="queued">') == 2

    burst(app_env, redis_url)
    html = monitor_html(rq_app, account_id)
    assert '<meta http-equiv="refresh"' not in html and "data-refresh" not in html
    assert "succeeded" in streams_row(html, "orders") and '<tr class="queued">' not in html


def test_cursors_read_as_dates_with_the_raw_cursor_behind(client, app, app_env, fresh_sandbox):
    from datetime import datetime

    from erp_integrations.extensions import db
    from erp_integrations.models import SyncCursor

    account_id = connect(client, fresh_sandbox)
    sync(client, app, app_env, account_id, streams=["orders"])
    cursor = db.session.query(SyncCursor).filter_by(account_id=account_id, stream="orders").one().cursor
    shown = shop_clock(account_id, datetime.fromtimestamp(cursor["watermark"], UTC))
    row = streams_row(monitor_html(app, account_id), "orders")
    assert f"<summary>Changes up to {shown}</summary>" in row
    assert str(cursor["watermark"]) in row  # the raw cursor, for support, inside the details


def test_run_rows_name_the_tables_they_wrote(client, app, app_env, fresh_sandbox):
    account_id = connect(client, fresh_sandbox)
    run = next(r for r in sync(client, app, app_env, account_id, streams=["orders"]) if r["stream"] == "orders")
    runs_table = re.search(r'<table class="grid" id="runs">.*?</table>', monitor_html(app, account_id), flags=re.S).group(0)
    assert f"Orders {run['counts']['orders']}" in runs_table and f"Order lines {run['counts']['order_lines']}" in runs_table


def test_deleting_an_account_takes_its_jobs_along(rq_app, admin, app_env, redis_url, tiktok_config):
    from erp_integrations.extensions import db
    from erp_integrations.jobs import enqueue, get_queue_backend
    from erp_integrations.models import AccountCredential, IntegrationAccount

    from auth_support import api_client

    client = api_client(rq_app)
    doomed = client.post("/api/v1/accounts", json={"connector": "tiktok_shop", "config": tiktok_config}).get_json()["id"]
    kept = client.post("/api/v1/accounts", json={"connector": "tiktok_shop", "config": {**tiktok_config, "name": "Kept"}}).get_json()["id"]
    for account_id in (doomed, kept):  # a lost key: check_connection fails for both
        db.session.execute(update(AccountCredential).where(AccountCredential.account_id == account_id).values(ciphertext=b"\x00" * 40))
    db.session.commit()
    enqueue("check_connection", account_id=doomed, job_id=f"check-{doomed}")
    enqueue("check_connection", account_id=kept, job_id=f"check-{kept}")
    burst(app_env, redis_url)
    assert {j["id"] for j in get_queue_backend().failed_jobs()} == {f"check-{doomed}", f"check-{kept}"}
    enqueue("check_connection", account_id=doomed, job_id=f"waiting-{doomed}")

    assert client.delete(f"/api/v1/accounts/{doomed}").status_code == 204
    assert [j["id"] for j in get_queue_backend().failed_jobs()] == [f"check-{kept}"]
    assert get_queue_backend().states([f"waiting-{doomed}"]) == {}

    # A failed job whose account vanished some other way: its retry is a 404, not a 202.
    db.session.execute(update(IntegrationAccount).where(IntegrationAccount.id == kept).values(name="gone soon"))
    db.session.query(IntegrationAccount).filter_by(id=kept).delete()
    db.session.commit()
    response = client.post(f"/api/v1/jobs/failed/check-{kept}/retry")
    assert response.status_code == 404 and "was deleted" in response.get_json()["error"]["message"]


def test_unknown_pages_and_orders_get_the_apps_own_404(app, client, fresh_sandbox):
    from auth_support import ADMIN_EMAIL, PASSWORD

    account_id = client.post(
        "/api/v1/accounts", json={"connector": "tiktok_shop", "config": {"name": "A", "region": "US", "app_key": "abcd1234", "app_secret": "secret-1"}}
    ).get_json()["id"]
    browser = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/login").get_data(as_text=True)).group(1)
    browser.post("/login", data={"email": ADMIN_EMAIL, "password": PASSWORD, "csrf_token": token})
    for url, says in (
        (f"/accounts/{account_id}/orders/does-not-exist", "has no order"),
        (f"/accounts/{account_id}/data/bogus", "no list called"),
        ("/no/such/page", "nothing at this address"),
    ):
        page = browser.get(url)
        assert page.status_code == 404 and page.mimetype == "text/html"
        body = page.get_data(as_text=True)
        assert says in body and "ERP integrations" in body and "Not Found</h1>" not in body
    for url in (f"/api/v1/accounts/{account_id}/orders/does-not-exist", f"/api/v1/accounts/{account_id}/data/bogus", "/api/v1/nothing"):
        response = client.get(url)
        assert response.status_code == 404 and response.get_json()["error"]["status"] == 404
