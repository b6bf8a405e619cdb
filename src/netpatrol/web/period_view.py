"""Inspections by period: the periods stored, one period's summary by severity and site with the
previous period beside it, and one device's inspections and baseline compliance.

A period is read at its `inspection/<period>` tag (HEAD when untagged: the web view reads only
what was committed), from its `summary.json`'s per-host map (inspection.service.summary_document):
one file, not 10,000 results. A summary written before the map existed falls back to reading
every result once. Both are kept per (period, commit) in web.memo; a device's own inspections
read its one result file per period.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from netpatrol.compliance.model import DeviceCompliance
from netpatrol.errors import StoreError, UsageError
from netpatrol.inspection.problems import Problem, merge
from netpatrol.inspection.problems import count as count_problems
from netpatrol.inspection.results import SEVERITIES, InspectionResult
from netpatrol.store import layout
from netpatrol.store.documents import first_model
from netpatrol.store.periods import check_period, inspection_tag, period_order
from netpatrol.store.repo import Store
from netpatrol.web.memo import remembered
from netpatrol.web.state import NotFound, WebState


@dataclass(frozen=True)
class DeviceProblems:
    name: str
    site: str
    platform: str
    status: str  # the result's status: ok, unreachable, auth_failed ...
    problems: dict[str, int]  # severity -> problems (findings with one problem key are one)
    new: int = 0  # problems new since the previous period
    resolved: int = 0


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
        raise NotFound(f"no inspection stored for period {period}")
    earlier = [p for p in known if period_order(p) < period_order(period)]
    previous = earlier[0] if earlier else None
    devices = sorted(_hosts(state, found, period).values(), key=lambda d: (d.site, d.name))
    by_site: dict[str, dict[str, int]] = {}
    status: dict[str, int] = {}
    for d in devices:
        site = by_site.setdefault(d.site, dict.fromkeys(SEVERITIES, 0))
        for sev, n in d.problems.items():
            site[sev] = site.get(sev, 0) + n
        status[d.status] = status.get(d.status, 0) + 1
    prev_counts = _totals(list(_hosts(state, found, previous).values())) if previous else None
    return PeriodSummary(period, previous, devices, _totals(devices), by_site, status, prev_counts,
                         new=sum(d.new for d in devices), resolved=sum(d.resolved for d in devices))


def device_inspections(state: WebState, host: str) -> list[DeviceInspection]:
    """`host`'s result in every inspected period, newest first (one file read per period)."""
    state.host(host)
    found = snapshot(state)
    if found is None:
        return []
    store, snap = found
    out = []
    for period in _periods(state, found):
        d = _hosts(state, found, period).get(host)
        r = first_model(store, [layout.result_path(period, d.site, host)], InspectionResult,
                        snap.period_ref(period)) if d else None
        if r is not None:
            out.append(DeviceInspection(period, r.status, r.collected_at, r.error, merge(r.findings)))
    return out


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
    return remembered(state, "periods", snap.head, lambda: _periods_at(store, snap.head))


def _hosts(state: WebState, found: tuple[Store, Snapshot] | None, period: str) -> dict[str, DeviceProblems]:
    if found is None:
        return {}
    store, snap = found
    ref = snap.period_ref(period)
    return remembered(state, f"period:{period}", ref, lambda: _read_hosts(store, period, ref))


def _periods_at(store: Store, head: str) -> list[str]:
    valid = []
    for name in store.subdirs(head, layout.INSPECTIONS):
        try:
            if check_period(name) == name:  # `2026q3` was never written by inspect
                valid.append(name)
        except UsageError:
            continue  # a stray directory is not a period
    return sorted(valid, key=period_order, reverse=True)


def _read_hosts(store: Store, period: str, ref: str) -> dict[str, DeviceProblems]:
    try:
        hosts = json.loads(store.read_file(layout.summary_path(period), ref)).get("hosts")
        return {name: DeviceProblems(name, v["site"], v["platform"], v["status"],
                                     {s: int(v["problems"].get(s, 0)) for s in SEVERITIES},
                                     int(v.get("new", 0)), int(v.get("resolved", 0)))
                for name, v in hosts.items()}
    except (StoreError, ValueError, TypeError, KeyError, AttributeError):
        pass  # no summary, or one written before its per-host map: read the results once
    entries = [(blob, path) for blob, path in store.tree_files(ref, layout.period_dir(period))
               if layout.parse_result_path(path) is not None]  # not summary.json, not the evidence
    out = {}
    for data in store.stream_blobs([blob for blob, _ in entries]):
        try:
            r = InspectionResult.model_validate_json(data)
        except ValueError:
            continue  # a damaged result is passed over: one bad file must not take the device table down
        c = r.comparison
        out[r.host] = DeviceProblems(r.host, r.site, r.platform, r.status, dict(count_problems(r.findings)),
                                     len(c.new) if c else 0, len(c.resolved) if c else 0)
    return out


def _totals(devices: list[DeviceProblems]) -> dict[str, int]:
    totals = dict.fromkeys(SEVERITIES, 0)
    for d in devices:
        for sev, n in d.problems.items():
            totals[sev] = totals.get(sev, 0) + n
    return totals
