"""Gathering one period's report: inspection results, inventory archive, config drift and the
comparison with the previous inspection, into a ReportModel in the chosen language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from netpatrol import __version__, localtime
from netpatrol.checks.model import Check
from netpatrol.errors import UsageError
from netpatrol.inspection.catalogue import JobProblems, load_job
from netpatrol.inspection.results import PARSE_PROBLEMS, SEVERITIES, InspectionResult, ItemOutcome
from netpatrol.platforms import PLATFORMS
from netpatrol.report import compliance as baseline
from netpatrol.report import conclusion as concl
from netpatrol.report import problem_rows, record
from netpatrol.report.i18n import Translator
from netpatrol.report.labels import site_names
from netpatrol.report.model import (
    ConfigChange,
    DeviceRow,
    FindingRow,
    ItemProblem,
    PeriodComparison,
    RawError,
    RawOutput,
    ReportModel,
    SiteSection,
    Trend,
)
from netpatrol.report.periods_label import period_label
from netpatrol.report.results import load_results, period_before, period_ref, raw_outputs
from netpatrol.store import layout
from netpatrol.store.drift import drift
from netpatrol.store.periods import period_bounds, previous_period
from netpatrol.store.refs import resolve
from netpatrol.store.repo import Store
from netpatrol.workspace.inventory import Inventory, ResolvedHost
from netpatrol.workspace.settings import Settings

_PROBLEM_STATUSES = (*PARSE_PROBLEMS, "unsupported", "failed")
JOB = problem_rows.JOB


@dataclass
class ReportRequest:
    period: str
    lang: str
    site: str | None = None
    appendix: bool = False
    report_date: str | None = None
    workspace: Path | None = None  # where the job file and check packs are; default: the inventory's workspace


def build_report(settings: Settings, inv: Inventory, store: Store, req: ReportRequest) -> ReportModel:
    t, tz, contract = Translator(req.lang), settings.tz, settings.contract
    results = load_results(store, req.period)
    if req.site and req.site not in {h.site for h in inv.hosts.values()} | {r.site for r in results.values()}:
        raise UsageError(f"unknown site {req.site!r} (see 'netpatrol inventory list')")
    prev_period = period_before(store, req.period)
    previous = _PreviousResults(store)
    hosts = _hosts(inv, results, req.site)
    until = period_ref(store, req.period) or store.head()
    items, checks, config = _catalogue(req.workspace or inv.root)
    raw = _RawErrors(t)
    rows: dict[str, DeviceRow] = {}
    findings: list[FindingRow] = []
    comparison = PeriodComparison(previous_period=prev_period)
    for name, site in hosts:
        result, inv_host = results.get(name), inv.hosts.get(name)
        prev = previous.get(name, _previous_period_of(result, prev_period))
        problems = problem_rows.problems_of(result, checks.values())
        before = problem_rows.problems_of(prev, checks.values())
        d = rows[name] = _device_row(t, tz, name, site, result, inv_host, prev, store, until, raw)
        d.record = record.record(t, items.get(d.platform, []), result,
                                 record.items_read(problems, checks, d.platform) if result else set(), config)
        now = problem_rows.rows(t, contract, problems, name, site, {p.key for p in before})
        findings += now
        comparison.new += [f for f in now if f.change == "new"]
        comparison.persisting += [f for f in now if f.change == "persisting"]
        if prev is not None:
            current_keys = {f.key for f in now}
            gone = [p for p in before if p.key not in current_keys]
            comparison.resolved += problem_rows.rows(t, contract, gone, name, site, set(), change="resolved")
        if d.inspected and (d.cpu is not None or d.memory is not None):
            comparison.trends.append(Trend(name, d.cpu_previous, d.cpu, d.memory_previous, d.memory))
    findings.sort(key=problem_rows.order)
    for bucket in (comparison.new, comparison.resolved, comparison.persisting):
        bucket.sort(key=problem_rows.order)
    changes, span = _config_changes(store, req.period, prev_period, until, {n for n, _ in hosts})
    comparison.baseline_missing = prev_period is None and span is None
    stamps = sorted(r.collected_at for r in results.values() if r.host in rows)
    sites = _sites(inv, hosts, rows, findings)
    label = period_label(req.period, req.lang)
    level_rows = concl.levels(contract, t, findings)
    end = localtime.local(stamps[-1], tz) if stamps else None
    previous_label = period_label(prev_period, req.lang) if prev_period else ""
    compliance = baseline.gather(store, req.period, prev_period, t,
                                 {s: lv.name for lv in level_rows for s in lv.severities or (lv.severity,)},
                                 hosts, req.site, req.workspace or inv.root)
    conclusion = concl.build(contract, t, period_label=label, sites=sites, names=site_names(sites), problems=findings,
                             level_rows=level_rows, since=end, tz=tz, compliance=compliance,
                             previous_label=previous_label)
    return ReportModel(
        lang=req.lang, period=req.period, previous_period=prev_period,
        client=settings.client, provider=settings.provider, inspector=settings.inspector,
        report_date=req.report_date or (localtime.show_date(stamps[-1], tz) if stamps else _period_last_day(req.period)),
        inspection_start=localtime.show_date(stamps[0], tz) if stamps else None,
        inspection_end=localtime.show_date(stamps[-1], tz) if stamps else None,
        scope=req.site, tool_version=__version__, sites=sites, findings=findings,
        severity_counts={s: sum(1 for f in findings if f.severity == s) for s in SEVERITIES},
        top_risks=conclusion.key_risks,
        config_changes=changes, config_range=span, comparison=comparison,
        appendix=_appendix(store, req.period, rows) if req.appendix else [],
        period_label=label, levels=level_rows,
        conclusion=conclusion,
        timezone=_zone_label(settings.timezone, tz, end or _period_end(req.period)),
        raw_errors=raw.found, previous_label=previous_label, compliance=compliance,
    )


def _catalogue(root: Path | None) -> tuple[dict[str, list[str]], dict[str, Check], bool]:
    """Platform -> the job's items, the checks by id, and whether the job reads the configuration."""
    try:
        job = load_job(root, JOB)
    except JobProblems as exc:  # the report still lists what the good entries collect
        job = exc.job
    checks = problem_rows.job_checks(root, job)
    return {p: list(items) for p, items in job.platforms.items()}, checks, job.collect_config


