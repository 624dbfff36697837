"""Inputs that used to reach the database in a shape it cannot store, or the server in a size it
should not read, get a 4xx with a message; every response carries the security headers."""

from __future__ import annotations

import json
import re

import pytest

from test_webhook_receiver import APP_KEY, APP_SECRET, delivery, post, settle, stored

BIG = 2**31


@pytest.fixture
def account(client):
    config = {"name": "Hardened", "region": "US", "app_key": APP_KEY, "app_secret": APP_SECRET}
    return client.post("/api/v1/accounts", json={"connector": "tiktok_shop", "config": config}).get_json()["id"]


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v1/accounts/{big}"),
        ("patch", "/api/v1/accounts/{big}"),
        ("delete", "/api/v1/accounts/{big}"),
        ("get", "/api/v1/accounts/{big}/runs"),
        ("post", "/api/v1/accounts/{big}/sync"),
        ("patch", "/api/v1/users/{big}"),
        ("post", "/api/v1/users/{big}/token"),
        ("post", "/api/v1/accounts/{account}/webhooks/events/{big}/retry"),
        ("post", "/api/v1/accounts/{account}/push/requests/{big}/retry"),
        ("get", "/api/v1/accounts/99999999999999999999999/data/orders"),
    ],
)
def test_ids_out_of_the_databases_range_are_404(client, account, method, path):
    response = getattr(client, method)(path.format(big=BIG, account=account), json={})
    assert response.status_code == 404 and response.get_json()["error"]["status"] == 404


def test_pages_with_ids_out_of_range_are_404_pages(app, admin):
    from test_alerts import monitor_html

    html = monitor_html(app, BIG)
    assert "Page not found" in html


@pytest.mark.parametrize("value", ["-1", "1.5", "nan", "1e3", "0", "501", "  7", "٣"])
def test_limits_that_are_not_whole_numbers_in_range_are_422(client, account, value):
    for path in (f"/api/v1/accounts/{account}/runs", f"/api/v1/accounts/{account}/webhooks/events"):
        response = client.get(path, query_string={"limit": value})
        assert response.status_code == 422, (path, value)
        assert "whole number" in response.get_json()["error"]["fields"]["limit"][0]


@pytest.mark.parametrize("url", ["/api/v1/accounts?connector=a%00b", "/api/v1/accounts/{account}/data/orders?q=%00", "/api/v1/accounts/{account}/orders/a%00b"])
def test_nul_and_broken_text_in_urls_are_400(client, account, url):
    response = client.get(url.format(account=account))
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"]["fields"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"config": {"name": "a\x00b"}}, "config.name"),
        ({"config": {"name": "\ud800"}}, "config.name"),
        ({"config": {"webhook_url\x00": "x"}}, "config"),
    ],
)
def test_nul_and_lone_surrogates_in_json_are_400(client, account, body, field):
    raw = json.dumps(body)  # ensure_ascii: the surrogate travels as \\ud800, as a client would send it
    response = client.patch(f"/api/v1/accounts/{account}", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]


def test_user_fields_that_cannot_be_stored_are_refused(client):
    too_long = client.post("/api/v1/users", json={"email": "a" * 300 + "@x.invalid", "password": "long enough password", "role": "viewer"})
    assert too_long.status_code == 422 and "254" in too_long.get_json()["error"]["fields"]["email"][0]
    nul = client.post("/api/v1/users", json={"email": "a\x00@x.invalid", "password": "long enough password", "role": "viewer"})
    assert nul.status_code == 400


def test_deep_and_wrongly_shaped_json_is_400(client, account):
    deep = "[" * 100_000 + "]" * 100_000
    for raw in (deep, '"a string"', "[1, 2]", "{not json"):
        response = client.patch(f"/api/v1/accounts/{account}", data=raw, content_type="application/json")
        assert response.status_code == 400, raw[:20]


def test_sync_now_reads_its_body_strictly(client, account):
    from erp_integrations.extensions import db
    from erp_integrations.models import IntegrationAccount

    db.session.get(IntegrationAccount, account).status = "connected"
    db.session.commit()
    path = f"/api/v1/accounts/{account}/sync"
    assert client.post(path, data="{oops", content_type="application/json").status_code == 400
    assert client.post(path, data="streams=orders", content_type="application/x-www-form-urlencoded").status_code == 415
    assert client.post(path, data='{"streams": ["orders"]}', content_type="text/plain").status_code == 415
    assert client.post(path, data="[]", content_type="application/json").status_code == 400
    # No body at all still means "every enabled stream".
    assert client.post(path).status_code == 202


def test_bodies_over_a_mebibyte_are_413(client, account):
    response = client.patch(f"/api/v1/accounts/{account}", data=b"{" + b" " * (1024 * 1024 + 1) + b"}", content_type="application/json")
    assert response.status_code == 413 and response.get_json()["error"]["status"] == 413


def test_every_response_carries_the_security_headers(app, client):
    page = app.test_client().get("/login")
    api = client.get("/api/v1/me")
    missing = app.test_client().get("/no/such/page")
    for response in (page, api, missing):
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
    # No inline script or style in any page, so the policy costs nothing.
    assert not re.search(r"<script(?![^>]*\bsrc=)|\sstyle=|\son[a-z]+=", page.get_data(as_text=True))


def test_the_receiver_stores_odd_notification_ids_once_and_404s_impossible_accounts(app, erp, account):
    long_id = "7" * 200
    for _ in range(2):  # a retry of the same delivery is acknowledged and stored once
        assert post(erp, account, delivery(long_id)).status_code == 200
    assert post(erp, account, delivery("74\x0001")).status_code == 200
    settle(app)
    ids = stored(app)
    kept = [i for i in ids if i.startswith("7777") and "#sha256:" in i]
    assert len(kept) == 1 and ids[kept[0]] == 1 and len(kept[0]) <= 128
    assert any(i.startswith("7401#sha256:") for i in ids)
    impossible = post(erp, 99999999999, delivery("1"))
    assert impossible.status_code == 404 and "Traceback" not in impossible.text
