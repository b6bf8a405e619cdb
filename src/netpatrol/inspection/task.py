"""The inspection procedure: run a job's command catalogue on one device, choosing among alternatives."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from netpatrol.backup.configtext import clean
from netpatrol.backup.sanitize import sanitize
from netpatrol.checks.engine import match_config
from netpatrol.collect.collector import Connect
from netpatrol.platforms import PLATFORMS
from netpatrol.workspace.inventory import ResolvedHost


@dataclass
class ItemRaw:
    item: str
    command: str | None  # the alternative the device accepted; None when none was
    text: str | None  # sanitised at the workspace's `backup.secrets` level: safe to store and to send
    rejected: list[str] = field(default_factory=list)  # "command: device reply" per refused alternative


@dataclass
class RawCollection:
    collected_at: str
    items: dict[str, ItemRaw]
    # Whether the saved config equals the running one (None: not both collected).
    config_saved: bool | None = None
    # Config check id -> the sanitised lines its pattern matched ([]: no match); None: no config.
    # The unsanitised config itself never leaves the procedure (it may run in a remote zone).
    config_matches: dict[str, list[str]] | None = None
    # Config checks whose pattern ran past the regex time limit (the engine names them).
    config_overrun: list[str] = field(default_factory=list)


def collect_inspection(
    host: ResolvedHost,
    connect: Connect,
    items: dict[str, dict[str, list[str]]],
    remembered: dict[str, dict[str, str]],
    collect_config: bool,
    secrets: str,
    config_checks: dict[str, dict[str, str]],
) -> RawCollection:
    """Every item of the device's platform; an item whose alternatives are all refused is left
    unsupported and the device's inspection still succeeds.

    `remembered[host][item]` is the alternative that worked last time: tried first, so a
    CloudEngine is not asked the S-series command every quarter.

    Item texts are sanitised here at the `secrets` level, and the config checks
    (`config_checks[check id][platform]` = pattern) matched here, so what this returns is safe to
    store and to send over a zone's broker.
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
                # A job item may print config lines (`show running-config | include snmp`) or a log
                # line quoting a typed command with its secret (IOS CFGLOG_LOGGEDCMD).
                raw.command, raw.text = command, sanitize(text or "", host.platform, secrets)
                break
            out[item] = raw
        running = saved = None
        if collect_config:
            running, rejected = run(profile.backup.running)
            running = None if rejected else running
            if profile.backup.saved:
                saved, rejected = run(profile.backup.saved)
                saved = None if rejected else saved
    result = RawCollection(collected_at, out)
    if running is not None and saved is not None:
        result.config_saved = clean(running, profile) == clean(saved, profile)
    if running:
        result.config_matches, result.config_overrun = match_config(config_checks, host.platform, clean(running, profile))
    return result
