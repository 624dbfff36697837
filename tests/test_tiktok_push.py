"""Push end to end: ERP stock, price and shipment changes through the outbox, the push job
(RQ worker processes or the embedded queue) and the client, checked in the sandbox itself."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import pytest
from sqlalchemy import select

from sandbox_support import authorize, client_for, control, start_sandbox
from sync_support import connect, run_jobs, sync

INVENTORY_UPDATE = "/product/202309/products/{}/inventory/update"


@pytest.fixture(scope="module")
def server():
    s = start_sandbox(orders=600, shops=1)
    yield s
    s.stop()


@pytest.fixture
def shop(client, app, app_env, server):
    """An account connected to the sandbox with its catalogue, stock and orders synced."""
    control(server, "DELETE", "/faults")
    account_id = connect(client, server)
    sync(client, app, app_env, account_id, streams=["warehouses", "products", "inventory", "orders", "packages"])
    return account_id


@pytest.fixture
def reader(server):
    """An independent client of the sandbox: what TikTok now holds, not what the ERP thinks."""
    return client_for(server, authorize(server))


def skus_of(app, account_id):
    from erp_integrations.extensions import db
    from erp_integrations.models import Product, ProductVariant

    rows = db.session.execute(
        select(ProductVariant, Product.external_id)
        .join(Product, Product.id == ProductVariant.product_id)
        .where(ProductVariant.account_id == account_id)
        .order_by(ProductVariant.id)
    ).all()
    by_product: dict[str, list] = {}
    for variant, product_id in rows:
        by_product.setdefault(product_id, []).append(variant)
    return by_product


def sandbox_stock(reader, sku_ids) -> dict[tuple[str, str], int]:
    data = reader.request("POST", "/product/202309/inventory/search", body={"sku_ids": list(sku_ids)})
    return {(s["id"], w["warehouse_id"]): w["available_quantity"] for p in data["inventory"] for s in p["skus"] for w in s["warehouse_inventory"]}


def calls(server, endpoint: str = "POST " + INVENTORY_UPDATE.format("{product_id}")) -> int:
    """Requests the sandbox has served to one endpoint (all products together)."""
    return control(server, "GET", "/requests").json().get(endpoint, 0)


@pytest.fixture
def debounced(app):
    """Hold push jobs back long enough for a burst of requests to pile up. RQ jobs wait for
    the worker the test starts anyway; the embedded queue would run them at once, so there the
    debounce delay is what holds them (and its join waits for the delay to pass)."""
    from dataclasses import replace

    from erp_integrations.jobs import get_queue_backend
    from erp_integrations.jobs.queue import EmbeddedQueue

    settings = app.config["ERP_SETTINGS"]
    if isinstance(get_queue_backend(app), EmbeddedQueue):
        app.config["ERP_SETTINGS"] = replace(settings, push_debounce_seconds=1.0)
    yield
    app.config["ERP_SETTINGS"] = settings


def push(client, account_id, kind, *items):
    response = client.post(f"/api/v1/accounts/{account_id}/push/{kind}", json={"items": list(items)})
    assert response.status_code == 202, response.get_json()
    return response.get_json()["items"]


def outbox(client, account_id, **filters):
    return client.get(f"/api/v1/accounts/{account_id}/push", query_string=filters).get_json()["requests"]


def test_a_burst_of_stock_changes_is_one_call_per_product_with_the_latest_values(client, app, app_env, server, shop, reader, debounced):
    from erp_integrations.extensions import db
    from erp_integrations.models import IntegrationLog, StockLevel, Warehouse

    (product_id, variants), (other_product, other_variants) = list(skus_of(app, shop).items())[:2]
    first, second, third = variants[0], variants[-1], other_variants[0]
    default = db.session.scalars(select(Warehouse).where(Warehouse.account_id == shop, Warehouse.is_default)).one()
    before = calls(server)

    # Three requests before the job runs: by seller SKU and by SKU id, the same SKU twice.
    push(client, shop, "stock", {"sku": first.seller_sku, "quantity": 5})
    push(client, shop, "stock", {"sku": first.external_id, "quantity": 7}, {"sku": second.external_id, "quantity": 3})
    push(client, shop, "stock", {"sku": third.external_id, "quantity": 11})
    run_jobs(app, app_env)

    assert calls(server) - before == 2  # one per product
    held = sandbox_stock(reader, [first.external_id, second.external_id, third.external_id])
    assert held[(first.external_id, default.external_id)] == 7
    assert held[(second.external_id, default.external_id)] == 3
    assert held[(third.external_id, default.external_id)] == 11
    assert {r["status"] for r in outbox(client, shop)} == {"sent"}

    db.session.expire_all()
    mirrored = db.session.scalars(select(StockLevel).where(StockLevel.variant_id == first.id, StockLevel.warehouse_id == default.id)).one()
    assert mirrored.available == 7
    logged = db.session.scalars(select(IntegrationLog.message).where(IntegrationLog.account_id == shop, IntegrationLog.event == "stock_pushed")).all()
    assert any(f"SKU {first.external_id}" in m and m.endswith("set to 7") for m in logged), logged


def test_unchanged_stock_is_not_pushed_again_and_negative_stock_goes_out_as_zero(client, app, app_env, server, shop, reader):
    product_id, variants = next(iter(skus_of(app, shop).items()))
    sku = variants[0].external_id
    push(client, shop, "stock", {"sku": sku, "quantity": 4})
    run_jobs(app, app_env)
    count = calls(server)

    assert push(client, shop, "stock", {"sku": sku, "quantity": 4})[0]["status"] == "unchanged"
    run_jobs(app, app_env)
    assert calls(server) == count

    result = push(client, shop, "stock", {"sku": sku, "quantity": -3})[0]
    assert result["status"] == "queued" and "pushed 0" in result["note"]
    run_jobs(app, app_env)
    assert min(q for (s, _), q in sandbox_stock(reader, [sku]).items() if s == sku) == 0
    assert "never pushed negative" in outbox(client, shop, kind="stock")[0]["payload"]["note"]


def test_a_refused_warehouse_fails_its_change_alone_with_tiktoks_message(client, app, app_env, server, shop, reader):
    from erp_integrations.extensions import db
    from erp_integrations.models import Warehouse

    product_id, variants = next(iter(skus_of(app, shop).items()))
    returns = db.session.scalars(select(Warehouse).where(Warehouse.account_id == shop, Warehouse.kind == "RETURN_WAREHOUSE")).one()
    push(
        client,
        shop,
        "stock",
        {"sku": variants[0].external_id, "warehouse": returns.external_id, "quantity": 9},
        {"sku": variants[-1].external_id, "quantity": 8},
    )
    run_jobs(app, app_env)

    rows = {r["target"]: r for r in outbox(client, shop)}
    refused = rows[f"{variants[0].external_id}@{returns.external_id}"]
    assert refused["status"] == "failed" and "12052097" in refused["error"]
    assert [r["status"] for t, r in rows.items() if t != refused["target"]] == ["sent"]


def test_a_marketplace_outage_keeps_the_change_until_a_retry_sends_it(client, app, app_env, server, shop, reader):
    from erp_integrations.jobs import get_queue_backend
    from erp_integrations.jobs.queue import EmbeddedQueue

    product_id, variants = next(iter(skus_of(app, shop).items()))
    sku = variants[0].external_id
    control(server, "PUT", "/faults", json={"unavailable_rate": 1.0, "paths": [INVENTORY_UPDATE.format(product_id)]})
    push(client, shop, "stock", {"sku": sku, "quantity": 21})
    backend = get_queue_backend(app)
    if isinstance(backend, EmbeddedQueue):
        known = len(backend.failures)
        backend.join()
        assert "503" in backend.failures[known]["error"] or "unavailable" in backend.failures[known]["error"].lower()
    else:
        run_jobs(app, app_env)  # the job fails, and waits for its retry in RQ's scheduled registry
    pending = outbox(client, shop)[0]
    assert pending["status"] == "pending" and pending["attempts"] == 1 and pending["error"]

    control(server, "DELETE", "/faults")
    assert client.post(f"/api/v1/accounts/{shop}/push/requests/{pending['id']}/retry").status_code == 202
    run_jobs(app, app_env)
    assert outbox(client, shop)[0]["status"] == "sent"
    assert 21 in {q for (s, _), q in sandbox_stock(reader, [sku]).items() if s == sku}


def test_a_price_change_reaches_tiktok_and_the_erp_variant(client, app, app_env, server, shop, reader):
    from erp_integrations.extensions import db
    from erp_integrations.models import ProductVariant

    product_id, variants = next(iter(skus_of(app, shop).items()))
    variant = variants[0]
    push(client, shop, "prices", {"sku": variant.external_id, "amount": "19.95"})
    run_jobs(app, app_env)

    detail = reader.request("GET", f"/product/202309/products/{product_id}")
    held = {s["id"]: s["price"] for s in detail["skus"]}[variant.external_id]
    assert Decimal(held["sale_price"]) == Decimal("19.95")
    db.session.expire_all()
    assert db.session.get(ProductVariant, variant.id).price == Decimal("19.95")


def test_an_erp_shipment_ships_the_package_and_the_order_follows(client, app, app_env, server, shop, reader):
    from erp_integrations.extensions import db
    from erp_integrations.models import SalesOrder, Shipment

    order = db.session.scalars(
        select(SalesOrder).where(SalesOrder.account_id == shop, SalesOrder.status == "AWAITING_SHIPMENT").order_by(SalesOrder.id)
    ).first()
    assert order is not None, "the seeded sandbox always has orders awaiting shipment"
    result = push(client, shop, "shipments", {"order": order.external_id, "tracking_number": "ERP-TRACK-0001"})[0]
    run_jobs(app, app_env)  # the push, then the orders and packages syncs it enqueues

    db.session.expire_all()
    assert db.session.get(SalesOrder, order.id).status == "AWAITING_COLLECTION"
    shipment = db.session.scalars(select(Shipment).where(Shipment.account_id == shop, Shipment.external_id == result["target"])).one()
    assert shipment.tracking_number == "ERP-TRACK-0001"
    package = reader.request("GET", f"/fulfillment/202309/packages/{result['target']}")
    assert package["tracking_number"] == "ERP-TRACK-0001"

    # Shipping it again is refused by TikTok, recorded with its message, not retried forever.
    push(client, shop, "shipments", {"package": result["target"], "tracking_number": "ERP-TRACK-0002"})
    run_jobs(app, app_env)
    again = [r for r in outbox(client, shop, kind="shipment") if r["target"] == result["target"]][0]
    assert again["status"] == "failed" and "code" in again["error"]


@pytest.mark.parametrize(
    "kind, item, field, message",
    [
        ("stock", {"sku": "no-such-sku", "quantity": 1}, "items[0].sku", "no synced SKU"),
        ("stock", {"sku": "x", "quantity": 1.5}, "items[0].quantity", "whole number"),
        ("stock", {"quantity": 1}, "items[0].sku", "required"),
        ("prices", {"sku": "x", "amount": 19.95}, "items[0].amount", "never a float"),
        ("prices", {"sku": "x", "amount": "-1"}, "items[0].amount", "positive"),
        ("shipments", {"tracking_number": "T"}, "items[0].package", "either package"),
        ("shipments", {"order": "1", "tracking_number": "T", "handover_method": "TELEPORT"}, "items[0].handover_method", "DROP_OFF or PICKUP"),
    ],
)
def test_invalid_push_requests_get_a_message_per_field_and_record_nothing(client, app, server, shop, kind, item, field, message):
    if "sku" in item and item["sku"] == "x":
        item = {**item, "sku": next(iter(skus_of(app, shop).values()))[0].external_id}
    response = client.post(f"/api/v1/accounts/{shop}/push/{kind}", json={"items": [item]})
    assert response.status_code == 422
    assert message in " ".join(response.get_json()["error"]["fields"][field])
    assert outbox(client, shop) == []


def test_push_errors_outside_items(client, app, server, shop):
    assert client.post(f"/api/v1/accounts/{shop}/push/discounts", json={"items": []}).status_code == 404
    assert client.post(f"/api/v1/accounts/{shop}/push/stock", data="not json").status_code == 415  # no JSON content type
    assert client.post(f"/api/v1/accounts/{shop}/push/stock", data="not json", content_type="application/json").status_code == 400
    assert client.post(f"/api/v1/accounts/{shop}/push/stock", json={"items": []}).get_json()["error"]["fields"] == {"items": ["must be a non-empty list"]}
    assert client.get(f"/api/v1/accounts/{shop}/push?status=lost").status_code == 422
    assert client.post(f"/api/v1/accounts/{shop}/push/requests/999/retry").status_code == 404


def test_push_cli(app, app_env, cli_env, server, shop, reader):
    """``erp-integrations push stock``: pushes at once without Redis, queues for workers with it."""
    _, variants = next(iter(skus_of(app, shop).items()))
    sku = variants[0].external_id
    result = subprocess.run(
        [sys.executable, "-m", "erp_integrations", "push", "stock", str(shop), sku, "13"], env=cli_env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "queued" in result.stdout
    if "REDIS_URL" in app_env:
        run_jobs(app, app_env)
    else:
        assert "sent 1, failed 0" in result.stdout
    assert 13 in {q for (s, _), q in sandbox_stock(reader, [sku]).items() if s == sku}
    refused = subprocess.run(
        [sys.executable, "-m", "erp_integrations", "push", "stock", str(shop), "nope", "1"], env=cli_env, capture_output=True, text=True, timeout=120
    )
    assert refused.returncode == 2 and "sku: no synced SKU" in refused.stderr


# -- the seller's answers to return and cancellation requests ----------------------------------


@pytest.fixture
def requests_pending(client, app, app_env, server, shop):
    """Two returns (a refund, a return-and-refund) and a cancellation request opened by buyers in
    the sandbox, then synced: their ids in the ERP."""
    from erp_integrations.extensions import db
    from erp_integrations.models import SalesOrder

    cipher = control(server, "GET", "/shops").json()["shops"][0]["cipher"]
    by_status = lambda status: db.session.scalars(  # noqa: E731
        select(SalesOrder.external_id).where(SalesOrder.account_id == shop, SalesOrder.status == status).order_by(SalesOrder.id)
    ).all()
    # The sandbox lives for the module: take orders no earlier test opened a request on.
    refund = _open(server, cipher, by_status("DELIVERED"), "return", {"type": "REFUND"})
    return_ = _open(server, cipher, by_status("DELIVERED"), "return", {"type": "RETURN_AND_REFUND"})
    cancelled = _open(server, cipher, by_status("AWAITING_SHIPMENT"), "cancel", {"request": True})
    sync(client, app, app_env, shop, streams=["returns", "cancellations"])
    return {
        "refund": _after_sale(shop, "return", refund),
        "return": _after_sale(shop, "return", return_),
        "cancellation": _after_sale(shop, "cancellation", cancelled),
    }


def _open(server, cipher, order_ids, action, body) -> str:
    """The first of ``order_ids`` on which the buyer's request could be opened (409: it has one)."""
    for order_id in order_ids:
        response = control(server, "POST", f"/shops/{cipher}/orders/{order_id}/{action}", json=body)
        if response.status_code == 200:
            return order_id
        assert response.status_code == 409, response.text
    raise AssertionError(f"no order left to {action}")


