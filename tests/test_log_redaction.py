"""No log line carries a secret: the process-wide redaction, and the suite-wide scan that
checks it (``conftest.no_secret_in_any_log_line``) can itself fail."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import LogScanner


def test_a_database_error_quoting_a_password_hash_is_logged_without_it(app, caplog):
    from werkzeug.security import generate_password_hash

    from erp_integrations.extensions import db
    from erp_integrations.models import User

    hashed = generate_password_hash("a password to leak")
    db.session.add(User(email="x" * 300 + "@too.long", role="viewer", password_hash=hashed))
    with caplog.at_level(logging.ERROR):
        try:
            db.session.commit()
        except Exception:
            logging.getLogger("erp_integrations.test").exception("could not store the user")
            db.session.rollback()
        else:  # SQLite stores any length: log what a driver error would say
            logging.getLogger("erp_integrations.test").error("failed [parameters: {'password_hash': %r}] (Background)", hashed)
    text = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "could not store" in text or "failed" in text
    assert hashed not in text and "scrypt:" not in text


@pytest.mark.parametrize(
    "line",
    [
        "GET /api/v2/token/get?app_key=k&app_secret=sandbox-app-secret&auth_code=TTP_abcdefghijklmnopqrstuvwxyz HTTP/1.1",
        "POST /api/v1/users with Authorization: Bearer eit_test-admin-token",
        "token refresh answered {'access_token': 'TTP_abcdefghijklmnopqrstuvwxyz0123', 'refresh_token': 'TTP_zyxwvutsrqponmlkjihgfedcba9876'}",
        "callback /oauth/tiktok_shop/callback?code=TTP_abcdefghijklmnopqrstuvwx&state=s",
    ],
)
def test_lines_with_credentials_are_redacted_for_every_logger(app, caplog, line):
    with caplog.at_level(logging.INFO):
        for name in ("werkzeug", "sqlalchemy.engine", "erp_integrations.jobs", "rq.worker"):
            logging.getLogger(name).warning(line)
    assert len(caplog.records) == 4
    for record in caplog.records:
        message = record.getMessage()
        assert "[redacted]" in message
        assert not any(s in message for s in ("sandbox-app-secret", "eit_test-admin-token", "TTP_abc", "TTP_zyx"))


def test_the_scan_catches_a_line_that_escaped_redaction():
    scanner = LogScanner(())
    raw = logging.LogRecord("somewhere", logging.INFO, __file__, 1, "the secret is sandbox-app-secret", None, None)
    scanner.emit(raw)  # built by hand: no redaction happened
    assert scanner.leaks and "sandbox-app-secret" in scanner.leaks[0]


@given(secret=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126, blacklist_characters="&'\",}"), min_size=6, max_size=40))
def test_a_secret_in_any_credential_parameter_is_redacted(secret):
    from erp_integrations.log_redaction import redact

    for name in ("app_secret", "access_token", "refresh_token", "partner_key", "password", "sign"):
        assert redact(f"GET /x?{name}={secret}&page=2 HTTP/1.1") == f"GET /x?{name}=[redacted]&page=2 HTTP/1.1"
        assert redact(f"{name}: {secret}") == f"{name}: [redacted]"
