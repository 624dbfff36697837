"""An order's carrier tracking, asked of the marketplace when someone looks.

Tracking changes by the hour and per order; syncing it would cost a call per shipped order per
run for events almost nobody reads, so it is read through instead: the order's page and the API
ask the connector, and only for an order that has shipped.
"""

from __future__ import annotations

from ..connectors import TrackingEvent
from ..hooks import get_connector


class LogisticsOff(Exception):
    """The account's toggle for tracking and shipping documents is off: nothing is asked of
    the marketplace."""


def require_logistics(account, connector, what: str) -> None:
    """Raise ``LogisticsOff`` (saying which toggle to turn on for ``what``) unless the
    connector's logistics toggle is on for the account; a connector without one has no toggle
    in front of it."""
    feature = connector.logistics_feature
    if feature is not None and not (account.features or {}).get(feature, False):
        label = next((f.label for f in connector.features if f.key == feature), feature)
        raise LogisticsOff(f"turn on {label} in the shop's settings to {what}")


def has_shipped(order) -> bool:
    return bool(order.rts_at or order.collected_at or order.delivered_at)


def order_tracking(account, order) -> list[TrackingEvent]:
    """The carrier's events for ``order`` (a synced ``SalesOrder``), oldest first; none before it
    ships. Raises ``Unsupported`` for a connector without tracking, ``LogisticsOff`` when the
    account's toggle is off, ``MarketplaceError`` when the marketplace cannot answer."""
    connector = get_connector(account.connector)()
    connector.require("sync")
    require_logistics(account, connector, "see tracking")
    if not has_shipped(order):
        return []
    return connector.order_tracking(account, order.external_id)
