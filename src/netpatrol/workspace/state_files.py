"""Files of the machine-local state folder `.netpatrol/` that several processes edit (device
records, run records, web users, web logouts): one writer at a time, each file replaced whole.

A reader never sees half a file (temporary beside it, fsync, rename: store/files.py, which also
refuses a link on the way), and two editors never lose each other's change (an flock held across
read, change and write).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager

from netpatrol.store import files as store_files
from netpatrol.workspace.settings import Workspace


@contextmanager
def editing(ws: Workspace, lock_name: str) -> Iterator[None]:
    """An exclusive flock on `.netpatrol/<lock_name>.lock` for the block (the folder made 0700)."""
    state = ws.ensure_state_dir()
    fd = os.open(state / f"{lock_name}.lock", os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    with os.fdopen(fd, "wb") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        yield


def replace(ws: Workspace, name: str, text: str) -> None:
    """`.netpatrol/<name>` replaced whole by `text`, 0600."""
    store_files.write_bytes(ws.ensure_state_dir(), name, text.encode("utf-8"))
