"""Income verification end to end: shops built in the sandbox to match the README's worked
examples, synced through the real job path, reported through the API, the CLI and the page;
a seeded shop compared figure by figure with the sandbox's own ground truth; the statement
signed and verified with the public key alone; and the errors an applicant meets."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlparse

import pytest
import requests

from sandbox_support import control, start_sandbox
from sync_support import account_config, connect, sync

README = __import__("pathlib").Path(__file__).resolve().parents[1] / "README.md"


def empty_sandbox():
    """A sandbox whose shop has no order yet: each test scripts the orders it needs."""
    s = start_sandbox(orders=0, shops=1)
    yield s
    s.stop()


# Two of them: a person's own shop, and the shop whose orders credit them as a creator.
seller_sandbox = pytest.fixture(empty_sandbox, name="seller_sandbox")
creator_sandbox = pytest.fixture(empty_sandbox, name="creator_sandbox")


def cipher(server, index: int = 0) -> str:
    return control(server, "GET", "/shops").json()["shops"][index]["cipher"]


def scripted(server, orders: list[dict]) -> None:
    response = control(server, "POST", f"/shops/{cipher(server)}/orders/scripted", json={"orders": orders})
    assert response.status_code == 201, response.text


def spread(count: int, **spec) -> list[dict]:
    """``count`` orders spread evenly from 85 to 15 days ago (inside a 90-day window, all
    delivered and settled by now)."""
    return [{"days_ago": 85 - 70 * k / max(count - 1, 1), **spec} for k in range(count)]


def connect_creator(client, server) -> int:
    created = client.post("/api/v1/accounts", json={"connector": "tiktok_shop", "config": account_config(server, name="Creator")})
    assert created.status_code == 201, created.get_json()
    account_id = created.get_json()["id"]
    start = client.post(f"/api/v1/accounts/{account_id}/authorize").get_json()
    redirect = requests.get(start["authorization_url"] + "&auto_approve=1&user_type=creator", allow_redirects=False, timeout=10)
    callback = client.get(f"{start['callback_path']}?{urlparse(redirect.headers['Location']).query}")
    assert callback.get_json()["binding"] == "connected", callback.get_json()
    return account_id


def report(client, accounts, **extra):
    response = client.post("/api/v1/income/reports", json={"accounts": accounts, **extra})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def build_seller_example(client, app, app_env, server) -> int:
    """150 orders, $15,000 of GMV (AOV $100), $750 refunded (a 5% return rate by value)."""
    scripted(server, spread(95, prices=["100.00"]) + spread(50, prices=["95.00"]) + spread(5, prices=["150.00"], fate="refunded"))
    account_id = connect(client, server)
    sync(client, app, app_env, account_id)
    return account_id


def build_creator_example(client, app, app_env, server) -> int:
    """200 attributed orders, $30,000 of sales at 15% commission, all settled."""
    scripted(server, spread(200, prices=["150.00"], creator=True, commission_rate=1500))
    account_id = connect_creator(client, server)
    sync(client, app, app_env, account_id)
    return account_id


def test_worked_example_seller(client, app, app_env, seller_sandbox):
    account_id = build_seller_example(client, app, app_env, seller_sandbox)
    usd = report(client, [account_id])["currencies"]["USD"]
    seller = usd["seller"]
    assert (seller["orders_counted"], seller["gmv"], seller["aov"], seller["refunds"]) == (150, "15000.00", "100.00", "750.00")
    assert seller["return_rate"] == "0.0500" and seller["net_revenue"] == "14250.00"
    assert (usd["income"], usd["monthly_income"]) == ("14250.00", "4750.00")
    assert sum(Decimal(m["income"]) for m in usd["months"]) == Decimal("14250.00")


def test_worked_example_creator(client, app, app_env, creator_sandbox):
    account_id = build_creator_example(client, app, app_env, creator_sandbox)
    result = report(client, [account_id])
    usd = result["currencies"]["USD"]
    assert result["subject"]["person"] == "creator"
    assert (usd["creator"]["attributed_orders"], usd["creator"]["sales"], usd["creator"]["actual_commission"]) == (200, "30000.00", "4500.00")
    assert usd["creator"]["commission_rate"] == "0.1500" and usd["creator"]["estimated_unsettled_commission"] == "0.00"
    assert (usd["income"], usd["monthly_income"]) == ("4500.00", "1500.00")


def test_worked_example_seller_and_creator(client, app, app_env, seller_sandbox, creator_sandbox):
    """$10,000 of own-shop revenue and $3,000 of commissions: $13,000, $4,333.33 a month."""
    scripted(seller_sandbox, spread(100, prices=["100.00"]))
    scripted(creator_sandbox, spread(100, prices=["200.00"], creator=True, commission_rate=1500))
    seller_id = connect(client, seller_sandbox)
    creator_id = connect_creator(client, creator_sandbox)
    sync(client, app, app_env, seller_id)
    sync(client, app, app_env, creator_id)
    result = report(client, [seller_id, creator_id])
    usd = result["currencies"]["USD"]
    assert result["subject"]["person"] == "seller and creator"
    assert (usd["seller"]["net_revenue"], usd["creator"]["actual_commission"]) == ("10000.00", "3000.00")
    assert (usd["income"], usd["monthly_income"]) == ("13000.00", "4333.33")


def test_a_seeded_shop_matches_the_sandbox_ground_truth(client, app, app_env, fresh_sandbox):
    """Every figure of a generated shop (cancellations, returns, late shipments, creators)
    against the sandbox's own orders, read without documents or mappers."""
    account_id = connect(client, fresh_sandbox)
    sync(client, app, app_env, account_id)
    result = report(client, [account_id], days=365)
    start = int(datetime.fromisoformat(result["window"]["start"]).timestamp())
    end = int(datetime.fromisoformat(result["window"]["end"]).timestamp())
    truth = control(fresh_sandbox, "GET", "/income", params={"shop": cipher(fresh_sandbox), "start": start, "end": end}).json()
    figures = result["currencies"][truth["currency"]]["seller"]
    for name in ("orders_placed", "orders_counted", "completed_orders", "cancelled_orders", "returned_orders", "units"):
        assert figures[name] == truth["seller"][name], name
    assert Decimal(figures["gmv"]) == Decimal(truth["gmv"]) and Decimal(figures["refunds"]) == Decimal(truth["refunds"])
    late = Decimal(truth["seller"]["late"]) / truth["seller"]["shipped"]
    assert Decimal(figures["late_shipment_rate"]) == late.quantize(Decimal("0.0001"))
    assert truth["seller"]["cancelled_orders"] > 0 and truth["seller"]["returned_orders"] > 0  # the check has teeth
    # Shop quality: the days the ERP stored, weighted by their chats, give the marketplace's own
    # answer for the whole range (90 days: inside the history the sync fetched).
    recent = report(client, [account_id], days=90)
    start = int(datetime.fromisoformat(recent["window"]["start"]).timestamp())
    truth = control(fresh_sandbox, "GET", "/income", params={"shop": cipher(fresh_sandbox), "start": start, "end": end}).json()
    quality = recent["quality"]
    assert quality["available"] and quality["support_sessions"] == truth["service"]["support_session_count"]
    assert (quality["satisfaction_percentage"], quality["response_percentage"]) == (
        truth["service"]["satisfaction_percentage"],
        truth["service"]["response_percentage"],
    )


