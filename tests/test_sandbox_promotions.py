"""The sandbox's promotions: activities page by offset to the ground truth, coupons page by
token; creating and editing activities and their products, and deactivation, answer TikTok's
documented errors."""

from __future__ import annotations

import time

import pytest

from sandbox_support import authorize, control, raw_call, shops_of, start_sandbox


@pytest.fixture(scope="module")
def shop():
    server = start_sandbox(orders=2_000)
    token = authorize(server)
    cipher = shops_of(server)[0]["cipher"]

    def call(method, path, query=None, body=None):
        return raw_call(server, method, path, query=query, body=body, token=token["access_token"], cipher=cipher).json()

    def truth() -> dict:
        return control(server, "GET", "/stats", params={"shop": cipher}).json()["promotions"]

    yield call, truth
    server.stop()


def all_activities(call, **filters) -> list[dict]:
    found, token = [], ""
    while True:
        data = call("POST", "/promotion/202309/activities/search", body={"page_size": 5, "page_token": token, **filters})["data"]
        found += data["activities"]
        token = data["next_page_token"]
        if not token:
            return found


def test_activities_page_to_the_ground_truth(shop):
    call, truth = shop
    activities = all_activities(call)
    expected = truth()["activities"]
    assert len({a["id"] for a in activities}) == len(activities) == expected["count"]
    by_status: dict[str, int] = {}
    for a in activities:
        by_status[a["status"]] = by_status.get(a["status"], 0) + 1
    assert by_status == expected["by_status"]
    assert {"ONGOING", "NOT_START", "EXPIRED"} <= set(by_status)
    covered = [call("GET", f"/promotion/202309/activities/{a['id']}")["data"]["products"] for a in activities]
    assert sum(len(p) for p in covered) == expected["products"]
    assert sum(len(s["skus"]) for p in covered for s in p) == expected["skus"]
    assert [a["id"] for a in all_activities(call, status="ONGOING")] == [a["id"] for a in activities if a["status"] == "ONGOING"]


def test_coupons_page_by_token_with_millisecond_times(shop):
    call, truth = shop
    first = call("POST", "/promotion/202406/coupons/search", {"page_size": 3}, {})["data"]
    other_filter = call("POST", "/promotion/202406/coupons/search", {"page_size": 3, "page_token": first["next_page_token"]}, {"status": ["ONGOING"]})
    assert other_filter["code"] != 0  # a token belongs to the query it came from
    coupons = first["coupons"]
    token = first["next_page_token"]
    while token:
        page = call("POST", "/promotion/202406/coupons/search", {"page_size": 3, "page_token": token}, {})["data"]
        coupons += page["coupons"]
        token = page["next_page_token"]
    assert len({c["id"] for c in coupons}) == truth()["coupons"]["count"]
    assert all(c["create_time"] > 10**12 for c in coupons)  # milliseconds, as the sample


def test_deactivate_and_its_documented_errors(shop):
    call, truth = shop
    activities = all_activities(call)
    running = next(a for a in activities if a["status"] == "ONGOING")
    over = next(a for a in activities if a["status"] == "EXPIRED")
    answer = call("POST", f"/promotion/202309/activities/{running['id']}/deactivate", body={})
    assert answer["code"] == 0 and answer["data"]["status"] == "DEACTIVATED" and answer["data"]["update_time"] > running["update_time"]
    assert next(a for a in all_activities(call) if a["id"] == running["id"])["status"] == "DEACTIVATED"
    assert call("POST", f"/promotion/202309/activities/{running['id']}/deactivate", body={})["code"] == 17029010
    assert call("POST", f"/promotion/202309/activities/{over['id']}/deactivate", body={})["code"] == 17029012
    assert call("POST", "/promotion/202309/activities/1/deactivate", body={})["code"] == 17029009
    assert call("POST", "/promotion/202309/activities/search", body={"page_size": 100, "page_token": "9950"})["code"] == 17029059
    assert call("POST", "/promotion/202309/activities/search", body={"status": "LIVE"})["code"] == 17029001


def _free_products(call) -> list[dict]:
    """Active products in no running or upcoming activity, with their SKUs."""
    taken = set()
    for activity in all_activities(call):
        if activity["status"] in ("ONGOING", "NOT_START"):
            taken |= {p["id"] for p in call("GET", f"/promotion/202309/activities/{activity['id']}")["data"]["products"]}
    products = call("POST", "/product/202502/products/search", {"page_size": 100}, {"status": "ACTIVATE"})["data"]["products"]
    return [p for p in products if p["id"] not in taken]


