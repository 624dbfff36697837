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
from sqlalchemy import func, select
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
    assert Decimal(figures["settlement_awaiting"]) == Decimal(truth["awaiting"]) > 0
    assert seller["cancelled_orders"] > 0 and seller["returned_orders"] > 0 and Decimal(statements["affiliate_commission"]) < 0  # teeth
    # The figures above came from the rollups, which the sync's jobs kept current: nothing is
    # left marked for a refresh, and each table read from them equals the base tables' own.
    from test_report_rollups import fresh_and_rolled

    from erp_integrations.extensions import db
    from erp_integrations.models import RollupMark
    from erp_integrations.reports.periods import Period

    assert db.session.scalar(select(func.count()).select_from(RollupMark).where(RollupMark.account_id == account_id)) == 0
    fresh, rolled = fresh_and_rolled(account_id, Period("custom", date.fromisoformat(period["from"]), date.fromisoformat(period["to"]), period["time_zone"]))
    assert rolled == fresh and fresh["figures"] and fresh["product"]


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
    assert unknown.status_code == 404 and unknown.get_json()["error"]["message"]


def test_delayed_settlements_alert_through_notify_and_resolve(client, app, plugin_manager):
    """Seller and creator sides aged from delivery; the daily books check raises one alert per
    account through ``notify`` when the first order crosses the line and resolves it when the
    money has come."""
    from erp_integrations.accounts import create_account
    from erp_integrations.extensions import db
    from erp_integrations.hooks import hookimpl
    from erp_integrations.jobs.queue import run_job
    from erp_integrations.models import AffiliateOrder, AffiliateOrderLine, SalesOrder, StatementTransaction

    from test_alerts import open_alerts

    class Notifier:
        seen: list = []

        @hookimpl
        def notify(self, alert):
            self.seen.append((alert.kind, alert.message))

    plugin_manager.register(Notifier(), name="notifier")
    account = create_account("tiktok_shop", {"name": "Late", "region": "US", "app_key": "abcdef12", "app_secret": "secret-value", "settlement_alert_days": 20})
    now = datetime.now(UTC)
    db.session.add(
        SalesOrder(account_id=account.id, external_id="o1", currency="USD", remote_created_at=now - timedelta(days=40), delivered_at=now - timedelta(days=25))
    )
    unsettled = StatementTransaction(
        account_id=account.id, external_id="u1", order_external_id="o1", is_settled=False, currency="USD", settlement_amount=Decimal("41.50")
    )
    creator_order = AffiliateOrder(account_id=account.id, external_id="a1", side="creator", status="ORDERED", delivered_at=now - timedelta(days=31))
    db.session.add_all([unsettled, creator_order])
    db.session.flush()
    db.session.add(
        AffiliateOrderLine(account_id=account.id, external_id="a1-1", affiliate_order_id=creator_order.id, currency="USD", estimated_commission=Decimal("6.20"))
    )
    db.session.commit()

    rows = client.get("/api/v1/reports/delayed-settlements", query_string={"account": account.id, "days": 20}).get_json()["rows"]
    assert [(r["side"], r["order"], r["amount"]) for r in rows] == [("creator", "a1", "6.20"), ("seller", "o1", "41.50")]
    assert [r["age_days"] for r in rows] == [31, 25]
    assert len(client.get("/api/v1/reports/delayed-settlements", query_string={"account": account.id, "days": 30}).get_json()["rows"]) == 1
    assert len(client.get("/api/v1/reports/delayed-settlements", query_string={"account": account.id}).get_json()["rows"]) == 2  # its 20 days

    run_job("check_books", {"account_id": account.id})
    assert [a.kind for a in open_alerts(account.id)] == ["settlement_delayed"]
    assert Notifier.seen[-1] == ("settlement_delayed", "2 order(s) delivered more than 20 days ago are not settled yet (47.70 USD awaited).")
    unsettled.is_settled, creator_order.status = True, "SETTLED"
    db.session.commit()
    run_job("check_books", {"account_id": account.id})
    assert open_alerts(account.id) == []


