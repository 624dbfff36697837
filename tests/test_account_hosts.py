"""Where an account's credentials go: only its marketplace's own hosts or the operator's
allow-list, changed only by an administrator, and never with tokens issued elsewhere."""

from __future__ import annotations

import pytest

from auth_support import add_user, api_client
from sync_support import connect

MANAGER = "eit_hosts-manager"
CREATOR = "eit_hosts-creator"


@pytest.fixture
def connected(client, app, fresh_sandbox):
    account_id = connect(client, fresh_sandbox)
    add_user("manager@test.invalid", "manager", accounts=(account_id,), token=MANAGER)
    add_user("creator@test.invalid", "creator", accounts=(account_id,), token=CREATOR)
    return account_id


def stored_secrets(account_id: int) -> set[str]:
    from erp_integrations.accounts import account_secrets, get_account
    from erp_integrations.extensions import db

    db.session.expire_all()
    return set(account_secrets(get_account(account_id)))


@pytest.mark.parametrize("field", ["api_base_url", "auth_base_url", "authorize_base_url"])
def test_a_manager_cannot_point_an_account_at_another_host(app, connected, field):
    manager = api_client(app, MANAGER)
    before = manager.get(f"/api/v1/accounts/{connected}").get_json()["config"]
    response = manager.patch(f"/api/v1/accounts/{connected}", json={"config": {field: "https://collector.example.net"}})
    assert response.status_code == 403
    assert "administrator" in response.get_json()["error"]["fields"][field][0]
    after = manager.get(f"/api/v1/accounts/{connected}").get_json()
    assert after["config"] == before and after["status"] == "connected"
    assert {"access_token", "refresh_token"} <= stored_secrets(connected)


def test_a_manager_may_still_change_ordinary_settings(app, connected):
    response = api_client(app, MANAGER).patch(f"/api/v1/accounts/{connected}", json={"config": {"sync_interval_minutes": 60}})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["config"]["sync_interval_minutes"] == 60


def test_an_admin_is_held_to_the_allow_list(client, connected):
    response = client.patch(f"/api/v1/accounts/{connected}", json={"config": {"api_base_url": "https://collector.example.net"}})
    assert response.status_code == 422
    assert "ERP_INTEGRATIONS_ALLOWED_HOSTS" in response.get_json()["error"]["fields"]["api_base_url"][0]
    created = client.post(
        "/api/v1/accounts",
        json={
            "connector": "tiktok_shop",
            "config": {"name": "x", "region": "US", "app_key": "abcd1234", "app_secret": "secret-x", "auth_base_url": "https://127.0.0.2"},
        },
    )
    assert created.status_code == 422 and "auth_base_url" in created.get_json()["error"]["fields"]


def test_moving_an_account_drops_its_tokens_and_asks_for_authorization(client, connected):
    response = client.patch(f"/api/v1/accounts/{connected}", json={"config": {"api_base_url": "https://open-api.tiktokglobalshop.com"}})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "needs_reauth"
    secrets = stored_secrets(connected)
    assert "app_secret" in secrets and not secrets & {"access_token", "refresh_token"}


def test_a_creator_partner_lists_its_shop_without_settings(app, connected):
    listed = api_client(app, CREATOR).get("/api/v1/accounts").get_json()["accounts"]
    assert listed == [{"id": connected, "connector": "tiktok_shop", "name": "Sandbox US", "status": "connected", "region": "US"}]
    assert api_client(app, CREATOR).get(f"/api/v1/accounts/{connected}").status_code == 403


def test_the_settings_page_leaves_hosts_out_for_a_manager(app, connected):
    from sqlalchemy import select

    from erp_integrations.extensions import db
    from erp_integrations.models import User

    page = app.test_client()
    user = db.session.scalars(select(User).where(User.email == "manager@test.invalid")).one()
    with page.session_transaction() as session:
        session["uid"], session["sv"], session["csrf"] = user.id, user.session_version, "t"
    html = page.get(f"/accounts/{connected}/settings").get_data(as_text=True)
    assert 'name="api_base_url"' not in html and 'name="sync_interval_minutes"' in html
    saved = page.post(
        f"/accounts/{connected}/settings",
        data={"csrf_token": "t", "name": "Renamed", "region": "US", "app_key": "sandboxappkey", "sync_interval_minutes": "30", "features.orders": "on"},
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    assert {"access_token", "refresh_token"} <= stored_secrets(connected)


def test_the_allow_list_matches_scheme_host_and_port():
    from erp_integrations.endpoints import host_allowed

    allowed = ("http://127.0.0.1:*", "https://sandbox.example.com:8443")
    assert host_allowed("http://127.0.0.1:5000", (), allowed)
    assert host_allowed("https://sandbox.example.com:8443/", (), allowed)
    assert not host_allowed("https://sandbox.example.com", (), allowed)
    assert not host_allowed("https://127.0.0.1:5000", (), allowed)
    assert not host_allowed("http://127.0.0.1.evil.example:5000", (), allowed)
    assert host_allowed("https://open-api.tiktokglobalshop.com", ("https://open-api.tiktokglobalshop.com",), ())
    assert not host_allowed("https://open-api.tiktokglobalshop.com.evil.example", ("https://open-api.tiktokglobalshop.com",), ())


def test_a_malformed_allow_list_stops_the_app(app_env):
    from erp_integrations.app import create_app

    with pytest.raises(ValueError, match="ERP_INTEGRATIONS_ALLOWED_HOSTS"):
        create_app({**app_env, "ERP_INTEGRATIONS_ALLOWED_HOSTS": "ftp://nowhere"})
