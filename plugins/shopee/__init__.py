"""Shopee Open Platform v2 connector for erp-integrations (installed as ``erp_integrations_shopee``)."""

__version__ = "0.1.0"
