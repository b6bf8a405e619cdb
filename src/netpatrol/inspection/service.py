"""`netpatrol inspect`: collect, parse, normalise, check, compare, and store one period's results.

Results, the raw outputs as evidence and a summary are stored under `inspections/<period>/` in
the store (paths in store/layout.py), committed once per run and tagged inspection/<period>;
re-running a period replaces its files in a new commit and moves the tag.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

from netpatrol.checks.engine import CheckContext, config_patterns, evaluate
from netpatrol.checks.loader import load_packs
from netpatrol.checks.model import Check
from netpatrol.collect.collector import Collector
from netpatrol.collect.progress import progress_bar
from netpatrol.collect.runner import default_collector
from netpatrol.collect.shard import ProcessSetting
from netpatrol.compliance.records import PeriodCompliance, write_period
from netpatrol.inspection.catalogue import Job, load_job
from netpatrol.inspection.comparison import compare
from netpatrol.inspection.normalise import normalise_items
from netpatrol.inspection.parsing import parse
from netpatrol.inspection.problems import assign_keys, keyed
from netpatrol.inspection.problems import count as count_problems
from netpatrol.inspection.results import (
    PARSE_PROBLEMS,
    SCHEMA_VERSION,
    SEVERITIES,
    Attempt,
    DeviceStatus,
    Facts,
    Health,
    InspectionResult,
    ItemOutcome,
)
from netpatrol.inspection.task import RawCollection, collect_inspection
from netpatrol.store import layout
from netpatrol.store.documents import first_model
from netpatrol.store.open import open_store
from netpatrol.store.periods import check_period, current_period, inspected_periods, inspection_tag, period_order
from netpatrol.store.repo import Store
from netpatrol.workspace.inventory import ResolvedHost
from netpatrol.workspace.records import load_device_records, update_device_records
from netpatrol.workspace.runlog import RunRecord, append_run
from netpatrol.workspace.settings import Workspace

# Device record key: item -> the template that read the item's output last time.
TEMPLATES_RECORD = "inspection_templates"


def result_path(period: str, h: ResolvedHost) -> str:
    return layout.result_path(period, h.site, h.name)


@dataclass
class InspectionRun:
    period: str
    results: list[InspectionResult]  # as stored: a kept good result carries the failed attempt
    commit: str | None
    tag: str | None
    # Failed attempts of this run on devices whose good result of the period was kept.
    kept: list[InspectionResult] = field(default_factory=list)
    # The period's baseline records and summary, or the warning why none were written.
    compliance: PeriodCompliance = field(default_factory=PeriodCompliance)

    @property
    def failed(self) -> list[InspectionResult]:
        return [r for r in self.results if r.status != "ok"] + self.kept

    def summary(self) -> dict:
        return summarise(self.period, self.results)


def summarise(period: str, results: list[InspectionResult]) -> dict:
    findings = [f for r in results for f in r.findings]
    problems = [count_problems(r.findings) for r in results]
    return {
        "period": period,
        "devices": len(results),
        "status": {s: sum(1 for r in results if r.status == s) for s in sorted({r.status for r in results})},
        "findings": {s: sum(1 for f in findings if f.severity == s) for s in SEVERITIES},
        # What a person counts: findings of one device with one problem key are one problem.
        "problems": {s: sum(per[s] for per in problems) for s in SEVERITIES},
        "unsupported_items": sum(1 for r in results for i in r.items.values() if i.status == "unsupported"),
        "parse_problems": sum(1 for r in results for i in r.items.values() if i.status in PARSE_PROBLEMS),
    }


def summary_document(period: str, results: list[InspectionResult], checks: Iterable[Check]) -> dict:
    """What `inspections/<period>/summary.json` holds: `summarise`'s counts, and per host its site,
    platform, status, problems per severity, problem keys and the period its inspection compared
    with, so the web view's device table and period page read one file instead of every device's
    result. Problems are counted as the report counts them (problems.keyed with `checks`); new and
    resolved are worked out from two periods' keys as the report does (web/period_view.py)."""
    checks = list(checks)
    hosts = {}
    totals = dict.fromkeys(SEVERITIES, 0)
    for r in sorted(results, key=lambda r: r.host):
        problems = keyed(r.findings, checks)
        for p in problems:
            totals[p.severity] += 1
        hosts[r.host] = {"site": r.site, "platform": r.platform, "status": r.status,
                         "problems": {s: n for s in SEVERITIES if (n := sum(p.severity == s for p in problems))},
                         "keys": sorted(p.key for p in problems),
                         "previous": r.comparison.previous_period if r.comparison else None}
    return {**summarise(period, results), "problems": totals, "hosts": hosts}


def _stored_results(store: Store, period: str) -> list[InspectionResult]:
    """Every device result of the period in the store: a run over some hosts keeps the others'."""
    paths = [p for p in store.list_files(layout.period_dir(period)) if layout.parse_result_path(p)]
    return [InspectionResult.model_validate_json(store.read_file(p)) for p in paths]


