"""The inspection procedure: run a job's command catalogue on one device, choosing among alternatives."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from netpatrol.collect.collector import Connect
from netpatrol.platforms import PLATFORMS
from netpatrol.workspace.inventory import ResolvedHost


@dataclass
class ItemRaw:
    item: str
    command: str | None  # the alternative the device accepted; None when none was
    text: str | None
    rejected: list[str] = field(default_factory=list)  # "command: device reply" per refused alternative


@dataclass
class RawCollection:
    collected_at: str
    items: dict[str, ItemRaw]
    running_config: str | None = None
    saved_config: str | None = None


def collect_inspection(
    host: ResolvedHost,
    connect: Connect,
    items: dict[str, dict[str, list[str]]],
    remembered: dict[str, dict[str, str]],
    collect_config: bool,
) -> RawCollection:
    """Every item of the device's platform; an item whose alternatives are all refused is left
    unsupported and the device's inspection still succeeds.

    `remembered[host][item]` is the alternative that worked last time: tried first, so a
    CloudEngine is not asked the S-series command every quarter.
    """
    profile = PLATFORMS[host.platform]
    catalogue = items.get(host.platform, {})
    known = remembered.get(host.name, {})
    cache: dict[str, tuple[str, str | None]] = {}
    out: dict[str, ItemRaw] = {}
    collected_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with connect() as device:

        def run(command: str) -> tuple[str, str | None]:
            if command not in cache:
                o = device.send(command)
                cache[command] = (o.text, o.rejected)
            return cache[command]

        for item, alternatives in catalogue.items():
            order = sorted(alternatives, key=lambda c: c != known.get(item))
            raw = ItemRaw(item, None, None)
            for command in order:
                text, rejected = run(command)
                if rejected:
                    raw.rejected.append(f"{command}: {rejected}")
                    continue
                raw.command, raw.text = command, text
                break
            out[item] = raw
        running = saved = None
        if collect_config:
            running, rejected = run(profile.backup.running)
            running = None if rejected else running
            if profile.backup.saved:
                saved, rejected = run(profile.backup.saved)
                saved = None if rejected else saved
    return RawCollection(collected_at, out, running, saved)
