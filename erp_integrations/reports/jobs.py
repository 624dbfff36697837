"""The daily books check (the scheduler runs it for every account, after the purge)."""

from __future__ import annotations

from ..jobs import job_function


@job_function("check_books", retries=(60, 600))
def check_books(account_id: int) -> dict:
    """The daily look at an account's money (run after the purge): reconcile the last 90 days
    of statements, payouts and orders, and check for delayed settlements; each raises or
    resolves its alert."""
    from ..accounts import get_account
    from .delayed import check_account
    from .reconcile import check_account as reconcile_account

    account = get_account(account_id)
    return {**reconcile_account(account), **check_account(account)}