def test_an_activity_is_created_edited_and_its_products_set_with_tiktoks_checks(shop):
    call, truth = shop

    now = int(time.time())
    window = {"begin_time": now + 3_600, "end_time": now + 5 * 86_400}

    def create(**body):
        defaults = {"activity_type": "DIRECT_DISCOUNT", "product_level": "PRODUCT", **window}
        return call("POST", "/promotion/202309/activities", body={**defaults, **body})

    before = truth()["activities"]["count"]
    created = create(title="Winter sale")["data"]
    assert created["status"] == "NOT_START" and truth()["activities"]["count"] == before + 1
    activity = created["activity_id"]
    refusals = {
        17029004: create(title="Winter sale"),  # titles are unique
        17029002: create(title="x" * 51),
        17029001: create(title=" "),
        17029005: create(title="Late", begin_time=now - 60),
        17029006: create(title="Backwards", end_time=now),
        17029008: create(title="Long flash", activity_type="FLASHSALE", end_time=now + 10 * 86_400),
        17029036: create(title="Unknown", activity_type="GIFT"),
        17029052: create(title="Shop-wide discount", product_level="SHOP"),
    }
    assert {code: r["code"] for code, r in refusals.items()} == {code: code for code in refusals}
    assert truth()["activities"]["count"] == before + 1  # nothing refused was kept

    renamed = call("PUT", f"/promotion/202309/activities/{activity}", body={"title": "Winter sale 2"})["data"]
    assert renamed["title"] == "Winter sale 2" and renamed["update_time"] >= created["update_time"]
    assert call("PUT", f"/promotion/202309/activities/{activity}", body={"title": ""})["code"] == 17029003

    free = _free_products(call)
    product, other = free[0], free[1]

    def add(entry):
        return call("PUT", f"/promotion/202309/activities/{activity}/products", body={"products": [entry]})

    entry = {"id": product["id"], "discount": "15", "quantity_limit": 10, "quantity_per_user": 2, "skus": []}
    bad = {
        17029029: {**entry, "discount": None, "activity_price_amount": "5.00"},  # a percentage activity takes percentages
        17029041: {**entry, "discount": None},
        17029020: {**entry, "discount": "100"},
        17029013: {**entry, "skus": [{"id": product["skus"][0]["id"], "discount": "5", "quantity_limit": -1, "quantity_per_user": -1}]},
        17029050: {**entry, "quantity_limit": 100},
        17029017: {**entry, "id": "1"},
    }
    assert {code: add(e)["code"] for code, e in bad.items()} == {code: code for code in bad}
    assert call("PUT", f"/promotion/202309/activities/{activity}/products", body={"products": []})["code"] == 17029033
    assert call("PUT", f"/promotion/202309/activities/{activity}/products", body={"products": [entry, entry]})["code"] == 17029039
    added = add(entry)["data"]
    assert added["total_count"] == 1
    detail = call("GET", f"/promotion/202309/activities/{activity}")["data"]
    lowest = min(float(s["price"]["sale_price"]) for s in product["skus"])
    assert [(p["id"], p["discount"], p["quantity_limit"]) for p in detail["products"]] == [(product["id"], "15", 10)]
    assert abs(float(detail["products"][0]["activity_price"]["amount"]) - lowest * 0.85) < 0.011
    assert add({**entry, "quantity_limit": 5})["code"] == 17029058  # limits only go up

    # A product may be in one running or upcoming activity only.
    second = create(title="Another sale")["data"]["activity_id"]
    taken = call("PUT", f"/promotion/202309/activities/{second}/products", body={"products": [entry]})
    assert taken["code"] == 17029022

    assert call("DELETE", f"/promotion/202309/activities/{activity}/products", body={"product_ids": [other["id"]]})["code"] == 17029051
    removed = call("DELETE", f"/promotion/202309/activities/{activity}/products", body={"product_ids": [product["id"]]})["data"]
    assert removed["status"] == "NOT_START"
    assert call("GET", f"/promotion/202309/activities/{activity}")["data"]["products"] == []
    call("POST", f"/promotion/202309/activities/{activity}/deactivate", body={})
    assert add(entry)["code"] == 17029010  # over: nothing more to change
