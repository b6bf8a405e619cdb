"""The environment of every child process netpatrol starts (git, notification hooks, crontab).

Device, enable, jump, SMTP and webhook passwords reach netpatrol as environment variables (the
inventory and netpatrol.yaml only hold `${VAR}` references). A child inherits the parent's
environment by default, so a repository hook or a notification script would receive every device
password. `child_env()` is the one place that decides what a child gets: the parent's environment
minus every variable that is, or may be, a secret.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

# Names declared by the inventory (`${VAR}` references), netpatrol.yaml and the env file.
_declared: set[str] = set()
# Secrets under names nobody declared to us (e.g. a webhook token a hook script would not need).
_SECRET_WORDS = re.compile(r"PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|CREDENTIAL|API_?KEY", re.IGNORECASE)
# NETPATROL_* variables are the template's secret names (NETPATROL_PASSWORD, NETPATROL_ENABLE, ...);
# only these are known to carry none.
_NETPATROL_PUBLIC = frozenset({"NETPATROL_WORKSPACE"})


def declare_secret_vars(names: Iterable[str]) -> None:
    """Record variables that hold secrets (called wherever a `${VAR}` reference is read)."""
    _declared.update(names)


def is_secret(name: str) -> bool:
    if name in _declared or _SECRET_WORDS.search(name):
        return True
    return name.startswith("NETPATROL_") and name not in _NETPATROL_PUBLIC


def child_env(extra: Mapping[str, str] | None = None, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """`base` (default: this process's environment) without secrets, then `extra` on top."""
    source = os.environ if base is None else base
    env = {k: v for k, v in source.items() if not is_secret(k)}
    env.update(extra or {})
    return env