def earlier_periods(store: Store, period: str) -> list[str]:
    """Inspected periods before `period` in calendar order, newest first (listed once per run, not
    per device). Never by commit time: a backfilled past period is committed after later ones."""
    return [p for p in reversed(inspected_periods(store)) if period_order(p) < period_order(period)]


def _previous(store: Store, earlier: list[str], h: ResolvedHost) -> InspectionResult | None:
    """The device's most recent result from an earlier period (not necessarily the last quarter)."""
    return first_model(store, (result_path(p, h) for p in earlier), InspectionResult)


def _analyse(ws: Workspace, h: ResolvedHost, raw: RawCollection, period: str,
             templates: dict[str, str] | None = None) -> InspectionResult:
    """`templates`: item -> the template chosen for this device last time, tried first."""
    extra = [ws.root / "parsers"] if (ws.root / "parsers").is_dir() else []
    templates = templates or {}
    items: dict[str, ItemOutcome] = {}
    parsed_rows: dict[str, list[dict]] = {}
    by_item: dict[str, list[dict]] = {}
    texts: dict[str, str] = {}
    for name, r in raw.items.items():
        if r.command is None:
            items[name] = ItemOutcome(item=name, status="unsupported", error="; ".join(r.rejected)[:500])
            continue
        # Sanitised by the procedure (inspection.task): parsed rows and health (logs) are stored in
        # the results JSON like the evidence, and the evidence written to Git later is this same text.
        text = r.text or ""
        outcome = parse(h.platform, r.command, text, extra, prefer=templates.get(name))
        items[name] = ItemOutcome(item=name, command=r.command, status=outcome.status,
                                  template=Path(outcome.template).name if outcome.template else None,
                                  error=outcome.error, rows=len(outcome.rows), candidates=outcome.candidates,
                                  unexplained=outcome.unexplained[:500] if outcome.unexplained else None)
        parsed_rows[r.command] = outcome.rows
        by_item[name] = outcome.rows
        texts[name] = text
    normalised = normalise_items(h.platform, by_item, texts)
    facts, health = normalised.facts, normalised.health
    for name, gap in normalised.unused.items():
        # Rows that gave none of the item's facts are as silent as no rows: a parse problem.
        item_status = "unrecognised" if gap.no_facts and items[name].status == "parsed" else items[name].status
        items[name] = items[name].model_copy(update={"status": item_status, "problem": gap.reason[:500]})
    if raw.config_saved is not None:
        health.config_saved = raw.config_saved
    status: DeviceStatus = "ok"
    error: str | None = None
    if items and all(i.status == "unsupported" for i in items.values()):
        # A login whose every command is refused (an account without privilege) collected nothing:
        # counting it as inspected would put a device with no facts in the report as healthy.
        first = next(iter(raw.items.values())).rejected[:1]
        status = "not_inspected"
        error = (f"the device refused all {len(items)} inspection commands (account without privilege?)"
                 + (f"; e.g. {first[0]}" if first else ""))[:500]
    return InspectionResult(
        host=h.name, site=h.site, platform=h.platform, period=period, collected_at=raw.collected_at,
        status=status, error=error, facts=facts, health=health, items=items, parsed=parsed_rows,
    )


def _kept_with_attempt(store: Store, path: str, failed: InspectionResult) -> InspectionResult | None:
    """The period's stored good result with `failed` recorded as an attempt, or None.

    A re-run that fails (wrong password, device down) must not replace what was collected
    successfully earlier in the same period: the report would lose the device.
    """
    if failed.status == "ok" or not store.exists(path):
        return None
    try:
        stored = InspectionResult.model_validate_json(store.read_file(path))
    except ValueError:
        return None
    if stored.status != "ok":
        return None
    return stored.model_copy(update={
        "schema_version": SCHEMA_VERSION,
        "attempts": [*stored.attempts, Attempt(at=failed.collected_at, status=failed.status, error=failed.error)],
    })


def _failed(h: ResolvedHost, period: str, error: BaseException | None) -> InspectionResult:
    return InspectionResult(
        host=h.name, site=h.site, platform=h.platform, period=period,
        collected_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        status=getattr(error, "status", "error"), error=getattr(error, "reason", None) or str(error),
        facts=Facts(model=h.data.model), health=Health(),
    )


