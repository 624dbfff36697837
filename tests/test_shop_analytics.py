"""Shop analytics: TikTok's own daily figures and customer service over a period, checked
against the sandbox's answers for the same days (summed here, not by the code under test)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest

from sandbox_support import authorize, client_for, start_sandbox
from sync_support import connect, sync


@pytest.fixture(scope="module")
def server():
    s = start_sandbox(orders=400, shops=1)
    yield s
    s.stop()


def test_the_period_adds_up_to_what_tiktok_reports(client, app, app_env, server):
    account_id = connect(client, server)
    sync(client, app, app_env, account_id, streams=["shop_performance", "service_performance"])
    answer = client.get(f"/api/v1/accounts/{account_id}/analytics/shop?days=7")
    assert answer.status_code == 200, answer.get_json()
    figures = answer.get_json()
    first, last = date.fromisoformat(figures["from"]), date.fromisoformat(figures["to"])
    assert (last - first).days == 6

    reader = client_for(server, authorize(server))
    intervals = reader.request(
        "GET",
        "/analytics/202405/shop/performance",
        query={"granularity": "1D", "start_date_ge": first.isoformat(), "end_date_lt": (last + timedelta(days=1)).isoformat()},
    )["performance"]["intervals"]
    expected = defaultdict(lambda: {"gmv": Decimal(0), "orders": 0, "units_sold": 0, "buyers": 0})
    for interval in intervals:
        total = expected[interval["gmv"]["currency"]]
        total["gmv"] += Decimal(interval["gmv"]["amount"])
        for name in ("orders", "units_sold", "buyers"):
            total[name] += int(interval[name])
    assert expected, "the sandbox reports figures for the last week"
    got = {t["currency"]: t for t in figures["totals"]}
    assert set(got) == set(expected)
    for currency, total in expected.items():
        assert Decimal(got[currency]["gmv"]) == total["gmv"]
        assert {k: got[currency][k] for k in ("orders", "units_sold", "buyers")} == {k: total[k] for k in ("orders", "units_sold", "buyers")}

    # Customer service: chats summed, shares weighted by each day's chats, from the sandbox's days.
    days = [first + timedelta(days=k) for k in range(7)]
    rated = []
    for day in days:
        performance = (
            reader.request(
                "GET",
                "/customer_service/202407/performance",
                query={"support_date_ge": day.isoformat(), "support_date_lt": (day + timedelta(days=1)).isoformat()},
            ).get("performance")
            or {}
        )
        if performance.get("support_session_count") is not None:
            rated.append(performance)
    chats = sum(int(p["support_session_count"]) for p in rated)
    assert figures["service"]["chats"] == chats
    if chats:
        weighted = sum(Decimal(p["response_percentage"]) * int(p["support_session_count"]) for p in rated if p.get("response_percentage") is not None) / chats
        assert Decimal(figures["service"]["response_percentage"]) == weighted.quantize(Decimal("0.1"))


def test_only_the_periods_it_offers(client, server):
    account_id = connect(client, server)
    refused = client.get(f"/api/v1/accounts/{account_id}/analytics/shop?days=13")
    assert refused.status_code == 422 and refused.get_json()["error"]["fields"] == {"days": ["must be one of 7, 30, 90"]}
    assert client.get(f"/api/v1/accounts/{account_id}/analytics/shop?day=7").get_json()["error"]["fields"] == {
        "day": ["unknown parameter; this operation takes: days"]
    }
