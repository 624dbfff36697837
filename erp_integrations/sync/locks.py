"""One run per account and stream at a time, across every worker on every machine.

With Redis, a lock key with an expiry (renewed at every checkpoint) is shared by all workers;
a worker that dies loses its lock when the key expires. The key holds its owner's host and
process id, so a worker on the same machine takes over at once from a process that is gone
(killed with SIGKILL, say) instead of waiting for the expiry. Without Redis (the embedded
mode, one process), an in-process lock does the same job.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
from contextlib import contextmanager

from flask import current_app

from ..jobs.processes import process_is_gone

LOCK_SECONDS = 15 * 60
_local_locks: dict[str, threading.Lock] = {}
_local_guard = threading.Lock()

HOST = socket.gethostname()

# Release only if we still own it: compare-and-delete in one step.
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"
_TAKE_OVER = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3]) else return false end"
_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end"


class StreamLock:
    def __init__(self, key: str):
        self.key = key
        self.token = f"{HOST}:{os.getpid()}:{secrets.token_hex(8)}"
        settings = current_app.config["ERP_SETTINGS"]
        self._redis = None
        if settings.redis_url:
            from ..jobs.redis_client import redis_client

            self._redis = redis_client(settings.redis_url)

    def acquire(self) -> bool:
        if self._redis is not None:
            if self._redis.set(self.key, self.token, nx=True, px=LOCK_SECONDS * 1000):
                return True
            holder = self._redis.get(self.key)
            if holder is not None and _owner_is_gone(holder.decode()):
                return bool(self._redis.eval(_TAKE_OVER, 1, self.key, holder, self.token, LOCK_SECONDS * 1000))
            return False
        with _local_guard:
            lock = _local_locks.setdefault(self.key, threading.Lock())
        return lock.acquire(blocking=False)

    def renew(self) -> None:
        if self._redis is not None:
            self._redis.eval(_RENEW, 1, self.key, self.token, LOCK_SECONDS * 1000)

    def release(self) -> None:
        if self._redis is not None:
            self._redis.eval(_RELEASE, 1, self.key, self.token)
        else:
            _local_locks[self.key].release()


def _owner_is_gone(holder: str) -> bool:
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != HOST or not pid.isdigit() or int(pid) == os.getpid():
        return False  # another machine's worker: only the key's expiry can tell
    return process_is_gone(int(pid))


@contextmanager
def stream_lock(account_id: int, stream: str):
    lock = StreamLock(f"erp_integrations:lock:sync:{account_id}:{stream}")
    acquired = lock.acquire()
    try:
        yield lock if acquired else None
    finally:
        if acquired:
            lock.release()
