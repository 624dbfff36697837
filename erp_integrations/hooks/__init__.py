from .manager import get_connector, get_connectors, get_jobs, get_plugin_manager, hookimpl, reset_plugin_manager

__all__ = ["get_connector", "get_connectors", "get_jobs", "get_plugin_manager", "hookimpl", "reset_plugin_manager"]
