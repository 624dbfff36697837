"""Sign-in, roles and CSRF as the API enforces them: the same verbs the admin pages check."""

from __future__ import annotations

import re
from datetime import UTC

import pytest

from auth_support import ADMIN_EMAIL, PASSWORD, add_user, api_client

TOKENS = {"manager": "eit_manager", "viewer": "eit_viewer", "creator": "eit_creator"}


@pytest.fixture
def shops(app, admin):
    """Two accounts, A and B; a manager and a creator partner assigned to A, a viewer."""
    from erp_integrations.accounts import create_account

    config = {"region": "US", "app_key": "abcdef12", "app_secret": "secret-value-1"}
    from erp_integrations.extensions import db

    a_row, b_row = create_account("tiktok_shop", {"name": "Shop A", **config}), create_account("tiktok_shop", {"name": "Shop B", **config})
    a_row.status = b_row.status = "connected"  # as after Connect & Authorize: syncs may be asked for
    db.session.commit()
    a, b = a_row.id, b_row.id
    add_user("manager@test.invalid", "manager", accounts=(a,), token=TOKENS["manager"])
    add_user("viewer@test.invalid", "viewer", token=TOKENS["viewer"])
    add_user("creator@test.invalid", "creator", accounts=(a,), token=TOKENS["creator"])
    return a, b


def as_role(app, role):
    return api_client(app) if role == "admin" else api_client(app, TOKENS[role])


def test_every_api_route_declares_who_may_call_it(app):
    for endpoint, view in app.view_functions.items():
        if endpoint.startswith("api."):
            assert getattr(view, "required_verb", None) in ("public", "signed_in", "affiliate", "read", "manage", "admin"), endpoint


def test_every_admin_page_sends_a_stranger_to_sign_in(app):
    client = app.test_client()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] != "ui" or "GET" not in rule.methods or rule.endpoint in ("ui.login", "ui.static"):
            continue
        url = re.sub(r"<(?:\w+:)?(\w+)>", "1", rule.rule)
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_without_a_token_the_api_answers_401(app, admin):
    client = app.test_client()
    response = client.get("/api/v1/accounts")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "sign in" in response.get_json()["error"]["message"]
    assert api_client(app, "eit_not-a-token").get("/api/v1/accounts").status_code == 401
    assert api_client(app, "not even the format").get("/api/v1/accounts").status_code == 401
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_a_disabled_user_loses_api_access(app, shops, client):
    viewer = as_role(app, "viewer")
    assert viewer.get("/api/v1/accounts").status_code == 200
    user_id = next(u["id"] for u in client.get("/api/v1/users").get_json()["users"] if u["role"] == "viewer")
    assert client.patch(f"/api/v1/users/{user_id}", json={"is_active": False}).status_code == 200
    assert viewer.get("/api/v1/accounts").status_code == 401


@pytest.mark.parametrize(
    "role, visible",
    [("admin", {"A", "B"}), ("manager", {"A"}), ("viewer", {"A", "B"}), ("creator", {"A"})],
)
def test_each_role_lists_the_accounts_it_may_see(app, shops, role, visible):
    names = {a["name"][-1] for a in as_role(app, role).get("/api/v1/accounts").get_json()["accounts"]}
    assert names == visible


