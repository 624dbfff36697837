"""Connect & Authorize binds an account to exactly the shop the admin meant, against the sandbox
with two shops in different regions (US and GB)."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from sandbox_support import shops_of
from sync_support import account_config, authorize_account, connect, sync


@pytest.fixture
def shops(fresh_sandbox):
    us, gb = shops_of(fresh_sandbox)
    assert (us["region"], gb["region"]) == ("US", "GB")
    return us, gb


def new_account(client, server, **overrides) -> int:
    response = client.post("/api/v1/accounts", json={"connector": "tiktok_shop", "config": account_config(server, **overrides)})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def account_row(account_id: int):
    from erp_integrations.accounts import get_account
    from erp_integrations.extensions import db

    db.session.expire_all()
    return get_account(account_id)


def test_several_shops_wait_for_the_admins_choice(client, fresh_sandbox, shops):
    us, gb = shops
    account_id = new_account(client, fresh_sandbox, name="UK shop", region="GB")
    callback = authorize_account(client, account_id, shops=(0, 1))
    assert callback.status_code == 200
    assert callback.get_json()["binding"] == "choose_shop"
    row = account_row(account_id)
    assert row.status == "choose_shop" and row.external_shop_id is None and not row.config.get("shop_cipher")
    listed = client.get(f"/api/v1/accounts/{account_id}/shops").get_json()
    assert listed["shop_setting"] == "shop_cipher" and listed["bound_shop_id"] is None
    assert [(s["name"], s["region"], s["key"], s["bound"]) for s in listed["shops"]] == [
        (us["name"], "US", us["cipher"], False),
        (gb["name"], "GB", gb["cipher"], False),
    ]
    assert all(s["seller_type"] for s in listed["shops"])
    # Nothing syncs while the choice is open.
    refused = client.post(f"/api/v1/accounts/{account_id}/sync", json={})
    assert refused.status_code == 409 and "choose the shop" in refused.get_json()["error"]["message"]

    wrong = client.post(f"/api/v1/accounts/{account_id}/shop", json={"shop": us["cipher"]})
    assert wrong.status_code == 422
    message = wrong.get_json()["error"]["fields"]["region"][0]
    assert "US" in message and "GB" in message
    unknown = client.post(f"/api/v1/accounts/{account_id}/shop", json={"shop": "ROW_not-authorized"})
    assert unknown.status_code == 422 and "not among" in unknown.get_json()["error"]["message"]

    chosen = client.post(f"/api/v1/accounts/{account_id}/shop", json={"shop": gb["cipher"]})
    assert chosen.status_code == 200, chosen.get_json()
    row = account_row(account_id)
    assert (row.status, row.external_shop_id, row.config["shop_cipher"]) == ("connected", gb["id"], gb["cipher"])


def test_one_shop_of_the_accounts_region_is_bound_at_once(client, fresh_sandbox, shops):
    account_id = connect(client, fresh_sandbox, name="UK shop", region="GB", shops=(1,))
    assert account_row(account_id).external_shop_id == shops[1]["id"]


def test_one_shop_of_another_region_is_refused_naming_both(client, fresh_sandbox, shops):
    account_id = new_account(client, fresh_sandbox, name="UK shop", region="GB")
    callback = authorize_account(client, account_id, shops=(0,))
    assert callback.status_code == 409
    message = callback.get_json()["error"]["message"]
    assert "US shop" in message and "set up for GB" in message
    row = account_row(account_id)
    assert row.status == "new" and row.external_shop_id is None
    from erp_integrations.accounts import account_secrets

    assert "access_token" not in account_secrets(row)


def test_no_authorized_shop_is_not_connected(client, fresh_sandbox, shops):
    account_id = new_account(client, fresh_sandbox)
    callback = authorize_account(client, account_id, shops=(99,))  # the seller ticked no shop of theirs
    assert callback.status_code == 409
    assert "No active shop was authorized" in callback.get_json()["error"]["message"]
    assert "Seller Center" in callback.get_json()["error"]["message"]
    assert account_row(account_id).status == "new"


def test_a_shop_is_bound_to_one_account_only(client, fresh_sandbox, shops):
    first = connect(client, fresh_sandbox, name="First")
    second = new_account(client, fresh_sandbox, name="Second")
    callback = authorize_account(client, second, shops=(0,))
    assert callback.status_code == 409
    assert "'First'" in callback.get_json()["error"]["message"]
    assert account_row(second).external_shop_id is None
    assert account_row(first).external_shop_id == shops[0]["id"]


def test_the_database_refuses_a_second_binding(app, client, fresh_sandbox, shops):
    from erp_integrations.extensions import db

    connect(client, fresh_sandbox, name="First")
    second = account_row(new_account(client, fresh_sandbox, name="Second"))
    second.external_shop_id = shops[0]["id"]
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_typed_shop_cipher_must_be_an_authorized_one(client, fresh_sandbox, shops):
    account_id = connect(client, fresh_sandbox)
    response = client.patch(f"/api/v1/accounts/{account_id}", json={"config": {"shop_cipher": "ROW_typo"}})
    assert response.status_code == 422
    assert "not among the shops" in response.get_json()["error"]["fields"]["shop_cipher"][0]
    # and the bound shop keeps its region
    response = client.patch(f"/api/v1/accounts/{account_id}", json={"config": {"region": "GB"}})
    assert response.status_code == 422 and "region" in response.get_json()["error"]["fields"]
    assert account_row(account_id).config["shop_cipher"] == shops[0]["cipher"]


def test_an_account_that_synced_a_shop_is_not_moved_to_another(client, app, app_env, fresh_sandbox, shops):
    account_id = connect(client, fresh_sandbox, shops=(0, 1), shop_cipher=shops[0]["cipher"])
    sync(client, app, app_env, account_id, streams=["products"])
    client.patch(f"/api/v1/accounts/{account_id}", json={"config": {"region": "US"}})
    moved = client.post(f"/api/v1/accounts/{account_id}/shop", json={"shop": shops[1]["cipher"]})
    assert moved.status_code == 422  # another region first...
    other = new_account(client, fresh_sandbox, name="UK", region="GB")
    assert authorize_account(client, other, shops=(0, 1)).get_json()["binding"] == "choose_shop"
    assert client.post(f"/api/v1/accounts/{other}/shop", json={"shop": shops[1]["cipher"]}).status_code == 200
    # ...and a shop that another account holds is never taken over
    assert client.post(f"/api/v1/accounts/{account_id}/shop", json={"shop": shops[1]["cipher"]}).status_code in (409, 422)


def test_reauthorizing_keeps_the_binding(client, fresh_sandbox, shops):
    account_id = connect(client, fresh_sandbox)
    again = authorize_account(client, account_id, shops=(0, 1))
    assert again.get_json()["binding"] == "connected"
    assert account_row(account_id).external_shop_id == shops[0]["id"]
