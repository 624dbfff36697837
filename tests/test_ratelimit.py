"""The shared rate limiter never lets more than its limit into any sliding second, even when a
burst straddles a second boundary and comes from several processes at once.

A fixed calendar-second window (what the connector had before) lets a full second's worth in
just before the boundary and another just after it: twice the limit within a few milliseconds,
which this test would count."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import uuid

import pytest

from erp_integrations.toolkit.ratelimit import RateLimiter

LIMIT = 30
WORKERS = 3
EACH = 30  # 90 requests: three seconds' worth, the first burst just before a boundary

# One worker process: wait for "go", then take EACH slots, printing when each call began and
# ended (the slot was taken somewhere in between).
WORKER = """
import json, sys, time
from erp_integrations.toolkit.ratelimit import RateLimiter
limiter = RateLimiter(int(sys.argv[1]), sys.argv[2])
print("ready", flush=True)
sys.stdin.readline()
spans = []
for _ in range(int(sys.argv[3])):
    began = time.time()
    limiter.acquire(sys.argv[4])
    spans.append((began, time.time()))
print(json.dumps(spans), flush=True)
"""


def wait_for_the_boundary(before: float = 0.05) -> None:
    # The property is about clock seconds, so the burst has to start at a chosen point of the
    # clock: no event to await here, only the wall clock itself.
    now = time.time()
    time.sleep((int(now) + 1 - before - now) % 1.0)


def busiest_second(spans: list[tuple[float, float]]) -> int:
    """The most requests surely taken within one second: for a window starting where a call
    began, those that began no earlier and ended before it closed."""
    return max(sum(1 for b, e in spans if start <= b and e < start + 1.0) for start, _ in spans)


def test_across_processes_sharing_redis(redis_url, app_env):
    key = f"test:{uuid.uuid4().hex}"
    env = {**__import__("os").environ, **app_env}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(LIMIT), redis_url, str(EACH), key], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )
        for _ in range(WORKERS)
    ]
    try:
        for worker in workers:
            assert worker.stdout.readline().strip() == "ready"
        wait_for_the_boundary()
        for worker in workers:
            worker.stdin.write("go\n")
            worker.stdin.flush()
        spans = [span for worker in workers for span in json.loads(worker.stdout.readline())]
    finally:
        for worker in workers:
            worker.stdin.close()
            worker.wait(timeout=60)
            worker.stdout.close()
    assert len(spans) == WORKERS * EACH
    assert busiest_second(spans) <= LIMIT
    # And the limiter does let a full window through: the first LIMIT calls did not wait for
    # each other (each ended before the window they opened could have closed).
    assert busiest_second(spans) >= LIMIT - 1


def test_in_memory_across_threads():
    """The embedded mode: one process, its threads sharing one in-memory window."""
    limiter, key, spans, lock = RateLimiter(LIMIT), f"test:{uuid.uuid4().hex}", [], threading.Lock()
    go = threading.Event()

    def work():
        go.wait()
        for _ in range(EACH):
            began = time.time()
            limiter.acquire(key)
            with lock:
                spans.append((began, time.time()))

    threads = [threading.Thread(target=work) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    wait_for_the_boundary()
    go.set()
    for thread in threads:
        thread.join(timeout=60)
    assert len(spans) == WORKERS * EACH
    assert LIMIT - 1 <= busiest_second(spans) <= LIMIT


def test_a_limit_below_one_is_refused():
    with pytest.raises(ValueError, match="at least one request per second"):
        RateLimiter(0)