# (role, method, path template, body, allowed): {a} is the assigned shop, {b} the other one.
MATRIX = [
    ("manager", "patch", "/api/v1/accounts/{a}", {"config": {"sync_interval_minutes": 30}}, True),
    ("manager", "patch", "/api/v1/accounts/{b}", {"config": {"sync_interval_minutes": 30}}, False),
    ("manager", "get", "/api/v1/accounts/{b}", None, False),
    ("manager", "post", "/api/v1/accounts/{a}/sync", {"streams": ["products"]}, True),
    ("manager", "delete", "/api/v1/accounts/{a}", None, False),
    ("manager", "post", "/api/v1/accounts", {"connector": "tiktok_shop", "config": {}}, False),
    ("manager", "get", "/api/v1/users", None, False),
    ("manager", "get", "/api/v1/jobs/failed", None, False),
    ("viewer", "get", "/api/v1/accounts/{b}", None, True),
    ("viewer", "get", "/api/v1/accounts/{b}/runs", None, True),
    ("viewer", "get", "/api/v1/accounts/{b}/data/orders", None, True),
    ("viewer", "patch", "/api/v1/accounts/{a}", {"config": {"sync_interval_minutes": 30}}, False),
    ("viewer", "post", "/api/v1/accounts/{a}/sync", {}, False),
    ("viewer", "post", "/api/v1/accounts/{a}/push/stock", {"items": []}, False),
    ("creator", "get", "/api/v1/accounts/{a}/data/affiliate_orders", None, True),
    ("creator", "get", "/api/v1/accounts/{a}/data/creators", None, True),
    ("creator", "get", "/api/v1/accounts/{b}/data/affiliate_orders", None, False),
    ("creator", "get", "/api/v1/accounts/{a}/data/orders", None, False),
    ("creator", "get", "/api/v1/accounts/{a}/data/statements", None, False),
    ("creator", "get", "/api/v1/accounts/{a}", None, False),
    ("creator", "get", "/api/v1/accounts/{a}/runs", None, False),
    ("admin", "delete", "/api/v1/accounts/{b}", None, True),
]


@pytest.mark.parametrize("role, method, path, body, allowed", MATRIX, ids=[f"{m[0]}-{m[1]}-{m[2]}-{m[4]}" for m in MATRIX])
def test_the_role_matrix(app, shops, role, method, path, body, allowed):
    a, b = shops
    kwargs = {"json": body} if body is not None else {}
    response = getattr(as_role(app, role), method)(path.format(a=a, b=b), **kwargs)
    if allowed:
        assert response.status_code < 400, response.get_json()
    else:
        assert response.status_code == 403, response.get_json()
        assert f"your role ({role})" in response.get_json()["error"]["message"]


def test_a_creator_partner_is_offered_only_the_affiliate_listings(app, shops):
    a, _ = shops
    listings = [entry["name"] for entry in as_role(app, "creator").get(f"/api/v1/accounts/{a}/data").get_json()["listings"]]
    assert listings == ["affiliate_orders", "creators"]
    assert "orders" in [entry["name"] for entry in as_role(app, "viewer").get(f"/api/v1/accounts/{a}/data").get_json()["listings"]]


def test_users_api_validates_and_issues_tokens_once(app, shops, client):
    bad = client.post("/api/v1/users", json={"email": "nope", "password": "short", "role": "boss"})
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"email", "password", "role"}
    created = client.post("/api/v1/users", json={"email": "New@Example.com", "password": "long enough pass", "role": "viewer"})
    assert created.status_code == 201 and created.get_json()["email"] == "new@example.com"
    user_id = created.get_json()["id"]
    assert client.post("/api/v1/users", json={"email": "new@example.com", "password": "long enough pass", "role": "viewer"}).status_code == 422
    first = client.post(f"/api/v1/users/{user_id}/token").get_json()["token"]
    assert api_client(app, first).get("/api/v1/me").get_json()["email"] == "new@example.com"
    second = client.post(f"/api/v1/users/{user_id}/token").get_json()["token"]
    assert api_client(app, first).get("/api/v1/me").status_code == 401
    assert api_client(app, second).get("/api/v1/me").status_code == 200
    assert "token" not in str(client.get("/api/v1/users").get_json()).replace("has_api_token", "")
    me = client.get("/api/v1/me").get_json()
    assert client.patch(f"/api/v1/users/{me['id']}", json={"role": "viewer"}).status_code == 422


