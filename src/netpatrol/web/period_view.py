"""Inspections by period: the periods stored, one period's summary by severity and site with the
previous period beside it, and one device's inspections and baseline compliance.

Periods are read at their `inspection/<period>` tag (report.results), so the page shows what the
inspection recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from netpatrol.compliance.model import DeviceCompliance
from netpatrol.inspection.problems import Problem, merge
from netpatrol.inspection.problems import count as count_problems
from netpatrol.inspection.results import SEVERITIES, InspectionResult
from netpatrol.report.results import load_compliance, load_results
from netpatrol.store.periods import check_period, inspected_periods, period_order
from netpatrol.web.state import NotFound, WebState


@dataclass(frozen=True)
class DeviceProblems:
    name: str
    site: str
    platform: str
    status: str  # the result's status: ok, unreachable, auth_failed ...
    problems: dict[str, int]  # severity -> problems (findings with one problem key are one)


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


def periods(state: WebState) -> list[str]:
    """Inspected periods, newest first."""
    store = state.store()
    if store is None or store.head() is None:
        return []
    return sorted(inspected_periods(store), key=period_order, reverse=True)


def period_summary(state: WebState, period: str) -> PeriodSummary:
    period = check_period(period)
    known = periods(state)
    if period not in known:
        raise NotFound(f"no inspection stored for period {period}")
    store = state.store()
    assert store is not None
    results = load_results(store, period)
    earlier = [p for p in known if period_order(p) < period_order(period)]
    previous = earlier[0] if earlier else None
    devices = [_device(r) for r in sorted(results.values(), key=lambda r: (r.site, r.host))]
    by_site: dict[str, dict[str, int]] = {}
    for d in devices:
        site = by_site.setdefault(d.site, dict.fromkeys(SEVERITIES, 0))
        for sev, n in d.problems.items():
            site[sev] = site.get(sev, 0) + n
    status: dict[str, int] = {}
    for d in devices:
        status[d.status] = status.get(d.status, 0) + 1
    prev_counts = None
    if previous:
        prev_counts = _totals([_device(r) for r in load_results(store, previous).values()])
    comparisons = [r.comparison for r in results.values() if r.comparison]
    return PeriodSummary(period, previous, devices, _totals(devices), by_site, status, prev_counts,
                         new=sum(len(c.new) for c in comparisons), resolved=sum(len(c.resolved) for c in comparisons))


def device_inspections(state: WebState, host: str) -> list[DeviceInspection]:
    """`host`'s result in every inspected period, newest first."""
    state.host(host)
    store = state.store()
    found = []
    for period in periods(state):
        assert store is not None
        r = load_results(store, period).get(host)
        if r is not None:
            found.append(DeviceInspection(period, r.status, r.collected_at, r.error, merge(r.findings)))
    return found


def device_compliance(state: WebState, host: str) -> DeviceCompliance | None:
    """`host`'s baseline compliance record of the newest period that has one."""
    state.host(host)
    store = state.store()
    for period in periods(state):
        assert store is not None
        record = load_compliance(store, period).get(host)
        if record is not None:
            return record
    return None


def _device(r: InspectionResult) -> DeviceProblems:
    return DeviceProblems(r.host, r.site, r.platform, r.status, dict(count_problems(r.findings)))


def _totals(devices: list[DeviceProblems]) -> dict[str, int]:
    totals = dict.fromkeys(SEVERITIES, 0)
    for d in devices:
        for sev, n in d.problems.items():
            totals[sev] = totals.get(sev, 0) + n
    return totals
