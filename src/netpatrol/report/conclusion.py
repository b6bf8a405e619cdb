"""The report's conclusion (巡检结论) and the contract's levels: overall verdict, the state of each
site, key risks, and what to do next and by when.

Every severity is named by the contract's level; the deadlines are the contract's resolution time
(its response time where it sets no resolution), counted from the end of the inspection.

The baseline check (安全基线核查) is its own measure: its counts and changes get their own sentences,
and its failing rules of the two most severe levels their own recommendations, one per rule naming
its devices. They carry no contract time: the contract's times are for faults (a service impaired,
the provider on call), while a non-conformance is a hardening change to a working device that the
client approves and schedules in a change window (closing Telnet before SSH works locks everyone
out). A "4 小时内解决" beside it would promise what the contract does not; the next period's report
shows what was fixed. Nor do they count as inspection problems or change a site's state.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from netpatrol import localtime
from netpatrol.inspection.results import SEVERITIES
from netpatrol.report.i18n import Translator
from netpatrol.report.model import (
    Action,
    BaselineAction,
    ComplianceRule,
    ComplianceSection,
    Conclusion,
    FindingRow,
    LevelRow,
    SiteSection,
    SiteState,
    clause_order,
)
from netpatrol.workspace.contract import Contract, duration_minutes

STATES = ("normal", "attention", "abnormal")
_URGENT = ("critical", "major")
TOP_RISKS = 5


def levels(contract: Contract, t: Translator, problems: list[FindingRow]) -> list[LevelRow]:
    """The contract's levels that some severity maps to, most severe first, with their counts."""
    rows = []
    for level_id, level in contract.levels.items():
        mapped = [s for s in SEVERITIES if contract.severities[s] == level_id]
        if not mapped:
            continue
        rows.append(LevelRow(
            severity=mapped[0], name=level.name.get(t.lang),
            count=sum(1 for f in problems if f.severity in mapped),
            response=t.minutes(duration_minutes(level.response)),
            resolution=t.minutes(duration_minutes(level.resolution)), severities=tuple(mapped)))
    return rows


def site_state(devices: int, inspected: int, problems: dict[str, int]) -> str:
    """abnormal: a device not inspected or a problem at the two most severe levels; attention: a
    minor problem; normal: notices at most."""
    if inspected < devices or any(problems.get(s) for s in _URGENT):
        return "abnormal"
    return "attention" if problems.get("minor") else "normal"


def site_states(sites: list[SiteSection], names: dict[str, str],
                baseline: ComplianceSection | None = None) -> list[SiteState]:
    failed = {g.key: g.counts.failed for g in baseline.sites} if baseline is not None else {}
    out = []
    for s in sites:
        counts = {sev: sum(1 for f in s.findings if f.severity == sev) for sev in SEVERITIES}
        inspected = sum(1 for d in s.devices if d.inspected)
        out.append(SiteState(key=s.key, name=names.get(s.key, s.key),
                             state=site_state(len(s.devices), inspected, counts),
                             devices=len(s.devices), inspected=inspected, problems=counts,
                             baseline_failed=failed.get(s.key) if baseline is not None else None))
    return out


def actions(contract: Contract, t: Translator, problems: list[FindingRow], since: datetime | None,
            tz: tzinfo) -> list[Action]:
    """One action per problem whose level has a contract time, the most severe first."""
    out: list[tuple[int, int, Action]] = []
    for f in problems:
        level = contract.level(f.severity)
        resolve = duration_minutes(level.resolution)
        minutes = resolve if resolve is not None else duration_minutes(level.response)
        if minutes is None:
            continue
        kind = "action.resolve" if resolve is not None else "action.respond"
        if since is None:
            due = t(f"{kind}_no_time", time=t.minutes(minutes))
        else:
            due = t(kind, time=t.minutes(minutes), at=localtime.show(since + timedelta(minutes=minutes), tz))
        out.append((SEVERITIES.index(f.severity), minutes, Action(
            severity=f.severity, level=f.level, host=f.host, site=f.site, title=f.title,
            recommendation=f.recommendation, due=due)))
    return [a for _, _, a in sorted(out, key=lambda x: (x[0], x[1], x[2].site, x[2].host))]


