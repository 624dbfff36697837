"""Helpers for talking to the Shopee sandbox over real sockets in tests."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlparse

import requests
from sqlalchemy import func, select

from erp_integrations_shopee.sandbox import SandboxConfig, SandboxServer

PARTNER_ID, PARTNER_KEY = 1_000_001, "sandbox-shopee-partner-key"


def start_shopee(**overrides) -> SandboxServer:
    return SandboxServer(SandboxConfig(**{"shops": 2, "orders": 600, "items": 40, "seed": 7, **overrides})).start()


def shopee_config(server, **overrides) -> dict:
    return {
        "name": "Shopee SG",
        "region": "SG",
        "partner_id": PARTNER_ID,
        "partner_key": PARTNER_KEY,
        "api_base_url": server.url,
        "features": {"product_catalog": True, "orders": True, "inventory": True, "returns": True},
        **overrides,
    }


def control(server, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, f"{server.url}/sandbox/v1{path}", timeout=10, **kwargs)


def shops_of(server) -> list[dict]:
    return control(server, "GET", "/shops").json()["shops"]


def truth(server, shop: int = 0) -> dict:
    return control(server, "GET", "/stats", params={"shop_id": shops_of(server)[shop]["shop_id"]}).json()


def authorize(client, account_id: int, shop: int = 0):
    """Connect & Authorize through the API and the sandbox's consent page; the callback's answer."""
    start = client.post(f"/api/v1/accounts/{account_id}/authorize")
    assert start.status_code == 200, start.get_json()
    redirect = requests.get(start.get_json()["authorization_url"] + f"&auto_approve=1&shop={shop}", allow_redirects=False, timeout=10)
    assert redirect.status_code == 302, redirect.text
    return client.get(f"{start.get_json()['callback_path']}?{urlparse(redirect.headers['Location']).query}")


def connect_shopee(client, server, shop: int = 0, **overrides) -> int:
    created = client.post("/api/v1/accounts", json={"connector": "shopee", "config": shopee_config(server, **overrides)})
    assert created.status_code == 201, created.get_json()
    account_id = created.get_json()["id"]
    callback = authorize(client, account_id, shop)
    assert callback.status_code == 200, callback.get_json()
    assert callback.get_json()["binding"] == "connected", callback.get_json()
    return account_id


def erp_side(account_id: int) -> dict:
    from erp_integrations.extensions import db
    from erp_integrations.models import (
        AfterSale,
        FinanceStatement,
        OrderLine,
        Payout,
        ProductVariant,
        SalesOrder,
        StatementTransaction,
        StockLevel,
        Withdrawal,
    )

    one = lambda q: db.session.scalar(q)  # noqa: E731
    orders = SalesOrder.account_id == account_id
    return {
        "orders": one(select(func.count()).select_from(SalesOrder).where(orders)),
        "order_lines": one(select(func.count()).select_from(OrderLine).where(OrderLine.account_id == account_id)),
        "orders_by_status": dict(db.session.execute(select(SalesOrder.status, func.count()).where(orders).group_by(SalesOrder.status)).all()),
        "total_amount": {
            c: str(a)
            for c, a in db.session.execute(
                select(SalesOrder.currency, func.sum(SalesOrder.total_amount)).where(orders, SalesOrder.total_amount.is_not(None)).group_by(SalesOrder.currency)
            ).all()
        },
        "models": one(select(func.count()).select_from(ProductVariant).where(ProductVariant.account_id == account_id)),
        "stock": int(one(select(func.sum(StockLevel.available)).where(StockLevel.account_id == account_id)) or 0),
        "price_sum": str(one(select(func.sum(ProductVariant.price)).where(ProductVariant.account_id == account_id))),
        "escrow_released": {
            "orders": one(
                select(func.count()).select_from(StatementTransaction).where(StatementTransaction.account_id == account_id, StatementTransaction.is_settled)
            ),
            "amount": str(
                one(
                    select(func.sum(StatementTransaction.settlement_amount)).where(
                        StatementTransaction.account_id == account_id, StatementTransaction.is_settled
                    )
                )
                or 0
            ),
            "days": one(select(func.count()).select_from(FinanceStatement).where(FinanceStatement.account_id == account_id)),
        },
        "escrow_held": {
            "orders": one(
                select(func.count()).select_from(StatementTransaction).where(StatementTransaction.account_id == account_id, ~StatementTransaction.is_settled)
            ),
            "amount": str(
                one(
                    select(func.sum(StatementTransaction.settlement_amount)).where(
                        StatementTransaction.account_id == account_id, ~StatementTransaction.is_settled
                    )
                )
                or 0
            ),
        },
        "wallet": {
            "transactions": one(select(func.count()).select_from(Withdrawal).where(Withdrawal.account_id == account_id)),
            # The wallet's signed amounts summed here, against the sandbox's running balance.
            "balance": str(one(select(func.sum(Withdrawal.amount)).where(Withdrawal.account_id == account_id)) or 0),
            **{
                f"withdrawals_{state}": {
                    "count": one(select(func.count()).select_from(Payout).where(Payout.account_id == account_id, Payout.status == status)),
                    "amount": str(one(select(func.sum(Payout.amount)).where(Payout.account_id == account_id, Payout.status == status)) or 0),
                }
                for state, status in (("paid", "PAID"), ("pending", "PROCESSING"))
            },
        },
        "returns": {
            "count": one(select(func.count()).select_from(AfterSale).where(AfterSale.account_id == account_id, AfterSale.kind == "return")),
            "by_status": dict(
                db.session.execute(select(AfterSale.status, func.count()).where(AfterSale.account_id == account_id).group_by(AfterSale.status)).all()
            ),
            "refunded": str(
                one(select(func.sum(AfterSale.refund_total)).where(AfterSale.account_id == account_id, AfterSale.status.in_(("ACCEPTED", "REFUND_PAID")))) or 0
            ),
        },
    }


def expected(server) -> dict:
    stats = truth(server)
    fields = (
        "orders",
        "order_lines",
        "orders_by_status",
        "total_amount",
        "models",
        "stock",
        "price_sum",
        "escrow_released",
        "escrow_held",
        "wallet",
        "returns",
    )
    return {k: stats[k] for k in fields}


def normalised(figures: dict) -> dict:
    """Decimal strings compared as numbers (a database may print 12.50 where Python says 12.5)."""
    figures = dict(figures)
    figures["total_amount"] = {c: Decimal(a) for c, a in figures["total_amount"].items()}
    figures["price_sum"] = Decimal(figures["price_sum"])
    figures["escrow_released"] = {**figures["escrow_released"], "amount": Decimal(figures["escrow_released"]["amount"])}
    figures["escrow_held"] = {**figures["escrow_held"], "amount": Decimal(figures["escrow_held"]["amount"])}
    figures["returns"] = {**figures["returns"], "refunded": Decimal(figures["returns"]["refunded"])}
    wallet = figures["wallet"]
    figures["wallet"] = {
        **wallet,
        "balance": Decimal(wallet["balance"]),
        **{k: {**wallet[k], "amount": Decimal(wallet[k]["amount"])} for k in ("withdrawals_paid", "withdrawals_pending")},
    }
    return figures
