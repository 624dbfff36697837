"""Data listings: keyset pages are complete and ordered, filters and search narrow them, and one
shop's rows never show in another's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

BASE = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def shops(app, admin):
    from erp_integrations.accounts import create_account

    config = {"region": "US", "app_key": "abcdef12", "app_secret": "secret-value-1"}
    return create_account("tiktok_shop", {"name": "A", **config}).id, create_account("tiktok_shop", {"name": "B", **config}).id


def add_orders(account_id: int, created: list[int | None], statuses: list[str] | None = None) -> list[int]:
    from erp_integrations.extensions import db
    from erp_integrations.models import SalesOrder

    rows = [
        SalesOrder(
            account_id=account_id,
            external_id=f"{account_id}-{n}",
            remote_created_at=None if minute is None else BASE + timedelta(minutes=minute),
            status=(statuses or ["AWAITING_SHIPMENT"])[n % len(statuses or ["x"])],
            currency="USD",
        )
        for n, minute in enumerate(created)
    ]
    db.session.add_all(rows)
    db.session.commit()
    return [r.id for r in rows]


def expected_order(account_id: int) -> list[str]:
    """Newest first, NULL times first, ties broken by id: computed here, not by the query."""
    from erp_integrations.extensions import db
    from erp_integrations.models import SalesOrder

    rows = db.session.query(SalesOrder.external_id, SalesOrder.remote_created_at, SalesOrder.id).filter_by(account_id=account_id).all()
    return [r[0] for r in sorted(rows, key=lambda r: (r[1] is not None, -(r[1].timestamp() if r[1] else 0), -r[2]))]


def walk(client, account_id, limit, **filters):
    seen, cursor, pages = [], None, []
    for _ in range(1000):  # a cursor that never ends is a failure, not a hang
        response = client.get(f"/api/v1/accounts/{account_id}/data/orders", query_string={"limit": limit, **({"after": cursor} if cursor else {}), **filters})
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        pages.append(body)
        seen += [r["external_id"] for r in body["rows"]]
        cursor = body["next"]
        if cursor is None:
            return seen, pages
    raise AssertionError(f"pagination did not end: {seen[:20]}...")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(created=st.lists(st.one_of(st.none(), st.integers(0, 5)), min_size=0, max_size=30), limit=st.integers(1, 7))
def test_keyset_pages_visit_every_row_once_in_order_both_ways(client, shops, created, limit):
    from erp_integrations.extensions import db
    from erp_integrations.models import SalesOrder

    a, _ = shops
    db.session.query(SalesOrder).delete()
    db.session.commit()
    add_orders(a, created)  # few distinct minutes and NULLs: many ties on the sort column
    forward, pages = walk(client, a, limit)
    assert forward == expected_order(a)
    # Walking back with each page's "prev" cursor retraces the same pages.
    back = []
    for page in reversed(pages[1:]):
        previous = client.get(f"/api/v1/accounts/{a}/data/orders", query_string={"limit": limit, "before": page["prev"]}).get_json()
        back = [r["external_id"] for r in previous["rows"]] + back
    assert back == forward[: len(back)]
    assert len(back) == sum(len(p["rows"]) for p in pages[:-1])


def test_filters_and_search_narrow_the_pages_and_stay_inside_the_account(client, shops):
    a, b = shops
    add_orders(a, list(range(12)), statuses=["AWAITING_SHIPMENT", "CANCELLED", "DELIVERED"])
    add_orders(b, list(range(5)), statuses=["UNPAID"])
    everything, _ = walk(client, a, 5)
    assert len(everything) == 12 and not any(e.startswith(f"{b}-") for e in everything)
    cancelled, _ = walk(client, a, 2, status="CANCELLED")
    assert cancelled == [e for e in everything if int(e.split("-")[1]) % 3 == 1]
    assert walk(client, a, 5, status="UNPAID")[0] == []  # B's status, not A's
    found = client.get(f"/api/v1/accounts/{a}/data/orders", query_string={"q": f"{a}-4"}).get_json()["rows"]
    assert [r["external_id"] for r in found] == [f"{a}-4"]
    assert client.get(f"/api/v1/accounts/{a}/data/orders", query_string={"q": f"{b}-4"}).get_json()["rows"] == []
    choices = client.get(f"/api/v1/accounts/{a}/data/orders", query_string={"with_filters": "1"}).get_json()["filters"]
    assert choices == {"status": ["AWAITING_SHIPMENT", "CANCELLED", "DELIVERED"]}


@pytest.mark.parametrize(
    "args, field", [({"after": "garbage"}, "after"), ({"before": "bnVsbA"}, "before"), ({"limit": "0"}, "limit"), ({"limit": "x"}, "limit")]
)
def test_a_bad_cursor_or_limit_is_a_422_naming_the_parameter(client, shops, args, field):
    response = client.get(f"/api/v1/accounts/{shops[0]}/data/orders", query_string=args)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_an_unknown_listing_or_order_is_a_404(client, shops):
    assert client.get(f"/api/v1/accounts/{shops[0]}/data/nothing").status_code == 404
    assert client.get(f"/api/v1/accounts/{shops[0]}/orders/404").status_code == 404


def test_money_comes_back_as_exact_decimal_strings(client, shops):
    from decimal import Decimal

    from erp_integrations.extensions import db
    from erp_integrations.models import SalesOrder

    a, _ = shops
    db.session.add(SalesOrder(account_id=a, external_id="m1", remote_created_at=BASE, currency="IDR", total_amount=Decimal("123456789.10")))
    db.session.commit()
    [row] = client.get(f"/api/v1/accounts/{a}/data/orders").get_json()["rows"]
    assert isinstance(row["total_amount"], str) and Decimal(row["total_amount"]) == Decimal("123456789.10")
    detail = client.get(f"/api/v1/accounts/{a}/orders/m1").get_json()
    assert Decimal(detail["amounts"]["total_amount"]) == Decimal("123456789.10") and detail["currency"] == "IDR"
