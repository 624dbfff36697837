"""Background jobs about accounts themselves."""

from __future__ import annotations

from ..extensions import db
from ..hooks import get_connector
from ..jobs import job_function
from ..models import IntegrationLog


@job_function("check_connection")
def check_connection(account_id: int) -> dict:
    """Test an account's connection in the background and record the outcome in its log."""
    from . import account_secrets, get_account

    account = get_account(account_id)
    result = get_connector(account.connector)().test_connection(account, account_secrets(account)).as_dict()
    db.session.add(
        IntegrationLog(
            account_id=account.id,
            level="info" if result["ok"] else "warning",
            event="connection_checked",
            message=result["message"],
            data={"status": result["status"]},
        )
    )
    db.session.commit()
    return result
