"""The sandbox's promotions: activities page by offset to the ground truth, coupons page by
token, and deactivation answers TikTok's documented errors."""

from __future__ import annotations

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
