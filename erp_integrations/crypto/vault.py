"""Encrypted credentials of accounts, stored in ``integration_credentials``.

The associated data binds each ciphertext to its account and field, so a ciphertext moved to
another row does not decrypt. Plaintext never touches the database, logs or error messages.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from ..models import AccountCredential, IntegrationAccount
from .keyring import EncryptedValue, KeyRing, generate_key_entry

log = logging.getLogger(__name__)
DEV_KEY_FILE = "secret_keys.dev"


class DevelopmentKeyWarning(UserWarning):
    pass


def load_keyring(secret_keys: str | None, instance_path: Path) -> KeyRing:
    """The configured key ring, or a development key kept in the instance folder."""
    if secret_keys:
        return KeyRing.parse(secret_keys)
    path = Path(instance_path) / DEV_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(generate_key_entry("dev1") + "\n")
    warnings.warn(
        f"ERP_INTEGRATIONS_SECRET_KEYS is not set: credentials are encrypted with a development key in {path}. "
        "Set ERP_INTEGRATIONS_SECRET_KEYS (see `erp-integrations secrets generate-key`) before storing real secrets.",
        DevelopmentKeyWarning,
        stacklevel=2,
    )
    return KeyRing.parse(path.read_text().strip())


def current_keyring() -> KeyRing:
    return current_app.extensions["erp_integrations.keyring"]


def associated_data(account_id: int, name: str) -> bytes:
    return f"integration_credentials:{account_id}:{name}".encode()


class CredentialVault:
    def __init__(self, session, keyring: KeyRing | None = None):
        self.session = session
        self.keyring = keyring or current_keyring()

    def put(self, account: IntegrationAccount, name: str, value: str | None) -> None:
        if account.id is None:
            self.session.flush()  # the account id is part of the associated data
        existing = self._row(account.id, name)
        if value is None:
            if existing is not None:
                self.session.delete(existing)
            return
        sealed = self.keyring.encrypt(value, associated_data(account.id, name))
        if existing is None:
            self.session.add(AccountCredential(account_id=account.id, name=name, key_id=sealed.key_id, ciphertext=sealed.blob))
        else:
            existing.key_id, existing.ciphertext = sealed.key_id, sealed.blob

    def get(self, account: IntegrationAccount, name: str) -> str | None:
        row = self._row(account.id, name)
        return None if row is None else self._open(row)

    def read_all(self, account: IntegrationAccount) -> dict[str, str]:
        rows = self.session.scalars(select(AccountCredential).where(AccountCredential.account_id == account.id))
        return {row.name: self._open(row) for row in rows}

    def names(self, account: IntegrationAccount) -> set[str]:
        return set(self.session.scalars(select(AccountCredential.name).where(AccountCredential.account_id == account.id)))

    def rotate(self) -> int:
        """Re-encrypt every credential not under the current key; returns how many were."""
        rotated = 0
        stale = select(AccountCredential).where(AccountCredential.key_id != self.keyring.current_id)
        for row in self.session.scalars(stale).all():
            plaintext = self._open(row)
            sealed = self.keyring.encrypt(plaintext, associated_data(row.account_id, row.name))
            row.key_id, row.ciphertext = sealed.key_id, sealed.blob
            rotated += 1
        return rotated

    def _row(self, account_id: int, name: str) -> AccountCredential | None:
        return self.session.scalars(select(AccountCredential).where(AccountCredential.account_id == account_id, AccountCredential.name == name)).first()

    def _open(self, row: AccountCredential) -> str:
        return self.keyring.decrypt(EncryptedValue(row.key_id, bytes(row.ciphertext)), associated_data(row.account_id, row.name))
