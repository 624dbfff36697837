"""Reports end to end: a seeded shop synced through the real job path, every figure of the
summary, the daily series and the affiliate figures compared with the sandbox's own ground truth
(``/sandbox/v1/reports``, computed from its orders and ledger without documents or mappers);
two currencies kept apart; the scope rules; exports read back; and bad input refused."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from test_income import cipher, connect_creator, empty_sandbox, scripted, spread

from sandbox_support import control, shops_of
from sync_support import connect, sync

creator_sandbox = pytest.fixture(empty_sandbox, name="creator_sandbox")


def unix(iso: str) -> int:
    return int(datetime.fromisoformat(iso).timestamp())


def truth_for(server, shop: str, start: int, end: int) -> dict:
    return control(server, "GET", "/reports", params={"shop": shop, "start": start, "end": end}).json()


def summary(client, **params):
    response = client.get("/api/v1/reports/summary", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_every_figure_matches_the_ground_truth(client, app, app_env, fresh_sandbox):
    account_id = connect(client, fresh_sandbox)
    sync(client, app, app_env, account_id)
    shop = cipher(fresh_sandbox)
    today = datetime.now(UTC).date()
    report = summary(client, account=account_id, period="custom", **{"from": (today - timedelta(days=400)).isoformat(), "to": today.isoformat()})
    period = report["period"]
    assert period["time_zone"] == "America/Los_Angeles"  # a US shop's default zone
    truth = truth_for(fresh_sandbox, shop, unix(period["start"]), unix(period["end"]))
    (row,) = report["currencies"]
    figures = row["figures"]
    assert row["currency"] == truth["currency"]
    seller = truth["seller"]
    assert (figures["orders_placed"], figures["orders_counted"], figures["orders_cancelled"], figures["orders_refunded"], figures["units"]) == (
        seller["orders_placed"],
        seller["orders_counted"],
        seller["cancelled_orders"],
        seller["returned_orders"],
        seller["units"],
    )
    assert Decimal(figures["gmv"]) == Decimal(truth["gmv"]) and Decimal(figures["refunds"]) == Decimal(truth["refunds"])
    assert Decimal(figures["taxes"]) == Decimal(truth["tax"]) and Decimal(figures["shipping_charged"]) == Decimal(truth["shipping_fee"])
    assert Decimal(figures["net_sales"]) == Decimal(truth["gmv"]) - Decimal(truth["refunds"])
    assert Decimal(figures["aov"]) == (Decimal(truth["gmv"]) / seller["orders_counted"]).quantize(Decimal("0.01"))
    assert Decimal(figures["cancellation_rate"]) == (Decimal(seller["cancelled_orders"]) / seller["orders_placed"]).quantize(Decimal("0.0001"))
    statements = truth["statements"]
    assert figures["statements"] == statements["count"] > 0
    for name, key in (
        ("settled_revenue", "revenue"),
        ("fees", "fees"),
        ("shipping_cost", "shipping_cost"),
        ("net_settlement", "settlement"),
        ("platform_commission", "platform_commission"),
        ("affiliate_commission_paid", "affiliate_commission"),
    ):
        assert Decimal(figures[name]) == Decimal(statements[key]), name
    assert Decimal(figures["other_fees"]) == 0
    assert Decimal(figures["payouts"]) == Decimal(truth["payouts"]) > 0
    assert Decimal(figures["available_balance"]) == Decimal(truth["balance"])
    assert seller["cancelled_orders"] > 0 and seller["returned_orders"] > 0 and Decimal(statements["affiliate_commission"]) < 0  # teeth


def test_daily_figures_follow_local_days(client, app, app_env, fresh_sandbox):
    """Each local day of a Jakarta month equals the ground truth of that day's own UTC bounds,
    computed here from the zone, not read from the report."""
    from zoneinfo import ZoneInfo

    account_id = connect(client, fresh_sandbox)
    sync(client, app, app_env, account_id)
    shop, zone = cipher(fresh_sandbox), ZoneInfo("Asia/Jakarta")
    first = (datetime.now(UTC) - timedelta(days=40)).date().replace(day=1)
    response = client.get(
        "/api/v1/reports/daily", query_string={"account": account_id, "period": "month", "date": first.isoformat(), "time_zone": "Asia/Jakarta"}
    )
    assert response.status_code == 200, response.get_json()
    rows = response.get_json()["rows"]
    days = [r["day"] for r in rows]
    assert days == sorted(days) and len(days) == len(set(days)) and days[0] == first.isoformat()
    checked = 0
    for r in rows[:: max(1, len(rows) // 8)]:
        day = date.fromisoformat(r["day"])
        start = int(datetime(day.year, day.month, day.day, tzinfo=zone).timestamp())
        truth = truth_for(fresh_sandbox, shop, start, start + 86_400)  # Jakarta keeps no DST
        assert Decimal(r["gmv"]) == Decimal(truth["gmv"]), r["day"]
        assert Decimal(r["net_sales"]) == Decimal(truth["gmv"]) - Decimal(truth["refunds"]), r["day"]
        assert Decimal(r["payouts"]) == Decimal(truth_for(fresh_sandbox, shop, start, start + 86_400)["payouts"]), r["day"]
        checked += Decimal(r["gmv"]) > 0
    assert checked > 0


def test_creator_figures_and_rewards(client, app, app_env, creator_sandbox):
    scripted(creator_sandbox, spread(24, prices=["80.00"], creator=True, commission_rate=1000))
    scripted(creator_sandbox, [{"days_ago": 2, "prices": ["60.00"], "creator": True, "commission_rate": 1500} for _ in range(6)])
    account_id = connect_creator(client, creator_sandbox)
    sync(client, app, app_env, account_id)
    today = datetime.now(UTC).date()
    report = summary(
        client, account=account_id, period="custom", sections="affiliate", **{"from": (today - timedelta(days=100)).isoformat(), "to": today.isoformat()}
    )
    figures = report["currencies"][0]["figures"]
    truth = truth_for(creator_sandbox, cipher(creator_sandbox), unix(report["period"]["start"]), unix(report["period"]["end"]))
    assert figures["creator_orders"] == truth["attributed_orders"] == 30
    for name, key in (
        ("commission_estimated", "estimated_commission"),
        ("commission_actual", "actual_commission"),
        ("commission_awaiting", "estimated_unsettled_commission"),
        ("bonus_estimated", "bonus_estimated"),
        ("bonus_actual", "bonus_actual"),
        ("reward_estimated", "reward_estimated"),
        ("reward_actual", "reward_actual"),
    ):
        assert Decimal(figures[name]) == Decimal(truth[key]), name
    assert Decimal(truth["bonus_actual"]) > 0 and Decimal(truth["reward_estimated"]) > Decimal(truth["reward_actual"]) > 0  # teeth
    assert set(figures) == {n for n in figures if n.startswith(("creator_", "commission_", "bonus_", "reward_"))}


def test_two_currencies_are_never_added(client, app, app_env, fresh_sandbox):
    shops = shops_of(fresh_sandbox)
    us = connect(client, fresh_sandbox, name="US", shops=(0,), region=shops[0]["region"])
    gb = connect(client, fresh_sandbox, name="GB", shops=(1,), region=shops[1]["region"])
    for account_id in (us, gb):
        sync(client, app, app_env, account_id)
    both = summary(client, account=[us, gb], period="custom", **{"from": "2025-01-01", "to": datetime.now(UTC).date().isoformat()})
    assert both["period"]["time_zone"] == "UTC"  # two zones: the report says which it used
    by_currency = {c["currency"]: c["figures"] for c in both["currencies"]}
    assert set(by_currency) == {"USD", "GBP"}
    for account_id, currency in ((us, "USD"), (gb, "GBP")):
        alone = summary(client, account=account_id, period="custom", time_zone="UTC", **{"from": "2025-01-01", "to": datetime.now(UTC).date().isoformat()})
        assert alone["currencies"][0]["figures"] == by_currency[currency]


def test_exports_read_back_to_the_same_rows(client, app, app_env, fresh_sandbox):
    account_id = connect(client, fresh_sandbox)
    sync(client, app, app_env, account_id)
    query = {"account": account_id, "period": "custom", "from": "2025-01-01", "to": datetime.now(UTC).date().isoformat()}
    rows = client.get("/api/v1/reports/daily", query_string=query).get_json()["rows"]
    gmv = sum(Decimal(r["gmv"]) for r in rows)
    as_csv = client.get("/api/v1/reports/daily", query_string={**query, "format": "csv"})
    assert as_csv.status_code == 200 and as_csv.mimetype == "text/csv"
    read = list(csv.DictReader(io.StringIO(as_csv.get_data(as_text=True))))
    assert len(read) == len(rows) and sum(Decimal(r["GMV"]) for r in read) == gmv
    as_xlsx = client.get("/api/v1/reports/daily", headers={"Accept": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}, query_string=query)
    assert as_xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(as_xlsx.get_data())).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:4] == ("Day", "Currency", "Orders", "GMV")
    assert isinstance(values[1][0], datetime) and sum(Decimal(str(v[3])) for v in values[1:]) == gmv


def test_bad_requests_get_a_message(client, app, app_env, fresh_sandbox):
    account_id = connect(client, fresh_sandbox)
    cases = [
        ({"account": account_id, "period": "custom", "from": "2026-05-01", "to": "2026-04-01"}, 422, "to"),
        ({"account": account_id, "period": "custom", "from": "2020-01-01", "to": "2026-01-01"}, 422, "to"),
        ({"account": account_id, "period": "custom", "from": "2026-02-30", "to": "2026-03-01"}, 422, "from"),
        ({"account": account_id, "period": "fortnight"}, 422, "period"),
        ({"account": account_id, "time_zone": "Mars/Olympus"}, 422, "time_zone"),
        ({"account": account_id, "sections": "payroll"}, 422, "sections"),
        ({"account": account_id, "format": "pdf"}, 422, "format"),
        ({"account": account_id, "colour": "red"}, 422, "colour"),
        ({"account": "x"}, 422, "account"),
        ({"account": 999_999}, 404, None),
    ]
    for params, status, field in cases:
        response = client.get("/api/v1/reports/summary", query_string=params)
        assert response.status_code == status, (params, response.get_json())
        error = response.get_json()["error"]
        assert error["message"]
        if field:
            assert field in error["fields"], (params, error)
    unknown = client.get("/api/v1/reports/payroll", query_string={"account": account_id})
    assert unknown.status_code == 404 and "payroll" in unknown.get_json()["error"]["message"]