def sign_in(app, email=ADMIN_EMAIL, password=PASSWORD, address="127.0.0.1"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    return client, token, response


def test_sign_in_sets_a_hardened_session_cookie(app, admin):
    _, _, response = sign_in(app)
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_a_cookie_session_needs_the_csrf_token_to_change_anything(app, shops):
    client, login_token, _ = sign_in(app)
    a, _ = shops
    # Signing in starts a new session with a new token; the pages carry it in a meta tag.
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/accounts").get_data(as_text=True)).group(1)
    assert token != login_token
    # Reading with the cookie works; writing without the token is refused, with it allowed.
    assert client.get("/api/v1/accounts").status_code == 200
    refused = client.patch(f"/api/v1/accounts/{a}", json={"config": {"sync_interval_minutes": 60}})
    assert refused.status_code == 403 and "CSRF" in refused.get_json()["error"]["message"]
    accepted = client.patch(f"/api/v1/accounts/{a}", json={"config": {"sync_interval_minutes": 60}}, headers={"X-CSRF-Token": token})
    assert accepted.status_code == 200
    # Forms of the admin pages too.
    assert client.post(f"/accounts/{a}/sync", data={}).status_code == 403
    # Signing in without the page's token (a forged login form) is refused.
    stranger = app.test_client()
    assert stranger.post("/login", data={"email": ADMIN_EMAIL, "password": PASSWORD}).status_code == 403


def answer(response) -> tuple[int, str]:
    """What a person sees of a refused sign-in: the status and the alert's text (a wait's
    seconds as N: they count down between two tries)."""
    return response.status_code, re.sub(r"\d+", "N", re.search(r'role="alert">([^<]*)<', response.get_data(as_text=True)).group(1))


def test_sign_in_never_tells_which_emails_exist_and_slows_guessing_without_locking_out(app, admin):
    from sqlalchemy import update

    from erp_integrations.auth.throttle import FREE
    from erp_integrations.extensions import db
    from erp_integrations.models import SignInAttempt

    unknown = [answer(sign_in(app, email="nobody@test.invalid", password="not the password", address="10.9.9.9")[2]) for _ in range(FREE + 3)]
    known = [answer(sign_in(app, password="not the password", address="10.9.9.9")[2]) for _ in range(FREE + 3)]
    assert unknown == known  # the same answers, try after try, whether the email exists or not
    assert known[0] == (401, "wrong email or password")
    assert known[FREE - 1] == (401, "wrong email or password") and known[FREE] == (401, "wrong email or password")
    assert known[FREE + 1][0] == 401 and "try again in" in known[FREE + 1][1]  # the failure after the free ones set a delay
    # The guesser waits; the user, from their own address, signs in at once.
    _, _, right_but_throttled = sign_in(app, address="10.9.9.9")
    assert right_but_throttled.status_code == 401 and "try again in" in answer(right_but_throttled)[1]
    assert sign_in(app, address="192.0.2.7")[2].status_code == 302
    # A delay, not a lock: once it has passed, the right password works from there too.
    db.session.execute(update(SignInAttempt).values(next_allowed_at=None))
    db.session.commit()
    assert sign_in(app, address="10.9.9.9")[2].status_code == 302
    # Nothing about who typed what is kept: keys are digests.
    assert all(":" in k and "@" not in k and "10.9" not in k for k in db.session.scalars(db.select(SignInAttempt.key)))


def test_the_delay_grows_and_is_capped(app):
    from datetime import datetime, timedelta

    from erp_integrations.auth import throttle
    from erp_integrations.extensions import db
    from erp_integrations.models import SignInAttempt

    now = datetime(2026, 11, 30, tzinfo=UTC)
    waits = []
    for _ in range(throttle.FREE + 12):
        throttle.failed("a@b.invalid", "198.51.100.1", now)
        row = db.session.get(SignInAttempt, throttle.keys_for("a@b.invalid", "198.51.100.1")[0])
        waits.append(row.next_allowed_at - now if row.next_allowed_at else timedelta(0))
    assert waits[: throttle.FREE] == [timedelta(0)] * throttle.FREE
    assert waits[throttle.FREE : throttle.FREE + 3] == [timedelta(seconds=4), timedelta(seconds=8), timedelta(seconds=16)]
    assert waits[-1] == throttle.MAX_DELAY and waits == sorted(waits)
    # An hour after the last failure the count starts again.
    throttle.failed("a@b.invalid", "198.51.100.1", now + throttle.FORGET_AFTER)
    assert db.session.get(SignInAttempt, throttle.keys_for("a@b.invalid", "198.51.100.1")[0]).failures == 1


def test_changing_a_password_ends_the_other_sessions(app, admin, client):
    browser, _, _ = sign_in(app)
    assert browser.get("/api/v1/me").status_code == 200
    assert client.patch(f"/api/v1/users/{admin.id}", json={"password": "a brand new password"}).status_code == 200
    assert browser.get("/api/v1/me").status_code == 401
