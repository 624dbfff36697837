"""What the data API accepts: every parameter it knows, a 422 naming anything else, date
ranges, and money that always says its currency."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import test_browse
from test_browse import BASE, add_orders

shops = test_browse.shops  # the same two-shop fixture


def get(client, account_id, listing="orders", **query):
    return client.get(f"/api/v1/accounts/{account_id}/data/{listing}", query_string=query)


@pytest.mark.parametrize("query", [{"created_after": "2026-11-01"}, {"colour": "red"}, {"status": "x", "sort": "id"}])
def test_unknown_parameters_are_refused_by_name(client, shops, query):
    add_orders(shops[0], [1], ["AWAITING_SHIPMENT"])
    response = get(client, shops[0], **query)
    assert response.status_code == 422
    unknown = next(k for k in query if k not in ("status",))
    assert unknown in response.get_json()["error"]["fields"]
    assert "created_from" in response.get_json()["error"]["fields"][unknown][0]


def test_a_filter_value_must_be_one_the_listing_knows(client, shops):
    add_orders(shops[0], [1, 2], ["AWAITING_SHIPMENT", "DELIVERED"])
    response = get(client, shops[0], status="NOPE")
    assert response.status_code == 422
    message = response.get_json()["error"]["fields"]["status"][0]
    assert "DELIVERED" in message and "AWAITING_SHIPMENT" in message
    # A status the marketplace documents is accepted before any order has it.
    empty = get(client, shops[0], status="CANCELLED")
    assert empty.status_code == 200 and empty.get_json()["rows"] == []


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "1e9", "2026-11-01T25:00"])
def test_bad_dates_are_refused(client, shops, value):
    response = get(client, shops[0], created_from=value)
    assert response.status_code == 422 and "ISO 8601" in response.get_json()["error"]["fields"]["created_from"][0]


def test_an_inverted_range_is_refused(client, shops):
    response = get(client, shops[0], created_from="2026-11-05", created_to="2026-11-01")
    assert response.status_code == 422 and "created_to" in response.get_json()["error"]["fields"]


ZONES = ("America/Los_Angeles", "Asia/Jakarta", "Europe/London", "America/Havana", "Pacific/Chatham", "UTC")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    minutes=st.lists(st.integers(0, 60 * 24 * 6), min_size=1, max_size=30),
    start=st.integers(0, 6),
    days=st.integers(0, 3),
    form=st.sampled_from(("date", "unix", "naive time")),
    zone=st.sampled_from(ZONES),
)
def test_created_ranges_match_an_independent_filter(client, shops, minutes, start, days, form, zone):
    """Dates and times without an offset are on the shop's clock (its reporting zone), like its
    pages and exports; BASE's week holds the end of summer time in Los Angeles and London."""
    from erp_integrations.extensions import db
    from erp_integrations.models import IntegrationAccount, SalesOrder

    db.session.query(SalesOrder).delete()
    account = db.session.get(IntegrationAccount, shops[0])
    account.config = {**account.config, "report_time_zone": zone}
    db.session.commit()
    add_orders(shops[0], minutes)
    clock = ZoneInfo(zone)
    day_from = (BASE + timedelta(days=start)).date()
    day_to = day_from + timedelta(days=days)
    created = [(BASE + timedelta(minutes=m)).astimezone(clock) for m in minutes]
    if form == "unix":  # an instant is an instant: the same range in UTC seconds, the end exclusive
        lo = int(datetime.combine(day_from, datetime.min.time(), UTC).timestamp())
        hi = int(datetime.combine(day_to + timedelta(days=1), datetime.min.time(), UTC).timestamp())
        query = {"created_from": str(lo), "created_to": str(hi)}
        expected = {n for n, m in enumerate(minutes) if lo <= (BASE + timedelta(minutes=m)).timestamp() < hi}
    elif form == "date":  # the shop's days: the end date is included
        query = {"created_from": day_from.isoformat(), "created_to": day_to.isoformat()}
        expected = {n for n, when in enumerate(created) if day_from <= when.date() <= day_to}
    else:  # wall-clock times on the shop's clock, the end exclusive
        lo_wall, hi_wall = datetime.combine(day_from, time(6)), datetime.combine(day_to, time(18))
        query = {"created_from": lo_wall.isoformat(), "created_to": hi_wall.isoformat()}
        expected = {n for n, when in enumerate(created) if lo_wall <= when.replace(tzinfo=None) < hi_wall}
    body = get(client, shops[0], limit=200, **query).get_json()
    assert {r["external_id"] for r in body["rows"]} == {f"{shops[0]}-{n}" for n in expected}


def test_money_in_every_listing_row_carries_its_currency(client, shops):
    from erp_integrations.browse import LISTINGS

    add_orders(shops[0], [1])
    row = get(client, shops[0]).get_json()["rows"][0]
    assert row["currency"] == "USD" and "total_amount" in row
    for listing in LISTINGS.values():
        if listing.has_money:
            response = get(client, shops[0], listing.name)
            assert response.status_code == 200, listing.name


def test_the_pages_show_the_same_refusal(app, client, shops):
    from auth_support import ADMIN_EMAIL  # noqa: F401

    page = app.test_client()
    with page.session_transaction() as session:
        from erp_integrations.extensions import db
        from erp_integrations.models import User

        user = db.session.query(User).first()
        session["uid"], session["sv"], session["csrf"] = user.id, user.session_version, "t"
    response = page.get(f"/accounts/{shops[0]}/data/orders?created_from=soon")
    assert response.status_code == 422
    assert "ISO 8601" in response.get_data(as_text=True)
