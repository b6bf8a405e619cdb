"""`netpatrol backup`: fetch configs concurrently, store the good ones, commit once per run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any

from netpatrol.backup.configtext import content_line_count
from netpatrol.backup.task import fetch_config
from netpatrol.collect.collector import Collector, failure_of
from netpatrol.collect.progress import progress_bar
from netpatrol.collect.runner import default_collector
from netpatrol.collect.shard import ProcessSetting
from netpatrol.compliance.records import backup_packs, document
from netpatrol.store import layout
from netpatrol.store.open import open_store
from netpatrol.store.refs import format_commit_message, pre_change_tag
from netpatrol.workspace.inventory import ResolvedHost
from netpatrol.workspace.records import update_device_records
from netpatrol.workspace.runlog import RunRecord, append_run
from netpatrol.workspace.settings import Workspace


@dataclass
class DeviceBackup:
    host: str
    site: str
    status: str  # saved / unchanged / failed
    path: str
    lines: int = 0
    saved_matches: bool | None = None
    error_status: str | None = None
    reason: str | None = None
    sentinel: str | None = None  # see backup.task.FetchedConfig
    warning: str | None = None


@dataclass
class BackupRun:
    devices: list[DeviceBackup]
    commit: str | None
    tag: str | None
    started: datetime
    finished: datetime
    pushed: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    # Why the packs' at-backup verdicts were not (all) written; the backup itself is unaffected.
    compliance_warning: str | None = None

    @property
    def failed(self) -> list[DeviceBackup]:
        return [d for d in self.devices if d.status == "failed"]

    def to_dict(self) -> dict:
        return {
            "commit": self.commit,
            "tag": self.tag,
            "started": self.started.isoformat(),
            "finished": self.finished.isoformat(),
            "counts": self.counts,
            "pushed": self.pushed,
            "compliance_warning": self.compliance_warning,
            "devices": [d.__dict__ for d in self.devices],
        }


@dataclass(frozen=True)
class PreviousConfigs:
    """Each host's last stored config's content-line count, read from the store's working tree
    when the task asks (a count, so a zone's worker can be sent it instead of the config).

    A picklable object rather than a closure over the Store, so shard processes can use it; they
    only read files the parent does not touch until every result is in.
    """

    root: Path
    paths: dict[str, str]

    def __call__(self, name: str) -> int | None:
        path = self.root / self.paths[name]
        return content_line_count(path.read_text(encoding="utf-8", errors="replace")) if path.is_file() else None


def run_backup(
    ws: Workspace,
    hosts: list[ResolvedHost],
    reason: str | None = None,
    workers: int | None = None,
    show_progress: bool | None = None,
    lock_timeout: float = 0,
    processes: ProcessSetting | None = None,
    trigger: str | None = None,
    collector: Collector | None = None,
) -> BackupRun:
    """`reason` is a human change id + text (tagged pre-change/<id>/...); `trigger` is what
    started an unattended run (a syslog line): written in the commit message, never tagged.

    `collector` fetches the configs (default: SSH with `workers` and `processes`); whatever
    answers, the run stores, commits, tags and records the same way."""
    settings = ws.settings.backup
    started = datetime.now(timezone.utc)
    # Before the store is opened: a zones' broker that is down ends the run with nothing written.
    collect = collector or default_collector(ws, hosts, workers=workers, processes=processes)
    store = open_store(ws)
    by_name = {h.name: h for h in hosts}
    with store.lock(timeout=lock_timeout):

        previous = PreviousConfigs(store.path, {name: layout.config_path(h.site, h.name) for name, h in by_name.items()})
        # Loaded once per run; plain pydantic models, so they pickle to shard processes.
        packs, compliance_warning = backup_packs(ws)
        procedure = partial(fetch_config, previous=previous, secrets=settings.secrets, max_shrink=settings.max_shrink,
                            compare_saved=settings.save_saved_config, packs=packs)
        outcomes = collect(hosts, procedure, progress_bar(len(hosts), "Backing up", show_progress,
                                                               zones={h.name: h.zone for h in hosts}))
        devices = []
        leftover = store.uncommitted(layout.CONFIGS)
        verdicts_dir = layout.backup_verdicts_dir()
        verdicts_left = store.uncommitted(verdicts_dir)
        verdict_paths = []
        for h in hosts:
            o = outcomes.get(h.name)
            path = layout.config_path(h.site, h.name)
            if o is None or not o.ok or o.value is None:
                status, why = failure_of(o)
                devices.append(DeviceBackup(h.name, h.site, "failed", path, error_status=status, reason=why))
                continue
            changed = store.write_file(path, o.value.text) or path in leftover
            if o.value.compliance_error:
                compliance_warning = compliance_warning or (
                    f"compliance packs not evaluated at this backup for {h.name} (and maybe others; their "
                    f"verdict files are left as they were): {o.value.compliance_error}")
            elif o.value.verdicts is not None:
                vpath = layout.backup_verdicts_path(h.site, h.name)
                if store.write_file(vpath, document(o.value.verdicts)) or vpath in verdicts_left:
                    verdict_paths.append(vpath)
            devices.append(DeviceBackup(h.name, h.site, "saved" if changed else "unchanged", path, o.value.lines, o.value.saved_matches,
                                        sentinel=o.value.sentinel, warning=o.value.warning))
        changed_hosts = [d.host for d in devices if d.status == "saved"]
        failed = [d.host for d in devices if d.status == "failed"]
        message = format_commit_message(changed_hosts, action="backup", failed=failed, reason=reason or trigger)
        if verdict_paths:
            message += f"\ncompliance verdicts: {len(verdict_paths)} changed\n"
        paths = [d.path for d in devices if d.status == "saved"] + verdict_paths
        commit = store.commit(message, paths=paths) if paths else None
        tag = None
        if reason:
            # Unique: a second run within the same second must keep its commit's tag and its records.
            tag = store.tag_unique(pre_change_tag(reason.split()[0]), f"pre-change backup: {reason}")
        pushed = None
        if settings.remote and (commit or tag):
            pushed = store.push(settings.remote).message
    finished = datetime.now(timezone.utc)
    _record(ws, devices, finished)
    counts = {s: sum(1 for d in devices if d.status == s) for s in ("saved", "unchanged", "failed")}
    append_run(ws, RunRecord("backup", started.isoformat(timespec="seconds"), finished.isoformat(timespec="seconds"),
                             len(devices), counts, commit=commit, reason=reason or trigger, tag=tag))
    return BackupRun(devices, commit, tag, started, finished, pushed, counts, compliance_warning)


def _record(ws: Workspace, devices: list[DeviceBackup], when: datetime) -> None:
    stamp = when.isoformat(timespec="seconds")
    updates = {}
    for d in devices:
        rec: dict[str, Any] = {"last_backup_attempt": stamp}
        if d.status == "failed":
            rec["last_backup_error"] = d.reason
        else:
            rec.update(last_backup_success=stamp, last_backup_error=None, config_saved=d.saved_matches,
                       last_backup_sentinel=d.sentinel, last_backup_warning=d.warning)
        updates[d.host] = rec
    update_device_records(ws, updates)
