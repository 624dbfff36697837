"""Users, roles, sign-in and the permission checks shared by the API and the admin pages."""

from .guard import (
    Forbidden,
    NotSignedIn,
    check,
    current_user,
    may,
    requires,
    visible_accounts,
)
from .roles import ROLE_LABELS, ROLES
from .users import (
    SignInRefused,
    UserError,
    create_user,
    issue_api_token,
    serialize_user,
    sign_in,
)

__all__ = [
    "Forbidden",
    "NotSignedIn",
    "ROLES",
    "ROLE_LABELS",
    "SignInRefused",
    "UserError",
    "check",
    "create_user",
    "current_user",
    "issue_api_token",
    "may",
    "requires",
    "serialize_user",
    "sign_in",
    "visible_accounts",
]
