"""The README's first command: the demo, with no servers (SQLite, embedded queue, sandbox)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys


def demo_env(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "ERP_INTEGRATIONS_SECRET_KEYS", "ERP_INTEGRATIONS_ALLOWED_HOSTS")}
    env["ERP_INTEGRATIONS_INSTANCE"] = str(tmp_path)
    return env


def landed_rows(stdout: str, account: str) -> dict[str, str]:
    """The table of rows the demo printed for one account."""
    section = stdout.split(f"rows now in the ERP tables for {account}:\n", 1)[1].split("\n\n", 1)[0]
    return dict(re.findall(r"^  ([a-zA-Z +]+?)\s{2,}(\d+)$", section, flags=re.M))


def test_demo_authorizes_syncs_and_reports(tmp_path):
    env = demo_env(tmp_path)
    command = [sys.executable, "-m", "erp_integrations", "demo", "--no-serve", "--orders", "300"]
    for _ in range(2):  # a second run replaces the first demo account instead of mixing worlds
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-2000:]
        # Both connectors' sandboxes, one account each, in one ERP.
        assert "authorized; bound to Sandbox Shop 1 (US)" in result.stdout and "authorized; bound to Sandbox Shopee SG 1" in result.stdout
        landed = {account: landed_rows(result.stdout, account) for account in ("Demo TikTok Shop", "Demo Shopee")}
        tiktok, shopee = landed["Demo TikTok Shop"], landed["Demo Shopee"]
        assert tiktok["orders"] == "300" and int(tiktok["order lines"]) >= 300 and int(tiktok["statements"]) > 0
        assert int(tiktok["statement transactions"]) > 0 and "unsettled transactions" in tiktok
        assert int(tiktok["promotions and coupons"]) > 0 and int(tiktok["promoted products and SKUs"]) > 0  # every toggle the demo can turn on
        assert shopee["orders"] == "300" and int(shopee["order lines"]) >= 300 and int(shopee["SKUs"]) >= int(shopee["products"]) > 0
        # The sandbox's app credentials, for adding a second shop by hand.
        assert "App Key sandboxappkey, App Secret sandbox-app-secret" in result.stdout
        assert "Partner ID 1000001, Partner Key sandbox-shopee-partner-key" in result.stdout
    assert (tmp_path / "erp_integrations.db").exists()
    # No key configured: said out loud, once, as one plain line (not Python's warning format).
    warned = [line for line in result.stderr.splitlines() if "development key" in line]
    assert len(warned) == 1 and warned[0].startswith("warning: ERP_INTEGRATIONS_SECRET_KEYS is not set")
    assert "warnings.warn" not in result.stderr and ".py:" not in result.stderr


def test_demo_stops_at_once_when_its_port_is_taken(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        command = [sys.executable, "-m", "erp_integrations", "demo", "--orders", "50", "--port", str(port)]
        result = subprocess.run(command, env=demo_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert f"port {port}" in result.stderr and "--port" in result.stderr
    assert "authorized" not in result.stdout and "sign in as" not in result.stdout
    assert "Traceback" not in result.stderr


def test_demo_runs_one_connector_when_asked_and_refuses_an_unknown_one(tmp_path):
    command = [sys.executable, "-m", "erp_integrations", "demo", "--no-serve", "--orders", "100", "--connectors", "shopee"]
    result = subprocess.run(command, env=demo_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Demo Shopee" in result.stdout and "TikTok" not in result.stdout
    result = subprocess.run([*command[:-1], "amazon"], env=demo_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "no demo for amazon" in result.stderr and "tiktok_shop" in result.stderr
