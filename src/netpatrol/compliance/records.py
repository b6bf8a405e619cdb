"""Stored compliance: the backup's `at_backup` verdicts, each period's device records and summary.

Backup verdicts (`compliance/backup/<site>/<host>.json`) are written with the backup's commit and
carry no timestamp, so an unchanged verdict changes no file. Period records
(`compliance/<period>/<site>/<host>.json`) and the period's summary are written with that period's
inspection, so the `inspection/<period>` tag covers them. A pack error never stops the backup or
the inspection it rides on: the caller gets a warning and no compliance file is written.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import get_args

from netpatrol.compliance.model import STATUSES, BackupVerdicts, Change, DeviceCompliance, Pack, RuleResult, Severity
from netpatrol.store import layout
from netpatrol.store.documents import first_model
from netpatrol.store.periods import is_period, period_order
from netpatrol.store.repo import Store
from netpatrol.workspace.inventory import ResolvedHost
from netpatrol.workspace.settings import Workspace

SEVERITY_ORDER: tuple[str, ...] = get_args(Severity)  # strongest first


def document(model) -> str:
    """Stable JSON (sorted keys, one trailing newline): the same verdict is the same bytes."""
    return json.dumps(model.model_dump(mode="json", by_alias=True), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def pack_warning(exc: BaseException, when: str) -> str:
    return f"compliance packs not evaluated {when}: {exc}"


# -- backup time ----------------------------------------------------------------------------------

def backup_packs(ws: Workspace) -> tuple[list[Pack], str | None]:
    """The packs cut down to their `at_backup` rules (what a backup evaluates, pickled to shard
    processes), and the warning when the packs cannot be loaded (then no pack: the backup runs)."""
    from netpatrol.compliance.loader import load_packs

    try:
        packs = load_packs(ws)
    except Exception as exc:  # noqa: BLE001 - whatever is wrong with the packs, the configs are backed up
        return [], pack_warning(exc, "at this backup (its verdict files are left as they were)")
    cut = [p.model_copy(update={"rules": [r for r in p.rules if r.at_backup]}) for p in packs]
    return [p for p in cut if p.rules], None


def read_backup_verdicts(store: Store, site: str, host: str, ref: str | None = None) -> BackupVerdicts | None:
    """The device's backup verdicts in the working tree (ref None) or at a commit; None when absent
    or unreadable (its rules are then `unknown`, never guessed)."""
    return first_model(store, [layout.backup_verdicts_path(site, host)], BackupVerdicts, ref)


# -- evaluation of stored configs ---------------------------------------------------------------

def evaluate_stored(packs: list[Pack], store: Store, hosts: list[ResolvedHost],
                    ref: str | None = None) -> dict[str, list[RuleResult]]:
    """Host -> its results on the stored config and backup verdicts as of commit `ref` (None: the
    latest commit, which the inspection's commit will follow; before a first commit nothing is
    stored and every rule is `unknown`)."""
    from netpatrol.compliance.evaluate import evaluate
    from netpatrol.store.snapshot import configs_at

    commit = ref or store.rev_parse("HEAD")
    # Every config in one bulk read (a host that moved site is found in its old folder).
    configs = {n: c.text for n, c in configs_at(store, commit, hosts).items()} if commit else {}
    return {h.name: evaluate(packs, host=h.name, site=h.site, platform=h.platform, config=configs.get(h.name),
                             backup=read_backup_verdicts(store, h.site, h.name, commit))
            for h in hosts}


# -- period records -----------------------------------------------------------------------------

@dataclass
class PeriodCompliance:
    """What an inspection stored: the records it wrote, the period's summary, or why nothing."""

    records: list[DeviceCompliance] = field(default_factory=list)
    summary: dict | None = None
    warning: str | None = None


def changes(current: list[RuleResult], previous: DeviceCompliance | None) -> list[Change]:
    """Rules whose status differs from the previous record's (none without a previous record)."""
    if previous is None:
        return []
    before = {(r.pack, r.rule): r.status for r in previous.results}
    return [Change(pack=r.pack, rule=r.rule, previous=before.get((r.pack, r.rule)), current=r.status)
            for r in current if before.get((r.pack, r.rule)) != r.status]


