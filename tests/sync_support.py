"""Helpers for end-to-end tests: an account connected to the sandbox through the API, and
jobs run through the real queue (RQ worker processes, or the embedded queue's thread)."""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import urlparse

import requests

from sandbox_support import APP_KEY, APP_SECRET, SERVICE_ID, control

ALL_FEATURES = {
    "product_catalog": True,
    "orders": True,
    "inventory": True,
    "logistics": True,
    "promotions": True,
    "returns": True,
    "live_shopping": True,
    "affiliate": True,
    "shop_analytics": True,
}


def account_config(server, **overrides) -> dict:
    return {
        "name": "Sandbox US",
        "region": "US",
        "app_key": APP_KEY,
        "app_secret": APP_SECRET,
        "service_id": SERVICE_ID,
        "api_base_url": server.url,
        "auth_base_url": server.url,
        "authorize_base_url": server.url,
        "features": ALL_FEATURES,
        **overrides,
    }


def connect(client, server, shops: tuple[int, ...] = (0,), **overrides) -> int:
    """Create an account and run Connect & Authorize through the API and the consent page, the
    seller ticking ``shops`` (sandbox shop indices) there."""
    created = client.post("/api/v1/accounts", json={"connector": "tiktok_shop", "config": account_config(server, **overrides)})
    assert created.status_code == 201, created.get_json()
    account_id = created.get_json()["id"]
    callback = authorize_account(client, account_id, shops)
    assert callback.status_code == 200, callback.get_json()
    assert callback.get_json()["binding"] == "connected", callback.get_json()
    return account_id


def authorize_account(client, account_id: int, shops: tuple[int, ...] = (0,)):
    """Connect & Authorize an existing account; the callback's response."""
    start = client.post(f"/api/v1/accounts/{account_id}/authorize").get_json()
    ticked = "".join(f"&shop={s}" for s in shops)
    redirect = requests.get(start["authorization_url"] + "&auto_approve=1" + ticked, allow_redirects=False, timeout=10)
    return client.get(f"{start['callback_path']}?{urlparse(redirect.headers['Location']).query}")


def run_jobs(app, app_env):
    """Run what is queued: a real RQ worker process, or the embedded queue's thread."""
    from erp_integrations.jobs import get_queue_backend
    from erp_integrations.jobs.queue import EmbeddedQueue

    backend = get_queue_backend(app)
    if isinstance(backend, EmbeddedQueue):
        known = len(backend.failures)
        backend.join()
        assert backend.failures[known:] == [], backend.failures[known:]
        return
    env = {**os.environ, **app_env}
    result = subprocess.run([sys.executable, "-m", "erp_integrations", "worker", "--burst"], env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]


def sync(client, app, app_env, account_id, **payload):
    """Sync now through the API and the job queue; the runs it made, newest first."""
    before = max((r["id"] for r in client.get(f"/api/v1/accounts/{account_id}/runs").get_json()["runs"]), default=0)
    response = client.post(f"/api/v1/accounts/{account_id}/sync", json=payload)
    assert response.status_code == 202, response.get_json()
    run_jobs(app, app_env)
    runs = [r for r in client.get(f"/api/v1/accounts/{account_id}/runs?limit=500").get_json()["runs"] if r["id"] > before]
    failed = [r for r in runs if r["status"] == "failed"]
    assert failed == [], failed
    return runs


def truth(server, shop_index: int = 0) -> dict:
    shop = control(server, "GET", "/shops").json()["shops"][shop_index]
    return control(server, "GET", "/stats", params={"shop": shop["cipher"]}).json()


def shop_zone(account_id: int) -> str:
    """The zone a shop's pages show times in: its reporting zone (README, "Reports")."""
    from erp_integrations.extensions import db
    from erp_integrations.models import IntegrationAccount
    from erp_integrations.reports.periods import account_zone_name

    return account_zone_name(db.session.get(IntegrationAccount, account_id))


def shop_clock(account_id: int, instant) -> str:
    """An instant as a shop's pages write it: to the minute on the shop's clock, with the zone's
    abbreviation."""
    from zoneinfo import ZoneInfo

    return instant.astimezone(ZoneInfo(shop_zone(account_id))).strftime("%Y-%m-%d %H:%M %Z")
