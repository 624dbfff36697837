"""Accounts: create, update, delete, choose the default; config validated by the connector.

Secret fields (``secret`` in the schema's metadata) are encrypted into
``integration_credentials`` and come back only as a mask; sending the mask back keeps the
stored secret, as Redash does with data-source passwords.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import select, update

from ..connectors import SECRET_MASK
from ..crypto.vault import CredentialVault
from ..endpoints import host_allowed
from ..extensions import db
from ..hooks import get_connector
from ..models import AccountStatus, IntegrationAccount
from .binding import TOKEN_NAMES, check_shop_setting, rebind_from_settings
from .signals import announce_credentials_changed

# Columns of integration_accounts that the schema fills; everything else non-secret is config.
HOST_COLUMNS = ("name", "region", "features", "sync_interval_minutes", "webhook_url")


class AccountValidationError(Exception):
    """A refused account change, with a message per field. ``status`` 403 means the change is
    valid but not the signed-in user's to make."""

    def __init__(self, fields: dict[str, Any], message: str = "invalid account configuration", status: int = 422):
        super().__init__(message)
        self.message = message
        self.fields = fields
        self.status = status


class AccountNotFound(LookupError):
    pass


def get_account(account_id: int) -> IntegrationAccount:
    account = db.session.get(IntegrationAccount, account_id)
    if account is None:
        raise AccountNotFound(f"no account with id {account_id}")
    return account


def _load(connector, payload: dict[str, Any]) -> dict[str, Any]:
    try:
        return connector.config_schema().load(payload)
    except ValidationError as exc:
        raise AccountValidationError(exc.normalized_messages()) from None


