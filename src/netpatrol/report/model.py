"""The typed content of one client report, gathered once and rendered by every writer.

Everything here is already in the report's language and already sorted, so that the templates
only lay it out and the Markdown rendering is byte-identical for the same inputs.
"""

from __future__ import annotations

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

    @property
    def inspected(self) -> bool:
        return self.status == "ok"

    def flagged(self, prefix: str) -> bool:
        """Whether a finding about this measurement (check id starting with `prefix`) was raised;
        the report highlights values by the checks' verdict instead of repeating thresholds."""
        return any(f.startswith(prefix) for f in self.flags)


@dataclass(frozen=True)
class FindingRow:
    host: str
    site: str
    severity: str
    check: str
    key: str  # check[:subject], the identity used for the period comparison
    title: str
    detail: str
    recommendation: str
    change: str  # new / persisting (resolved findings are in Comparison.resolved)


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
class RawOutput:
    host: str
    name: str  # the evidence file name (command slug)
    text: str


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
