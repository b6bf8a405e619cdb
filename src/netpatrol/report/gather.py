"""Gathering one period's report: inspection results, inventory archive, config drift and the
comparison with the previous inspection, into a ReportModel in the chosen language."""

from __future__ import annotations

from dataclasses import dataclass

from netpatrol import __version__
from netpatrol.errors import UsageError
from netpatrol.inspection.results import PARSE_PROBLEMS, SEVERITIES, Finding, InspectionResult, ItemOutcome, finding_key
from netpatrol.report.i18n import Translator
from netpatrol.report.model import (
    ConfigChange,
    DeviceRow,
    FindingRow,
    ItemProblem,
    PeriodComparison,
    RawOutput,
    ReportModel,
    SiteSection,
    Trend,
)
from netpatrol.report.results import load_results, period_before, period_ref, raw_outputs
from netpatrol.store import layout
from netpatrol.store.drift import drift
from netpatrol.store.periods import period_bounds, previous_period
from netpatrol.store.refs import resolve
from netpatrol.store.repo import Store
from netpatrol.workspace.inventory import Inventory, ResolvedHost
from netpatrol.workspace.settings import Settings

_PROBLEM_STATUSES = (*PARSE_PROBLEMS, "unsupported", "failed")
TOP_RISKS = 5


@dataclass
class ReportRequest:
    period: str
    lang: str
    site: str | None = None
    appendix: bool = False
    report_date: str | None = None


def build_report(settings: Settings, inv: Inventory, store: Store, req: ReportRequest) -> ReportModel:
    t = Translator(req.lang)
    results = load_results(store, req.period)
    if req.site and req.site not in {h.site for h in inv.hosts.values()} | {r.site for r in results.values()}:
        raise UsageError(f"unknown site {req.site!r} (see 'netpatrol inventory list')")
    prev_period = period_before(store, req.period)
    previous = _PreviousResults(store)
    hosts = _hosts(inv, results, req.site)
    until = period_ref(store, req.period) or store.head()
    rows: dict[str, DeviceRow] = {}
    findings: list[FindingRow] = []
    comparison = PeriodComparison(previous_period=prev_period)
    for name, site in hosts:
        result, inv_host = results.get(name), inv.hosts.get(name)
        prev = previous.get(name, _previous_period_of(result, prev_period))
        rows[name] = _device_row(name, site, result, inv_host, prev, store, until)
        now = _finding_rows(t, result.findings if result else [], name, site, prev)
        findings += now
        comparison.new += [f for f in now if f.change == "new"]
        comparison.persisting += [f for f in now if f.change == "persisting"]
        if prev is not None:
            current_keys = {f.key for f in now}
            gone = [f for f in prev.findings if finding_key(f) not in current_keys]
            comparison.resolved += _finding_rows(t, gone, name, site, None, change="resolved")
        d = rows[name]
        if d.inspected and (d.cpu is not None or d.memory is not None):
            comparison.trends.append(Trend(name, d.cpu_previous, d.cpu, d.memory_previous, d.memory))
    findings.sort(key=_finding_order)
    for bucket in (comparison.new, comparison.resolved, comparison.persisting):
        bucket.sort(key=_finding_order)
    changes, span = _config_changes(store, req.period, prev_period, until, {n for n, _ in hosts})
    comparison.baseline_missing = prev_period is None and span is None
    stamps = sorted(r.collected_at for r in results.values() if r.host in rows)
    sites = _sites(inv, hosts, rows, findings)
    return ReportModel(
        lang=req.lang, period=req.period, previous_period=prev_period,
        client=settings.client, provider=settings.provider, inspector=settings.inspector,
        report_date=req.report_date or (stamps[-1][:10] if stamps else _period_last_day(req.period)),
        inspection_start=stamps[0][:10] if stamps else None,
        inspection_end=stamps[-1][:10] if stamps else None,
        scope=req.site, tool_version=__version__, sites=sites, findings=findings,
        severity_counts={s: sum(1 for f in findings if f.severity == s) for s in SEVERITIES},
        top_risks=[f for f in findings if f.severity in ("critical", "major")][:TOP_RISKS],
        config_changes=changes, config_range=span, comparison=comparison,
        appendix=_appendix(store, req.period, rows) if req.appendix else [],
    )


class _PreviousResults:
    """Earlier periods' results, loaded once per period on first use."""

    def __init__(self, store: Store):
        self.store = store
        self.cache: dict[str, dict[str, InspectionResult]] = {}

    def get(self, host: str, period: str | None) -> InspectionResult | None:
        if period is None:
            return None
        if period not in self.cache:
            self.cache[period] = load_results(self.store, period)
        return self.cache[period].get(host)


def _previous_period_of(result: InspectionResult | None, fallback: str | None) -> str | None:
    """The period the inspection itself compared with (it may skip a quarter the device missed)."""
    if result is not None and result.comparison is not None and result.comparison.previous_period:
        return result.comparison.previous_period
    return fallback


def _hosts(inv: Inventory, results: dict[str, InspectionResult], site: str | None) -> list[tuple[str, str]]:
    """(host, site) in inventory order, then hosts with results that left the inventory."""
    chosen = [(h.name, h.site) for h in inv.hosts.values() if site in (None, h.site)]
    known = {n for n, _ in chosen} | set(inv.hosts)
    chosen += sorted((r.host, r.site) for r in results.values() if r.host not in known and site in (None, r.site))
    return chosen