def _zone_label(name: str | None, tz: tzinfo, moment: datetime) -> str:
    """'Asia/Shanghai (UTC+08:00)', the offset at the inspection's end (summer time moves it)."""
    when = localtime.local(moment, tz)
    return f"{name or when.tzname() or 'local'} (UTC{localtime.offset(when)})"


class _RawErrors:
    """Appendix A: device and tool text the body replaces by a localized reason and a reference."""

    def __init__(self, t: Translator):
        self.t = t
        self.found: list[RawError] = []

    def add(self, host: str, what: str, text: str | None, command: str | None = None) -> str:
        """The reference sentence for the body ("见附录 A.2"); "" when there is no text."""
        if not text or not text.strip():
            return ""
        ref = f"A.{len(self.found) + 1}"
        self.found.append(RawError(ref, host, what, text, command))
        return self.t("appendix.see", ref=ref)


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


def _device_row(t: Translator, tz: tzinfo, name: str, site: str, r: InspectionResult | None,
                h: ResolvedHost | None, prev: InspectionResult | None, store: Store, until: str | None,
                raw: _RawErrors) -> DeviceRow:
    data = h.data if h else None
    health = r.health if r and r.status == "ok" else None
    temps = [s.celsius for s in health.temperatures if s.celsius is not None] if health else []
    up = [i for i in health.interfaces if i.oper_up is not None] if health else []
    backup = _last_backup(store, site, name, until, tz)
    platform = r.platform if r else (h.platform if h else "")
    profile = PLATFORMS.get(platform)
    note = raw.add(name, t(f"status.{r.status}"), r.error) if r and r.status != "ok" else ""
    return DeviceRow(
        host=name, site=site, platform=platform, platform_name=profile.family if profile else platform,
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
        problems=(sorted((_item_problem(t, raw, name, o) for o in r.items.values()
                          if o.status in _PROBLEM_STATUSES), key=lambda p: p.item)
                  + _failed_attempts(t, tz, raw, r)) if r else [],
        flags=frozenset(f.check for f in r.findings) if r else frozenset(),
        collected_local=localtime.show(r.collected_at, tz) if r else "",
        note=note,
    )


def _item_problem(t: Translator, raw: _RawErrors, host: str, o: ItemOutcome) -> ItemProblem:
    label = record.label(t, o.item)
    error = "\n".join(x for x in (o.error, o.problem) if x) or None
    text = "\n".join(x for x in (error, o.unexplained and f"{t('appendix.unexplained')}: {o.unexplained}") if x)
    return ItemProblem(o.item, o.status, o.command, error, template=o.template or ", ".join(o.candidates) or None,
                       unexplained=o.unexplained, label=label, reason=t(f"reason.{o.status}"),
                       note=raw.add(host, label, text, o.command))


def _failed_attempts(t: Translator, tz: tzinfo, raw: _RawErrors, r: InspectionResult) -> list[ItemProblem]:
    """Later runs of the period that failed on this device; its earlier good result is the one shown."""
    out = []
    for a in r.attempts:
        label = t("record.reinspection")
        reason = t("reason.attempt_failed", at=localtime.show(a.at, tz), status=t(f"status.{a.status}"),
                   kept=localtime.show(r.collected_at, tz))
        out.append(ItemProblem("re-inspection", "attempt_failed", None, a.error, label=label, reason=reason,
                               note=raw.add(r.host, f"{label} · {localtime.show(a.at, tz)}", a.error)))
    return out


def _working(parts) -> tuple[int, int] | None:
    present = [p for p in parts if p.status != "absent"]
    return (sum(1 for p in present if p.status == "ok"), len(present)) if present else None


def _last_backup(store: Store, site: str, host: str, until: str | None, tz: tzinfo) -> tuple[str, str] | None:
    """(date, short commit) of the newest stored config at or before the inspection: what Git
    holds is the backup the client can restore, and it does not move when the report is re-run."""
    if until is None:
        return None
    entries = store.log([layout.config_path(site, host)], rev=until, max_count=1)
    if not entries:
        return None
    return localtime.show_date(entries[0].date, tz), entries[0].sha[:10]


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


def _period_end(period: str) -> datetime:
    return period_bounds(period)[1]


def _period_last_day(period: str) -> str:
    from datetime import timedelta

    return (period_bounds(period)[1] - timedelta(days=1)).date().isoformat()
