"""Group commit: what concurrent callers want written goes out in one statement and one commit.

A webhook delivery costs the database mostly per statement: a round trip, a parse and a plan,
and a WAL flush at commit. Under load, several requests in one worker process reach their
insert at the same moment. The first becomes the leader and writes everything waiting, in one
call of ``write``; the others wait for its answer. When the leader is done and more items have
queued meanwhile, it hands the lead to the oldest of them instead of writing on, because its
own caller has an answer and shouldn't wait for everyone else's. Without concurrency a batch
is one item, and the cost is the plain insert's plus an uncontended lock.

This is the leader/follower scheme databases use for their own commit queues; no thread is
started, so nothing needs stopping when an app goes away.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class _Slot:
    """One caller's item and, once written, its outcome (a result or the exception to raise)."""

    __slots__ = ("item", "outcome", "leads", "_ready")

    def __init__(self, item):
        self.item = item
        self.outcome = None
        self.leads = False
        self._ready = threading.Lock()
        self._ready.acquire()  # released when the outcome is set or the lead is handed over

    def wake(self) -> None:
        self._ready.release()

    def wait(self) -> None:
        self._ready.acquire()


class GroupCommit(Generic[T, R]):
    """``submit(item)`` returns ``write([...])``'s answer for that item, sharing the call with
    whatever other threads submitted meanwhile.

    ``write`` takes a batch and returns one outcome per item, in order: a result, or an
    exception instance, which ``submit`` raises in that item's caller only. An exception raised
    by ``write`` itself is raised in every caller of the batch.
    """

    def __init__(self, write: Callable[[list[T]], Sequence[R | BaseException]], max_batch: int = 64):
        self._write = write
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._waiting: list[_Slot] = []
        self._writing = False

    @property
    def waiting(self) -> int:
        """Items queued and not yet taken by a leader."""
        return len(self._waiting)

    def submit(self, item: T) -> R:
        slot = _Slot(item)
        with self._lock:
            self._waiting.append(slot)
            if not self._writing:
                self._writing = slot.leads = True
        if not slot.leads:
            slot.wait()
        if slot.leads:
            self._lead(slot)
        if isinstance(slot.outcome, BaseException):
            raise slot.outcome
        return slot.outcome

    def _lead(self, own: _Slot) -> None:
        with self._lock:
            batch, self._waiting = self._waiting[: self._max_batch], self._waiting[self._max_batch :]
        try:
            outcomes = list(self._write([slot.item for slot in batch]))
            if len(outcomes) != len(batch):
                raise RuntimeError(f"write answered {len(outcomes)} outcomes for {len(batch)} items")
        except BaseException as exc:  # noqa: BLE001 - every caller of the batch gets it
            outcomes = [exc] * len(batch)
        for slot, outcome in zip(batch, outcomes, strict=True):
            slot.outcome = outcome
            slot.leads = False
        with self._lock:
            if self._waiting:
                successor = self._waiting[0]
                successor.leads = True
            else:
                successor = None
                self._writing = False
        for slot in batch:
            if slot is not own:
                slot.wake()
        if successor is not None:
            successor.wake()