def test_reconciliation_agrees_on_synced_books_and_lists_each_difference(client, app, app_env, fresh_sandbox):
    """Synced as the marketplace gave them, the books agree. Then one transaction goes missing,
    one payout is altered and one order's revenue is changed: each shows as its own difference
    with its amount, and the daily check raises the alert."""
    from erp_integrations.extensions import db
    from erp_integrations.jobs.queue import run_job
    from erp_integrations.models import Payout, SalesOrder, StatementTransaction

    from test_alerts import open_alerts

    account_id = connect(client, fresh_sandbox)
    sync(client, app, app_env, account_id)
    query = {"account": account_id, "period": "custom", "from": "2025-01-01", "to": datetime.now(UTC).date().isoformat()}
    assert client.get("/api/v1/reports/reconciliation", query_string=query).get_json()["rows"] == []
    run_job("check_books", {"account_id": account_id})
    assert open_alerts(account_id) == []

    db.session.rollback()
    settled = db.session.scalars(
        select(StatementTransaction)
        .where(StatementTransaction.account_id == account_id, StatementTransaction.is_settled.is_(True))
        .order_by(StatementTransaction.id)
    ).all()
    assert len(settled) > 3
    gone, changed = settled[0], settled[1]
    statement_id, missing = gone.statement_external_id, gone.settlement_amount
    db.session.delete(gone)
    order = db.session.scalar(select(SalesOrder).where(SalesOrder.account_id == account_id, SalesOrder.external_id == changed.order_external_id))
    order.sub_total += Decimal("1.00")
    payout = db.session.scalar(select(Payout).where(Payout.account_id == account_id).order_by(Payout.remote_created_at.desc()))  # inside the check's 90 days
    payout.settlement_amount = (payout.settlement_amount or payout.amount) + Decimal("5.00")
    db.session.commit()
    rows = client.get("/api/v1/reports/reconciliation", query_string=query).get_json()["rows"]
    by_check = {r["check"]: r for r in rows}
    assert set(by_check) == {"statement", "payout", "order"}, rows
    assert by_check["statement"]["reference"] == statement_id and Decimal(by_check["statement"]["difference"]) == -missing
    assert by_check["payout"]["reference"] == payout.external_id and Decimal(by_check["payout"]["difference"]) == Decimal("-5.00")
    assert by_check["order"]["reference"] == order.external_id and Decimal(by_check["order"]["difference"]) == Decimal("-1.00")
    run_job("check_books", {"account_id": account_id})
    assert [a.kind for a in open_alerts(account_id)] == ["books_disagree"]


def test_the_cli_exports_a_listing_and_a_report(client, app, app_env, cli_env, fresh_sandbox, tmp_path):
    """``export`` writes what the API serves: every order of the listing (CSV, formulas made
    plain text), and the daily report as a typed workbook."""
    import subprocess
    import sys

    account_id = connect(client, fresh_sandbox)
    sync(client, app, app_env, account_id)
    out = tmp_path / "orders.csv"
    done = subprocess.run(
        [sys.executable, "-m", "erp_integrations", "export", str(account_id), "orders", "-o", str(out)], env=cli_env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    from erp_integrations.extensions import db
    from erp_integrations.models import SalesOrder

    db.session.rollback()
    assert len(rows) == db.session.scalar(select(func.count()).where(SalesOrder.account_id == account_id))
    book = tmp_path / "daily.xlsx"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "erp_integrations",
            "export",
            str(account_id),
            "daily",
            "--from",
            "2025-01-01",
            "--to",
            "2026-11-30",
            "--format",
            "xlsx",
            "-o",
            str(book),
        ],
        env=cli_env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    api = client.get("/api/v1/reports/daily", query_string={"account": account_id, "period": "custom", "from": "2025-01-01", "to": "2026-11-30"}).get_json()[
        "rows"
    ]
    values = list(load_workbook(book).active.iter_rows(min_row=2, values_only=True))
    assert len(values) == len(api) and sum(Decimal(str(v[3])) for v in values) == sum(Decimal(r["gmv"]) for r in api)
    bad = subprocess.run(
        [sys.executable, "-m", "erp_integrations", "export", str(account_id), "payroll", "-o", str(out)], env=cli_env, capture_output=True, text=True
    )
    assert bad.returncode != 0 and "not a report or listing" in bad.stderr


