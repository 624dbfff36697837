"""The sandbox's seeded data: deterministic, consistent with the documented formulas, paged
with opaque tokens, and in agreement with its own ground truth."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from erp_integrations_tiktok_shop.sandbox.data import ShopData
from erp_integrations_tiktok_shop.sandbox.documents import order_document

from sandbox_support import client_for, control, raw_call, shops_of

AS_OF = 1_790_000_000
DATA = ShopData(seed=7, shops=2, orders=3_000, as_of=AS_OF)


def test_same_seed_same_data_other_seed_other_data():
    again = ShopData(seed=7, shops=2, orders=3_000, as_of=AS_OF)
    other = ShopData(seed=8, shops=2, orders=3_000, as_of=AS_OF)
    shop, same, different = DATA.shops[0], again.shops[0], other.shops[0]
    assert order_document(DATA, shop, DATA.order_core(shop, 123)) == order_document(again, same, again.order_core(same, 123))
    assert (shop.orders.total[:3000] == same.orders.total[:3000]).all()
    assert not (shop.orders.total[:3000] == different.orders.total[:3000]).all()


def test_creation_times_increase_with_the_index():
    """The orders search relies on it to turn a creation window into a slice."""
    created = DATA.shops[0].orders.create_time[:3000]
    assert (created[1:] > created[:-1]).all()
    assert created[0] >= AS_OF - 180 * 86_400 and created[-1] < AS_OF


def test_realistic_proportions():
    cols = DATA.shops[0].orders
    n = cols.count
    returns = (cols.return_requested[:n] > 0).mean()
    cancelled = (cols.cancel_time[:n] > 0).mean()
    affiliate = (cols.creator[:n] >= 0).mean()
    assert 0.03 < returns < 0.07 and 0.015 < cancelled < 0.045 and 0.25 < affiliate < 0.35
    assert set(cols.lines[:n].tolist()) == {1, 2, 3, 4, 5}


@settings(max_examples=300, deadline=None)
@given(shop_index=st.integers(0, 1), index=st.integers(0, 2_999))
def test_every_order_satisfies_the_documented_money_formulas(shop_index, index):
    shop = DATA.shops[shop_index]
    document = order_document(DATA, shop, DATA.order_core(shop, index))
    p = {k: Decimal(v) for k, v in document["payment"].items() if k != "currency"}
    assert p["sub_total"] == p["original_total_product_price"] - p["seller_discount"] - p["platform_discount"]
    assert p["shipping_fee"] == p["original_shipping_fee"] - p["shipping_fee_seller_discount"] - p["shipping_fee_platform_discount"]
    assert p["total_amount"] == p["sub_total"] + p["shipping_fee"] + p["tax"] + p["retail_delivery_fee"]
    lines = document["line_items"]
    assert sum(Decimal(line["original_price"]) for line in lines) == p["original_total_product_price"]
    assert sum(Decimal(line["sale_price"]) for line in lines) == p["sub_total"]
    assert all(Decimal(line["sale_price"]) >= 0 for line in lines)
    places = 0 if shop.decimals == 0 else 2
    assert all(-Decimal(v).as_tuple().exponent <= places for v in document["payment"].values() if v != shop.currency)
    assert Decimal(str(shop.orders.total[index])) / (10**shop.decimals) == p["total_amount"]


@settings(max_examples=100, deadline=None)
@given(index=st.integers(0, 2_999))
def test_affiliate_lines_add_up_to_the_order_commission(index):
    from erp_integrations_tiktok_shop.sandbox.documents import affiliate_order_document

    shop = DATA.shops[0]
    core = DATA.order_core(shop, index)
    if core.creator < 0:
        return
    document = affiliate_order_document(DATA, shop, core, creator_side=False)
    lines = document["skus"]
    estimated = sum(Decimal(line["estimated_paid_commission"]["amount"]) for line in lines)
    base = sum(Decimal(line["estimated_commission_base"]["amount"]) for line in lines)
    assert estimated == Decimal(core.affiliate_commission) / 100
    rate = Decimal(lines[0]["commission_rate"]) / 10_000  # hundredths of a percent
    assert abs(estimated - base * rate) <= Decimal("0.01") * len(lines)


def test_pages_cover_every_order_once_and_match_the_stats(sandbox, seller_token):
    client = client_for(sandbox, seller_token)
    seen, total = [], Decimal(0)
    tokens = []
    for orders, token in client.paginate("POST", "/order/202309/orders/search", "orders", body={}, page_size=100):
        seen += [o["id"] for o in orders]
        total += sum(Decimal(o["payment"]["total_amount"]) for o in orders)
        tokens.append(token)
    stats = control(sandbox, "GET", "/stats", params={"shop": shops_of(sandbox)[0]["cipher"]}).json()
    assert len(seen) == len(set(seen)) == stats["orders"]["count"]
    assert str(total) == stats["orders"]["payment_total"]["USD"]
    assert all("/" in t and "+" in t for t in tokens if t)


def test_a_page_token_only_works_for_its_query(sandbox, seller_token):
    cipher = shops_of(sandbox)[0]["cipher"]
    first = raw_call(
        sandbox, "POST", "/order/202309/orders/search", query={"page_size": 10}, body={}, token=seller_token["access_token"], cipher=cipher
    ).json()["data"]
    other = raw_call(
        sandbox,
        "POST",
        "/order/202309/orders/search",
        query={"page_size": 10, "page_token": first["next_page_token"]},
        body={"order_status": "COMPLETED"},
        token=seller_token["access_token"],
        cipher=cipher,
    ).json()
    assert other["code"] == 36009004 and "page_token" in other["message"]
    garbage = raw_call(
        sandbox,
        "POST",
        "/order/202309/orders/search",
        query={"page_size": 10, "page_token": "not+a/token"},
        body={},
        token=seller_token["access_token"],
        cipher=cipher,
    ).json()
    assert garbage["code"] == 36009004


def test_update_time_filter_and_sort(sandbox, seller_token):
    client = client_for(sandbox, seller_token)
    since = int(time.time()) - 30 * 86_400
    orders = [
        o
        for page, _ in client.paginate(
            "POST", "/order/202309/orders/search", "orders", query={"sort_field": "update_time", "sort_order": "ASC"}, body={"update_time_ge": since}
        )
        for o in page
    ]
    times = [o["update_time"] for o in orders]
    assert orders and min(times) >= since and times == sorted(times)


def test_keyset_pages_do_not_skip_when_data_changes_between_pages(fresh_sandbox):
    client = client_for(fresh_sandbox)
    cipher = shops_of(fresh_sandbox)[0]["cipher"]
    pages = client.paginate("POST", "/order/202309/orders/search", "orders", body={}, page_size=50)
    first, _ = next(pages)
    # New orders arrive between pages (newest first): the walk must neither repeat nor skip.
    control(fresh_sandbox, "POST", f"/shops/{cipher}/orders", json={"count": 5})
    rest = [o["id"] for page, _ in pages for o in page]
    ids = [o["id"] for o in first] + rest
    assert len(ids) == len(set(ids)) == 500


def test_control_api_mutations_show_in_stats(fresh_sandbox):
    cipher = shops_of(fresh_sandbox)[0]["cipher"]
    before = control(fresh_sandbox, "GET", "/stats", params={"shop": cipher}).json()
    made = control(fresh_sandbox, "POST", f"/shops/{cipher}/orders", json={"count": 3}).json()["order_ids"]
    control(fresh_sandbox, "POST", f"/shops/{cipher}/orders/{made[0]}/status", json={"status": "AWAITING_SHIPMENT"})
    refused = control(fresh_sandbox, "POST", f"/shops/{cipher}/orders/{made[1]}/status", json={"status": "DELIVERED"})
    assert refused.status_code == 409
    after = control(fresh_sandbox, "GET", "/stats", params={"shop": cipher}).json()
    assert after["orders"]["count"] == before["orders"]["count"] + 3
    assert after["orders"]["by_status"]["UNPAID"] == before["orders"]["by_status"].get("UNPAID", 0) + 2


def test_orders_placed_at_once_from_many_threads_are_all_distinct(fresh_sandbox):
    from concurrent.futures import ThreadPoolExecutor

    cipher = shops_of(fresh_sandbox)[0]["cipher"]
    before = control(fresh_sandbox, "GET", "/stats", params={"shop": cipher}).json()["orders"]["count"]
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: control(fresh_sandbox, "POST", f"/shops/{cipher}/orders", json={"count": 1}), range(200)))
    assert [r.status_code for r in responses] == [201] * 200
    made = [order_id for r in responses for order_id in r.json()["order_ids"]]
    assert len(set(made)) == 200
    assert control(fresh_sandbox, "GET", "/stats", params={"shop": cipher}).json()["orders"]["count"] == before + 200


def test_faults(fresh_sandbox):
    from erp_integrations import toolkit as errors

    client = client_for(fresh_sandbox)
    control(fresh_sandbox, "PUT", "/faults", json={"error_rate": 1.0, "paths": ["/order/"]})
    with pytest.raises(errors.ServerError) as info:
        client.request("POST", "/order/202309/orders/search", query={"page_size": 1}, body={})
    assert info.value.code == 36009003 and info.value.http_status == 500
    assert client.get_authorized_shops()  # another path is untouched
    control(fresh_sandbox, "PUT", "/faults", json={"error_rate": 0.0, "unavailable_rate": 1.0})
    with pytest.raises(errors.ServerError) as info:
        client.request("POST", "/order/202309/orders/search", query={"page_size": 1}, body={})
    assert info.value.http_status == 503
    control(fresh_sandbox, "PUT", "/faults", json={"unavailable_rate": 0.0, "truncate_rate": 1.0})
    with pytest.raises(errors.TransportError, match="not JSON"):
        client.request("POST", "/order/202309/orders/search", query={"page_size": 1}, body={})
    control(fresh_sandbox, "PUT", "/faults", json={"truncate_rate": 0.0, "timeout_rate": 1.0, "timeout_seconds": 2.0})
    client.timeout = 0.3
    with pytest.raises(errors.TransportError, match="timed out"):
        client.request("POST", "/order/202309/orders/search", query={"page_size": 1}, body={})
    assert control(fresh_sandbox, "GET", "/faults").json()["injected"] == {"error": 1, "unavailable": 1, "truncate": 1, "timeout": 1}
    control(fresh_sandbox, "DELETE", "/faults")
    assert control(fresh_sandbox, "GET", "/faults").json()["injected"] == {}
    client.timeout = 30
    assert client.request("POST", "/order/202309/orders/search", query={"page_size": 1}, body={})["orders"]


def test_latency_fault_delays_answers(fresh_sandbox):
    client = client_for(fresh_sandbox)
    control(fresh_sandbox, "PUT", "/faults", json={"latency_ms": 300})
    started = time.monotonic()
    client.get_authorized_shops()
    assert time.monotonic() - started >= 0.3  # a lower bound the sleep guarantees


def test_revoked_authorization(fresh_sandbox):
    from erp_integrations import toolkit as errors

    client = client_for(fresh_sandbox)
    control(fresh_sandbox, "POST", f"/shops/{shops_of(fresh_sandbox)[0]['cipher']}/deauthorize")
    with pytest.raises(errors.AuthError):
        client.get_authorized_shops()
