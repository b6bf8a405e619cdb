"""The typed content of one client report, gathered once and rendered by every writer.

Everything here is already in the report's language and already sorted, so that the templates
only lay it out and the Markdown rendering is byte-identical for the same inputs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from netpatrol.workspace.models import SiteArchive


@dataclass(frozen=True)
class ItemProblem:
    """A catalogue item that did not give usable data: no template, parse error, unsupported ..."""

    item: str
    status: str
    command: str | None
    error: str | None
    template: str | None = None  # the template chosen, else the candidates tried
    unexplained: str | None = None  # device output: the first line no template accounted for
    label: str = ""  # the item's name in the report language
    reason: str = ""  # why, in the report language (the raw error text is in the appendix)
    note: str = ""  # where the raw text is: "见附录 A.2" / "see appendix A.2"; "" when there is none


@dataclass(frozen=True)
class RecordRow:
    """One line of a device's inspection record (巡检记录表): a catalogue item and what was read."""

    item: str  # the catalogue item (cpu, fans, ntp ...)
    label: str  # its name in the report language
    status: str  # normal / abnormal / unsupported / not_collected
    value: str  # what was read, in the report language; "—" when nothing was


@dataclass
class DeviceRow:
    host: str
    site: str
    platform: str
    role: str | None
    status: str  # DeviceStatus, or "missing" when no result exists for the period
    error: str | None
    model: str | None
    serial: str | None
    version: str | None
    uptime_seconds: int | None
    cpu: float | None
    memory: float | None
    temperature: float | None  # the hottest sensor
    fans: tuple[int, int] | None  # (ok, total)
    psus: tuple[int, int] | None
    interfaces_up: int | None
    interfaces_down: int | None
    config_saved: bool | None
    last_backup: str | None  # date of the newest config commit at or before the inspection
    last_backup_commit: str | None
    collected_at: str | None
    cpu_previous: float | None = None
    memory_previous: float | None = None
    problems: list[ItemProblem] = field(default_factory=list)
    flags: frozenset[str] = frozenset()  # check ids of this device's findings
    platform_name: str = ""  # the platform as people write it ("Huawei VRP"), not its key
    record: list[RecordRow] = field(default_factory=list)  # the inspection record (巡检记录表)
    collected_local: str = ""  # collected_at in the report's time zone, "2026-09-20 09:10 +08:00"
    note: str = ""  # where the raw error text of a device not inspected is: "见附录 A.1"

    @property
    def inspected(self) -> bool:
        return self.status == "ok"

    def flagged(self, prefix: str) -> bool:
        """Whether a finding about this measurement (check id starting with `prefix`) was raised;
        the report highlights values by the checks' verdict instead of repeating thresholds."""
        return any(f.startswith(prefix) for f in self.flags)


@dataclass(frozen=True)
class FindingRow:
    """One problem of one device (its findings merged: see inspection/problems.py)."""

    host: str
    site: str
    severity: str
    check: str  # the strongest finding's check
    key: str  # the problem key, the identity used for the period comparison
    title: str
    detail: str  # the evidence sentences joined with "; "
    recommendation: str
    change: str  # new / persisting (resolved problems are in Comparison.resolved)
    level: str = ""  # the contract's name of the severity, in the report language
    evidence: tuple[str, ...] = ()  # every evidence sentence, strongest first


@dataclass(frozen=True)
class LevelRow:
    """One contract level in the summary: how many problems, and the contract's times."""

    severity: str
    name: str  # the contract's name, in the report language
    count: int  # problems at this level
    response: str | None  # "10 分钟" / "10 minutes"; None when the contract sets none
    resolution: str | None
    severities: tuple[str, ...] = ()  # every severity the contract maps to this level


@dataclass(frozen=True)
class SiteState:
    """A site's line in the conclusion (巡检结论)."""

    key: str
    name: str
    state: str  # normal / attention / abnormal
    devices: int
    inspected: int
    problems: dict[str, int]  # severity -> problems
    baseline_failed: int | None = None  # failing baseline rule results; None: no records for the period


@dataclass(frozen=True)
class Action:
    """What to do next and by when (from the contract's resolution time)."""

    severity: str
    level: str
    host: str
    site: str
    title: str
    recommendation: str
    due: str  # e.g. "4 小时内 (2026-12-05 14:40 +08:00 前)", "Within 4 hours (by 2026-12-05 14:40 +08:00)"


HOSTS_SHOWN = 10  # devices named per baseline action on the conclusion page


@dataclass(frozen=True)
class BaselineAction:
    """One failing baseline rule of the two most severe levels and every device it fails on: a
    recommendation without a contract time (a non-conformance is not a fault; see conclusion.py)."""

    severity: str
    level: str  # the contract's name of the severity
    pack: str
    rule: str
    clause: str
    title: str  # the rule's title in the report language
    hosts: tuple[str, ...]  # in the report's device order

    @property
    def shown(self) -> tuple[str, ...]:
        """The devices named on the conclusion page; the rest are counted (all are in the chapter)."""
        return self.hosts[:HOSTS_SHOWN]

    @property
    def more(self) -> int:
        return len(self.hosts) - len(self.shown)


@dataclass
class Conclusion:
    overall: str  # the period's verdict in one paragraph
    sites: list[SiteState] = field(default_factory=list)
    key_risks: list[FindingRow] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    # What the baseline check found, in one paragraph (counts, then changes since the previous
    # period when it has records); "" when the period has no compliance records.
    baseline: str = ""
    baseline_actions: list[BaselineAction] = field(default_factory=list)


@dataclass(frozen=True)
class ConfigChange:
    host: str
    site: str
    status: str  # added / removed / modified
    added: int
    removed: int
    diff: str


