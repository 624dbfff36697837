"""The sandbox's logistics: a warehouse's delivery options, an option's carriers, and a package's
handover time slots, with the errors TikTok documents for each."""

from __future__ import annotations

import pytest

from sandbox_support import authorize, raw_call, shops_of, start_sandbox


@pytest.fixture(scope="module")
def sandbox():
    server = start_sandbox(orders=400, shops=2)
    token = authorize(server, shops=[0, 1])
    shops = shops_of(server)

    def call(path, shop=0, query=None, body=None):
        method = "GET" if body is None else "POST"
        return raw_call(server, method, path, query=query, body=body, token=token["access_token"], cipher=shops[shop]["cipher"]).json()

    yield call
    server.stop()


def warehouses(call, shop=0) -> list[dict]:
    return call("/logistics/202309/warehouses", shop)["data"]["warehouses"]


def test_each_sales_warehouse_offers_its_delivery_options_and_their_carriers(sandbox):
    call = sandbox
    found = {}
    for warehouse in warehouses(call):
        options = call(f"/logistics/202309/warehouses/{warehouse['id']}/delivery_options")["data"]["delivery_options"]
        found[warehouse["type"]] = found.get(warehouse["type"], []) + options
    assert found["RETURN_WAREHOUSE"] == []  # nothing ships from returns
    assert sorted({o["type"] for o in found["SALES_WAREHOUSE"]}) == ["ECONOMY", "EXPRESS", "SEND_BY_SELLER", "STANDARD"]
    assert len({o["id"] for o in found["SALES_WAREHOUSE"]}) == len(found["SALES_WAREHOUSE"])  # each warehouse its own
    assert {o["dimension_limit"]["unit"] for o in found["SALES_WAREHOUSE"]} == {"INCH"}  # a US shop

    by_type = {o["type"]: o["id"] for o in found["SALES_WAREHOUSE"]}
    standard = call(f"/logistics/202309/delivery_options/{by_type['STANDARD']}/shipping_providers")["data"]["shipping_providers"]
    assert standard and all(p["id"].isdigit() and p["name"] for p in standard)
    assert call(f"/logistics/202309/delivery_options/{by_type['ECONOMY']}/shipping_providers")["code"] == 21008117  # TikTok's own
    assert call("/logistics/202309/delivery_options/1/shipping_providers")["code"] == 21008116
    # Another shop's option is not this shop's subscription.
    assert call(f"/logistics/202309/delivery_options/{by_type['STANDARD']}/shipping_providers", shop=1)["code"] == 21008116
    assert call("/logistics/202309/warehouses/1/delivery_options")["code"] == 36009004
    gb = warehouses(call, 1)[0]
    assert {o["dimension_limit"]["unit"] for o in call(f"/logistics/202309/warehouses/{gb['id']}/delivery_options", 1)["data"]["delivery_options"]} == {"CM"}


def test_a_package_awaiting_shipment_has_handover_slots_and_a_shipped_one_none(sandbox):
    call = sandbox

    def package(status, shop=0):
        orders = call("/order/202309/orders/search", shop, {"page_size": 1}, {"order_status": status})["data"]["orders"]
        return orders[0]["packages"][0]["id"]

    slots = call(f"/fulfillment/202309/packages/{package('AWAITING_SHIPMENT')}/handover_time_slots")["data"]
    assert slots["can_pickup"] and slots["can_drop_off"] and slots["can_van_collection"] is False  # vans are UK only
    assert len(slots["pickup_slots"]) == 6 and all(s["start_time"] < s["end_time"] for s in slots["pickup_slots"])
    assert call(f"/fulfillment/202309/packages/{package('AWAITING_SHIPMENT', 1)}/handover_time_slots", 1)["data"]["can_van_collection"] is True
    assert call(f"/fulfillment/202309/packages/{package('IN_TRANSIT')}/handover_time_slots")["code"] == 21001001
    assert call("/fulfillment/202309/packages/1/handover_time_slots")["code"] == 21001001
