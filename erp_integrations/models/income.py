"""Keys that sign income statements."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class IncomeSigningKey(Base):
    """An Ed25519 key pair. The private half is sealed with the credentials' key ring (AES-GCM,
    bound to the key's id), so the database alone cannot sign; the public half is served at
    ``/.well-known/erp-integrations/income-keys.json`` for as long as statements it signed may be
    checked. The newest key that is not retired signs; rotation retires it and makes another."""

    __tablename__ = "integration_income_signing_keys"

    kid: Mapped[str] = mapped_column(String(32), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64))  # raw 32 bytes, base64url without padding
    sealed_private_key: Mapped[bytes] = mapped_column(LargeBinary)
    sealed_with: Mapped[str] = mapped_column(String(32))  # the key ring's key id
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]
