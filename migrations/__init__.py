"""Alembic migrations (installed as ``erp_integrations.migrations``; run them with
``erp-integrations db upgrade``)."""
