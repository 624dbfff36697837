"""The Promotions toggle end to end: turned on alone it syncs the shop's activities (with the
products and SKUs they cover) and coupons, equal to the sandbox's ground truth; off, nothing of
it runs. From the ERP an activity is deactivated through the push outbox, and TikTok's state,
the next sync and its refusals are checked in the sandbox itself."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from erp_stats import erp_stats
from sandbox_support import authorize, client_for, control, start_sandbox
from sync_support import ALL_FEATURES, connect, run_jobs, sync, truth

ALONE = {feature: feature == "promotions" for feature in ALL_FEATURES}
PROMOTION_STREAMS = {"promotions", "coupons"}


@pytest.fixture(scope="module")
def server():
    s = start_sandbox(orders=300, shops=1)
    yield s
    s.stop()


@pytest.fixture
def reader(server):
    """An independent client of the sandbox: what TikTok holds, not what the ERP thinks."""
    return client_for(server, authorize(server))


@pytest.fixture
def shop(client, app, app_env, server):
    control(server, "DELETE", "/faults")
    account_id = connect(client, server, features=ALONE)
    sync(client, app, app_env, account_id)
    return account_id


def activities(account_id: int, status: str | None = None) -> list:
    from erp_integrations.extensions import db
    from erp_integrations.models import Promotion

    query = select(Promotion).where(Promotion.account_id == account_id, Promotion.kind == "activity")
    if status:
        query = query.where(Promotion.status == status)
    db.session.expire_all()
    return db.session.scalars(query.order_by(Promotion.id)).all()


def test_the_toggle_on_alone_syncs_activities_their_products_and_coupons(client, app, app_env, server, shop, reader):
    from erp_integrations.extensions import db
    from erp_integrations.models import Product, Promotion, PromotionProduct, SalesOrder, SyncRun

    expected = truth(server)
    assert erp_stats(shop, expected)["promotions"] == expected["promotions"]
    assert {r.stream for r in db.session.scalars(select(SyncRun).where(SyncRun.account_id == shop))} == PROMOTION_STREAMS
    assert db.session.scalar(select(SalesOrder.id).where(SalesOrder.account_id == shop)) is None
    assert db.session.scalar(select(Product.id).where(Product.account_id == shop)) is None

    # Each activity's covered products and prices as Get Activity gives them, read here
    # independently of the connector.
    for activity in activities(shop):
        detail = reader.request("GET", f"/promotion/202309/activities/{activity.external_id}")
        assert (activity.title, activity.type, activity.status, int(activity.starts_at.timestamp())) == (
            detail["title"],
            detail["activity_type"],
            detail["status"],
            detail["begin_time"],
        )
        stored = {
            (p.product_external_id, p.sku_external_id): (p.activity_price, p.currency)
            for p in db.session.scalars(select(PromotionProduct).where(PromotionProduct.promotion_id == activity.id))
        }
        served = {(p["id"], None): (Decimal(p["activity_price"]["amount"]), p["activity_price"]["currency"]) for p in detail["products"]}
        served |= {(p["id"], s["id"]): (Decimal(s["activity_price"]["amount"]), s["activity_price"]["currency"]) for p in detail["products"] for s in p["skus"]}
        assert stored == served
        tiers = (detail.get("discount") or {}).get("bmsm_discount", {}).get("details")
        if tiers:  # the offer is the activity's tiers
            assert activity.discount == "; ".join(f"{t['threshold_value']} items: {t['value']}% off" for t in tiers)
        elif detail["products"]:  # the offer is each product's own percentage
            low, high = min(int(p["discount"]) for p in detail["products"]), max(int(p["discount"]) for p in detail["products"])
            count = len(detail["products"])
            assert activity.discount == f"{low}{'' if low == high else f'-{high}'}% off on {count} product{'s' if count > 1 else ''}"
            assert activity.percent_off == high

    # Coupons: times served in milliseconds land as the same instants; claims from Get Coupon.
    served = reader.request("POST", "/promotion/202406/coupons/search", query={"page_size": 100}, body={})["coupons"]
    stored = {c.external_id: c for c in db.session.scalars(select(Promotion).where(Promotion.account_id == shop, Promotion.kind == "coupon"))}
    assert set(stored) == {c["id"] for c in served}
    for coupon in served:
        row = stored[coupon["id"]]
        assert int(row.remote_created_at.timestamp() * 1000) == coupon["create_time"]
        assert row.claimed == reader.request("GET", f"/promotion/202406/coupons/{coupon['id']}")["coupon"]["usage_stats"]["claimed_count"]

    # The page and the data API list them, with what each activity covers.
    listed = client.get(f"/api/v1/accounts/{shop}/data/promotions?kind=activity&limit=200").get_json()
    assert len(listed["rows"]) == expected["promotions"]["activities"]["count"]
    assert sum(len(row["covered"]) for row in listed["rows"]) == expected["promotions"]["activities"]["products"] + expected["promotions"]["activities"]["skus"]


def test_the_toggle_off_runs_nothing_of_it(client, app, app_env, server):
    from erp_integrations.extensions import db
    from erp_integrations.models import Promotion

    account_id = connect(client, server, features={**ALL_FEATURES, "promotions": False})
    runs = sync(client, app, app_env, account_id, streams=["promotions", "coupons", "warehouses"])
    # Asked for by name, they are recorded as skipped, without a call.
    assert {(r["stream"], r["status"], r["api_calls"]) for r in runs if r["stream"] in PROMOTION_STREAMS} == {
        ("promotions", "skipped", 0),
        ("coupons", "skipped", 0),
    }
    assert db.session.scalar(select(Promotion.id).where(Promotion.account_id == account_id)) is None
    assert client.get(f"/api/v1/accounts/{account_id}/data/promotions").get_json()["rows"] == []
    refused = client.post(f"/api/v1/accounts/{account_id}/push/promotion-deactivations", json={"items": [{"activity": "1"}]})
    assert refused.status_code == 422 and "Promotions feature is off" in refused.get_json()["error"]["fields"]["items[0].activity"][0]


def test_the_seller_deactivates_an_activity_from_the_erp(client, app, app_env, server, shop, reader):
    from erp_integrations.models import PushRequest

    running = activities(shop, "ONGOING")[0]
    response = client.post(f"/api/v1/accounts/{shop}/push/promotion-deactivations", json={"items": [{"activity": running.external_id}]})
    assert response.status_code == 202 and response.get_json()["items"][0]["status"] == "queued"
    run_jobs(app, app_env)  # the push, then the promotions sync it asks for
    assert reader.request("GET", f"/promotion/202309/activities/{running.external_id}")["status"] == "DEACTIVATED"
    assert [a.status for a in activities(shop) if a.id == running.id] == ["DEACTIVATED"]
    assert truth(server)["promotions"]["activities"]["by_status"] == erp_stats(shop, truth(server))["promotions"]["activities"]["by_status"]

    # Bad input is refused before it is recorded, with the field and the reason.
    expired = activities(shop, "EXPIRED")[0]
    cases = {
        running.external_id: "DEACTIVATED: only an activity not over yet",
        expired.external_id: "EXPIRED: only an activity not over yet",
        "7136999999999999999": "no synced promotion activity",
    }
    from erp_integrations.extensions import db

    before = db.session.scalar(select(PushRequest.id).order_by(PushRequest.id.desc()))
    for activity_id, message in cases.items():
        refused = client.post(f"/api/v1/accounts/{shop}/push/promotion-deactivations", json={"items": [{"activity": activity_id}]})
        assert refused.status_code == 422 and message in refused.get_json()["error"]["fields"]["items[0].activity"][0], refused.get_json()
    empty = client.post(f"/api/v1/accounts/{shop}/push/promotion-deactivations", json={"items": [{}]})
    assert empty.status_code == 422 and "items[0].activity" in empty.get_json()["error"]["fields"]
    assert db.session.scalar(select(PushRequest.id).order_by(PushRequest.id.desc())) == before


def test_a_deactivation_tiktok_refuses_is_recorded_with_its_message(client, app, app_env, server, shop, reader):
    """The ERP's copy is behind: the seller ended the activity in Seller Center meanwhile.
    TikTok refuses the second deactivation; the change fails with its message and the next
    sync shows the activity as TikTok has it."""
    running = activities(shop, "ONGOING")[-1]
    reader.request("POST", f"/promotion/202309/activities/{running.external_id}/deactivate", body={})
    queued = client.post(f"/api/v1/accounts/{shop}/push/promotion-deactivations", json={"items": [{"activity": running.external_id}]})
    assert queued.status_code == 202
    run_jobs(app, app_env)
    failed = client.get(f"/api/v1/accounts/{shop}/push", query_string={"status": "failed", "kind": "promotion_deactivate"}).get_json()["requests"]
    assert [r["target"] for r in failed] == [running.external_id] and "Activity is deactivated" in failed[0]["error"]
    sync(client, app, app_env, shop, streams=["promotions"])
    assert [a.status for a in activities(shop) if a.id == running.id] == ["DEACTIVATED"]


def free_product(reader) -> dict:
    """A product in no running or upcoming activity, asked of the sandbox."""
    taken = set()
    activities = reader.request("POST", "/promotion/202309/activities/search", body={"page_size": 100})["activities"]
    for activity in activities:
        if activity["status"] in ("ONGOING", "NOT_START"):
            taken |= {p["id"] for p in reader.request("GET", f"/promotion/202309/activities/{activity['id']}")["products"]}
    products = reader.request("POST", "/product/202502/products/search", query={"page_size": 100}, body={"status": "ACTIVATE"})["products"]
    return next(p for p in products if p["id"] not in taken)


def pushed(client, app, app_env, shop, kind, *items):
    response = client.post(f"/api/v1/accounts/{shop}/push/{kind}", json={"items": list(items)})
    assert response.status_code == 202, response.get_json()
    run_jobs(app, app_env)  # the push, then the promotions sync it asks for
    return response.get_json()["items"]


def test_the_seller_creates_an_activity_edits_it_and_sets_its_products(client, app, app_env, server, shop, reader):
    from datetime import UTC, datetime, timedelta

    from erp_integrations.extensions import db
    from erp_integrations.models import PromotionProduct

    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    window = {"starts_at": starts.isoformat(), "ends_at": (starts + timedelta(days=7)).isoformat()}
    pushed(client, app, app_env, shop, "promotions", {"title": "Year-end sale", "type": "DIRECT_DISCOUNT", "level": "PRODUCT", **window})
    created = next(a for a in activities(shop) if a.title == "Year-end sale")
    assert (created.status, created.type, created.scope, created.starts_at) == ("NOT_START", "DIRECT_DISCOUNT", "PRODUCT", starts)
    assert reader.request("GET", f"/promotion/202309/activities/{created.external_id}")["title"] == "Year-end sale"

    pushed(client, app, app_env, shop, "promotion-updates", {"activity": created.external_id, "title": "Year-end sale, extended"})
    assert reader.request("GET", f"/promotion/202309/activities/{created.external_id}")["title"] == "Year-end sale, extended"

    product = free_product(reader)
    pushed(
        client, app, app_env, shop, "promotion-products", {"activity": created.external_id, "product": product["id"], "percent_off": 20, "per_buyer_limit": 3}
    )
    detail = reader.request("GET", f"/promotion/202309/activities/{created.external_id}")
    assert [(p["id"], p["discount"], p["quantity_per_user"]) for p in detail["products"]] == [(product["id"], "20", 3)]
    db.session.expire_all()
    rows = db.session.scalars(select(PromotionProduct).where(PromotionProduct.promotion_id == created.id)).all()
    assert [(r.product_external_id, r.percent_off, r.activity_price) for r in rows] == [
        (product["id"], Decimal(20), Decimal(detail["products"][0]["activity_price"]["amount"]))
    ]
    assert [a.discount for a in activities(shop) if a.id == created.id] == ["20% off on 1 product"]

    # TikTok's refusal comes back as the change's error: a product may be in one upcoming activity only.
    other_window = {"starts_at": (starts + timedelta(days=1)).isoformat(), "ends_at": (starts + timedelta(days=3)).isoformat()}
    pushed(client, app, app_env, shop, "promotions", {"title": "Flash hour", "type": "FLASHSALE", "level": "PRODUCT", **other_window})
    flash = next(a for a in activities(shop) if a.title == "Flash hour")
    pushed(client, app, app_env, shop, "promotion-products", {"activity": flash.external_id, "product": product["id"], "price": "1.00"})
    failed = client.get(f"/api/v1/accounts/{shop}/push", query_string={"status": "failed", "kind": "promotion_product"}).get_json()["requests"]
    assert [r["target"] for r in failed] == [f"{flash.external_id}:{product['id']}"] and "cannot be in two" in failed[0]["error"]

    pushed(client, app, app_env, shop, "promotion-product-removals", {"activity": created.external_id, "product": product["id"]})
    assert reader.request("GET", f"/promotion/202309/activities/{created.external_id}")["products"] == []
    db.session.expire_all()
    assert db.session.scalars(select(PromotionProduct).where(PromotionProduct.promotion_id == created.id)).all() == []


def test_bad_promotion_changes_are_refused_per_field(client, shop):
    from datetime import UTC, datetime, timedelta

    soon = datetime.now(UTC) + timedelta(days=1)
    window = {"starts_at": soon.isoformat(), "ends_at": (soon + timedelta(days=2)).isoformat()}
    good = {"title": "Fine", "type": "FIXED_PRICE", "level": "PRODUCT", **window}
    percent_activity = next(a for a in activities(shop) if a.type == "DIRECT_DISCOUNT" and a.scope == "PRODUCT" and a.status in ("ONGOING", "NOT_START"))
    priced_activity = next(a for a in activities(shop) if a.type == "FIXED_PRICE" and a.scope == "PRODUCT" and a.status in ("ONGOING", "NOT_START", "DRAFT"))
    cases = [
        ("promotions", {**good, "title": ""}, "items[0].title", "is required"),
        ("promotions", {**good, "title": "x" * 51}, "items[0].title", "at most 50"),
        ("promotions", {**good, "title": activities(shop)[0].title}, "items[0].title", "titles are unique"),
        ("promotions", {**good, "type": "SHIPPING_DISCOUNT"}, "items[0].type", "must be one of"),
        ("promotions", {**good, "level": "SHOP"}, "items[0].level", "must be one of"),
        ("promotions", {**good, "starts_at": "2026-12-24T09:00:00"}, "items[0].starts_at", "offset"),
        ("promotions", {**good, "starts_at": "2020-01-01T00:00:00Z"}, "items[0].starts_at", "in the future"),
        ("promotions", {**good, "ends_at": window["starts_at"]}, "items[0].ends_at", "after the start"),
        ("promotion-products", {"activity": priced_activity.external_id, "product": "1", "price": "-5.00"}, "items[0].price", "positive"),
        ("promotion-products", {"activity": priced_activity.external_id, "product": "1", "price": 4.5}, "items[0].price", "never a float"),
        ("promotion-products", {"activity": priced_activity.external_id, "product": "1", "percent_off": 10}, "items[0].percent_off", "priced by price"),
        ("promotion-products", {"activity": percent_activity.external_id, "product": "1", "percent_off": 150}, "items[0].percent_off", "1 to 99"),
        (
            "promotion-products",
            {"activity": percent_activity.external_id, "product": "1", "percent_off": 10, "quantity_limit": 0},
            "items[0].quantity_limit",
            "1 to 99",
        ),
        (
            "promotion-products",
            {"activity": percent_activity.external_id, "product": "1", "percent_off": 10, "skus": [{"sku": "2"}]},
            "items[0].skus",
            "whole products",
        ),
        ("promotion-updates", {"activity": percent_activity.external_id}, "items[0].title", "name a new title"),
        ("promotion-product-removals", {"activity": percent_activity.external_id}, "items[0].product", "either product or sku"),
    ]
    for kind, item, field, message in cases:
        response = client.post(f"/api/v1/accounts/{shop}/push/{kind}", json={"items": [item]})
        assert response.status_code == 422, (kind, item, response.get_json())
        fields = response.get_json()["error"]["fields"]
        assert field in fields and message in fields[field][0], (kind, item, fields)


def test_only_those_who_may_configure_the_shop_change_its_promotions(app, client, shop):
    """A viewer reads the Promotions page and API but is refused every change, on the API and
    the page alike, and is offered no form."""
    from auth_support import add_user, api_client, page_client

    add_user("viewer@test.invalid", "viewer", accounts=(shop,), token="eit_promotions-viewer")
    viewer = api_client(app, "eit_promotions-viewer")
    assert viewer.get(f"/api/v1/accounts/{shop}/data/promotions").status_code == 200
    activity = activities(shop, "ONGOING")[0].external_id
    for kind, item in (("promotion-deactivations", {"activity": activity}), ("promotions", {"title": "Not mine"})):
        assert viewer.post(f"/api/v1/accounts/{shop}/push/{kind}", json={"items": [item]}).status_code == 403
    page, csrf = page_client(app, "viewer@test.invalid")
    listed = page.get(f"/accounts/{shop}/data/promotions").get_data(as_text=True)
    assert "Deactivate this activity" not in listed and "New activity" not in listed
    refused = page.post(f"/accounts/{shop}/promotions/{activity}/deactivate", data={"csrf_token": csrf})
    assert refused.status_code == 403
    assert [a.status for a in activities(shop) if a.external_id == activity] == ["ONGOING"]
