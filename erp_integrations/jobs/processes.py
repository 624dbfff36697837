"""Whether a process on this machine still runs: how a worker on the same host tells that the
holder of a lock, or the worker of a "started" job, is gone (SIGKILLed, its machine's OOM
killer) without waiting for an expiry."""

from __future__ import annotations

import os


def process_is_gone(pid: int) -> bool:
    """True when ``pid`` no longer runs. A zombie counts as gone: a killed work horse whose own
    worker was killed too is re-parented to PID 1, and where PID 1 does not reap its children
    (a container whose first process is not an init) the zombie answers ``kill(pid, 0)`` for
    ever, so a lock it held would wait out its whole expiry. ``/proc/<pid>/stat`` tells a
    zombie (state ``Z``, see proc(5)); where there is no ``/proc`` the signal probe decides."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # another user's process: it exists
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            # pid (comm) state ...: comm may hold spaces and parentheses, so split after the last ")".
            return stat.read().rpartition(")")[2].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return False
