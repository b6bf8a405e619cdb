"""Inspections by period: the periods stored, one period's summary by severity and site with the
previous period beside it, and one device's inspections and baseline compliance.

A period is read at its `inspection/<period>` tag (HEAD when untagged: the web view reads only
what was committed), from its `summary.json`'s per-host map (inspection.service.summary_document):
one file, not 10,000 results. A summary written before the map existed falls back to reading
every result once. Both are kept per (period, commit) in web.memo; a device's own inspections
read its one result file per period.

The numbers are the report's (report/gather.py): problems are findings keyed by the checks and
merged (inspection.problems.keyed), and new/resolved compare a device's problem keys with those
of the result its inspection compared with (the period before, when it names none); a device of
the inventory without a result in the period has every problem of the period before resolved.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

from netpatrol.checks.model import Check
from netpatrol.compliance.model import DeviceCompliance
from netpatrol.errors import NetpatrolError, StoreError, UsageError
from netpatrol.inspection.problems import Problem, changes, keyed
from netpatrol.inspection.results import SEVERITIES, Facts, InspectionResult
from netpatrol.report.problem_rows import report_checks
from netpatrol.store import layout
from netpatrol.store.documents import first_model
from netpatrol.store.periods import check_period, inspection_tag, period_order, valid_periods
from netpatrol.store.repo import Store
from netpatrol.web.memo import remembered
from netpatrol.web.state import NotFound, WebState, folder_key


@dataclass(frozen=True)
class DeviceProblems:
    name: str
    site: str
    platform: str
    status: str  # the result's status (inspection/results.py DeviceStatus): ok, unreachable, auth_failed ... no_collector
    problems: dict[str, int]  # severity -> problems (findings with one problem key are one)
    new: int = 0  # problems new since the previous period (set by period_summary)
    resolved: int = 0
    keys: tuple[str, ...] = ()  # its problem keys
    previous_period: str | None = None  # the period its inspection compared with, when it names one


@dataclass(frozen=True)
class PeriodSummary:
    period: str
    previous: str | None
    devices: list[DeviceProblems]
    by_severity: dict[str, int]  # problems per severity, every severity present
    by_site: dict[str, dict[str, int]]  # site -> severity -> problems
    status: dict[str, int]  # result status -> devices
    previous_by_severity: dict[str, int] | None = None
    new: int = 0  # problems new since the previous period, over all devices
    resolved: int = 0


@dataclass(frozen=True)
class DeviceInspection:
    period: str
    status: str
    collected_at: str
    error: str | None
    problems: list[Problem] = field(default_factory=list)
    facts: Facts | None = None


@dataclass(frozen=True)
class Snapshot:
    """What one request reads the store at: HEAD and the tags (None before the first backup)."""

    head: str
    tags: dict[str, str]

    @property
    def key(self) -> tuple:
        return self.head, tuple(sorted(self.tags.items()))

    def period_ref(self, period: str) -> str:
        return self.tags.get(inspection_tag(period)) or self.head


def snapshot(state: WebState) -> tuple[Store, Snapshot] | None:
    store = state.store()
    head = store.head() if store is not None else None
    if store is None or head is None:
        return None
    return store, Snapshot(head, store.tags())


def periods(state: WebState) -> list[str]:
    """Inspected periods (a folder below `inspections/` at HEAD), newest first."""
    return _periods(state, snapshot(state))


def period_hosts(state: WebState, period: str) -> dict[str, DeviceProblems]:
    """host -> its result's site, platform, status and problems in `period` ({} when none)."""
    return _hosts(state, snapshot(state), period)


def latest_by_host(state: WebState) -> dict[str, tuple[str, DeviceProblems]]:
    """host -> (period, its result) of the newest period that inspected it."""
    found = snapshot(state)
    if found is None:
        return {}

    def build() -> dict[str, tuple[str, DeviceProblems]]:
        latest: dict[str, tuple[str, DeviceProblems]] = {}
        for period in _periods(state, found):
            for host, d in _hosts(state, found, period).items():
                latest.setdefault(host, (period, d))
        return latest

    return remembered(state, "latest", found[1].key, build)


def period_summary(state: WebState, period: str) -> PeriodSummary:
    period = check_period(period)
    found = snapshot(state)
    known = _periods(state, found)
    if period not in known:
        raise NotFound(f"no inspection stored for period {period}", key="error.no_period", period=period)
    assert found is not None
    inv = state.inventory()
    # Kept per snapshot: comparing 10,000 devices' keys with the period before is not per request.
    return remembered(state, f"summary:{period}", (found[1].key, id(inv), _checks_key(state)),
                      lambda: _summary(state, found, known, period, set(inv.hosts)))


