"""AES-256-GCM encryption under a rotatable key ring.

The ring is written ``id1:base64key,id2:base64key``; the **first** entry is the current key
(new ciphertexts use it) and every entry can decrypt, so a rotation is: put a new key first,
run ``erp-integrations secrets rotate``, then drop the old entry.

Each ciphertext is stored with the id of its key. The caller passes associated data (the row
and field it belongs to) so that a ciphertext copied into another row or field fails to decrypt
instead of silently yielding someone else's secret.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12  # the size GCM is specified for; random nonces are safe far beyond our volumes
KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


class KeyRingError(ValueError):
    """The key ring setting is malformed. Messages never contain key material."""


class DecryptionError(Exception):
    """A ciphertext could not be decrypted: unknown key id, wrong associated data or tampering."""


@dataclass(frozen=True)
class EncryptedValue:
    key_id: str
    blob: bytes  # nonce || ciphertext-with-tag


class KeyRing:
    def __init__(self, keys: list[tuple[str, bytes]]):
        if not keys:
            raise KeyRingError("the key ring is empty")
        seen = set()
        for key_id, key in keys:
            if key_id in seen:
                raise KeyRingError(f"key id {key_id!r} appears twice")
            seen.add(key_id)
            if len(key) != 32:
                raise KeyRingError(f"key {key_id!r} is {len(key)} bytes; AES-256 needs 32")
        self._keys = dict(keys)
        self.current_id = keys[0][0]

    @classmethod
    def parse(cls, text: str) -> KeyRing:
        entries = []
        for position, raw in enumerate(filter(None, (p.strip() for p in text.split(","))), 1):
            key_id, sep, encoded = raw.partition(":")
            if not sep:
                raise KeyRingError(f"entry {position} must look like id:base64key")
            if not KEY_ID_PATTERN.match(key_id):
                raise KeyRingError(f"entry {position}: key id must be 1-32 of A-Z a-z 0-9 _ . -")
            try:
                key = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError):
                raise KeyRingError(f"entry {position} ({key_id}): the key is not valid base64") from None
            entries.append((key_id, key))
        return cls(entries)

    @property
    def key_ids(self) -> list[str]:
        return list(self._keys)

    def encrypt(self, plaintext: str, associated_data: bytes) -> EncryptedValue:
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self._keys[self.current_id]).encrypt(nonce, plaintext.encode(), associated_data)
        return EncryptedValue(self.current_id, nonce + sealed)

    def decrypt(self, value: EncryptedValue, associated_data: bytes) -> str:
        key = self._keys.get(value.key_id)
        if key is None:
            raise DecryptionError(f"no key with id {value.key_id!r} in the key ring")
        nonce, sealed = value.blob[:NONCE_BYTES], value.blob[NONCE_BYTES:]
        try:
            return AESGCM(key).decrypt(nonce, sealed, associated_data).decode()
        except InvalidTag:
            raise DecryptionError(f"ciphertext under key {value.key_id!r} failed authentication") from None

    def derive(self, purpose: str, key_id: str | None = None) -> bytes:
        """A 256-bit key for another use (signing OAuth state), derived with HKDF so the
        encryption key itself is never used for two jobs."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        material = self._keys[key_id or self.current_id]
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(material)


def generate_key_entry(key_id: str | None = None) -> str:
    """A new ring entry ``id:base64key`` with a fresh random 256-bit key."""
    key_id = key_id or "k" + secrets.token_hex(4)
    if not KEY_ID_PATTERN.match(key_id):
        raise KeyRingError("key id must be 1-32 of A-Z a-z 0-9 _ . -")
    return f"{key_id}:{base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()}"
