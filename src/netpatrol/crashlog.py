"""Tracebacks of internal errors, kept for whoever debugs them: the values of secret environment
variables and URL credentials masked, one new 0600 file per error, in the first folder that works.

The command line's error boundary (cli/boundary.py) and the web server's (web/server_error.py)
both write here, so a traceback is masked the same way whoever caught it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

from netpatrol.childenv import is_secret

# Shorter values are too common to replace in a traceback without mangling it (and too weak to
# be a password worth hiding).
MIN_SECRET_LEN = 4


def redact(text: str) -> str:
    """`text` without the values of secret environment variables or URL credentials."""
    from netpatrol.store.git import redact_url_creds

    for name, value in os.environ.items():
        if len(value) >= MIN_SECRET_LEN and is_secret(name):
            text = text.replace(value, f"${{{name}}}")
    return redact_url_creds(text)


def log_dirs(workspace: Path | None) -> list[Path]:
    """Where a traceback may go, best first: the workspace's state folder (beside the run it
    belongs to), else the user's cache folder, else the system temporary folder."""
    found = []
    root = Path(workspace or os.environ.get("NETPATROL_WORKSPACE") or ".")
    if (root / "netpatrol.yaml").is_file() or (root / "inventory" / "hosts.yaml").is_file():
        found.append(root.resolve() / ".netpatrol" / "logs")
    try:
        found.append(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "netpatrol" / "logs")
    except RuntimeError:  # no home directory to be found
        pass
    found.append(Path(tempfile.gettempdir()) / f"netpatrol-{os.getuid()}" / "logs")
    return found


def write_log(text: str, folders: Sequence[Path], prefix: str = "", stamp_format: str = "%Y%m%dT%H%M%SZ") -> Path:
    """A new 0600 file `<prefix><UTC stamp>-<pid>.log` holding `text` (already redacted), in the
    first of `folders` that works; the last OSError when none does."""
    stamp = datetime.now(timezone.utc).strftime(stamp_format)
    problem: OSError | None = None
    for folder in folders:
        path = folder / f"{prefix}{stamp}-{os.getpid()}.log"
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            problem = exc
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        return path
    assert problem is not None
    raise problem
