"""Value parsing shared by every platform: numbers as devices print them, uptimes, status words.

Parsed rows keep values exactly as printed ('40%(7125)', 'NA', '--', '1,048,576', '334M'); these
helpers turn them into numbers and into the health model's vocabulary. Nothing here knows a
platform: platform modules pass their own word tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime

from netpatrol.inspection.results import ComponentStatus

Row = Mapping[str, object]

# Placeholders devices print for "no value"; they must become None, never 0.
_MISSING = {"", "na", "n/a", "-", "--", "---", "none", "unknown", "null", "n.a."}
_NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?|[-+]?\.\d+")
# Binary multipliers as file systems and memory print them (1.2G, 334M, 748K, 2 GB).
_SIZE_FACTORS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


def text(value: object) -> str | None:
    """A row value as one stripped string (list values, e.g. wrapped lines, are joined)."""
    if value is None:
        return None
    if isinstance(value, list):
        value = " ".join(str(v).strip() for v in value if str(v).strip())
    s = str(value).strip()
    return None if s.lower() in _MISSING else s


def first(row: Row | None, fields: Iterable[str]) -> str | None:
    """The first field of `fields` with a real value in `row`."""
    if not row:
        return None
    for f in fields:
        v = text(row.get(f))
        if v is not None:
            return v
    return None


def first_scalar(row: Row | None, fields: Iterable[str]) -> str | None:
    """Like `first`, but a list value (e.g. `show version` HARDWARE per stack member) gives its head."""
    if not row:
        return None
    for f in fields:
        v = row.get(f)
        if isinstance(v, list):
            v = next((x for x in v if text(x) is not None), None)
        v = text(v)
        if v is not None:
            return v
    return None


def num(value: object) -> float | None:
    """'40%(7125)' -> 40.0, '1,048,576' -> 1048576.0, '44.0C' -> 44.0, 'NA' / '--' -> None."""
    s = text(value)
    if s is None:
        return None
    m = _NUMBER.search(s)
    return float(m.group().replace(",", "")) if m else None


def integer(value: object) -> int | None:
    n = num(value)
    return None if n is None else int(n)


def size_bytes(value: object, unit: str | None = None) -> int | None:
    """'334M' -> 350224384; '1,048,576' with unit 'KB' -> 1073741824. Units are binary."""
    s = text(value)
    if s is None:
        return None
    m = re.fullmatch(r"([-+]?[\d,]*\.?\d+)\s*([kmgtb]?)(?:i?b(?:ytes?)?)?", s.strip(), re.IGNORECASE)
    if not m:
        n = num(s)
        return None if n is None else int(n * _unit_factor(unit))
    n = float(m.group(1).replace(",", ""))
    suffix = m.group(2).lower()
    factor = _SIZE_FACTORS[suffix] if suffix else _unit_factor(unit)
    return int(n * factor)


def _unit_factor(unit: str | None) -> int:
    u = (unit or "").strip().lower()
    if not u or u.startswith("byte") or u == "b":
        return 1
    return _SIZE_FACTORS.get(u[0], 1)


def kb(value: object, unit: str | None = None) -> int | None:
    b = size_bytes(value, unit)
    return None if b is None else b // 1024


def percent(part: float | None, whole: float | None) -> float | None:
    if part is None or not whole:
        return None
    return round(100.0 * part / whole, 1)


# -- uptime ---------------------------------------------------------------------------------------

_UNIT_SECONDS = {"y": 365 * 86400, "w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}
_UPTIME_PART = re.compile(r"(\d+)\s*(years?|weeks?|days?|hours?|hrs?|minutes?|mins?|seconds?|secs?|"
                          r"year\(s\)|week\(s\)|day\(s\)|hour\(s\)|minute\(s\)|second\(s\)|[ywdhms])(?![a-z])",
                          re.IGNORECASE)


def uptime_seconds(value: object) -> int | None:
    """'1 year, 21 weeks, 3 days, 4 hours, 5 minutes', '391 day(s), 7 hour(s)', '5w2d',
    '391 days, 07:39:20' (Junos), '391:07:39:20' (Ruijie d:h:m:s) -> seconds."""
    s = text(value)
    if s is None:
        return None
    total, found = 0, False
    clock = re.search(r"(?:(\d+):)?(\d{1,2}):(\d{2}):(\d{2})\s*$", s)
    if clock:
        d, h, m, sec = (int(x) if x else 0 for x in clock.groups())
        total, found = d * 86400 + h * 3600 + m * 60 + sec, True
        s = s[: clock.start()]
    for n, unit in _UPTIME_PART.findall(s):
        total += int(n) * _UNIT_SECONDS[unit[0].lower()]
        found = True
    return total if found else None


def seconds_between(earlier: datetime | None, later: datetime | None) -> int | None:
    if earlier is None or later is None:
        return None
    return int((later - earlier).total_seconds())


# -- status words ---------------------------------------------------------------------------------

# Words every platform uses; platform modules extend this with their own spellings.
COMMON_STATUS: dict[str, ComponentStatus] = {
    **dict.fromkeys(["ok", "normal", "good", "on", "up", "supply", "running", "active", "online",
                     "registered", "poweron", "power on", "present", "green", "active, in use", "in use",
                     "enabled", "yes"], "ok"),
    **dict.fromkeys(["fail", "failed", "failure", "faulty", "fault", "abnormal", "critical", "notsupply",
                     "no supply", "nosupply", "error", "bad", "not ok", "notok", "down", "off", "shutdown",
                     "alarm", "red", "poweroff", "power off", "unregistered", "input lost", "no input",
                     "bad, poweroff", "not supported"], "failed"),
    **dict.fromkeys(["absent", "not present", "notpresent", "not installed", "not-present", "empty",
                     "missing", "no", "removed", "offline"], "absent"),
    **dict.fromkeys(["warning", "warn", "minor", "major", "high", "yellow", "check", "degraded"], "warning"),
}


# What a presence column says when the slot is empty (the status column may say anything then).
ABSENT_WORDS = frozenset({"no", "n", "absent", "not present", "notpresent", "not installed", "offline", "empty"})


def status_of(value: object, table: Mapping[str, ComponentStatus] = COMMON_STATUS) -> ComponentStatus:
    """A device's status word -> ok / warning / failed / absent / unknown.

    Exact match first, then the leading word ('Ok (fan speed 70%)' -> ok): devices append detail."""
    s = text(value)
    if s is None:
        return "unknown"
    key = " ".join(s.lower().split())
    if key in table:
        return table[key]
    head = re.split(r"[\s,(;:/]", key, maxsplit=1)[0]
    return table.get(head, "unknown")


# -- syslog severity ------------------------------------------------------------------------------

SEVERITY_WORDS = {
    "emergency": 0, "emergencies": 0, "emerg": 0, "alert": 1, "alerts": 1,
    "critical": 2, "crit": 2, "major": 3, "error": 3, "errors": 3, "err": 3,
    "minor": 4, "warning": 4, "warnings": 4, "warn": 4, "notice": 5, "notification": 5,
    "notifications": 5, "info": 6, "informational": 6, "debug": 7, "debugging": 7,
}
# Cisco/Arista/NX-OS/Junos explicit-priority '%FAC-3-MNEM', Huawei/H3C 'MOD/4/MNEM'.
_SEV_IN_TEXT = (re.compile(r"%([A-Z0-9_]+)-(\d)-([A-Z0-9_]+)"), re.compile(r"\b([A-Z0-9_]+)/(\d)/([A-Z0-9_]+)"))


def severity_of(value: object) -> int | None:
    """'3' -> 3, 'Major' -> 3, 'CRIT' -> 2."""
    s = text(value)
    if s is None:
        return None
    if s.isdigit():
        return int(s)
    return SEVERITY_WORDS.get(s.lower())


def severity_in_message(message: str) -> tuple[int | None, str | None, str | None]:
    """(severity, facility, mnemonic) from a message that carries '%FAC-N-MNEM' or 'MOD/N/MNEM'."""
    for rx in _SEV_IN_TEXT:
        m = rx.search(message)
        if m:
            return int(m.group(2)), m.group(1), m.group(3)
    return None, None, None
