"""The OpenAPI document describes what the API really returns: every listing page and the
order detail of a synced shop validate against their schemas (OpenAPI 3.0 rules)."""

from __future__ import annotations

import pytest
from openapi_schema_validator import OAS30Validator

from sync_support import connect, sync


@pytest.fixture
def synced(client, app, app_env, fresh_sandbox):
    account_id = connect(client, fresh_sandbox)
    sync(client, app, app_env, account_id)
    return account_id


def validator(document: dict, name: str) -> OAS30Validator:
    # Resolve $refs within the document: validate {"$ref": ...} with the components alongside.
    return OAS30Validator({"$ref": f"#/components/schemas/{name}", "components": document["components"]})


def test_listing_pages_and_order_detail_match_their_schemas(client, synced):
    from erp_integrations.browse import LISTINGS

    document = client.get("/api/v1/openapi.json").get_json()
    for name in LISTINGS:
        page = client.get(f"/api/v1/accounts/{synced}/data/{name}?limit=200&with_filters=1")
        assert page.status_code == 200, name
        body = page.get_json()
        assert body["rows"], f"{name}: the sandbox should have synced some rows"
        schema_name = "".join(part.capitalize() for part in name.split("_")) + "Page"
        errors = [e.message for e in validator(document, schema_name).iter_errors(body)]
        assert errors == [], (name, errors[:3])
        row_properties = set(document["components"]["schemas"][schema_name.replace("Page", "Row")]["properties"])
        assert set(body["rows"][0]) <= row_properties, (name, set(body["rows"][0]) - row_properties)
    order_id = client.get(f"/api/v1/accounts/{synced}/data/orders?limit=1").get_json()["rows"][0]["external_id"]
    detail = client.get(f"/api/v1/accounts/{synced}/orders/{order_id}").get_json()
    assert [e.message for e in validator(document, "OrderDetail").iter_errors(detail)] == []
    assert set(detail) <= set(document["components"]["schemas"]["OrderDetail"]["properties"])


def test_a_wrong_shape_fails_the_check(client):
    """The check itself can fail: a row with a number where the schema says a decimal string."""
    document = client.get("/api/v1/openapi.json").get_json()
    bad = {"listing": "orders", "rows": [{"id": 1, "total_amount": 70.36}], "next": None, "prev": None}
    assert list(validator(document, "OrdersPage").iter_errors(bad))