def _device_row(name: str, site: str, r: InspectionResult | None, h: ResolvedHost | None,
                prev: InspectionResult | None, store: Store, until: str | None) -> DeviceRow:
    data = h.data if h else None
    health = r.health if r and r.status == "ok" else None
    temps = [s.celsius for s in health.temperatures if s.celsius is not None] if health else []
    up = [i for i in health.interfaces if i.oper_up is not None] if health else []
    backup = _last_backup(store, site, name, until)
    return DeviceRow(
        host=name, site=site, platform=r.platform if r else (h.platform if h else ""),
        role=data.role if data else None,
        status=r.status if r else "missing", error=r.error if r else None,
        model=(r.facts.model if r else None) or (data.model if data else None),
        serial=(r.facts.serial if r else None) or (data.serial if data else None),
        version=(r.facts.os_version if r else None) or (data.os_version if data else None),
        uptime_seconds=r.facts.uptime_seconds if r else None,
        cpu=health.cpu_percent if health else None,
        memory=health.memory_percent if health else None,
        temperature=max(temps) if temps else None,
        fans=_working(health.fans) if health else None,
        psus=_working(health.power_supplies) if health else None,
        interfaces_up=sum(1 for i in up if i.oper_up) if up else None,
        interfaces_down=sum(1 for i in up if not i.oper_up) if up else None,
        config_saved=health.config_saved if health else None,
        last_backup=backup[0] if backup else None, last_backup_commit=backup[1] if backup else None,
        collected_at=r.collected_at if r else None,
        cpu_previous=prev.health.cpu_percent if prev and prev.status == "ok" else None,
        memory_previous=prev.health.memory_percent if prev and prev.status == "ok" else None,
        problems=(sorted((_item_problem(o) for o in r.items.values()
                          if o.status in _PROBLEM_STATUSES), key=lambda p: p.item) + _failed_attempts(r)) if r else [],
        flags=frozenset(f.check for f in r.findings) if r else frozenset(),
    )


def _item_problem(o: ItemOutcome) -> ItemProblem:
    return ItemProblem(o.item, o.status, o.command, "; ".join(x for x in (o.error, o.problem) if x) or None,
                       template=o.template or ", ".join(o.candidates) or None, unexplained=o.unexplained)


def _failed_attempts(r: InspectionResult) -> list[ItemProblem]:
    """Later runs of the period that failed on this device; its earlier good result is the one shown."""
    return [ItemProblem("re-inspection", "attempt_failed", None,
                        f"{a.at[:16].replace('T', ' ')}: {a.status}: {a.error or ''} (result of "
                        f"{r.collected_at[:16].replace('T', ' ')} kept)") for a in r.attempts]


def _working(parts) -> tuple[int, int] | None:
    present = [p for p in parts if p.status != "absent"]
    return (sum(1 for p in present if p.status == "ok"), len(present)) if present else None


def _last_backup(store: Store, site: str, host: str, until: str | None) -> tuple[str, str] | None:
    """(date, short commit) of the newest stored config at or before the inspection: what Git
    holds is the backup the client can restore, and it does not move when the report is re-run."""
    if until is None:
        return None
    entries = store.log([layout.config_path(site, host)], rev=until, max_count=1)
    if not entries:
        return None
    return entries[0].date.strftime("%Y-%m-%d"), entries[0].sha[:10]


def _finding_rows(t: Translator, found: list[Finding], host: str, site: str,
                  prev: InspectionResult | None, change: str | None = None) -> list[FindingRow]:
    before = {finding_key(f) for f in prev.findings} if prev else set()
    return [FindingRow(host=host, site=site, severity=f.severity, check=f.check, key=finding_key(f),
                       title=t.pick(f.title) or f.check, detail=f.detail_in(t.lang),
                       recommendation=t.pick(f.recommendation),
                       change=change or ("persisting" if finding_key(f) in before else "new"))
            for f in found]


def _finding_order(f: FindingRow) -> tuple:
    return (SEVERITIES.index(f.severity), f.change != "persisting", f.site, f.host, f.key)


def _config_changes(store: Store, period: str, prev_period: str | None, until: str | None,
                    hosts: set[str]) -> tuple[list[ConfigChange], tuple[str, str] | None]:
    """Config drift from the previous inspection (or, without one, from the end of the previous
    calendar quarter) up to this inspection."""
    if until is None:
        return [], None
    try:
        since = resolve(store, prev_period or previous_period(period))
    except UsageError:
        return [], None  # the history starts inside this period: nothing to compare with
    changes = [ConfigChange(d.host, d.site, d.status, d.added, d.removed, d.diff)
               for d in drift(store, since, until, hosts=hosts)]
    return changes, (since[:10], until[:10])


def _sites(inv: Inventory, hosts: list[tuple[str, str]], rows: dict[str, DeviceRow],
           findings: list[FindingRow]) -> list[SiteSection]:
    archives = inv.sites()
    order: list[str] = []
    for _, site in hosts:
        if site not in order:
            order.append(site)
    return [SiteSection(key=s, archive=archives.get(s), devices=[rows[n] for n, site in hosts if site == s],
                        findings=[f for f in findings if f.site == s]) for s in order]


def _appendix(store: Store, period: str, rows: dict[str, DeviceRow]) -> list[RawOutput]:
    return [RawOutput(d.host, name, text) for d in rows.values()
            for name, text in raw_outputs(store, period, d.site, d.host)]


def _period_last_day(period: str) -> str:
    from datetime import timedelta

    return (period_bounds(period)[1] - timedelta(days=1)).date().isoformat()