def _after_sale(account_id, kind, order_id):
    from erp_integrations.extensions import db
    from erp_integrations.models import AfterSale

    db.session.expire_all()
    return db.session.scalars(
        select(AfterSale)
        .where(AfterSale.account_id == account_id, AfterSale.kind == kind, AfterSale.order_external_id == order_id)
        .order_by(AfterSale.id.desc())
    ).first()


def tiktok_return_status(reader, return_id) -> str:
    return reader.request("POST", "/return_refund/202309/returns/search", body={"return_ids": [return_id]})["return_orders"][0]["return_status"]


def test_approving_returns_in_the_erp_decides_them_on_tiktok_and_syncs_back(client, app, app_env, shop, reader, requests_pending):
    from erp_integrations.extensions import db

    refund, return_ = requests_pending["refund"], requests_pending["return"]
    assert refund.status == return_.status == "RETURN_OR_REFUND_REQUEST_PENDING"
    push(client, shop, "return-decisions", {"return": refund.external_id, "decision": "approve"}, {"return": return_.external_id, "decision": "approve"})
    run_jobs(app, app_env)  # the pushes, then the returns and orders syncs they enqueue

    # A refund completes at once; a return-and-refund waits for the buyer to send the item back.
    assert tiktok_return_status(reader, refund.external_id) == "RETURN_OR_REFUND_REQUEST_COMPLETE"
    assert tiktok_return_status(reader, return_.external_id) == "AWAITING_BUYER_SHIP"
    db.session.expire_all()
    assert db.session.get(type(refund), refund.id).status == "RETURN_OR_REFUND_REQUEST_COMPLETE"
    assert db.session.get(type(return_), return_.id).status == "AWAITING_BUYER_SHIP"

    # Deciding again is refused before anything is recorded: the ERP knows it is no longer pending.
    again = client.post(
        f"/api/v1/accounts/{shop}/push/return-decisions", json={"items": [{"return": refund.external_id, "decision": "reject", "reject_reason": "x"}]}
    )
    assert again.status_code == 422
    assert "only a pending request" in again.get_json()["error"]["fields"]["items[0].return"][0]


