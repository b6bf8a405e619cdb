"""What a host or group name may be: it becomes a file name (`configs/<site>/<host>.cfg`), a
directory, a Git path and part of Git tags, on whatever system the backups are cloned to."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
MAX_NAME = 64
# Windows refuses these as file names, with any extension (`con.cfg` too): a clone of the backups
# there could not check out the device's config.
RESERVED_STEM = re.compile(r"(con|prn|aux|nul|com[0-9]|lpt[0-9])", re.IGNORECASE)


def name_problem(name: Any) -> str | None:
    """Why `name` cannot be a host or group name, or None."""
    if not isinstance(name, str):
        return f"name must be text, not {type(name).__name__} (quote it)"
    if not 1 <= len(name) <= MAX_NAME:
        return f"name is {len(name)} characters long; at most {MAX_NAME} (it becomes a file name and a Git path)"
    if not NAME_RE.fullmatch(name):
        return "name must be letters, digits, '.', '_' or '-', starting with a letter or digit (no spaces or line breaks)"
    if ".." in name or name.endswith((".", ".lock")):
        return "name must not contain '..' or end with '.' or '.lock' (Git refuses such paths in tags)"
    if RESERVED_STEM.fullmatch(name.partition(".")[0]):
        return "name is a device name Windows reserves (CON, PRN, AUX, NUL, COM1-9, LPT1-9): its file could not be checked out there"
    return None


def case_twin(name: str, earlier: dict[str, str]) -> str | None:
    """An earlier name equal to `name` apart from letter case (their files are one file on Windows
    and macOS, where one device's config would overwrite the other's); records `name` otherwise."""
    folded = name.casefold()
    if folded in earlier:
        return earlier[folded]
    earlier[folded] = name
    return None


def shown(name: Any) -> str:
    text = repr(name)
    return text if len(text) <= 50 else f"{text[:40]}...' ({len(str(name))} characters)"


def same_address(address: str) -> str:
    """One spelling per address: `2001:DB8:0::1` is `2001:db8::1`, `Core.Example.org.` is `core.example.org`."""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return address.lower().rstrip(".")
