"""Settings read from the environment, with defaults that need no servers.

| variable | default |
| --- | --- |
| ``DATABASE_URL`` | a SQLite file in the instance folder |
| ``REDIS_URL`` | unset: jobs run on an embedded in-process queue |
| ``ERP_INTEGRATIONS_SECRET_KEYS`` | unset: a development key generated into the instance folder |
| ``ERP_INTEGRATIONS_INSTANCE`` | the Flask instance folder |
| ``ERP_INTEGRATIONS_BLOCK_PLUGINS`` | none: comma-separated connector entry-point names not to load |
| ``ERP_INTEGRATIONS_COOKIE_SECURE`` | 1: the session cookie is sent over https only |
| ``ERP_INTEGRATIONS_ALLOWED_HOSTS`` | none: comma-separated origins (``https://host[:port]``, port ``*`` for any) an administrator may point an account's marketplace hosts at, besides the connector's own |
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def normalize_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs (SQLAlchemy defaults to psycopg2)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    database_url: str
    redis_url: str | None
    secret_keys: str | None
    blocked_plugins: frozenset[str] = field(default_factory=frozenset)
    # Stock and price changes wait this long so a burst of ERP edits becomes one push.
    push_debounce_seconds: float = 5.0
    # The admin session cookie travels over https only; 0 is for plain-http loopback (the demo).
    cookie_secure: bool = True
    # Origins besides the marketplaces' own that an account's API and auth hosts may name
    # (sandboxes on loopback in the demo and tests): credentials only ever go to these.
    allowed_hosts: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, instance_path: str | os.PathLike, env: os.Mapping | None = None) -> Settings:
        env = os.environ if env is None else env
        instance = Path(env.get("ERP_INTEGRATIONS_INSTANCE") or instance_path)
        database_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'erp_integrations.db'}"
        return cls(
            instance_path=instance,
            database_url=normalize_database_url(database_url),
            redis_url=env.get("REDIS_URL") or None,
            secret_keys=env.get("ERP_INTEGRATIONS_SECRET_KEYS") or None,
            blocked_plugins=blocked_plugins_from_env(env),
            push_debounce_seconds=_seconds(env, "PUSH_DEBOUNCE_SECONDS", 5.0),
            cookie_secure=_flag(env, "ERP_INTEGRATIONS_COOKIE_SECURE", True),
            allowed_hosts=allowed_hosts_from_env(env),
        )


def _seconds(env: os.Mapping, name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, not {raw!r}") from None
    if not 0 <= value <= 3600:
        raise ValueError(f"{name} must be between 0 and 3600 seconds, not {raw!r}")
    return value


def _flag(env: os.Mapping, name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be 1 or 0, not {raw!r}")


def blocked_plugins_from_env(env: os.Mapping | None = None) -> frozenset[str]:
    env = os.environ if env is None else env
    raw = env.get("ERP_INTEGRATIONS_BLOCK_PLUGINS", "")
    return frozenset(name.strip() for name in raw.split(",") if name.strip())


def allowed_hosts_from_env(env: os.Mapping) -> tuple[str, ...]:
    from .endpoints import parse_origin

    raw = env.get("ERP_INTEGRATIONS_ALLOWED_HOSTS", "")
    entries = tuple(entry.strip() for entry in raw.split(",") if entry.strip())
    for entry in entries:
        parse_origin(entry, "ERP_INTEGRATIONS_ALLOWED_HOSTS")
    return entries