def test_rejecting_a_return_takes_one_of_tiktoks_reasons(client, app, app_env, shop, reader, requests_pending):
    from erp_integrations.extensions import db

    refund = requests_pending["refund"]
    reasons = client.get(f"/api/v1/accounts/{shop}/after-sales/return/{refund.external_id}/reject-reasons").get_json()["reasons"]
    assert reasons and all(r["name"] and r["text"] for r in reasons)

    # A reason TikTok does not know fails the change with TikTok's message, and changes nothing there.
    push(client, shop, "return-decisions", {"return": refund.external_id, "decision": "reject", "reject_reason": "because"})
    run_jobs(app, app_env)
    failed = [r for r in outbox(client, shop, kind="return_decision") if r["target"] == refund.external_id][0]
    assert failed["status"] == "failed" and "is not a reason for rejecting" in failed["error"]
    assert tiktok_return_status(reader, refund.external_id) == "RETURN_OR_REFUND_REQUEST_PENDING"

    push(
        client,
        shop,
        "return-decisions",
        {"return": refund.external_id, "decision": "reject", "reject_reason": reasons[0]["name"], "comment": "agreed with the buyer"},
    )
    run_jobs(app, app_env)
    assert tiktok_return_status(reader, refund.external_id) == "REFUND_OR_RETURN_REQUEST_REJECT"
    db.session.expire_all()
    assert db.session.get(type(refund), refund.id).status == "REFUND_OR_RETURN_REQUEST_REJECT"
    sent = [r for r in outbox(client, shop, kind="return_decision") if r["target"] == refund.external_id][0]
    assert sent["status"] == "sent" and sent["payload"]["reject_reason"] == reasons[0]["name"]


