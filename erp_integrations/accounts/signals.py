"""What the rest of the host may want to hear about accounts, without ``accounts`` importing it.

``credentials_changed`` is sent (with the Flask app as sender) after an account's secrets,
endpoints or shop changed, or the account was deleted: whatever cached something derived from
them (the webhook receiver's verifiers) drops it. Blinker ships with Flask.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

credentials_changed = _signals.signal("erp-integrations.account-credentials-changed")


def announce_credentials_changed(account_id: int) -> None:
    from flask import current_app

    credentials_changed.send(current_app._get_current_object(), account_id=account_id)
