"""Shipping labels and packing slips of a shipped package: fetched from the sandbox once, kept
as files in the ERP (the marketplace's link expires), served again without asking."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import select

from sandbox_support import authorize, client_for, control, start_sandbox
from sync_support import ALL_FEATURES, connect, sync

DOCUMENTS = "GET /fulfillment/202309/packages/{package_id}/shipping_documents"


@pytest.fixture(scope="module")
def server():
    s = start_sandbox(orders=300, shops=1)
    yield s
    s.stop()


def package_of(account_id, status):
    """A package of an order in ``status``, and that package's tracking number as the packages
    stream synced it."""
    from erp_integrations.extensions import db
    from erp_integrations.models import OrderLine, SalesOrder, Shipment

    package = db.session.scalars(
        select(OrderLine.package_external_id)
        .join(SalesOrder, SalesOrder.id == OrderLine.order_id)
        .where(SalesOrder.account_id == account_id, SalesOrder.status == status, OrderLine.package_external_id.is_not(None))
        .order_by(SalesOrder.id)
    ).first()
    tracking = db.session.scalar(select(Shipment.tracking_number).where(Shipment.account_id == account_id, Shipment.external_id == package))
    return package, tracking


def document_calls(server) -> int:
    return control(server, "GET", "/requests").json().get(DOCUMENTS, 0)


def test_a_label_is_fetched_once_kept_and_printed_again(client, app, app_env, server):
    account_id = connect(client, server)
    sync(client, app, app_env, account_id, streams=["orders", "packages"])
    package, tracking = package_of(account_id, "DELIVERED")
    before = document_calls(server)

    url = f"/api/v1/accounts/{account_id}/packages/{package}/documents/shipping_label"
    label = client.get(url)
    assert label.status_code == 200, label.get_data(as_text=True)
    assert label.mimetype == "application/pdf" and label.data.startswith(b"%PDF-1.4") and label.data.rstrip().endswith(b"%%EOF")
    assert f"Package {package}".encode() in label.data and f"Tracking {tracking}".encode() in label.data
    assert f"{package}-shipping-label.pdf" in label.headers["Content-Disposition"]
    assert document_calls(server) == before + 1

    assert client.get(url).data == label.data  # the ERP's copy: TikTok is not asked again
    assert document_calls(server) == before + 1
    assert client.get(url + "?refresh=1").status_code == 200
    assert document_calls(server) == before + 2

    picture = client.get(f"/api/v1/accounts/{account_id}/packages/{package}/documents/SHIPPING_LABEL_PICTURE")
    assert picture.mimetype == "image/png" and picture.data.startswith(b"\x89PNG\r\n\x1a\n")


def test_documents_refused_before_asking(client, app, app_env, server):
    account_id = connect(client, server)
    sync(client, app, app_env, account_id, streams=["orders", "packages"])
    waiting, _ = package_of(account_id, "AWAITING_SHIPMENT")
    shipped, _ = package_of(account_id, "DELIVERED")
    before = document_calls(server)
    base = f"/api/v1/accounts/{account_id}/packages"
    not_shipped = client.get(f"{base}/{waiting}/documents/SHIPPING_LABEL")
    assert not_shipped.status_code == 409 and "has not shipped" in not_shipped.get_json()["error"]["message"]
    assert client.get(f"{base}/no-such-package/documents/SHIPPING_LABEL").status_code == 404
    assert "SHIPPING_LABEL" in client.get(f"{base}/{shipped}/documents/POSTCARD").get_json()["error"]["message"]
    assert document_calls(server) == before


def test_the_logistics_toggle_stands_in_front_of_documents(client, app, app_env, server):
    account_id = connect(client, server, features={**ALL_FEATURES, "logistics": False})
    sync(client, app, app_env, account_id, streams=["orders", "packages"])
    before = document_calls(server)
    refused = client.get(f"/api/v1/accounts/{account_id}/packages/{package_of(account_id, 'DELIVERED')[0]}/documents/SHIPPING_LABEL")
    assert refused.status_code == 409 and "turn on Logistics" in refused.get_json()["error"]["message"]
    assert document_calls(server) == before


def test_the_sandboxs_document_link_is_its_own_credential(server):
    """The doc_url opens without an API signature; altered, it is refused."""
    reader = client_for(server, authorize(server))
    order = reader.request("POST", "/order/202309/orders/search", query={"page_size": 1}, body={"order_status": "DELIVERED"})["orders"][0]
    data = reader.request("GET", f"/fulfillment/202309/packages/{order['packages'][0]['id']}/shipping_documents", query={"document_type": "PACKING_SLIP"})
    assert requests.get(data["doc_url"], timeout=10).content.startswith(b"%PDF")
    forged = data["doc_url"].replace("PACKING_SLIP", "SHIPPING_LABEL")
    assert requests.get(forged, timeout=10).status_code == 403