def test_csv_cells_cannot_become_formulas():
    from zoneinfo import ZoneInfo

    from erp_integrations.reports.export import csv_chunks

    columns = (("name", "Name", "text"), ("amount", "Amount", "money"))
    rows = [{"name": '=HYPERLINK("http://x")', "amount": Decimal("-12.50")}, {"name": "@SUM(A1)", "amount": Decimal("3")}, {"name": "-2+3", "amount": None}]
    read = list(csv.reader(io.StringIO("".join(csv_chunks(columns, rows, ZoneInfo("UTC"))))))
    assert read[1:] == [['\'=HYPERLINK("http://x")', "-12.50"], ["'@SUM(A1)", "3"], ["'-2+3", ""]]


def test_a_listing_downloads_every_filtered_row_with_formulas_made_text(client, app, app_env, fresh_sandbox):
    """The products listing as CSV (PostgreSQL's COPY or the Python writer, whichever the
    database allows) and as XLSX: every product the filter selects, not a page of them; titles
    that would run as formulas come back as text in the CSV; money-free listings have no
    currency column."""
    from erp_integrations.extensions import db
    from erp_integrations.models import Product

    account_id = connect(client, fresh_sandbox)
    sync(client, app, app_env, account_id, streams=["products"])
    db.session.rollback()
    products = db.session.scalars(select(Product).where(Product.account_id == account_id).order_by(Product.id)).all()
    products[0].title, products[1].title = "=cmd|' /C calc'!A0", "-12.5"
    db.session.commit()
    url = f"/api/v1/accounts/{account_id}/data/products"
    pages = []
    after = None
    while True:
        page = client.get(url, query_string={"limit": 7, **({"after": after} if after else {})}).get_json()
        pages += page["rows"]
        after = page["next"]
        if not after:
            break
    as_csv = client.get(url, query_string={"format": "csv"})
    assert as_csv.status_code == 200, as_csv.get_data(as_text=True)[:300]
    read = list(csv.DictReader(io.StringIO(as_csv.get_data(as_text=True))))
    assert len(read) == len(pages) == len(products) > 7
    titles = {r["ID"]: r["Title"] for r in read}
    assert titles[products[0].external_id] == "'=cmd|' /C calc'!A0"  # neutralised
    assert titles[products[1].external_id] == "-12.5"  # a number stays a number
    assert list(read[0]) == ["ID", "Title", "Status", "Brand", "Created (America/Los_Angeles)"]
    as_xlsx = client.get(url, query_string={"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(as_xlsx.get_data())).active
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(values) == len(products) and all(isinstance(v[4], datetime) for v in values)
    risky = next(row[1] for row in sheet.iter_rows(min_row=2) if row[0].value == products[0].external_id)
    assert (risky.value, risky.data_type) == ("=cmd|' /C calc'!A0", "s")  # text in the sheet, never a formula
    bad = client.get(url, query_string={"format": "csv", "status": "NOT_A_STATUS"})
    assert bad.status_code == 422 and "status" in bad.get_json()["error"]["fields"]


def test_the_readme_defines_every_figure_as_the_code_does():
    from pathlib import Path

    from erp_integrations.reports.definitions import FIGURES

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for f in FIGURES:
        assert f"| `{f.name}` | {f.label} ({f.kind}) | {f.source} | {f.counts} |" in readme, f.name
