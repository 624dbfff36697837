"""Entry point of the Shopee connector."""

from erp_integrations.toolkit import hookimpl

from .connector import ShopeeConnector


@hookimpl
def register_connectors(register):
    register(ShopeeConnector)
