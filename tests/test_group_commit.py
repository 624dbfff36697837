"""Group commit with real threads: what concurrent callers submit is written together, each
caller gets its own outcome, and nobody waits for more than its own batch."""

from __future__ import annotations

import threading
import time

import pytest

from erp_integrations.webhooks.group_commit import GroupCommit


class Recorder:
    """A ``write`` that records its batches and the thread that wrote each; the first batch
    waits for ``release`` so that the test can queue more items behind it."""

    def __init__(self, outcome=lambda item: item * 10):
        self.batches: list[tuple[list, int]] = []
        self.entered = threading.Event()
        self.release = threading.Event()
        self.outcome = outcome

    def __call__(self, items):
        self.batches.append((list(items), threading.get_ident()))
        if len(self.batches) == 1:
            self.entered.set()
            assert self.release.wait(10)
        return [self.outcome(item) for item in items]


def submit_in_thread(group, item, results):
    def run():
        try:
            results[item] = ("ok", group.submit(item), threading.get_ident())
        except Exception as exc:  # the test compares what each caller saw
            results[item] = ("raised", exc, threading.get_ident())

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def queue_behind_first(group, write, items, results):
    """Item ``items[0]`` leads and blocks in ``write``; the others queue behind it."""
    threads = [submit_in_thread(group, items[0], results)]
    assert write.entered.wait(10)
    threads += [submit_in_thread(group, item, results) for item in items[1:]]
    deadline = time.monotonic() + 10
    while group.waiting < len(items) - 1:  # no event marks "queued": poll the group's own count
        assert time.monotonic() < deadline, "the submitters never queued"
        time.sleep(0.001)
    write.release.set()
    for thread in threads:
        thread.join(10)
    return threads


def test_items_queued_while_one_is_written_go_out_together_and_each_caller_gets_its_own_result():
    write = Recorder()
    group = GroupCommit(write)
    results = {}
    queue_behind_first(group, write, [1, 2, 3, 4, 5], results)
    assert [sorted(items) for items, _ in write.batches] == [[1], [2, 3, 4, 5]]
    assert {item: result[:2] for item, result in results.items()} == {n: ("ok", n * 10) for n in range(1, 6)}


def test_the_leader_answers_its_own_caller_and_hands_the_next_batch_to_a_waiting_thread():
    write = Recorder()
    group = GroupCommit(write, max_batch=2)
    results = {}
    queue_behind_first(group, write, [1, 2, 3, 4, 5, 6], results)
    batches = [sorted(items) for items, _ in write.batches]
    assert sorted(batches[0]) == [1] and sorted(n for b in batches[1:] for n in b) == [2, 3, 4, 5, 6]
    assert all(len(b) <= 2 for b in batches)
    writers = {tuple(sorted(items)): ident for items, ident in write.batches}
    # Each batch after the first is written by the thread of one of its own items.
    for items, ident in writers.items():
        assert ident in {results[item][2] for item in items}
    assert group.waiting == 0


def test_an_items_own_error_is_raised_in_its_caller_only():
    write = Recorder(outcome=lambda item: ValueError(f"item {item} is bad") if item == 3 else item)
    group = GroupCommit(write)
    results = {}
    queue_behind_first(group, write, [1, 2, 3, 4], results)
    assert results[3][0] == "raised" and str(results[3][1]) == "item 3 is bad"
    assert {item: results[item][:2] for item in (1, 2, 4)} == {1: ("ok", 1), 2: ("ok", 2), 4: ("ok", 4)}


def test_a_failed_write_fails_every_caller_of_its_batch_and_the_next_batch_is_written():
    calls = []

    def write(items):
        calls.append(list(items))
        if len(calls) == 1:
            raise ConnectionError("database unreachable")
        return [True for _ in items]

    group = GroupCommit(write)
    with pytest.raises(ConnectionError, match="database unreachable"):
        group.submit("a")
    assert group.submit("b") is True
    assert calls == [["a"], ["b"]]


def test_a_write_that_answers_the_wrong_number_of_outcomes_fails_loudly():
    group = GroupCommit(lambda items: [])
    with pytest.raises(RuntimeError, match="0 outcomes for 1 items"):
        group.submit("a")
    assert group.waiting == 0


def test_many_threads_hammering_get_exactly_their_own_results():
    group = GroupCommit(lambda items: [("done", item) for item in items], max_batch=5)
    results = {}
    threads = [submit_in_thread(group, n, results) for n in range(400)]
    for thread in threads:
        thread.join(10)
    assert {n: results[n][:2] for n in range(400)} == {n: ("ok", ("done", n)) for n in range(400)}
