"""The env file: the `${VAR}` passwords of an unattended run, read by netpatrol itself as data.

Format (one parser, this one; cron and systemd never read the file):
- UTF-8 text, one `KEY=VALUE` per line; lines may end in LF or CRLF;
- empty lines and lines starting with `#` are ignored;
- KEY starts the line: letters, digits and `_`, not starting with a digit (no `export`, no spaces);
- VALUE is every character after the first `=` up to the end of the line, exactly as written:
  no quote removal, no `$` expansion, no backslash escapes, no trimming. `a"b c$$;` is those 8
  characters. A value cannot contain a line break;
- a KEY may appear once, and may not be one that changes how netpatrol and the programs it
  starts run (PATH, HOME, LD_*, PYTHON*, GIT_* ...): those belong in the cron/systemd environment;
- a UTF-8 byte-order mark (Windows Notepad) is ignored; a NUL byte is refused.
The file must be private to its owner (no group/other permission bits): it holds passwords.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path

from netpatrol.childenv import declare_secret_vars
from netpatrol.errors import UsageError
from netpatrol.store import files as store_files

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# The loader puts every key into this process's environment, which git and hooks inherit:
# `LD_PRELOAD` or `GIT_CONFIG_PARAMETERS` there would run code, `PATH` would pick the programs.
_RESERVED = re.compile(r"PATH|HOME|SHELL|IFS|ENV|BASH_ENV|TMPDIR|(LD_|DYLD_|PYTHON|GIT_).*")
HEADER = ("# netpatrol env file: KEY=VALUE lines, read as data by 'netpatrol run --env-file' (never by a shell):\n"
          "# everything after the first '=' is the value, quotes, spaces, $ ; ` and \\ included. Keep it mode 0600.\n")


def parse_env_text(text: str, source: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for number, line in enumerate(text.split("\n"), 1):
        line = line.removesuffix("\r")
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not _KEY.fullmatch(key):
            # The line is not shown: it may be a password typed without its KEY=.
            raise UsageError(f"{source} line {number}: expected KEY=VALUE with KEY made of letters, digits and _ "
                             "(no spaces, no 'export')")
        if key in values:
            raise UsageError(f"{source} line {number}: {key} is set twice")
        if _RESERVED.fullmatch(key):
            raise UsageError(f"{source} line {number}: {key} changes how netpatrol and the programs it starts run; "
                             "this file holds passwords only: set it in the cron/systemd environment instead")
        if "\0" in value:
            raise UsageError(f"{source} line {number}: the value of {key} contains a NUL byte, which no environment can hold")
        values[key] = value
    return values


def read_env_file(path: Path) -> dict[str, str]:
    """The file's KEY -> VALUE; UsageError when it is missing, readable by others or malformed."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as exc:
        raise UsageError(f"env file {path}: cannot open: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())  # the file actually read, not whatever the path names later
        if not stat.S_ISREG(st.st_mode):
            raise UsageError(f"env file {path}: not a regular file")
        if st.st_mode & 0o077:
            raise UsageError(f"env file {path}: mode {stat.S_IMODE(st.st_mode):04o} lets other users read its "
                             f"passwords; refusing to use it: run 'chmod 600 {path}'")
        data = fh.read()
    try:
        text = data.decode("utf-8-sig")  # Windows Notepad starts its UTF-8 with a BOM
    except UnicodeDecodeError:
        raise UsageError(f"env file {path}: not UTF-8 text") from None
    return parse_env_text(text, f"env file {path}")


def load_env_file(path: Path) -> dict[str, str]:
    """Read the file into this process's environment; its keys become secrets for child_env()."""
    values = read_env_file(path)
    declare_secret_vars(values)
    os.environ.update(values)
    return values


def write_env_file(path: Path, values: Mapping[str, str], comments: str = "") -> None:
    """Write `values` atomically with mode 0600 (the directory made 0700 if missing)."""
    lines = []
    for key, value in values.items():
        if not _KEY.fullmatch(key):
            raise UsageError(f"env file {path}: {key!r} is not a valid KEY (letters, digits, _)")
        if any(c in value for c in "\n\r\0"):
            raise UsageError(f"env file {path}: the value of {key} contains a line break or NUL, which the format cannot hold")
        lines.append(f"{key}={value}\n")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # The store's writer: atomic, 0600 whatever the umask, never through a link.
    store_files.write_bytes(path.parent, path.name, (HEADER + comments + "".join(lines)).encode("utf-8"))