def test_approving_a_cancellation_request_cancels_the_order(client, app, app_env, shop, reader, requests_pending):
    from erp_integrations.extensions import db
    from erp_integrations.models import SalesOrder

    cancellation = requests_pending["cancellation"]
    assert cancellation.status == "CANCELLATION_REQUEST_PENDING"
    reasons = client.get(f"/api/v1/accounts/{shop}/after-sales/cancellation/{cancellation.external_id}/reject-reasons").get_json()["reasons"]
    assert "seller_reject_apply_product_has_been_packed" in [r["name"] for r in reasons]  # a cancellation's own reasons

    push(client, shop, "cancellation-decisions", {"cancellation": cancellation.external_id, "decision": "approve"})
    run_jobs(app, app_env)
    order = reader.request("GET", "/order/202309/orders", query={"ids": cancellation.order_external_id})["orders"][0]
    assert order["status"] == "CANCELLED"
    db.session.expire_all()
    assert db.session.get(type(cancellation), cancellation.id).status == "CANCELLATION_REQUEST_COMPLETE"
    erp_order = db.session.scalars(select(SalesOrder).where(SalesOrder.account_id == shop, SalesOrder.external_id == cancellation.order_external_id)).one()
    assert erp_order.status == "CANCELLED"


@pytest.mark.parametrize(
    "item, field, message",
    [
        ({"decision": "approve"}, "items[0].return", "required"),
        ({"return": "R", "decision": "maybe"}, "items[0].decision", "approve or reject"),
        ({"return": "R", "decision": "reject"}, "items[0].reject_reason", "is required to reject"),
        ({"return": "R", "decision": "approve", "reject_reason": "x"}, "items[0].reject_reason", "only with a rejection"),
        ({"return": "R", "decision": "approve", "comment": 5}, "items[0].comment", "text of at most"),
        ({"return": "no-such-return", "decision": "approve"}, "items[0].return", "no synced return"),
    ],
)
def test_invalid_decisions_get_a_message_per_field_and_record_nothing(client, shop, requests_pending, item, field, message):
    if item.get("return") == "R":
        item = {**item, "return": requests_pending["refund"].external_id}
    response = client.post(f"/api/v1/accounts/{shop}/push/return-decisions", json={"items": [item]})
    assert response.status_code == 422
    assert message in " ".join(response.get_json()["error"]["fields"][field])
    assert outbox(client, shop) == []
    assert client.get(f"/api/v1/accounts/{shop}/after-sales/return/no-such-return/reject-reasons").status_code == 404
    assert client.get(f"/api/v1/accounts/{shop}/after-sales/refund/x/reject-reasons").status_code == 404