def _check_payload(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise AccountValidationError({"config": ["must be a JSON object"]})
    return payload


def _check_unique_name(connector_name: str, name: str, account_id: int | None = None) -> None:
    query = select(IntegrationAccount.id).where(IntegrationAccount.connector == connector_name, IntegrationAccount.name == name)
    if account_id is not None:
        query = query.where(IntegrationAccount.id != account_id)
    if db.session.scalar(query) is not None:
        raise AccountValidationError({"name": [f"another {get_connector(connector_name).display_name} account is already called {name!r}"]})


def _apply(account: IntegrationAccount, connector, data: dict[str, Any]) -> None:
    secret_names = set(connector.secret_fields())
    account.config = {k: v for k, v in data.items() if k not in secret_names and k not in HOST_COLUMNS}
    for column in HOST_COLUMNS:
        if column in data:
            setattr(account, column, data[column])
    vault = CredentialVault(db.session)
    for name in secret_names:
        vault.put(account, name, data.get(name))


def _check_endpoints(connector, data: dict[str, Any], previous: dict[str, Any] | None, may_change: bool) -> list[str]:
    """The endpoint settings that change; refuse hosts not allowed, and changes by non-admins."""
    schema_fields = connector.config_schema().fields
    allowed = current_app.config["ERP_SETTINGS"].allowed_hosts
    changed, errors, forbidden = [], {}, {}
    for name in connector.endpoint_fields():
        value, default = data.get(name), schema_fields[name].load_default
        before = default if previous is None else previous.get(name, default)
        if value == before:
            continue
        changed.append(name)
        if not may_change:
            forbidden[name] = ["only an administrator may change the marketplace hosts"]
        elif value and value != default and not host_allowed(value, connector.own_hosts, allowed):
            errors[name] = [f"{value} is not one of {connector.display_name}'s hosts nor allowed by the operator (ERP_INTEGRATIONS_ALLOWED_HOSTS)"]
    if forbidden:
        raise AccountValidationError(forbidden, "your role may not change where this account's credentials are sent", status=403)
    if errors:
        raise AccountValidationError(errors)
    return changed


def create_account(connector_name: str, config: Any, *, is_default: bool = False) -> IntegrationAccount:
    """Only administrators create accounts (the API and pages check it), so hosts are theirs to
    choose, within the operator's allow-list."""
    connector = get_connector(connector_name)
    config = _check_payload(config)
    masked = [name for name in connector.secret_fields() if config.get(name) == SECRET_MASK]
    if masked:
        raise AccountValidationError({name: ["send the secret itself, not the mask"] for name in masked})
    data = _load(connector, config)
    _check_endpoints(connector, data, None, may_change=True)
    _check_unique_name(connector_name, data["name"])
    account = IntegrationAccount(connector=connector_name)
    db.session.add(account)
    _apply(account, connector, data)
    has_default = db.session.scalar(
        select(IntegrationAccount.id).where(IntegrationAccount.connector == connector_name, IntegrationAccount.is_default, IntegrationAccount.id != account.id)
    )
    if is_default or has_default is None:
        _make_default(account)
    db.session.commit()
    return account


def update_account(account: IntegrationAccount, changes: Any, *, may_change_endpoints: bool = False) -> IntegrationAccount:
    """Partial update: fields not sent keep their value; a secret sent as the mask is kept.

    Changing a marketplace host needs ``may_change_endpoints`` (administrators) and drops the
    stored tokens: the account must be authorized again against the new host.
    """
    connector = get_connector(account.connector)
    changes = _check_payload(changes)
    vault = CredentialVault(db.session)
    current = _current_config(account, connector, vault.read_all(account))
    merged = dict(current)
    for key, value in changes.items():
        if key in connector.secret_fields() and value == SECRET_MASK:
            continue
        merged[key] = value
    data = _load(connector, merged)
    moved = _check_endpoints(connector, data, current, may_change_endpoints)
    _check_unique_name(account.connector, data["name"], account.id)
    if connector.shop_setting:
        check_shop_setting(account, connector, data)
    _apply(account, connector, data)
    if connector.shop_setting:
        rebind_from_settings(account, connector)
    if moved:
        for name in TOKEN_NAMES:
            vault.put(account, name, None)
        account.access_expires_at = account.refresh_expires_at = None
        if account.status in (AccountStatus.CONNECTED, AccountStatus.CHOOSE_SHOP):
            account.status = AccountStatus.NEEDS_REAUTH
    db.session.commit()
    announce_credentials_changed(account.id)
    return account


def _current_config(account: IntegrationAccount, connector, secrets: dict[str, str]) -> dict[str, Any]:
    schema_fields = connector.config_schema().fields
    current = {column: getattr(account, column) for column in HOST_COLUMNS if column in schema_fields}
    current.update(account.config or {})
    for name in connector.secret_fields():
        if name in secrets:
            current[name] = secrets[name]
    return current


def delete_account(account: IntegrationAccount) -> None:
    """Delete the account and everything synced for it, and its queued and failed jobs."""
    from ..jobs import get_queue_backend

    announce_credentials_changed(account.id)
    get_queue_backend().discard_account(account.id)
    was_default, connector_name = account.is_default, account.connector
    db.session.delete(account)
    db.session.flush()
    if was_default:
        successor = db.session.scalars(select(IntegrationAccount).where(IntegrationAccount.connector == connector_name).order_by(IntegrationAccount.id)).first()
        if successor is not None:
            _make_default(successor)
    db.session.commit()


def _make_default(account: IntegrationAccount) -> None:
    db.session.flush()
    # Clear the old default first: the partial unique index allows one default at a time.
    db.session.execute(
        update(IntegrationAccount).where(IntegrationAccount.connector == account.connector, IntegrationAccount.id != account.id).values(is_default=False)
    )
    account.is_default = True
    db.session.flush()


def set_default_account(account: IntegrationAccount) -> IntegrationAccount:
    _make_default(account)
    db.session.commit()
    return account


def account_secrets(account: IntegrationAccount) -> dict[str, str]:
    return CredentialVault(db.session).read_all(account)


def serialize_account(account: IntegrationAccount) -> dict[str, Any]:
    connector = get_connector(account.connector)
    stored = CredentialVault(db.session).names(account)
    config = {column: getattr(account, column) for column in HOST_COLUMNS if column in connector.config_schema().fields}
    config.update(account.config or {})
    for name in connector.secret_fields():
        config[name] = SECRET_MASK if name in stored else None
    return {
        "id": account.id,
        "connector": account.connector,
        "name": account.name,
        "status": account.status,
        "is_default": account.is_default,
        "external_shop_id": account.external_shop_id,
        "config": config,
        "created_at": account.created_at.isoformat(),
        "updated_at": account.updated_at.isoformat(),
    }


def account_summary(account: IntegrationAccount) -> dict[str, Any]:
    """What any user assigned to an account may know of it: which shop, and whether it syncs."""
    return {"id": account.id, "connector": account.connector, "name": account.name, "status": account.status, "region": account.region}
