"""TikTok Shop connector for erp-integrations (installed as ``erp_integrations_tiktok_shop``)."""

__version__ = "0.1.0"
