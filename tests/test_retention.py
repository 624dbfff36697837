"""The retention purge: rows older than the history window go, with their children."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select


def test_purge_keeps_the_history_window_and_the_catalogue(app, tiktok_config):
    from erp_integrations.accounts import create_account
    from erp_integrations.extensions import db
    from erp_integrations.jobs.queue import run_job
    from erp_integrations.models import OrderLine, OrderStatusChange, Product, SalesOrder, ShopPerformanceDay, Withdrawal

    account = create_account("tiktok_shop", {**tiktok_config, "history_months": 6})
    other = create_account("tiktok_shop", {**tiktok_config, "name": "Other shop"})
    now = datetime.now(UTC)
    old, recent = now - timedelta(days=200), now - timedelta(days=20)
    for owner in (account, other):
        for name, created in (("old", old), ("new", recent)):
            order = SalesOrder(account_id=owner.id, external_id=name, remote_created_at=created, total_amount=Decimal("10.00"), currency="USD")
            db.session.add(order)
            db.session.flush()
            db.session.add(OrderLine(account_id=owner.id, order_id=order.id, external_id=f"{name}-1"))
            db.session.add(OrderStatusChange(account_id=owner.id, order_id=order.id, to_status="COMPLETED"))
            db.session.add(Withdrawal(account_id=owner.id, external_id=name, remote_created_at=created, amount=Decimal("5"), currency="USD"))
            db.session.add(ShopPerformanceDay(account_id=owner.id, day=created.date()))
        db.session.add(Product(account_id=owner.id, external_id="p", remote_created_at=old))
    db.session.commit()

    deleted = run_job("purge_history", {"account_id": account.id})
    assert deleted["erp_sales_orders"] == 1 and deleted["erp_withdrawals"] == 1 and deleted["erp_shop_performance"] == 1

    def count(model, owner):
        return db.session.scalar(select(func.count()).select_from(model).where(model.account_id == owner.id))

    assert [count(m, account) for m in (SalesOrder, OrderLine, OrderStatusChange, Withdrawal, ShopPerformanceDay, Product)] == [1, 1, 1, 1, 1, 1]
    assert [count(m, other) for m in (SalesOrder, OrderLine, Withdrawal)] == [2, 2, 2]  # another account's rows are untouched
    assert db.session.scalar(select(SalesOrder.external_id).where(SalesOrder.account_id == account.id)) == "new"
    assert db.session.scalar(select(ShopPerformanceDay.day).where(ShopPerformanceDay.account_id == account.id)) == recent.date()
