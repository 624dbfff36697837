"""Which hosts an account may send its credentials to.

An account's marketplace hosts (API, token, consent page) decide where the app secret, the
refresh token and every access token travel. They are therefore not ordinary settings: an
account may name its connector's own hosts, or an origin the operator listed in
``ERP_INTEGRATIONS_ALLOWED_HOSTS`` (the sandboxes on loopback in the demo and the tests), and
nothing else. Only an administrator may change them, and a change drops the stored tokens so
that a credential is never sent to a host it was not issued for.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_PORTS = {"https": 443, "http": 80}


@dataclass(frozen=True)
class Origin:
    scheme: str
    host: str
    port: int | None  # None: any port (an allow-list entry with ``:*``)

    def admits(self, other: Origin) -> bool:
        return self.scheme == other.scheme and self.host == other.host and (self.port is None or self.port == other.port)


def parse_origin(value: str, what: str = "host") -> Origin:
    """``scheme://host[:port]`` (a path is tolerated on account URLs, not in the allow-list)."""
    wildcard = value.endswith(":*")
    parts = urlsplit(value[:-2] if wildcard else value)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"{what}: {value!r} is not an http(s) origin such as https://host:port")
    try:
        port = None if wildcard else (parts.port or DEFAULT_PORTS[parts.scheme])
    except ValueError:
        raise ValueError(f"{what}: {value!r} has an invalid port") from None
    return Origin(parts.scheme, parts.hostname.lower(), port)


def host_allowed(value: str, own_hosts: tuple[str, ...], allowed: tuple[str, ...]) -> bool:
    """Whether ``value`` names one of the connector's own hosts or an operator-allowed origin."""
    try:
        origin = parse_origin(value)
    except ValueError:
        return False
    return any(parse_origin(entry).admits(origin) for entry in (*own_hosts, *allowed))
