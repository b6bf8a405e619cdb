"""`netpatrol facts`: each device's identity read the way the inspection reads it.

The version item of the job's catalogue is collected with the inspection's own task (first
alternative the device accepts), parsed with the same TextFSM templates and normalised by the
same platform field maps, so `facts` and an inspection never disagree about a device's version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

from netpatrol.collect.collector import Collector, failure_of
from netpatrol.collect.progress import progress_bar
from netpatrol.collect.runner import default_collector
from netpatrol.inspection.catalogue import load_job
from netpatrol.inspection.normalise import normalise
from netpatrol.inspection.parsing import parse
from netpatrol.inspection.results import Facts
from netpatrol.inspection.task import RawCollection, collect_inspection
from netpatrol.workspace.inventory import ResolvedHost
from netpatrol.workspace.records import load_device_records
from netpatrol.workspace.settings import Workspace

ITEM = "version"


@dataclass
class DeviceFacts:
    host: str
    platform: str
    ok: bool
    status: str  # ok, a connection status, or "rejected"/"empty" when the version command gave nothing
    version: str | None = None  # normalised, as in an inspection result's facts.os_version
    model: str | None = None
    serial: str | None = None
    hostname: str | None = None
    command: str | None = None
    parse_status: str | None = None  # parsed / empty / no_template / parse_error / unrecognised
    error: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def parser_dirs(ws: Workspace) -> list[Path]:
    return [ws.root / "parsers"] if (ws.root / "parsers").is_dir() else []


def version_facts(platform: str, command: str, text: str, extra_dirs: Sequence[Path] = ()) -> tuple[Facts, str, str | None]:
    """(normalised facts, parse status, parse error) of one version command's output."""
    outcome = parse(platform, command, text, list(extra_dirs))
    facts, _ = normalise(platform, {ITEM: outcome.rows}, {ITEM: text})
    return facts, outcome.status, outcome.error


def _from_raw(h: ResolvedHost, raw: RawCollection, extra_dirs: list[Path]) -> DeviceFacts:
    item = raw.items.get(ITEM)
    if item is None:
        return DeviceFacts(h.name, h.platform, False, "error", error=f"the job catalogue has no '{ITEM}' item for {h.platform}")
    if item.command is None:
        return DeviceFacts(h.name, h.platform, False, "rejected", error="; ".join(item.rejected)[:500])
    if not (item.text or "").strip():
        return DeviceFacts(h.name, h.platform, False, "empty", command=item.command, error=f"'{item.command}' returned no output")
    facts, status, error = version_facts(h.platform, item.command, item.text or "", extra_dirs)
    return DeviceFacts(h.name, h.platform, True, "ok", facts.os_version, facts.model, facts.serial, facts.hostname,
                       item.command, status, error)


def read_facts(ws: Workspace, hosts: list[ResolvedHost], collector: Collector | None = None) -> list[DeviceFacts]:
    job = load_job(ws.root, "quarterly")
    items = {p: {ITEM: alts[ITEM]} for p, alts in job.platforms.items() if ITEM in alts}
    remembered = {name: rec.get("inspection_commands", {}) for name, rec in load_device_records(ws).items()}
    collect = collector or default_collector(ws, hosts)
    procedure = partial(collect_inspection, items=items, remembered=remembered, collect_config=False,
                        secrets=ws.settings.backup.secrets, config_checks={})
    outcomes = collect(hosts, procedure, progress_bar(len(hosts), "Reading versions", zones={h.name: h.zone for h in hosts}))
    extra = parser_dirs(ws)
    found = []
    for h in hosts:
        o = outcomes.get(h.name)
        if o is not None and o.ok and o.value is not None:
            found.append(_from_raw(h, o.value, extra))
        else:
            status, why = failure_of(o)
            found.append(DeviceFacts(h.name, h.platform, False, status, error=why))
    return found
