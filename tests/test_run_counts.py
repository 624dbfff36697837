"""The numbers agree: after a full sync of a fresh shop, what each run says it wrote per ERP
table equals the rows that table holds, counted here directly."""

from __future__ import annotations

from sqlalchemy import func, select

from sync_support import connect, sync


def table_rows(account_id: int) -> dict[str, int]:
    from erp_integrations import models
    from erp_integrations.extensions import db

    def count(model, *where):
        return db.session.scalar(select(func.count()).select_from(model).where(model.account_id == account_id, *where))

    return {
        "orders": count(models.SalesOrder),
        "order_lines": count(models.OrderLine),
        "packages": count(models.Shipment),
        "products": count(models.Product),
        "variants": count(models.ProductVariant),
        "stock_levels": count(models.StockLevel),
        "warehouses": count(models.Warehouse),
        "statements": count(models.FinanceStatement),
        "statement_transactions": count(models.StatementTransaction, models.StatementTransaction.is_settled.is_(True)),
        "unsettled_transactions": count(models.StatementTransaction, models.StatementTransaction.is_settled.is_(False)),
        "payments": count(models.Payout),
        "withdrawals": count(models.Withdrawal),
        "returns": count(models.AfterSale, models.AfterSale.kind == "return"),
        "cancellations": count(models.AfterSale, models.AfterSale.kind == "cancellation"),
        "affiliate_orders": count(models.AffiliateOrder),
        "affiliate_order_lines": count(models.AffiliateOrderLine),
        "live_sessions": count(models.LiveSession),
    }


def test_each_runs_rows_written_match_the_tables(client, app, app_env, fresh_sandbox):
    account_id = connect(client, fresh_sandbox)
    runs = sync(client, app, app_env, account_id, full=True)
    rows = table_rows(account_id)
    compared = 0
    for run in runs:
        for table, written in run["counts"].items():
            if table in rows:
                assert written == rows[table], (run["stream"], table, written, rows[table])
                compared += 1
    assert compared >= 15
