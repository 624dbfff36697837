"""The README's first command: the demo, with no servers (SQLite, embedded queue, sandbox)."""

from __future__ import annotations

import os
import re
import subprocess
import sys


def test_demo_authorizes_syncs_and_reports(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "ERP_INTEGRATIONS_SECRET_KEYS")}
    env["ERP_INTEGRATIONS_INSTANCE"] = str(tmp_path)
    command = [sys.executable, "-m", "erp_integrations", "demo", "--no-serve", "--orders", "300"]
    for attempt in range(2):  # a second run replaces the first demo account instead of mixing worlds
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-2000:]
        assert "authorized; bound to Sandbox Shop 1 (US)" in result.stdout
        landed = dict(re.findall(r"^  ([a-zA-Z +]+?)\s{2,}(\d+)$", result.stdout, flags=re.M))
        assert landed["orders"] == "300" and int(landed["order lines"]) >= 300 and int(landed["statements"]) > 0
    assert (tmp_path / "erp_integrations.db").exists()
    assert "development key" in result.stderr  # no key configured: said out loud