def test_decisions_from_the_cli(app, app_env, cli_env, shop, reader, requests_pending):
    """``erp-integrations push return|cancellation``: a rejection without a reason is a usage
    error; with one it reaches TikTok."""
    refund = requests_pending["refund"]

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "erp_integrations", "push", *args], env=cli_env, capture_output=True, text=True, timeout=120)

    refused = cli("return", str(shop), refund.external_id, "reject")
    assert refused.returncode == 2 and "reject_reason: is required to reject" in refused.stderr
    done = cli("return", str(shop), refund.external_id, "reject", "--reason", "seller_reject_apply_you_have_reached_an_agreement_with_the_buyer")
    assert done.returncode == 0, done.stderr[-2000:]
    if "REDIS_URL" in app_env:
        run_jobs(app, app_env)
    else:
        assert "sent 1, failed 0" in done.stdout
    assert tiktok_return_status(reader, refund.external_id) == "REFUND_OR_RETURN_REQUEST_REJECT"


# -- the seller cancels an order ---------------------------------------------------------------


def test_the_seller_cancels_an_order_not_yet_shipped(client, app, app_env, shop, reader):
    from erp_integrations.extensions import db
    from erp_integrations.models import AfterSale, SalesOrder

    def orders_in(status):
        return db.session.scalars(select(SalesOrder).where(SalesOrder.account_id == shop, SalesOrder.status == status).order_by(SalesOrder.id.desc())).all()

    order = orders_in("AWAITING_SHIPMENT")[0]
    offered = client.get(f"/api/v1/accounts/{shop}/orders/{order.external_id}/cancel-reasons").get_json()
    assert offered["order_status"] == "AWAITING_SHIPMENT" and offered["reasons"]
    names = [r["name"] for r in offered["reasons"]]
    # A reason for unpaid orders does not fit one awaiting shipment: refused here, with the right ones listed.
    wrong = client.post(
        f"/api/v1/accounts/{shop}/push/order-cancellations",
        json={"items": [{"order": order.external_id, "cancel_reason": "seller_cancel_unpaid_reason_out_of_stock"}]},
    )
    assert wrong.status_code == 422 and names[0] in wrong.get_json()["error"]["fields"]["items[0].cancel_reason"][0]

    push(client, shop, "order-cancellations", {"order": order.external_id, "cancel_reason": names[0]})
    run_jobs(app, app_env)  # the push, then the orders and cancellations syncs it asks for
    assert reader.request("GET", "/order/202309/orders", query={"ids": order.external_id})["orders"][0]["status"] == "CANCELLED"
    db.session.expire_all()
    assert db.session.get(SalesOrder, order.id).status == "CANCELLED"
    cancellation = db.session.scalars(
        select(AfterSale).where(AfterSale.account_id == shop, AfterSale.kind == "cancellation", AfterSale.order_external_id == order.external_id)
    ).one()
    assert (cancellation.role, cancellation.status) == ("SELLER", "CANCELLATION_REQUEST_COMPLETE")

    # Cancelled, or delivered: nothing to offer, and a request is refused before it is recorded.
    for done in (order, orders_in("DELIVERED")[0]):
        assert client.get(f"/api/v1/accounts/{shop}/orders/{done.external_id}/cancel-reasons").get_json()["reasons"] == []
        refused = client.post(f"/api/v1/accounts/{shop}/push/order-cancellations", json={"items": [{"order": done.external_id, "cancel_reason": names[0]}]})
        assert refused.status_code == 422 and "can cancel only an order that has not shipped" in refused.get_json()["error"]["fields"]["items[0].order"][0]
    assert client.get(f"/api/v1/accounts/{shop}/orders/no-such-order/cancel-reasons").status_code == 404


