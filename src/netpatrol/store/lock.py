"""The store's run lock: an flock on `.git/netpatrol.lock`, with who holds it written inside."""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from datetime import datetime, timezone, tzinfo
from pathlib import Path

from netpatrol import localtime
from netpatrol.errors import LockedError, StoreError


def acquire_flock(path: Path, store: Path, timeout: float, tz: tzinfo | None = None) -> int:
    """The locked descriptor; LockedError naming the holder (its start in zone `tz`, else the
    machine's) once `timeout` seconds have passed."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    except OSError as exc:
        raise StoreError(f"{path}: cannot open the lock file: {exc.strerror}") from exc
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = os.pread(fd, 4096, 0).decode("utf-8", "replace")
                os.close(fd)
                raise LockedError(_locked_message(store, holder, timeout, tz)) from None
            time.sleep(0.05)
    # The flock, not this text, is the lock: a dead holder's kernel lock is already gone.
    info = {"pid": os.getpid(), "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "host": socket.gethostname()}
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(info).encode(), 0)
    return fd


def _locked_message(path: Path, holder: str, timeout: float, tz: tzinfo | None = None) -> str:
    try:
        info = json.loads(holder)
        pid, started = int(info["pid"]), info.get("started", "?")
    except (ValueError, KeyError, TypeError):
        return f"{path} is locked by another netpatrol run (holder unknown)"
    try:
        started = localtime.show(started, tz or localtime.zone(None), seconds=True)
    except (ValueError, TypeError, AttributeError):
        pass  # written by another version or by hand: shown as it is
    try:
        os.kill(pid, 0)
        alive = ""
    except ProcessLookupError:
        alive = " - that process has exited; a git command it started is still finishing"
    except PermissionError:
        alive = ""
    waited = f" after waiting {timeout:g}s" if timeout else ""
    return f"{path} is locked by netpatrol pid {pid} (started {started}){alive}; still locked{waited}"
