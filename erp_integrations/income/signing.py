"""Ed25519 signatures on income statements, verifiable offline with the public key alone.

What is signed is the statement's canonical JSON: keys sorted, no spaces, UTF-8
(``canonical``). A verifier re-serialises the ``statement`` object the same way and checks the
signature with the public key named by ``signature.kid`` (the README shows the ten lines). Old
keys stay published after a rotation, so statements signed before it still verify.
"""

from __future__ import annotations

import base64
import json
import secrets
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select

from ..crypto.keyring import EncryptedValue
from ..crypto.vault import current_keyring
from ..extensions import db
from ..models import IncomeSigningKey

ALGORITHM = "Ed25519"


def canonical(document: Any) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _associated_data(kid: str) -> bytes:
    return f"income-signing-key:{kid}".encode()


def create_key() -> IncomeSigningKey:
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    kid = datetime.now(UTC).strftime("%Y%m%d") + "-" + secrets.token_hex(4)
    sealed = current_keyring().encrypt(b64url(raw), _associated_data(kid))
    public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    key = IncomeSigningKey(kid=kid, public_key=b64url(public), sealed_private_key=sealed.blob, sealed_with=sealed.key_id)
    db.session.add(key)
    db.session.commit()
    return key


def current_key() -> IncomeSigningKey:
    """The key that signs now, made on first use."""
    key = db.session.scalars(select(IncomeSigningKey).where(IncomeSigningKey.retired_at.is_(None)).order_by(IncomeSigningKey.created_at.desc())).first()
    return key or create_key()


def rotate() -> IncomeSigningKey:
    """Retire the signing key (it stays published for verification) and make a new one."""
    for key in db.session.scalars(select(IncomeSigningKey).where(IncomeSigningKey.retired_at.is_(None))):
        key.retired_at = datetime.now(UTC)
    db.session.commit()
    return create_key()


def reseal(keyring=None) -> int:
    """Seal every signing key not under the key ring's current key again (``secrets rotate``
    does this with the credentials, so the old key-ring entry can then be dropped)."""
    keyring = keyring or current_keyring()
    resealed = 0
    for key in db.session.scalars(select(IncomeSigningKey).where(IncomeSigningKey.sealed_with != keyring.current_id)).all():
        raw = keyring.decrypt(EncryptedValue(key.sealed_with, key.sealed_private_key), _associated_data(key.kid))
        sealed = keyring.encrypt(raw, _associated_data(key.kid))
        key.sealed_with, key.sealed_private_key = sealed.key_id, sealed.blob
        resealed += 1
    return resealed


def public_keys() -> list[dict[str, Any]]:
    current_key()  # a fresh instance publishes the key it will sign with
    keys = db.session.scalars(select(IncomeSigningKey).order_by(IncomeSigningKey.created_at)).all()
    return [
        {
            "kid": k.kid,
            "alg": ALGORITHM,
            "public_key": k.public_key,
            "created_at": k.created_at.isoformat(),
            "retired_at": k.retired_at.isoformat() if k.retired_at else None,
        }
        for k in keys
    ]


def sign(statement: dict[str, Any]) -> dict[str, Any]:
    key = current_key()
    raw = unb64url(current_keyring().decrypt(EncryptedValue(key.sealed_with, key.sealed_private_key), _associated_data(key.kid)))
    signature = Ed25519PrivateKey.from_private_bytes(raw).sign(canonical(statement))
    return {"statement": statement, "signature": {"alg": ALGORITHM, "kid": key.kid, "value": b64url(signature)}}


def verify(document: dict[str, Any], keys: list[dict[str, Any]]) -> bool:
    """Whether a signed statement verifies against published keys (what a lender's script does)."""
    try:
        signature = document["signature"]
        key = next(k for k in keys if k["kid"] == signature["kid"])
        Ed25519PublicKey.from_public_bytes(unb64url(key["public_key"])).verify(unb64url(signature["value"]), canonical(document["statement"]))
    except (InvalidSignature, KeyError, StopIteration, TypeError, ValueError):
        return False
    return True
