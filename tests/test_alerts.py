"""Alerts an admin sees on the sync monitor: a stream failing run after run, and settlements
that are late."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from auth_support import page_client
from sandbox_support import control
from sync_support import connect


def monitor_html(app, account_id: int) -> str:
    browser, _ = page_client(app)
    return browser.get(f"/accounts/{account_id}/monitor").get_data(as_text=True)


def open_alerts(account_id: int) -> list:
    from erp_integrations.extensions import db
    from erp_integrations.models import Alert

    db.session.rollback()
    return db.session.scalars(select(Alert).where(Alert.account_id == account_id, Alert.resolved_at.is_(None))).all()


def test_a_stream_failing_three_runs_in_a_row_raises_an_alert_that_a_success_resolves(client, app, fresh_sandbox):
    from erp_integrations.connectors import MarketplaceError
    from erp_integrations.sync import run_sync
    from erp_integrations.sync.runner import FAILURES_BEFORE_ALERT

    account_id = connect(client, fresh_sandbox)
    control(fresh_sandbox, "PUT", "/faults", json={"unavailable_rate": 1.0, "paths": ["/order/"]})
    for _ in range(FAILURES_BEFORE_ALERT):
        assert open_alerts(account_id) == []  # not before the third failure
        with pytest.raises(MarketplaceError):
            run_sync(account_id, "orders")
    [alert] = open_alerts(account_id)
    assert alert.kind == "sync_failing" and alert.data == {"streams": ["orders"]}
    html = monitor_html(app, account_id)
    assert "orders failed 3 times in a row" in html
    # The kind in words, the code in a tooltip, and the colon right after the title.
    assert '<span><strong title="sync_failing">Sync keeps failing</strong>: ' in html

    control(fresh_sandbox, "DELETE", "/faults")
    assert run_sync(account_id, "orders").status == "succeeded"
    assert open_alerts(account_id) == []


def test_orders_delivered_long_ago_and_not_settled_show_as_delayed_settlements(client, app):
    """Aged from delivery, not creation: an old order delivered last week is not late; an order
    delivered 45 days ago with an unsettled transaction is."""
    from erp_integrations.accounts import create_account
    from erp_integrations.extensions import db
    from erp_integrations.models import SalesOrder, StatementTransaction

    account_id = create_account("tiktok_shop", {"name": "A", "region": "US", "app_key": "abcdef12", "app_secret": "secret-value"}).id
    now = datetime.now(UTC)

    def order(external_id: str, created_days: int, delivered_days: int, settled: bool) -> None:
        db.session.add(
            SalesOrder(
                account_id=account_id,
                external_id=external_id,
                remote_created_at=now - timedelta(days=created_days),
                delivered_at=now - timedelta(days=delivered_days),
            )
        )
        db.session.add(
            StatementTransaction(account_id=account_id, external_id=f"t-{external_id}", order_external_id=external_id, is_settled=settled, settlement_amount=10)
        )

    order("recent-delivery", 90, 5, settled=False)
    order("settled", 90, 60, settled=True)
    db.session.commit()
    assert "Delayed settlements" not in monitor_html(app, account_id)
    order("late", 50, 45, settled=False)
    db.session.commit()
    assert "1 order(s) delivered more than 30 days ago are not settled yet" in monitor_html(app, account_id)