@dataclass(frozen=True)
class Trend:
    host: str
    cpu_previous: float | None
    cpu: float | None
    memory_previous: float | None
    memory: float | None


@dataclass
class PeriodComparison:
    previous_period: str | None
    new: list[FindingRow] = field(default_factory=list)
    resolved: list[FindingRow] = field(default_factory=list)
    persisting: list[FindingRow] = field(default_factory=list)
    trends: list[Trend] = field(default_factory=list)
    baseline_missing: bool = False  # no earlier inspection and no config history to compare


@dataclass
class SiteSection:
    key: str  # the site's group name
    archive: SiteArchive | None
    devices: list[DeviceRow]
    findings: list[FindingRow]


@dataclass(frozen=True)
class RawError:
    """Device or tool text behind a localized reason in the body, shown verbatim in the appendix."""

    ref: str  # "A.1"
    host: str
    what: str  # what it is the text of, in the report language ("CPU 利用率", "不可达")
    text: str
    command: str | None = None  # the command whose reply or parse it was


@dataclass(frozen=True)
class RawOutput:
    host: str
    name: str  # the evidence file name (command slug)
    text: str


@dataclass(frozen=True)
class ComplianceCounts:
    """Rule results by status."""

    passed: int = 0
    failed: int = 0
    not_applicable: int = 0
    unknown: int = 0

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.not_applicable + self.unknown


@dataclass(frozen=True)
class ComplianceRule:
    """One baseline rule's verdict on one device, in the report's language."""

    pack: str
    rule: str
    clause: str  # as the report shows it: the standard's number, with the inspection-sheet mark in the language
    title: str
    category: str  # identity, access_control, audit ... (compliance.model.Category)
    category_name: str  # in the report language
    status: str  # pass / fail / not_applicable / unknown
    severity: str
    level: str  # the contract's name of the severity
    evidence: tuple[str, ...] = ()  # sanitised config lines (with their section path) or notes, in the language
    remediation: tuple[str, ...] = ()  # the commands that fix it, indented as a device takes them
    lines: tuple[str, ...] = ()  # the evidence that is device text (shown as code); the rest are notes
    clause_id: str | None = None  # the standard's number alone, the same in every language


@dataclass
class ComplianceDevice:
    host: str
    site: str
    platform: str
    platform_name: str  # "Huawei VRP", not the platform key
    rules: list[ComplianceRule]
    counts: ComplianceCounts

    @property
    def failing(self) -> list[ComplianceRule]:
        return [x for x in self.rules if x.status == "fail"]

    def clauses(self, status: str) -> list[str]:
        """The clauses of the rules with `status`, each once, in the standard's order."""
        return sorted({x.clause for x in self.rules if x.status == status}, key=clause_order)

    def count(self, status: str) -> int:
        return sum(1 for x in self.rules if x.status == status)


def clause_order(clause: str) -> tuple[tuple[int, int, str], ...]:
    """"8.1.4.1 b)" before "8.1.10.1 a)": numbers compared as numbers."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.findall(r"\d+|[^\d\s.]+", clause))


@dataclass(frozen=True)
class ComplianceChange:
    """A rule newly failing, or fixed, since the previous period."""

    host: str
    site: str
    rule: ComplianceRule  # as it stands this period
    previous: str | None  # the status then; None: not evaluated then


@dataclass(frozen=True)
class ComplianceGroup:
    """Counts of a site, a rule pack or a category."""

    key: str
    name: str  # in the report language
    devices: int
    counts: ComplianceCounts


@dataclass
class ComplianceSection:
    """The period's baseline compliance (安全基线核查): the records the inspection committed."""

    devices: list[ComplianceDevice]
    counts: ComplianceCounts
    sites: list[ComplianceGroup] = field(default_factory=list)
    packs: list[ComplianceGroup] = field(default_factory=list)
    categories: list[ComplianceGroup] = field(default_factory=list)
    compared: bool = False  # the previous period has records to compare with
    newly_failing: list[ComplianceChange] = field(default_factory=list)
    fixed: list[ComplianceChange] = field(default_factory=list)


@dataclass
class ReportModel:
    lang: str
    period: str
    previous_period: str | None
    client: str
    provider: str
    inspector: str | None
    report_date: str  # YYYY-MM-DD: the last collection day of the period unless given
    inspection_start: str | None
    inspection_end: str | None
    scope: str | None  # the site key when the report is restricted to one site
    tool_version: str
    sites: list[SiteSection]
    findings: list[FindingRow]
    severity_counts: dict[str, int]
    top_risks: list[FindingRow]
    config_changes: list[ConfigChange]
    config_range: tuple[str, str] | None  # (since, until) commits, short
    comparison: PeriodComparison
    appendix: list[RawOutput] = field(default_factory=list)
    period_label: str = ""  # "2026年第四季度" / "Q4 2026"
    levels: list[LevelRow] = field(default_factory=list)  # the contract's levels, most severe first
    conclusion: Conclusion | None = None
    timezone: str = ""  # the zone every time in the report is shown in, e.g. "Asia/Shanghai (UTC+08:00)"
    raw_errors: list[RawError] = field(default_factory=list)  # appendix A, whenever there are any
    previous_label: str = ""  # the previous period in words, "2026年第三季度"; "" without one
    compliance: ComplianceSection | None = None  # None: no compliance records for the period

    @property
    def devices(self) -> list[DeviceRow]:
        return [d for s in self.sites for d in s.devices]

    @property
    def inspected(self) -> list[DeviceRow]:
        return [d for d in self.devices if d.inspected]

    @property
    def not_inspected(self) -> list[DeviceRow]:
        return [d for d in self.devices if not d.inspected]

    @property
    def with_problems(self) -> list[DeviceRow]:
        return [d for d in self.devices if d.problems]
