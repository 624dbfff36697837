"""Times an admin can trust: packages dated when they shipped, status history at the
marketplace's own times, and order details that name products and SKUs. Checked against the
sandbox's own answers for the same orders, fetched independently."""

from __future__ import annotations

from datetime import UTC, datetime

from sandbox_support import client_for
from sync_support import connect, sync


def sandbox_orders(server, ids: list[str]) -> dict[str, dict]:
    client = client_for(server)
    found = {}
    for start in range(0, len(ids), 50):
        for order in client.request("GET", "/order/202309/orders", query={"ids": ",".join(ids[start : start + 50])})["orders"]:
            found[order["id"]] = order
    return found


def at(value):
    return None if value in (None, 0) else datetime.fromtimestamp(int(value), UTC)


def test_history_packages_and_details_tell_the_marketplaces_times(client, app, app_env, fresh_sandbox):
    from sqlalchemy import select

    from erp_integrations.extensions import db
    from erp_integrations.models import OrderStatusChange, SalesOrder, Shipment

    account_id = connect(client, fresh_sandbox)
    sync(client, app, app_env, account_id, streams=["orders", "packages"])
    orders = {o.external_id: o for o in db.session.scalars(select(SalesOrder).where(SalesOrder.account_id == account_id))}
    truth = sandbox_orders(fresh_sandbox, sorted(orders))
    assert set(truth) == set(orders)

    # Status history: each step the sandbox dates is recorded at that time, in time order.
    steps = {
        "AWAITING_SHIPMENT": "paid_time",
        "AWAITING_COLLECTION": "rts_time",
        "IN_TRANSIT": "collection_time",
        "DELIVERED": "delivery_time",
        "CANCELLED": "cancel_time",
    }
    checked = 0
    for external_id, order in orders.items():
        history = db.session.scalars(
            select(OrderStatusChange).where(OrderStatusChange.order_id == order.id).order_by(OrderStatusChange.occurred_at, OrderStatusChange.id)
        ).all()
        assert history and history[-1].to_status == truth[external_id]["status"]
        assert [h.occurred_at for h in history] == sorted(h.occurred_at for h in history)
        for h in history:
            if h.to_status in steps and h.time_source == "reported":
                assert h.occurred_at == at(truth[external_id][steps[h.to_status]]), (external_id, h.to_status)
                checked += 1
        if truth[external_id]["status"] == "DELIVERED":
            delivered = next(h for h in history if h.to_status == "DELIVERED")
            assert (delivered.occurred_at, delivered.time_source) == (at(truth[external_id]["delivery_time"]), "reported")
    assert checked > len(orders)  # most orders have several dated steps

    # Packages: dated from their orders (ready to ship, else collected), and shown so.
    packages = db.session.scalars(select(Shipment).where(Shipment.account_id == account_id)).all()
    dated = 0
    for package in packages:
        times = [at(truth[o].get("rts_time")) or at(truth[o].get("collection_time")) for o in package.order_external_ids if o in truth]
        times = [t for t in times if t is not None]
        assert package.shipped_at == (min(times) if times else None), package.external_id
        dated += package.shipped_at is not None
    assert dated > 0

    # The order detail of the API: product and SKU ids on each line, and the delivered time.
    delivered = next(o for o in truth.values() if o["status"] == "DELIVERED")
    detail = client.get(f"/api/v1/accounts/{account_id}/orders/{delivered['id']}").get_json()
    assert detail["times"]["delivered_at"] == at(delivered["delivery_time"]).isoformat()
    expected_lines = {(line["id"], line["product_id"], line["sku_id"], line.get("seller_sku")) for line in delivered["line_items"]}
    assert {(line["id"], line["product_id"], line["sku_id"], line["seller_sku"]) for line in detail["lines"]} == expected_lines
    assert all(h["time_source"] in ("reported", "updated", "observed") for h in detail["status_history"])


def test_a_package_synced_before_its_order_is_dated_when_the_order_arrives(client, app, app_env, fresh_sandbox):
    from sqlalchemy import select

    from erp_integrations.extensions import db
    from erp_integrations.models import Shipment

    account_id = connect(client, fresh_sandbox)
    sync(client, app, app_env, account_id, streams=["packages"])
    db.session.expire_all()
    assert all(p.shipped_at is None for p in db.session.scalars(select(Shipment).where(Shipment.account_id == account_id)))
    sync(client, app, app_env, account_id, streams=["orders"])
    db.session.expire_all()
    assert any(p.shipped_at is not None for p in db.session.scalars(select(Shipment).where(Shipment.account_id == account_id)))