def overall(t: Translator, period_label: str, devices: int, inspected: int, level_rows: list[LevelRow],
            states: list[SiteState]) -> str:
    total = sum(row.count for row in level_rows)
    worst = max((STATES.index(s.state) for s in states), default=0)
    parts = t("conclusion.list_sep").join(t("conclusion.level_count", level=row.name, n=row.count)
                                          for row in level_rows if row.count)
    found = t("conclusion.problems", n=total, levels=parts) if total else t("conclusion.no_problems")
    return t("conclusion.overall", period=period_label, total=devices, inspected=inspected,
             missing=devices - inspected, found=found, verdict=t(f"conclusion.verdict.{STATES[worst]}"))


def baseline(t: Translator, section: ComplianceSection | None, level_rows: list[LevelRow],
             previous_label: str) -> str:
    """The baseline check's counts (failing results per contract level), then its changes since the
    previous period when that period has records; "" without records (the chapter says so)."""
    if section is None:
        return ""
    c = section.counts
    failing = [x for d in section.devices for x in d.failing]
    per_level = [(row.name, sum(1 for x in failing if x.severity in (row.severities or (row.severity,))))
                 for row in level_rows]
    parts = t("conclusion.list_sep").join(t("conclusion.level_count", level=name, n=n) for name, n in per_level if n)
    sentences = [t("conclusion.baseline", devices=len(section.devices), total=c.total, failed=c.failed,
                   of_which=t("conclusion.baseline_of_which", levels=parts) if parts else "",
                   unknown=t("conclusion.baseline_unknown", n=c.unknown) if c.unknown else "")]
    if section.compared:
        sentences.append(t("conclusion.baseline_changes", previous=previous_label,
                           new=len(section.newly_failing), fixed=len(section.fixed)))
    return t("conclusion.sentence_sep").join(sentences)


def baseline_actions(section: ComplianceSection | None) -> list[BaselineAction]:
    """One recommendation per failing rule of the two most severe levels, naming every device it
    fails on (in the report's order): the most severe first, then the rule failing most widely."""
    if section is None:
        return []
    rules: dict[tuple[str, str], ComplianceRule] = {}
    hosts: dict[tuple[str, str], list[str]] = {}
    for d in section.devices:
        for x in d.failing:
            if x.severity in _URGENT:
                rules.setdefault((x.pack, x.rule), x)
                hosts.setdefault((x.pack, x.rule), []).append(d.host)
    out = [BaselineAction(severity=x.severity, level=x.level, pack=x.pack, rule=x.rule, clause=x.clause,
                          title=x.title, hosts=tuple(dict.fromkeys(hosts[key]))) for key, x in rules.items()]
    return sorted(out, key=lambda a: (_URGENT.index(a.severity), -len(a.hosts), clause_order(a.clause),
                                      a.pack, a.rule))


def build(contract: Contract, t: Translator, *, period_label: str, sites: list[SiteSection],
          names: dict[str, str], problems: list[FindingRow], level_rows: list[LevelRow],
          since: datetime | None, tz: tzinfo, compliance: ComplianceSection | None = None,
          previous_label: str = "") -> Conclusion:
    states = site_states(sites, names, compliance)
    devices = sum(s.devices for s in states)
    inspected = sum(s.inspected for s in states)
    return Conclusion(
        overall=overall(t, period_label, devices, inspected, level_rows, states),
        sites=states,
        key_risks=[f for f in problems if f.severity in _URGENT][:TOP_RISKS],
        actions=actions(contract, t, problems, since, tz),
        baseline=baseline(t, compliance, level_rows, previous_label),
        baseline_actions=baseline_actions(compliance),
    )