def test_a_cancellation_tiktok_refuses_is_recorded_with_its_message(client, app, app_env, server, shop, reader):
    """The ERP's copy of the order is behind: it was paid-then-shipped on TikTok meanwhile. The
    reason fits the status the ERP knows; TikTok refuses, and the change fails with its message."""
    from erp_integrations.extensions import db
    from erp_integrations.models import SalesOrder

    order = db.session.scalars(
        select(SalesOrder).where(SalesOrder.account_id == shop, SalesOrder.status == "AWAITING_SHIPMENT").order_by(SalesOrder.id)
    ).first()
    cipher = control(server, "GET", "/shops").json()["shops"][0]["cipher"]
    assert control(server, "POST", f"/shops/{cipher}/orders/{order.external_id}/status", json={"status": "AWAITING_COLLECTION"}).status_code == 200
    reason = client.get(f"/api/v1/accounts/{shop}/orders/{order.external_id}/cancel-reasons").get_json()["reasons"][0]["name"]
    push(client, shop, "order-cancellations", {"order": order.external_id, "cancel_reason": reason})
    run_jobs(app, app_env)
    failed = [r for r in outbox(client, shop, kind="order_cancel") if r["target"] == order.external_id][0]
    assert failed["status"] == "failed" and "cannot be cancelled by the seller" in failed["error"]
    assert reader.request("GET", "/order/202309/orders", query={"ids": order.external_id})["orders"][0]["status"] == "AWAITING_COLLECTION"
