"""AES-256-GCM credentials: round trips, binding to their row, rotation, no plaintext at rest."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from erp_integrations.crypto import DecryptionError, KeyRing, KeyRingError, generate_key_entry
from erp_integrations.crypto.keyring import EncryptedValue

RING = KeyRing.parse(generate_key_entry("a") + "," + generate_key_entry("b"))


@settings(max_examples=200)
@given(plaintext=st.text(), aad=st.binary(max_size=64))
def test_round_trip_any_text(plaintext, aad):
    sealed = RING.encrypt(plaintext, aad)
    assert sealed.key_id == "a"
    assert RING.decrypt(sealed, aad) == plaintext


@given(plaintext=st.text(min_size=1), aad=st.binary(max_size=16), other=st.binary(max_size=16))
def test_other_associated_data_fails(plaintext, aad, other):
    if aad == other:
        return
    with pytest.raises(DecryptionError):
        RING.decrypt(RING.encrypt(plaintext, aad), other)


@given(plaintext=st.text(min_size=1), position=st.integers(min_value=0))
def test_any_flipped_bit_fails(plaintext, position):
    sealed = RING.encrypt(plaintext, b"x")
    blob = bytearray(sealed.blob)
    blob[position % len(blob)] ^= 0x01
    with pytest.raises(DecryptionError):
        RING.decrypt(EncryptedValue(sealed.key_id, bytes(blob)), b"x")


def test_same_plaintext_encrypts_differently():
    assert RING.encrypt("same", b"").blob != RING.encrypt("same", b"").blob


@pytest.mark.parametrize(
    ("ring", "message"),
    [
        ("", "empty"),
        ("nocolon", "id:base64key"),
        ("a:!!!", "not valid base64"),
        ("a:" + "QUFB", "3 bytes"),
        ("bad id:" + "A" * 44, "key id"),
    ],
)
def test_malformed_rings_say_what_is_wrong_without_key_material(ring, message):
    with pytest.raises(KeyRingError, match=message) as info:
        KeyRing.parse(ring)
    assert "!!!" not in str(info.value) and "QUFB" not in str(info.value)


def test_duplicate_key_ids_are_refused():
    entry = generate_key_entry("dup")
    with pytest.raises(KeyRingError, match="twice"):
        KeyRing.parse(entry + "," + entry)


def test_raw_column_holds_no_plaintext(app, tiktok_config):
    from erp_integrations.accounts import create_account
    from erp_integrations.extensions import db

    account = create_account("tiktok_shop", tiktok_config)
    rows = db.session.execute(text("SELECT name, key_id, ciphertext FROM integration_credentials WHERE account_id = :a"), {"a": account.id}).all()
    assert [(r.name, r.key_id) for r in rows] == [("app_secret", "test1")]
    raw = bytes(rows[0].ciphertext)
    assert tiktok_config["app_secret"].encode() not in raw
    dumped = db.session.execute(text("SELECT * FROM integration_accounts")).all()
    assert tiktok_config["app_secret"] not in repr(dumped)


def test_a_ciphertext_moved_to_another_account_does_not_decrypt(app, tiktok_config):
    from erp_integrations.accounts import account_secrets, create_account
    from erp_integrations.extensions import db

    first = create_account("tiktok_shop", tiktok_config)
    second = create_account("tiktok_shop", {**tiktok_config, "name": "Other", "app_secret": "other-secret"})
    db.session.execute(
        text("UPDATE integration_credentials SET ciphertext = (SELECT ciphertext FROM integration_credentials WHERE account_id = :a) WHERE account_id = :b"),
        {"a": first.id, "b": second.id},
    )
    db.session.commit()
    with pytest.raises(DecryptionError):
        account_secrets(second)


def test_rotate_re_encrypts_under_the_newest_key(app_env, databases, tmp_path):
    """Rotation end to end through the CLI: new key first, rotate, drop the old key."""
    from erp_integrations import migrate
    from erp_integrations.accounts import account_secrets, create_account
    from erp_integrations.app import create_app, dispose
    from erp_integrations.extensions import db

    url = databases.new()
    migrate.upgrade(url)
    old, new = generate_key_entry("old"), generate_key_entry("new")
    env = {"DATABASE_URL": url, "ERP_INTEGRATIONS_INSTANCE": str(tmp_path)}
    with (first := create_app({**env, "ERP_INTEGRATIONS_SECRET_KEYS": old})).app_context():
        account_id = create_account("tiktok_shop", {"name": "r", "region": "US", "app_key": "abcd1234", "app_secret": "rotate-me"}).id
        from erp_integrations.income import sign

        before = sign({"probe": 1})  # makes the income signing key, sealed under "old"
        db.session.remove()

    run_env = {**os.environ, **env, "ERP_INTEGRATIONS_SECRET_KEYS": f"{new},{old}"}
    run_env.pop("REDIS_URL", None)
    result = subprocess.run([sys.executable, "-m", "erp_integrations", "secrets", "rotate"], env=run_env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "re-encrypted 1 credential(s) and 1 income signing key(s) under key new" in result.stdout
    assert "rotate-me" not in result.stdout + result.stderr

    with (second := create_app({**env, "ERP_INTEGRATIONS_SECRET_KEYS": new})).app_context():
        from erp_integrations.accounts import get_account

        assert db.session.execute(text("SELECT key_id FROM integration_credentials")).scalar() == "new"
        assert account_secrets(get_account(account_id)) == {"app_secret": "rotate-me"}
        from erp_integrations.income import public_keys, sign, verify

        after = sign({"probe": 2})  # the old key-ring entry is gone: the signing key was resealed
        assert after["signature"]["kid"] == before["signature"]["kid"] and verify(after, public_keys())
    dispose(first)
    dispose(second)


def test_development_key_is_generated_with_a_warning(tmp_path):
    from erp_integrations.crypto.vault import DevelopmentKeyWarning, load_keyring

    with pytest.warns(DevelopmentKeyWarning, match="ERP_INTEGRATIONS_SECRET_KEYS is not set"):
        first = load_keyring(None, tmp_path)
    with pytest.warns(DevelopmentKeyWarning):
        second = load_keyring(None, tmp_path)
    assert first.current_id == second.current_id == "dev1"
    sealed = first.encrypt("x", b"")
    assert second.decrypt(sealed, b"") == "x"  # the same key survives restarts
    assert (tmp_path / "secret_keys.dev").stat().st_mode & 0o077 == 0
