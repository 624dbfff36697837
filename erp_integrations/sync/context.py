"""What a connector's stream sees while it syncs."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import text, update

from ..extensions import db
from ..jobs import shutdown
from ..models import IntegrationAccount, SyncCursor, SyncRun
from ..models.base import utcnow


@dataclass
class SyncContext:
    account: IntegrationAccount
    stream: str
    run: SyncRun
    cursor: dict
    full: bool
    started_at: datetime  # a cursor never moves past the start of the run that set it
    lock: object | None = None
    counts: Counter = field(default_factory=Counter)
    api_calls: int = 0
    _cursor_id: int | None = field(default=None, repr=False)
    _run_id: int | None = field(default=None, repr=False)
    account_id: int = field(init=False)

    def __post_init__(self) -> None:
        # Kept apart from the account row, which every commit expires: reading account.id after
        # each page's commit would reload the row, a query per page.
        self.account_id = self.account.id

    def count(self, entity: str, n: int) -> None:
        self.counts[entity] += n

    def checkpoint(self, cursor: dict) -> None:
        """Save the cursor and commit, together with the page written before it: a killed run
        resumes after the last page it finished, never before or after."""
        self.cursor = dict(cursor)
        if self._run_id is None:
            self._run_id = self.run.id
        if self._cursor_id is None:
            row = db.session.scalars(db.select(SyncCursor).where(SyncCursor.account_id == self.account.id, SyncCursor.stream == self.stream)).first()
            if row is None:
                row = SyncCursor(account_id=self.account.id, stream=self.stream, cursor=self.cursor)
                db.session.add(row)
                db.session.flush()
            self._cursor_id = row.id
        # Two UPDATEs by primary key: this runs after every page, and loading the rows through
        # the ORM again (a commit expires them) cost more than writing the page's status rows.
        db.session.execute(
            update(SyncCursor).where(SyncCursor.id == self._cursor_id).values(cursor=self.cursor), execution_options={"synchronize_session": False}
        )
        db.session.execute(
            update(SyncRun).where(SyncRun.id == self._run_id).values(counts=dict(self.counts), api_calls=self.api_calls, heartbeat_at=utcnow()),
            execution_options={"synchronize_session": False},
        )
        if db.session.get_bind().dialect.name == "postgresql":
            # No fsync wait: a crash can lose only the last pages together with the cursor
            # that points past them (one transaction), so the next run fetches them again.
            db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))
        db.session.commit()
        if self.lock is not None:
            self.lock.renew()
        if shutdown.requested.is_set():
            raise shutdown.ShutdownRequested(f"stopped after a page of {self.stream}: the worker is shutting down")