def test_a_creator_with_unsettled_orders_keeps_estimates_apart(client, app, app_env, creator_sandbox):
    scripted(creator_sandbox, spread(10, prices=["80.00"], creator=True, commission_rate=1000))
    scripted(creator_sandbox, [{"days_ago": 2, "prices": ["80.00"], "creator": True, "commission_rate": 1000} for _ in range(4)])
    account_id = connect_creator(client, creator_sandbox)
    sync(client, app, app_env, account_id)
    creator = report(client, [account_id])["currencies"]["USD"]["creator"]
    now = int(datetime.now(UTC).timestamp())
    truth = control(creator_sandbox, "GET", "/income", params={"shop": cipher(creator_sandbox), "start": now - 90 * 86_400, "end": now + 60}).json()
    assert (creator["actual_commission"], creator["estimated_unsettled_commission"]) == (truth["actual_commission"], truth["estimated_unsettled_commission"])
    assert (creator["actual_commission"], creator["estimated_unsettled_commission"]) == ("80.00", "32.00")


def test_the_score_of_the_worked_examples(client, app, app_env, seller_sandbox):
    account_id = build_seller_example(client, app, app_env, seller_sandbox)
    result = report(client, [account_id])["score"]
    factors = {f["name"]: f for f in result["factors"]}
    # $4,750 a month: the $1,000-5,000 tier, 25 + 25 x 3,750 / 4,000.
    assert factors["revenue"]["value"] == 48.4 and factors["revenue"]["inputs"]["tier"] == "$1,000-5,000"
    assert "return rate 5.0%, at or above the 5% line" in factors["reliability"]["reasons"]
    assert any(
        r.endswith("customer satisfaction over " + str(report(client, [account_id])["quality"]["support_sessions"]) + " chats")
        for r in factors["reliability"]["reasons"]
    )
    assert result["score"] == round(sum(f["value"] * f["weight"] / 100 for f in result["factors"]), 1)
    assert 0 <= result["score"] <= 100