def _seconds_between(earlier: str, later: str) -> float | None:
    try:
        return (datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds()
    except ValueError:
        return None


def run_inspection(
    ws: Workspace,
    hosts: list[ResolvedHost],
    period: str | None = None,
    workers: int | None = None,
    show_progress: bool | None = None,
    lock_timeout: float = 0,
    job: Job | None = None,
    processes: ProcessSetting | None = None,
    collector: Collector | None = None,
) -> InspectionRun:
    """Inspect `hosts` for `period`; `collector` runs the job's commands (default: SSH with
    `workers` and `processes`), everything after it is the same whoever answered."""
    period = check_period(period or current_period())
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    job = job or load_job(ws.root, "quarterly")
    checks = load_packs(job.check_packs, ws.root / "checks" if (ws.root / "checks").is_dir() else None)

    # Before the store is opened: a zones' broker that is down ends the run with nothing written.
    collect = collector or default_collector(ws, hosts, workers=workers, processes=processes)
    store = open_store(ws)
    records = load_device_records(ws)
    remembered = {name: rec.get("inspection_commands", {}) for name, rec in records.items()}
    templates = {name: rec.get(TEMPLATES_RECORD, {}) for name, rec in records.items()}
    with store.lock(timeout=lock_timeout):
        procedure = partial(collect_inspection, items=job.platforms, remembered=remembered, collect_config=job.collect_config,
                            secrets=ws.settings.backup.secrets, config_checks=config_patterns(checks))
        outcomes = collect(hosts, procedure, progress_bar(len(hosts), f"Inspecting {period}", show_progress,
                                                          zones={h.name: h.zone for h in hosts}))
        results = []
        earlier = earlier_periods(store, period)
        for h in hosts:
            o = outcomes.get(h.name)
            raw = o.value if o and o.ok else None
            result = _analyse(ws, h, raw, period, templates.get(h.name)) if raw else _failed(h, period, o.error if o else None)
            previous = _previous(store, earlier, h)
            # Security checks need the real values (an SNMP community "public" is only visible
            # unsanitised): the procedure matched them where the config was, quoting sanitised lines.
            ctx = CheckContext(
                result=result, previous=previous,
                seconds_since_previous=_seconds_between(previous.collected_at, result.collected_at) if previous else None,
                host_scope=h.inspection, groups=h.groups, role=h.data.role,
                config_matches=raw.config_matches if raw else None, config_overrun=raw.config_overrun if raw else [],
            )
            result.findings = evaluate(checks, ctx)
            result.comparison = compare(result, previous and previous.model_copy(
                update={"findings": assign_keys(previous.findings, checks)}))
            results.append((h, result, raw))
        kept = {h.name: k for h, r, _ in results if (k := _kept_with_attempt(store, result_path(period, h), r))}
        run = InspectionRun(period, [kept.get(r.host, r) for _, r, _ in results], None, None,
                            kept=[r for _, r, _ in results if r.host in kept])
        for h, result, raw in results:
            result = kept.get(h.name, result)
            document = json.dumps(result.model_dump(mode="json"), indent=2, sort_keys=True, ensure_ascii=False)
            store.write_file(result_path(period, h), document + "\n")
            if raw and h.name not in kept:
                for item in raw.items.values():
                    if item.command:
                        # Evidence goes to Git like a backup, so it lost its secrets like one in
                        # the procedure: a job item may print config lines (`show running-config | include snmp`).
                        store.write_file(layout.evidence_path(period, h.site, h.name, item.command), item.text or "")
        s = summary_document(period, _stored_results(store, period), checks)
        store.write_file(layout.summary_path(period), json.dumps(s, indent=2, sort_keys=True) + "\n")
        message = (f"inspection {period}: {s['devices']} devices, {sum(s['problems'].values())} problems "
                   f"({', '.join(f'{v} {k}' for k, v in s['problems'].items() if v)})\n")
        # Baseline compliance of the stored configs, in this commit so the period's tag covers it.
        run.compliance = write_period(ws, store, period, hosts, earlier)
        # All of inspections/: results a killed earlier run wrote (atomically) but never committed are
        # committed with this one rather than left dangling.
        paths = [layout.INSPECTIONS] + ([layout.compliance_dir(period)] if run.compliance.records else [])
        run.commit = store.commit(message, paths=paths)
        run.tag = inspection_tag(period)
        store.tag(run.tag, message, force=True)
    _record(ws, results)
    append_run(ws, RunRecord("inspection", started, datetime.now(timezone.utc).isoformat(timespec="seconds"),
                             len(run.results), summarise(period, run.results)["status"], commit=run.commit, period=period,
                             tag=run.tag))
    return run


def _record(ws: Workspace, results) -> None:
    updates = {}
    for h, result, raw in results:
        rec = {"last_inspection_attempt": result.collected_at, "last_inspection_status": result.status,
               "last_inspection_error": result.error}
        if result.status == "ok":
            rec["last_inspection"] = result.collected_at
            rec["inspection_commands"] = {i.item: i.command for i in raw.items.values() if i.command}
            # The template that read each item is tried first next time (the device's family).
            rec[TEMPLATES_RECORD] = {i.item: i.template for i in result.items.values()
                                     if i.status == "parsed" and i.template}
            for key in ("os_version", "serial", "model"):
                value = getattr(result.facts, key)
                if value:
                    rec[key] = value
        updates[h.name] = rec
    update_device_records(ws, updates)
