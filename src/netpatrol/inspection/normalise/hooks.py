"""Named escape hatches for what no field map can say; a platform's normalise.yaml lists the names
it needs under `hooks`. Each hook gets (facts, health, parsed, raw) after the maps have been applied."""

from __future__ import annotations

import re
from datetime import datetime

from netpatrol.inspection.normalise import _common as c
from netpatrol.inspection.normalise._spec import Hook, Parsed, Raw
from netpatrol.inspection.results import Facts, Health


def version_without_product(facts: Facts, health: Health, parsed: Parsed, raw: Raw) -> None:
    """'CE6881 V200R019C10SPC500' -> 'V200R019C10SPC500': the product name is already the model."""
    if facts.os_version and " " in facts.os_version:
        facts.os_version = facts.os_version.split()[-1]


# VRP5 chassis name themselves "Quidway S7706 Terabit Routing Switch"; the model is the first word.
_MODEL_DESCRIPTION = re.compile(r"\s+(Terabit\s+)?(Routing\s+)?(Switch|Router)$", re.IGNORECASE)


def model_without_description(facts: Facts, health: Health, parsed: Parsed, raw: Raw) -> None:
    """'S7706 Terabit Routing Switch' -> 'S7706'."""
    if facts.model:
        facts.model = _MODEL_DESCRIPTION.sub("", facts.model)


def version_with_release(facts: Facts, health: Health, parsed: Parsed, raw: Raw) -> None:
    """Versions only meaningful with their release (Comware): '7.1.070, Release 6616'."""
    row = (parsed.get("version") or [{}])[0]
    release = c.first(row, ["release"])
    if facts.os_version and release and release not in facts.os_version:
        facts.os_version = f"{facts.os_version}, Release {release}"


def _stamp(row: dict, prefix: str) -> datetime | None:
    parts = [c.first(row, [f"{prefix}{k}"]) for k in ("year", "month", "day", "time")]
    if not all(parts):
        return None
    try:
        return datetime.strptime(" ".join(str(p) for p in parts), "%Y %m %d %H:%M:%S")
    except ValueError:
        return None


def uptime_from_boot_time(facts: Facts, health: Health, parsed: Parsed, raw: Raw) -> None:
    """The `clock` item's "Current time" and "System booted" stamps (Junos `show system uptime`):
    their difference is exact, where the routing engine's "Uptime" text is only a fallback."""
    rows = parsed.get("clock") or []
    if rows:
        seconds = c.seconds_between(_stamp(rows[0], "boot_"), _stamp(rows[0], ""))
        if seconds is not None and seconds >= 0:
            facts.uptime_seconds = seconds


HOOKS: dict[str, Hook] = {
    hook.__name__: hook for hook in (version_without_product, model_without_description, version_with_release,
                                      uptime_from_boot_time)
}
