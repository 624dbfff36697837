from .service import (
    AccountNotFound,
    AccountValidationError,
    account_secrets,
    account_summary,
    create_account,
    delete_account,
    get_account,
    serialize_account,
    set_default_account,
    update_account,
)

__all__ = [
    "AccountNotFound",
    "AccountValidationError",
    "account_secrets",
    "account_summary",
    "create_account",
    "delete_account",
    "get_account",
    "serialize_account",
    "set_default_account",
    "update_account",
]
