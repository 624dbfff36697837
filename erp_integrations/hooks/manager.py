"""The plugin manager: loaded lazily, once per process.

External connectors come from the ``erp_integrations`` entry-point group. Set
``ERP_INTEGRATIONS_BLOCK_PLUGINS=name,other`` to keep named ones from loading (for debugging a
bad plugin without uninstalling it; the idea is tox's ``TOX_DISABLED_EXTERNAL_PLUGINS``).
"""

from __future__ import annotations

import threading

import pluggy

from ..settings import blocked_plugins_from_env
from . import builtin, hookspecs
from .markers import PROJECT, hookimpl

__all__ = ["get_plugin_manager", "get_connectors", "get_connector", "get_jobs", "reset_plugin_manager", "hookimpl"]

_lock = threading.Lock()
_pm: pluggy.PluginManager | None = None
_connectors: dict | None = None
_jobs: dict | None = None


class UnknownConnector(LookupError):
    pass


def build_plugin_manager(load_entrypoints: bool = True, blocked: frozenset[str] | None = None) -> pluggy.PluginManager:
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    pm.register(builtin, name="erp_integrations.builtin")
    for name in blocked_plugins_from_env() if blocked is None else blocked:
        pm.set_blocked(name)
    if load_entrypoints:
        pm.load_setuptools_entrypoints(PROJECT)
    # A misspelled hook name in a plugin fails here, loudly, rather than never being called.
    pm.check_pending()
    return pm


def get_plugin_manager() -> pluggy.PluginManager:
    global _pm
    if _pm is None:
        with _lock:
            if _pm is None:
                _pm = build_plugin_manager()
    return _pm


def reset_plugin_manager(pm: pluggy.PluginManager | None = None) -> None:
    """Forget the loaded plugins (tests), or install a prepared manager."""
    global _pm, _connectors, _jobs
    with _lock:
        _pm, _connectors, _jobs = pm, None, None


def get_connectors() -> dict:
    """Connector name -> connector class, collected once through ``register_connectors``."""
    global _connectors
    if _connectors is None:
        from ..connectors import collect_connectors

        _connectors = collect_connectors(get_plugin_manager())
    return _connectors


def get_connector(name: str):
    try:
        return get_connectors()[name]
    except KeyError:
        raise UnknownConnector(f"no connector named {name!r}; installed: {', '.join(sorted(get_connectors())) or 'none'}") from None


def get_jobs() -> dict:
    """Job name -> function, collected once through ``register_jobs``."""
    global _jobs
    if _jobs is None:
        _jobs = collect_jobs(get_plugin_manager())
    return _jobs


def collect_jobs(pm: pluggy.PluginManager) -> dict:
    found: dict = {}

    def register(func) -> None:
        name = getattr(func, "job_name", None)
        if name is None:
            raise TypeError(f"{func!r} is not a job: decorate it with @job_function(name)")
        if found.get(name, func) is not func:
            raise ValueError(f"two jobs are named {name!r}")
        found[name] = func

    pm.hook.register_jobs(register=register)
    return found
