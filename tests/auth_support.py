"""Users for tests: created straight in the database (with cached password hashes, since
scrypt is slow on purpose), and API clients that carry a user's token."""

from __future__ import annotations

import re
from functools import lru_cache

from werkzeug.security import generate_password_hash

ADMIN_EMAIL = "admin@test.invalid"
ADMIN_TOKEN = "eit_test-admin-token"
PASSWORD = "correct horse battery"


@lru_cache(maxsize=8)
def _hash(password: str) -> str:
    return generate_password_hash(password)


def add_user(email: str, role: str, *, accounts: tuple[int, ...] = (), token: str | None = None, password: str = PASSWORD):
    from erp_integrations.auth.users import assign_accounts, token_hash
    from erp_integrations.extensions import db
    from erp_integrations.models import User

    user = User(email=email, role=role, password_hash=_hash(password), api_token_hash=token_hash(token) if token else None)
    db.session.add(user)
    db.session.flush()
    if accounts:
        assign_accounts(user, list(accounts), commit=False)
    db.session.commit()
    return user


def api_client(app, token: str = ADMIN_TOKEN):
    """A test client whose every request carries ``Authorization: Bearer <token>``."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def page_client(app, email: str = ADMIN_EMAIL):
    """A test client signed in through the login form, as a browser is: it carries the
    session cookie. Returns the client and the session's CSRF token for forms it posts."""
    browser = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/login").get_data(as_text=True)).group(1)
    browser.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    return browser, re.search(r'name="csrf-token" content="([^"]+)"', browser.get("/accounts").get_data(as_text=True)).group(1)