def test_statement_verifies_offline_and_fails_when_changed(client, app, app_env, seller_sandbox, tmp_path):
    from erp_integrations.income import rotate, verify

    account_id = build_seller_example(client, app, app_env, seller_sandbox)
    issued = client.post("/api/v1/income/statements", json={"accounts": [account_id]})
    assert issued.status_code == 201, issued.get_json()
    document = issued.get_json()
    keys = client.get("/.well-known/erp-integrations/income-keys.json").get_json()
    assert client.application.test_client().get("/.well-known/erp-integrations/income-keys.json").status_code == 200  # no sign-in
    # The README's verification script, as a lender would run it, with the public key alone.
    script = re.search(r"```python\n(# verify_statement\.py.*?)```", README.read_text(), flags=re.S).group(1)
    (tmp_path / "verify_statement.py").write_text(script)
    (tmp_path / "keys.json").write_text(json.dumps(keys))

    def lender_verifies(doc) -> bool:
        (tmp_path / "statement.json").write_text(json.dumps(doc))
        run = subprocess.run([sys.executable, "verify_statement.py", "statement.json", "keys.json"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
        return run.returncode == 0

    assert lender_verifies(document)
    for path, value in (
        (("currencies", "USD", "monthly_income"), "4750.01"),
        (("window", "start"), "2020-01-01T00:00:00+00:00"),
        (("subject", "accounts", 0, "id"), account_id + 1),
    ):
        changed = json.loads(json.dumps(document))
        target = changed["statement"]
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
        assert not lender_verifies(changed), path
        assert not verify(changed, keys["keys"])
    old_kid = document["signature"]["kid"]
    new_key = rotate()
    after = client.post("/api/v1/income/statements", json={"accounts": [account_id]}).get_json()
    keys = client.get("/.well-known/erp-integrations/income-keys.json").get_json()
    assert after["signature"]["kid"] == new_key.kid != old_kid
    assert verify(document, keys["keys"]) and verify(after, keys["keys"])  # the old one still verifies by its kid


def test_stale_data_refuses_a_statement_unless_accepted(client, app, app_env, seller_sandbox, monkeypatch):
    from erp_integrations.extensions import db
    from erp_integrations.models import SyncRun

    account_id = build_seller_example(client, app, app_env, seller_sandbox)
    for run in db.session.query(SyncRun).filter(SyncRun.stream == "payments"):
        run.finished_at = datetime.now(UTC) - timedelta(days=3)
    db.session.commit()
    refused = client.post("/api/v1/income/statements", json={"accounts": [account_id]})
    assert refused.status_code == 409 and "stale" in refused.get_json()["error"]["message"] and "payments" in refused.get_json()["error"]["message"]
    accepted = client.post("/api/v1/income/statements", json={"accounts": [account_id], "allow_stale": True})
    assert accepted.status_code == 201 and accepted.get_json()["statement"]["stale"] is True


def test_a_shop_with_no_orders_gets_a_zero_report_and_a_score(client, app, app_env, seller_sandbox):
    account_id = connect(client, seller_sandbox)
    sync(client, app, app_env, account_id)
    result = report(client, [account_id])
    assert result["currencies"] == {} or all(c["income"] == "0.00" for c in result["currencies"].values())
    assert result["score"]["score"] is not None and result["score"]["confidence"] == "low"
    assert 0 <= result["score"]["score"] <= 100


def test_errors_an_applicant_meets(client, app, app_env, fresh_sandbox, monkeypatch):
    from erp_integrations_tiktok_shop.sandbox.state import ALL_SCOPES

    from sync_support import authorize_account, run_jobs

    def refusal(account_id) -> str:
        answer = client.post("/api/v1/income/reports", json={"accounts": [account_id]})
        assert answer.status_code == 409, answer.get_json()
        return answer.get_json()["error"]["message"]

    # Not authorized: no shop.
    new = client.post("/api/v1/accounts", json={"connector": "tiktok_shop", "config": account_config(fresh_sandbox)}).get_json()["id"]
    assert "no active shop is authorized" in refusal(new)
    # The seller's grant lacks an API package the report reads (what 105005 answers).
    control(fresh_sandbox, "PUT", "/app", json={"granted_scopes": [s for s in ALL_SCOPES if s != "Finance Information"]})
    narrow = connect(client, fresh_sandbox, name="Narrow")
    message = refusal(narrow)
    assert "Finance Information" in message and "Partner Center" in message
    # Granted, authorized again: a report.
    control(fresh_sandbox, "PUT", "/app", json={"granted_scopes": list(ALL_SCOPES)})
    assert authorize_account(client, narrow).get_json()["binding"] == "connected"
    assert client.post("/api/v1/income/reports", json={"accounts": [narrow]}).status_code == 200
    # The access token expired and the refresh is refused: authorize again.
    control(fresh_sandbox, "POST", "/tokens/expire", json={"refresh": True})
    client.post(f"/api/v1/accounts/{narrow}/sync", json={"streams": ["orders"]})
    run_jobs(app, app_env)
    assert "could not be refreshed" in refusal(narrow) and "Connect & Authorize" in refusal(narrow)
    assert authorize_account(client, narrow).get_json()["binding"] == "connected"
    run_jobs(app, app_env)  # the streams it queued on re-authorization
    # A region outside the markets the lender serves.
    monkeypatch.setenv("ERP_INTEGRATIONS_INCOME_MARKETS", "GB,DE")
    assert "region US is outside the markets income verification supports (DE, GB)" in refusal(narrow)
    # Bad input: a field each, never a 500.
    for body, field in (
        ({"accounts": []}, "accounts"),
        ({"accounts": [-290896814228]}, "accounts"),  # found by the API fuzz: a 500 once
        ({"accounts": [2**31]}, "accounts"),
        ({"accounts": [narrow], "days": 29}, "days"),
        ({"accounts": [narrow], "days": "90"}, "days"),
        ({"accounts": [narrow], "rates": {"gbp": "1.2"}}, "rates"),
        ({"accounts": [narrow], "rates": {"GBP": -1}}, "rates"),
        ({"accounts": [narrow], "color": "red"}, "color"),
    ):
        answer = client.post("/api/v1/income/reports", json=body)
        assert answer.status_code == 422 and field in answer.get_json()["error"]["fields"], (body, answer.get_json())
    assert client.post("/api/v1/income/reports", json={"accounts": [2**31 - 1]}).status_code in (403, 404)


def test_the_cli_reports_signs_and_prints_keys(client, app, app_env, cli_env, seller_sandbox):
    account_id = build_seller_example(client, app, app_env, seller_sandbox)

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "erp_integrations", *args], env=cli_env, capture_output=True, text=True, timeout=120)

    shown = cli("income", str(account_id))
    assert shown.returncode == 0, shown.stderr
    assert "income 14250.00, monthly 4750.00" in shown.stdout and re.search(r"score \d+\.\d / 100", shown.stdout)
    as_json = json.loads(cli("income", str(account_id), "--json").stdout)
    assert as_json["currencies"]["USD"]["monthly_income"] == "4750.00"
    signed = json.loads(cli("income", str(account_id), "--sign").stdout)
    keys = json.loads(cli("income-keys").stdout)["keys"]
    from erp_integrations.income import verify

    assert verify(signed, keys)
    refused = cli("income", str(account_id), "--days", "400")
    assert refused.returncode == 2 and "400 is not in the range 30<=x<=365" in refused.stderr
    missing = cli("income", "no such shop")
    assert missing.returncode == 2 and "no single account" in missing.stderr


