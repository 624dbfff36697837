"""Accounts through the REST API: validation, defaults, masking, errors."""

from __future__ import annotations

import re

import pytest

MASK = "********"


def create(client, config, connector="tiktok_shop", **extra):
    return client.post("/api/v1/accounts", json={"connector": connector, "config": config, **extra})


def test_connectors_describe_their_config_dialog(client):
    body = client.get("/api/v1/connectors/tiktok_shop").get_json()
    fields = {f["name"]: f for f in body["config_schema"]}
    assert fields["app_secret"]["secret"] is True and fields["app_key"]["secret"] is False
    assert fields["app_key"]["label"] == "App Key" and fields["app_key"]["required"] is True
    regions = [c["value"] for c in fields["region"]["choices"]]
    assert regions[:8] == ["US", "GB", "ID", "SG", "MY", "TH", "VN", "PH"]
    assert {"BR", "DE", "ES", "FR", "IE", "IT", "JP", "MX"} <= set(regions)
    intervals = [c["value"] for c in fields["sync_interval_minutes"]["choices"]]
    assert intervals == [5, 15, 30, 60, None]
    toggles = {f["name"]: f["default"] for f in fields["features"]["fields"]}
    assert toggles == {
        "product_catalog": True,
        "orders": True,
        "inventory": True,
        "logistics": False,
        "promotions": False,
        "returns": False,
        "live_shopping": False,
        "affiliate": False,
        "shop_analytics": False,
    }
    orders = [f["order"] for f in body["config_schema"]]
    assert orders == sorted(orders)


def test_create_account_applies_defaults_and_masks_the_secret(client, tiktok_config):
    response = create(client, tiktok_config)
    assert response.status_code == 201, response.get_json()
    account = response.get_json()
    assert account["config"]["app_secret"] == MASK
    assert account["config"]["features"]["orders"] is True and account["config"]["features"]["affiliate"] is False
    assert account["config"]["sync_interval_minutes"] == 15
    assert account["config"]["api_base_url"] == "https://open-api.tiktokglobalshop.com"
    assert account["is_default"] is True and account["status"] == "new"
    assert tiktok_config["app_secret"] not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"region": "UK"}, "region", "region codes"),
        ({"app_key": None}, "app_key", "null"),
        ({"app_key": "bad key!"}, "app_key", "Partner Center"),
        ({"sync_interval_minutes": 7}, "sync_interval_minutes", "5, 15, 30, 60"),
        ({"webhook_url": "http://erp.example.com/hook"}, "webhook_url", "https"),
        ({"webhook_url": "ftp://x"}, "webhook_url", "https"),
        ({"features": {"orders": "maybe"}}, "features", "boolean"),
        ({"features": {"teleport": True}}, "features", "Unknown field"),
        ({"colour": "red"}, "colour", "Unknown field"),
        ({"api_base_url": "http://10.0.0.5:8600"}, "api_base_url", "localhost"),
        ({"history_months": 7}, "history_months", "6, or 12"),
    ],
)
def test_invalid_config_gets_422_with_a_message_per_field(client, tiktok_config, change, field, message):
    response = create(client, {**tiktok_config, **change})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert field in error["fields"], error
    assert message.lower() in str(error["fields"][field]).lower()


def test_missing_required_fields_are_all_reported(client):
    response = create(client, {})
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"name", "region", "app_key", "app_secret"}


def test_loopback_http_is_allowed_for_sandboxes(client, tiktok_config):
    config = {**tiktok_config, "webhook_url": "http://127.0.0.1:8000/webhooks/tiktok-shop/1", "api_base_url": "http://127.0.0.1:8600"}
    assert create(client, config).status_code == 201


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"connector": "nope", "config": {}}, 404),
        ({"config": {}}, 422),
        ({"connector": "tiktok_shop", "config": [], "is_default": True}, 422),
        ({"connector": "tiktok_shop", "config": {}, "is_default": "yes"}, 422),
        ({"connector": "tiktok_shop", "config": {}, "extra": 1}, 422),
    ],
)
def test_malformed_requests_get_a_4xx_json_error(client, payload, status):
    response = client.post("/api/v1/accounts", json=payload)
    assert response.status_code == status
    assert response.get_json()["error"]["status"] == status


