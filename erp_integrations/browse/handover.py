"""How an order's packages can reach the carrier, asked of the marketplace when someone looks.

Handover slots move by the hour and matter only until a package ships, so they are read
through like tracking: the order's page and the API ask the connector, only for packages of an
order that has not shipped, and only with the account's logistics toggle on.
"""

from __future__ import annotations

from sqlalchemy import select

from ..connectors import HandoverOptions
from ..extensions import db
from ..hooks import get_connector
from ..models import OrderLine, SalesOrder
from .tracking import has_shipped, require_logistics


def order_packages(account_id: int, order) -> list[str]:
    query = select(OrderLine.package_external_id).join(SalesOrder, SalesOrder.id == OrderLine.order_id)
    found = db.session.scalars(query.where(SalesOrder.account_id == account_id, SalesOrder.id == order.id).distinct())
    return sorted(p for p in found if p)


def package_handover(account, package_external_id: str) -> HandoverOptions:
    """Raises ``Unsupported`` for a connector without it, ``LogisticsOff`` when the account's
    toggle is off, ``MarketplaceError`` when the marketplace refuses (a shipped package)."""
    connector = get_connector(account.connector)()
    connector.require("sync")
    require_logistics(account, connector, "see handover slots")
    return connector.handover_options(account, package_external_id)


def awaiting_handover(order) -> bool:
    return not has_shipped(order) and order.cancelled_at is None


def package_order(account_id: int, package_external_id: str):
    """The synced order a package belongs to (None: no such package synced)."""
    query = select(SalesOrder).join(OrderLine, OrderLine.order_id == SalesOrder.id)
    return db.session.scalars(query.where(SalesOrder.account_id == account_id, OrderLine.package_external_id == package_external_id).limit(1)).first()


def order_handover(account, order) -> dict[str, HandoverOptions]:
    """Per package of an order not shipped (nor cancelled) yet, its handover options."""
    if not awaiting_handover(order):
        return {}
    return {package: package_handover(account, package) for package in order_packages(account.id, order)}