def test_currencies_stay_apart_unless_the_caller_gives_rates(client, app, app_env, fresh_sandbox):
    """A person with a US and a GB shop: two reports side by side, no score without rates; with
    rates, one combined figure (in USD) and a score, computed here independently."""
    from sandbox_support import shops_of

    shops = shops_of(fresh_sandbox)
    us = connect(client, fresh_sandbox, name="US", shops=(0,), region=shops[0]["region"])
    gb = connect(client, fresh_sandbox, name="GB", shops=(1,), region=shops[1]["region"])
    for account_id in (us, gb):
        sync(client, app, app_env, account_id)
    apart = report(client, [us, gb])
    assert set(apart["currencies"]) == {"USD", "GBP"} and apart["combined"] is None
    assert apart["score"]["score"] is None and "GBP" in apart["score"]["reason"]
    together = report(client, [us, gb], rates={"GBP": "1.27"})
    usd, gbp = (Decimal(together["currencies"][c]["income"]) for c in ("USD", "GBP"))
    combined = (usd + gbp * Decimal("1.27")).quantize(Decimal("0.01"))
    assert together["combined"] == {
        "currency": "USD",
        "rates": {"GBP": "1.27"},
        "income": str(combined),
        "monthly_income": str((combined / 3).quantize(Decimal("0.01"))),
    }
    assert together["score"]["score"] is not None
    revenue = next(f for f in together["score"]["factors"] if f["name"] == "revenue")
    assert abs(Decimal(revenue["inputs"]["monthly_income"]) - combined / 3) < Decimal("0.01")
    missing = client.post("/api/v1/income/reports", json={"accounts": [us, gb], "rates": {"EUR": "1.1"}})
    assert missing.status_code == 422 and "GBP" in missing.get_json()["error"]["fields"]["rates"][0]
