"""Connection options that would otherwise fail only when a device is contacted, checked when the
inventory loads (and so by `inventory check`): the jump host's form and credentials, and the key
files a session reads. The jump-host grammar lives here so that loading and connecting agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netpatrol.errors import InventoryIssue, UsageError

EXTRAS = "connection_options.netmiko.extras"
_JUMP = re.compile(r"^(?:(?P<user>[^@\s]+)@)?(?P<host>\[[^\]]+\]|[^:@\s]+)(?::(?P<port>\d{1,5}))?$")


@dataclass(frozen=True)
class JumpHost:
    user: str | None
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.user + '@' if self.user else ''}{self.host}:{self.port}"


def parse_jump(text: str) -> JumpHost:
    m = _JUMP.match(text.strip())
    port = int(m.group("port") or 22) if m else 0
    if not m or not 1 <= port <= 65535:
        raise UsageError(f"jump_host {text!r} is not of the form user@host[:port] with a port 1-65535, "
                         "e.g. netops@bastion.example.com:22")
    return JumpHost(m.group("user"), m.group("host").strip("[]"), port)


def jump_host_value(text: str) -> str:
    """pydantic validator of `jump_host`: the file, host and field are added by the loader."""
    try:
        parse_jump(text)
    except UsageError as exc:
        raise ValueError(str(exc).removeprefix(f"jump_host {text!r} ")) from None
    return text


def check_connect_options(rel: str, host: str, extras: dict[str, Any], need_files: bool,
                          issues: list[InventoryIssue]) -> None:
    """Problems of one host's merged options (host > groups > defaults), appended to `issues`.

    `need_files` is False for commands that never log in: a key file on another machine is
    then no reason to refuse `inventory list` or a report.
    """
    where = f"host {host}"
    if extras.get("jump_host") and not (extras.get("jump_password") or extras.get("jump_key_file")):
        issues.append(InventoryIssue(rel, where, f"{EXTRAS}.jump_host", "needs jump_password (${ENV}) or jump_key_file "
                                                                        "to log in to the jump host"))
    if not need_files:
        return
    files = [("jump_key_file", extras.get("jump_key_file"))]
    if extras.get("use_keys"):  # netmiko reads key_file only then
        files.append(("key_file", extras.get("key_file")))
    for name, value in files:
        if value and not Path(value).expanduser().is_file():
            issues.append(InventoryIssue(rel, where, f"{EXTRAS}.{name}", f"{value}: no such file"))
