"""TikTok's token answers as the host's ``TokenGrant``; the keeping (single-flight refresh,
re-authorization and its alert) is the host's, in ``erp_integrations.toolkit.tokens``."""

from __future__ import annotations

from datetime import UTC, datetime

from erp_integrations.toolkit.tokens import TokenGrant

# What token/get says about the grant, kept in the account's auth_info.
GRANT_INFO = ("open_id", "seller_name", "seller_base_region", "user_type", "granted_scopes")


def _from_unix(value) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if value else None


def grant_from(data: dict) -> TokenGrant:
    """A token/get or token/refresh answer; TikTok gives both expiries as Unix times."""
    return TokenGrant(
        access_token=data["access_token"],
        refresh_token=data["refresh_token"],
        access_expires_at=_from_unix(data.get("access_token_expire_in")),
        refresh_expires_at=_from_unix(data.get("refresh_token_expire_in")),
        info={k: data[k] for k in GRANT_INFO if k in data},
    )
