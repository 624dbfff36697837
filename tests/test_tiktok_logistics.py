"""The Logistics toggle's delivery options: turned on alone, each sales warehouse's options with
their limits and carriers land in the ERP as TikTok gives them (read here independently of the
connector), once a day; off, nothing of it runs."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from erp_stats import erp_stats
from sandbox_support import authorize, client_for, start_sandbox
from sync_support import ALL_FEATURES, connect, sync, truth

ALONE = {feature: feature == "logistics" for feature in ALL_FEATURES}


@pytest.fixture(scope="module")
def server():
    s = start_sandbox(orders=200, shops=1)
    yield s
    s.stop()


def test_the_toggle_on_alone_syncs_delivery_options_and_their_carriers(client, app, app_env, server):
    from erp_integrations.extensions import db
    from erp_integrations.models import DeliveryOption, Product, SalesOrder

    account_id = connect(client, server, features=ALONE)
    runs = sync(client, app, app_env, account_id)
    assert {r["stream"] for r in runs} == {"warehouses", "delivery_options"}
    expected = truth(server)
    assert erp_stats(account_id, expected)["delivery_options"] == expected["delivery_options"]
    assert db.session.scalar(select(SalesOrder.id).where(SalesOrder.account_id == account_id)) is None
    assert db.session.scalar(select(Product.id).where(Product.account_id == account_id)) is None

    reader = client_for(server, authorize(server))
    stored = {o.external_id: o for o in db.session.scalars(select(DeliveryOption).where(DeliveryOption.account_id == account_id))}
    for warehouse in reader.request("GET", "/logistics/202309/warehouses")["warehouses"]:
        for option in reader.request("GET", f"/logistics/202309/warehouses/{warehouse['id']}/delivery_options")["delivery_options"]:
            row = stored.pop(option["id"])
            assert (row.warehouse_external_id, row.type, row.max_weight, row.weight_unit) == (
                warehouse["id"],
                option["type"],
                option["weight_limit"]["max_weight"],
                option["weight_limit"]["unit"],
            )
            if row.fulfilled_by_platform:
                assert row.carriers == []
            else:
                carriers = reader.request("GET", f"/logistics/202309/delivery_options/{option['id']}/shipping_providers")["shipping_providers"]
                assert row.carriers == [{"id": c["id"], "name": c["name"]} for c in carriers]
    assert stored == {}  # nothing the sandbox does not offer

    # Read again within the day: no call. The page lists them with their carriers.
    again = sync(client, app, app_env, account_id, streams=["delivery_options"])
    assert [(r["status"], r["api_calls"]) for r in again] == [("succeeded", 0)]
    listed = client.get(f"/api/v1/accounts/{account_id}/data/delivery_options?limit=200").get_json()["rows"]
    assert len(listed) == expected["delivery_options"]["count"] and any(row["carriers"] for row in listed)


def test_the_toggle_off_reads_no_delivery_option(client, app, app_env, server):
    from erp_integrations.extensions import db
    from erp_integrations.models import DeliveryOption

    account_id = connect(client, server, features={**ALL_FEATURES, "logistics": False})
    runs = sync(client, app, app_env, account_id, streams=["delivery_options"])
    assert [(r["stream"], r["status"], r["api_calls"]) for r in runs] == [("delivery_options", "skipped", 0)]
    assert db.session.scalar(select(DeliveryOption.id).where(DeliveryOption.account_id == account_id)) is None


def test_a_package_awaiting_shipment_shows_how_and_when_it_can_be_handed_over(client, app, app_env, server):
    from erp_integrations.extensions import db
    from erp_integrations.models import OrderLine, SalesOrder

    account_id = connect(client, server, features={**ALL_FEATURES, "logistics": True})
    sync(client, app, app_env, account_id, streams=["orders"])

    def package_of(status: str) -> str:
        query = select(OrderLine.package_external_id).join(SalesOrder, SalesOrder.id == OrderLine.order_id)
        return db.session.scalars(
            query.where(SalesOrder.account_id == account_id, SalesOrder.status == status, OrderLine.package_external_id.is_not(None))
        ).first()

    awaiting = package_of("AWAITING_SHIPMENT")
    answer = client.get(f"/api/v1/accounts/{account_id}/packages/{awaiting}/handover")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    served = client_for(server, authorize(server)).request("GET", f"/fulfillment/202309/packages/{awaiting}/handover_time_slots")
    assert (body["pickup"], body["drop_off"], body["van_collection"], body["drop_off_url"]) == (
        served["can_pickup"],
        served["can_drop_off"],
        served["can_van_collection"],
        served["drop_off_point_url"],
    )
    assert [
        (int(datetime.fromisoformat(s["starts_at"]).timestamp()), int(datetime.fromisoformat(s["ends_at"]).timestamp()), s["available"]) for s in body["slots"]
    ] == [(s["start_time"], s["end_time"], s["avaliable"]) for s in served["pickup_slots"]]
    assert all(s["starts_at"].endswith("+00:00") for s in body["slots"])  # aware UTC

    shipped = client.get(f"/api/v1/accounts/{account_id}/packages/{package_of('DELIVERED')}/handover")
    assert shipped.status_code == 409 and "nothing to hand over" in shipped.get_json()["error"]["message"]
    assert client.get(f"/api/v1/accounts/{account_id}/packages/no-such-package/handover").status_code == 404
    client.patch(f"/api/v1/accounts/{account_id}", json={"config": {"features": {**ALL_FEATURES, "logistics": False}}})
    off = client.get(f"/api/v1/accounts/{account_id}/packages/{awaiting}/handover")
    assert off.status_code == 409 and "Logistics" in off.get_json()["error"]["message"]