def test_non_json_body_is_a_400(client):
    response = client.post("/api/v1/accounts", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON object" in response.get_json()["error"]["message"]


def test_unknown_routes_and_methods_answer_json(client):
    assert client.get("/api/v1/accounts/999").get_json()["error"]["status"] == 404
    assert client.put("/api/v1/accounts").get_json()["error"]["status"] == 405


def test_duplicate_name_is_refused_per_connector(client, tiktok_config):
    assert create(client, tiktok_config).status_code == 201
    again = create(client, tiktok_config)
    assert again.status_code == 422 and "name" in again.get_json()["error"]["fields"]
    # Named as a merchant knows the connector, not by its code.
    assert again.get_json()["error"]["fields"]["name"] == ["another TikTok Shop account is already called 'Main US shop'"]


def test_sending_the_mask_back_keeps_the_secret(client, app, tiktok_config):
    from erp_integrations.accounts import account_secrets, get_account

    account = create(client, tiktok_config).get_json()
    shown = client.get(f"/api/v1/accounts/{account['id']}").get_json()["config"]
    shown["sync_interval_minutes"] = 60
    response = client.patch(f"/api/v1/accounts/{account['id']}", json={"config": shown})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["config"]["sync_interval_minutes"] == 60
    assert account_secrets(get_account(account["id"]))["app_secret"] == tiktok_config["app_secret"]
    client.patch(f"/api/v1/accounts/{account['id']}", json={"config": {"app_secret": "a-new-secret"}})
    assert account_secrets(get_account(account["id"]))["app_secret"] == "a-new-secret"


def test_creating_with_the_mask_is_refused(client, tiktok_config):
    response = create(client, {**tiktok_config, "app_secret": MASK})
    assert response.status_code == 422 and "app_secret" in response.get_json()["error"]["fields"]


def test_patch_validates_the_merged_config(client, tiktok_config):
    account = create(client, tiktok_config).get_json()
    response = client.patch(f"/api/v1/accounts/{account['id']}", json={"config": {"region": "XX"}})
    assert response.status_code == 422
    assert client.get(f"/api/v1/accounts/{account['id']}").get_json()["config"]["region"] == "US"


def test_exactly_one_default_account_per_connector(client, tiktok_config):
    first = create(client, tiktok_config).get_json()
    second = create(client, {**tiktok_config, "name": "EU shop", "region": "GB"}).get_json()
    shopee = create(client, {"name": "SG", "region": "SG", "partner_id": 1001, "partner_key": "partner-key-123"}, connector="shopee").get_json()
    assert first["is_default"] and not second["is_default"] and shopee["is_default"]

    assert client.post(f"/api/v1/accounts/{second['id']}/default").status_code == 200
    defaults = {a["id"]: a["is_default"] for a in client.get("/api/v1/accounts").get_json()["accounts"]}
    assert defaults == {first["id"]: False, second["id"]: True, shopee["id"]: True}

    third = create(client, {**tiktok_config, "name": "Third"}, is_default=True).get_json()
    tiktok = client.get("/api/v1/accounts?connector=tiktok_shop").get_json()["accounts"]
    assert [a["id"] for a in tiktok if a["is_default"]] == [third["id"]]

    assert client.delete(f"/api/v1/accounts/{third['id']}").status_code == 204
    tiktok = client.get("/api/v1/accounts?connector=tiktok_shop").get_json()["accounts"]
    assert [a["id"] for a in tiktok if a["is_default"]] == [first["id"]]


def test_the_database_itself_refuses_two_defaults(app, tiktok_config):
    from sqlalchemy.exc import IntegrityError

    from erp_integrations.accounts import create_account
    from erp_integrations.extensions import db
    from erp_integrations.models import IntegrationAccount

    create_account("tiktok_shop", tiktok_config)
    db.session.add(IntegrationAccount(connector="tiktok_shop", name="rogue", is_default=True))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_shopee_config_is_validated_by_its_own_schema(client):
    response = create(client, {"name": "S", "region": "US", "partner_id": "12", "partner_key": "short"}, connector="shopee")
    fields = response.get_json()["error"]["fields"]
    assert response.status_code == 422 and set(fields) == {"region", "partner_id", "partner_key"}


def test_test_connection_reports_an_unauthorized_account(client, tiktok_config):
    account = create(client, tiktok_config).get_json()
    result = client.post(f"/api/v1/accounts/{account['id']}/test").get_json()
    assert result == {"ok": False, "status": "not_authorized", "message": "Not authorized yet: use Connect & Authorize to link a shop.", "details": {}}


def test_openapi_document_lists_every_route(client, app):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule.endswith("openapi.json"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)  # <int:account_id> -> {account_id}
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, f"{method} {path} is not in the OpenAPI document"
    assert "Account" in spec["components"]["schemas"]


def test_a_toggle_with_nothing_behind_it_stays_off(client, tiktok_config):
    """A connector may declare a toggle it cannot serve yet: it is described so, and an account
    that asks for it gets it off rather than a toggle that silently does nothing. TikTok's
    toggles all have something behind them now, Promotions the last to get it."""
    from marshmallow import Schema

    from erp_integrations.connectors import Feature, features_field

    declared = (Feature("sync_me", "Sync me", True, "Syncs."), Feature("later", "Later", False, "Not available yet.", available=False))
    schema = type("Config", (Schema,), {"features": features_field(declared, "LaterFeatures")})()
    assert schema.load({"features": {"later": True, "sync_me": True}})["features"] == {"later": False, "sync_me": True}

    features = {f["key"]: f for f in client.get("/api/v1/connectors/tiktok_shop").get_json()["features"]}
    assert all(f["available"] for f in features.values())
    account = create(client, {**tiktok_config, "features": {"promotions": True, "returns": True}}).get_json()
    assert account["config"]["features"]["promotions"] is True and account["config"]["features"]["returns"] is True


def test_a_toggle_turned_off_hides_its_pages_from_the_menu(client, app, admin, tiktok_config):
    from auth_support import page_client

    features = {"live_shopping": False, "affiliate": True}
    account = create(client, {**tiktok_config, "features": features}).get_json()
    page, _ = page_client(app)
    menu = page.get(f"/accounts/{account['id']}/monitor").get_data(as_text=True).split('<aside class="side">')[1].split("</aside>")[0]
    assert "Affiliate orders" in menu and "LIVE sessions" not in menu
    # Reached by its address anyway, the page says why it is empty.
    live = page.get(f"/accounts/{account['id']}/data/live_sessions")
    assert live.status_code == 200 and "feature is off for this account" in live.get_data(as_text=True)