def previous_record(store: Store, earlier: list[str], h: ResolvedHost) -> DeviceCompliance | None:
    """The device's record of the most recent earlier inspected period holding one (the period the
    inspection's own comparison looks back to)."""
    return first_model(store, (layout.compliance_path(p, h.site, h.name) for p in earlier), DeviceCompliance)


def summarise(period: str, records: list[DeviceCompliance]) -> dict:
    """Counts per status, per pack, per site, and failures per severity."""
    results = [r for rec in records for r in rec.results]

    def by_status(rs: list[RuleResult]) -> dict[str, int]:
        c = Counter(r.status for r in rs)
        return {s: c[s] for s in STATUSES}

    packs = sorted({r.pack for r in results})
    sites = sorted({rec.site for rec in records})
    failed: Counter[str] = Counter(r.severity for r in results if r.status == "fail")
    return {
        "period": period,
        "devices": len(records),
        "devices_failing": sum(1 for rec in records if any(r.status == "fail" for r in rec.results)),
        "status": by_status(results),
        "packs": {p: by_status([r for r in results if r.pack == p]) for p in packs},
        "sites": {s: by_status([r for rec in records if rec.site == s for r in rec.results]) for s in sites},
        "failed_by_severity": {s: failed[s] for s in SEVERITY_ORDER},
        "changes": sum(len(rec.changes) for rec in records),
    }


def stored_records(store: Store, period: str, ref: str | None = None) -> list[DeviceCompliance]:
    """The period's device records; a damaged one is skipped (counts for `inventory list`)."""
    paths = [p for p in store.list_files(layout.compliance_dir(period), ref) if layout.parse_compliance_path(p)]
    return [rec for p in paths if (rec := first_model(store, [p], DeviceCompliance, ref)) is not None]


def write_period(ws: Workspace, store: Store, period: str, hosts: list[ResolvedHost],
                 earlier: list[str]) -> PeriodCompliance:
    """Evaluate every pack on each host's stored config (the latest commit) and write the period's
    records and summary, for the inspection to commit; nothing on a pack error."""
    from netpatrol.compliance.loader import load_packs

    try:
        packs = load_packs(ws)
        evaluated = evaluate_stored(packs, store, hosts)
    except Exception as exc:  # noqa: BLE001 - the period's inspection is committed whatever the packs do
        return PeriodCompliance(warning=pack_warning(exc, f"for {period}; no compliance records written"))
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    head = store.rev_parse("HEAD")
    records = []
    for h in hosts:
        results = evaluated[h.name]
        rec = DeviceCompliance(period=period, host=h.name, site=h.site, platform=h.platform, evaluated_at=now,
                               config_commit=head if store.exists(layout.config_path(h.site, h.name)) else None,
                               results=results, changes=changes(results, previous_record(store, earlier, h)))
        store.write_file(layout.compliance_path(period, h.site, h.name), document(rec))
        records.append(rec)
    summary = summarise(period, stored_records(store, period))
    store.write_file(layout.compliance_summary_path(period),
                     json.dumps(summary, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return PeriodCompliance(records, summary)


# -- the newest record per device (inventory list) ----------------------------------------------

def latest_counts(store: Store, hosts: list[ResolvedHost]) -> dict[str, dict]:
    """Host -> {"period", pass, fail, not_applicable, unknown} of its newest period record in the
    store's working tree; hosts without one are left out. Only reads (no store is created)."""
    periods = sorted({found[0] for path in store.list_files(layout.COMPLIANCE)
                      if (found := layout.parse_compliance_path(path)) and is_period(found[0])}, key=period_order, reverse=True)
    counts: dict[str, dict] = {}
    for h in hosts:
        for p in periods:
            rec = first_model(store, [layout.compliance_path(p, h.site, h.name)], DeviceCompliance)
            if rec is not None:
                c = Counter(r.status for r in rec.results)
                counts[h.name] = {"period": p, **{s: c[s] for s in STATUSES}}
                break
    return counts
