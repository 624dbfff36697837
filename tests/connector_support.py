"""A connector in its first days, for the host's tests: configuration and a connection test,
no capability. Registered for one test through the ``plugin_manager`` fixture."""

from __future__ import annotations

from marshmallow import fields

from erp_integrations.connectors import AccountConfigSchema, ConnectionResult, Connector
from erp_integrations.hooks import hookimpl


class ConfigOnlySchema(AccountConfigSchema):
    region = fields.String(required=True, metadata={"label": "Region"})


class ConfigOnly(Connector):
    name = "config_only"
    display_name = "Config Only"
    regions = (("SG", "Singapore"),)
    config_schema = ConfigOnlySchema

    def test_connection(self, account, secrets):
        return ConnectionResult(False, "not_authorized", "nothing to connect to")


class ConfigOnlyPlugin:
    @hookimpl
    def register_connectors(self, register):
        register(ConfigOnly)


def install_config_only(plugin_manager) -> None:
    from erp_integrations.hooks.manager import reset_plugin_manager

    plugin_manager.register(ConfigOnlyPlugin(), name="config-only")
    reset_plugin_manager(plugin_manager)