def _summary(state: WebState, found: tuple[Store, Snapshot], known: list[str], period: str,
             inventory: set[str]) -> PeriodSummary:
    earlier = [p for p in known if period_order(p) < period_order(period)]
    previous = earlier[0] if earlier else None
    hosts = _hosts(state, found, period)
    maps: dict[str, dict[str, DeviceProblems]] = {}  # each compared period's map, looked up once

    def before(name: str, compared: str | None) -> DeviceProblems | None:
        if compared is None or compared not in known:
            return None
        if compared not in maps:
            maps[compared] = _hosts(state, found, compared)
        return maps[compared].get(name)

    devices = []
    for d in hosts.values():
        prev = before(d.name, d.previous_period or previous)
        new, resolved = changes(d.keys, prev.keys if prev else None)
        devices.append(replace(d, new=new, resolved=resolved))
    devices.sort(key=lambda d: (d.site, d.name))
    # The report lists every inventory device: one without a result now resolved what it had.
    gone = sum(len(prev.keys) for name in inventory if name not in hosts
               if (prev := before(name, previous)) is not None)
    by_site: dict[str, dict[str, int]] = {}
    status: dict[str, int] = {}
    for d in devices:
        site = by_site.setdefault(d.site, dict.fromkeys(SEVERITIES, 0))
        for sev, n in d.problems.items():
            site[sev] = site.get(sev, 0) + n
        status[d.status] = status.get(d.status, 0) + 1
    prev_counts = _totals(list((maps.get(previous) or _hosts(state, found, previous)).values())) if previous else None
    return PeriodSummary(period, previous, devices, _totals(devices), by_site, status, prev_counts,
                         new=sum(d.new for d in devices), resolved=sum(d.resolved for d in devices) + gone)


def device_inspections(state: WebState, host: str) -> list[DeviceInspection]:
    """`host`'s result in every inspected period, newest first (one file read per period)."""
    state.host(host)
    found = snapshot(state)
    if found is None:
        return []
    store, snap = found
    checks = _checks(state)
    out = []
    for period in _periods(state, found):
        d = _hosts(state, found, period).get(host)
        r = first_model(store, [layout.result_path(period, d.site, host)], InspectionResult,
                        snap.period_ref(period)) if d else None
        if r is not None:
            out.append(DeviceInspection(period, r.status, r.collected_at, r.error, keyed(r.findings, checks),
                                        r.facts))
    return out


def newest_facts(inspections: list[DeviceInspection]) -> DeviceInspection | None:
    """The newest successful inspection (its facts: model, serial, OS), from device_inspections:
    the device's own result at its period's commit, never every result of the period."""
    return next((i for i in inspections if i.status == "ok" and i.facts is not None), None)


def device_compliance(state: WebState, host: str) -> DeviceCompliance | None:
    """`host`'s baseline compliance record of the newest period that has one."""
    h = state.host(host)
    found = snapshot(state)
    if found is None:
        return None
    store, snap = found
    for period in _periods(state, found):
        d = _hosts(state, found, period).get(host)
        sites = dict.fromkeys([d.site if d else h.site, h.site])  # the site it had then, else its own
        record = first_model(store, [layout.compliance_path(period, s, host) for s in sites], DeviceCompliance,
                             snap.period_ref(period))
        if record is not None:
            return record
    return None


def _periods(state: WebState, found: tuple[Store, Snapshot] | None) -> list[str]:
    if found is None:
        return []
    store, snap = found
    return remembered(state, "periods", snap.head, lambda: valid_periods(store.subdirs(snap.head, layout.INSPECTIONS))[::-1])


def _hosts(state: WebState, found: tuple[Store, Snapshot] | None, period: str) -> dict[str, DeviceProblems]:
    if found is None:
        return {}
    store, snap = found
    ref = snap.period_ref(period)
    checks_key = _checks_key(state)  # the fallback keys problems by them
    return remembered(state, f"period:{period}", (ref, checks_key),
                      lambda: _read_hosts(store, period, ref, _checks(state)))


def _checks_key(state: WebState) -> tuple:
    return folder_key(state.ws.root / "checks"), folder_key(state.ws.root / "tasks")


def _checks(state: WebState) -> list[Check]:
    """The checks the report keys problems by, read again when the workspace's checks or jobs change."""
    def build() -> list[Check]:
        try:
            return list(report_checks(state.ws.root).values())
        except NetpatrolError:
            return []  # checks that do not load: the report refuses to run; the stored keys stand

    return remembered(state, "checks", _checks_key(state), build)


def _read_hosts(store: Store, period: str, ref: str, checks: list[Check]) -> dict[str, DeviceProblems]:
    try:
        hosts = json.loads(store.read_file(layout.summary_path(period), ref)).get("hosts")
        return {name: DeviceProblems(name, v["site"], v["platform"], v["status"],
                                     {s: int(v["problems"].get(s, 0)) for s in SEVERITIES},
                                     keys=tuple(str(k) for k in v["keys"]),
                                     previous_period=_period_or_none(v.get("previous")))
                for name, v in hosts.items()}
    except (StoreError, ValueError, TypeError, KeyError, AttributeError, UsageError):
        pass  # no summary, or one written before its per-host map had keys: read the results once
    entries = [(blob, path) for blob, path in store.tree_files(ref, layout.period_dir(period))
               if layout.parse_result_path(path) is not None]  # not summary.json, not the evidence
    out = {}
    for data in store.stream_blobs([blob for blob, _ in entries]):
        try:
            r = InspectionResult.model_validate_json(data)
        except ValueError:
            continue  # a damaged result is passed over: one bad file must not take the device table down
        problems = keyed(r.findings, checks)
        counts = {s: sum(p.severity == s for p in problems) for s in SEVERITIES}
        c = r.comparison
        out[r.host] = DeviceProblems(r.host, r.site, r.platform, r.status, counts, keys=tuple(p.key for p in problems),
                                     previous_period=c.previous_period if c else None)
    return out


def _period_or_none(value: object) -> str | None:
    return None if value is None else check_period(str(value))


def _totals(devices: list[DeviceProblems]) -> dict[str, int]:
    totals = dict.fromkeys(SEVERITIES, 0)
    for d in devices:
        for sev, n in d.problems.items():
            totals[sev] = totals.get(sev, 0) + n
    return totals
