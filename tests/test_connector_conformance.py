"""Every registered connector keeps the contract the host relies on (``toolkit.contract_problems``),
and the check itself catches each way a connector can break it."""

from __future__ import annotations

import pytest

from erp_integrations.hooks.manager import get_connectors
from erp_integrations.toolkit import Connector, Feature, contract_problems


@pytest.mark.parametrize("name", sorted(get_connectors()))
def test_each_registered_connector_keeps_the_contract(name):
    assert contract_problems(get_connectors()[name]) == []


class Broken(Connector):
    """One of each mistake."""

    name = "broken"
    display_name = ""
    regions = (("US", ""),)
    features = (
        Feature("orders", "Orders", True, "Syncs orders."),
        Feature("orders", "Again", False, ""),
        Feature("later", "Later", True, "Soon.", available=False),
    )
    streams = ("orders",)
    stream_features = {"orders": "order", "ghost": "orders"}
    stream_groups = {"phantom": ("x",)}
    capabilities = frozenset({"push"})
    push_kinds = ("stock", "teleport", "return_decision", "order_cancel")
    push_refresh_streams = {"shipment": ("orders",), "stock": ("nowhere",)}
    after_sale_open_statuses = {"exchange": frozenset({"OPEN"})}
    logistics_feature = "shipping"
    document_types = ("SHIPPING_LABEL",)
    listing_values = {"invoices": {}}
    shop_setting = "shop_code"

    def push(self, account, kind, items):
        return {}


@pytest.mark.parametrize(
    "problem",
    [
        "display_name must be a non-empty string",
        "regions must list (code, label) pairs",
        "feature keys repeat: orders",
        "feature 'orders' has no help text",
        "feature 'later' is on by default but not available",
        "stream_features names an unknown stream 'ghost'",
        "stream 'orders' is switched by an unknown feature 'order'",
        "stream_groups names an unknown stream 'phantom'",
        "push kind 'teleport' is not one the host can record",
        "push_refresh_streams names a push kind 'shipment' it does not declare",
        "push_refresh_streams['stock'] names an unknown stream 'nowhere'",
        "return_decision needs after_sale_open_statuses['return']",
        "return_decision needs reject_reasons()",
        "after_sale_open_statuses names an unknown kind 'exchange'",
        "order_cancel needs cancel_reasons()",
        "logistics_feature names an unknown feature 'shipping'",
        "document_types without shipping_document()",
        "listing_values names an unknown listing 'invoices'",
        "shop_setting 'shop_code' is not a config field",
    ],
)
def test_the_check_names_each_broken_promise(problem):
    assert any(p.startswith(problem) for p in contract_problems(Broken)), contract_problems(Broken)
