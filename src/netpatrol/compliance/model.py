"""The compliance data model: rule packs as written (YAML), and the verdicts they give.

A pack is data: rules with an id, titles in both languages, the standard's clause, a category, a
severity and, per platform, a section-aware condition over the parsed config tree plus the
commands that fix it. Built-in packs keep their per-platform parts in each platform folder's
`compliance.yaml`; a workspace pack (`compliance/*.yaml`) writes them inline under `platforms:`.

    pack: dengbao-l3
    title: {zh-CN: 等保2.0 三级 网络设备安全基线, en: MLPS 2.0 level 3 network device baseline}
    standard: GB/T 22239-2019
    rules:
      - id: vty-idle-timeout
        title: {zh-CN: 远程登录空闲超时不超过 10 分钟, en: Remote sessions time out within 10 minutes}
        category: identity
        clause: "8.1.4.1 b)"
        severity: major
        platforms:                      # only in workspace packs; built-in: platforms/<p>/compliance.yaml
          <platform>:                   # a platform folder name
            conditions:
              - under: ['^line vty']     # every section whose line matches, nested outermost first
                value: {line: '^exec-timeout (?P<minutes>\\d+)(?: (?P<seconds>\\d+))?', op: le,
                        threshold: 10, unit: minutes, default: 10}
            remediation: ['line vty 0 4', ' exec-timeout 10 0']
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Status = Literal["pass", "fail", "not_applicable", "unknown"]
STATUSES: tuple[Status, ...] = ("pass", "fail", "not_applicable", "unknown")
Severity = Literal["critical", "major", "minor", "info"]
# 等保 2.0 level-3 network-device areas (身份鉴别, 访问控制, 安全审计, 入侵防范) and the items
# inspection sheets add; names per language in report/messages (`compliance.category.<id>`).
Category = Literal["identity", "access_control", "audit", "intrusion_prevention",
                   "snmp", "ntp", "banner", "config_saved", "other"]
Op = Literal["le", "lt", "ge", "gt", "eq", "ne", "in", "not_in"]
Unit = Literal["seconds", "minutes", "hours", "days", "count"]
LANGS = ("zh-CN", "en")
# Records before notes were bilingual marked an inspection-sheet item inside the clause.
_OLD_CHECKLIST = "\uff08核查表\uff09"  # full-width brackets, as the sheets write them


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Texts(_Strict):
    """A text in both report languages."""

    zh_CN: str = Field(alias="zh-CN", min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.zh_CN if lang == "zh-CN" else self.en


class ValueTest(_Strict):
    """A value read from a line and compared.

    `line` is a regex with named groups: `value`, or any of `days`/`hours`/`minutes`/`seconds`
    (summed into `unit`). With `op` in/not_in, `threshold` is a list of strings. `default` is the
    platform's value when no line matches (no line and no default: the condition fails).
    `decode: cisco_type7` reads a type-7 string (netutils) before comparing.
    """

    line: str
    op: Op
    threshold: float | str | list[str]
    unit: Unit | None = None
    default: float | str | None = None
    decode: Literal["cisco_type7"] | None = None


class Condition(_Strict):
    """Exactly one of `present`, `absent`, `value`, `saved`, `any_of`, `all_of`, evaluated in the
    sections `under` names (ancestor line regexes, outermost first; empty: the whole config):
    in every one (`sections: every`) or in at least one (`sections: any`). When `under` matches
    no section, the condition's status is `if_no_section`. `saved: true` passes when the backup
    found the running config equal to the saved one (rules with `at_backup: true` only;
    not_applicable where the platform has no separate saved config). `any_of` / `all_of` nest
    conditions: one of them / all of them must pass (each with its own `under`)."""

    under: list[str] = Field(default_factory=list)
    present: str | None = None
    absent: str | None = None
    value: ValueTest | None = None
    saved: bool | None = None
    any_of: list[Condition] | None = Field(default=None, min_length=1)
    all_of: list[Condition] | None = Field(default=None, min_length=1)
    sections: Literal["every", "any"] = "every"
    if_no_section: Status = "not_applicable"


class PlatformRule(_Strict):
    """One rule on one platform: the rule applies only when `applies_if` matches some line
    (anywhere; else not_applicable); `match: all` passes when every condition passes."""

    applies_if: str | None = None
    match: Literal["all", "any"] = "all"
    conditions: list[Condition] = Field(min_length=1)
    remediation: list[str] = Field(default_factory=list)


class Rule(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    title: Texts
    category: Category
    # The standard's number only ("8.1.4.3 b)"), language-neutral; None for an item only inspection
    # sheets ask for (then `checklist`). Reports mark checklist items (report/messages).
    clause: str | None = Field(default=None, min_length=1)
    # An item inspection sheets (基线核查表) add beyond the standard's letter; `clause` is then the
    # requirement the sheets attach it to, if any.
    checklist: bool = False
    severity: Severity
    # Needs what only a backup sees: a secret's value before sanitising (a default community, an
    # empty or default password) or the running-vs-saved comparison (`saved:` conditions).
    # Evaluated at backup time on the text before sanitising; only the verdict is stored.
    at_backup: bool = False
    recommendation: Texts | None = None
    # Platform name -> its condition; None: the rule does not apply to that platform. A platform
    # not named at all gives `unknown` (nobody has written the rule for it).
    platforms: dict[str, PlatformRule | None] = Field(default_factory=dict)


class Pack(_Strict):
    pack: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    title: Texts
    standard: str | None = None
    rules: list[Rule]


def _old_clause(data: Any) -> Any:
    """Reads a clause written before `checklist` existed (the clause followed by the sheets' mark, or the mark alone)."""
    if isinstance(data, dict) and isinstance(data.get("clause"), str) and "checklist" not in data:
        clause = data["clause"]
        if clause == "核查表" or clause.endswith(_OLD_CHECKLIST):
            data = {**data, "clause": clause.removesuffix(_OLD_CHECKLIST).strip() if clause != "核查表" else None,
                    "checklist": True}
    return data


# An evidence entry: a config line as the device wrote it (sanitised, with its section path;
# language-neutral) or a note of the engine in both languages (compliance/notes.py). Records of the
# previous format hold notes as English strings; they read as `str` and show as they were written.
Evidence = str | Texts


def evidence_in(evidence: list[Evidence], lang: str) -> list[str]:
    return [e.get(lang) if isinstance(e, Texts) else e for e in evidence]


class RuleResult(BaseModel):
    """One rule's verdict on one device: what `comply --json` prints (title in one language) and
    what the period's record stores (titles in both)."""

    host: str
    site: str
    platform: str
    pack: str
    rule: str
    status: Status
    severity: Severity
    clause: str | None
    checklist: bool = False
    category: Category
    title: Texts
    # Sanitised config lines with their section path ("line vty 0 4 > exec-timeout 30 0"), or a
    # note in both languages; never a secret's value.
    evidence: list[Evidence] = Field(default_factory=list)
    remediation: list[str] = Field(default_factory=list)

    _old_clause = model_validator(mode="before")(_old_clause)

    def evidence_in(self, lang: str) -> list[str]:
        """The evidence as `lang` reads it: config lines as they are, notes in `lang`."""
        return evidence_in(self.evidence, lang)

    def as_json(self, lang: str) -> dict[str, Any]:
        """The `comply --json` object: the issue's fields, the title and notes in `lang`."""
        return {"host": self.host, "site": self.site, "platform": self.platform, "pack": self.pack,
                "rule": self.rule, "status": self.status, "severity": self.severity,
                "clause": self.clause, "title": self.title.get(lang), "evidence": self.evidence_in(lang),
                "remediation": self.remediation}


class Verdict(_Strict):
    """An `at_backup` rule's verdict: no secret value, only the outcome."""

    status: Status
    evidence: list[Evidence] = Field(default_factory=list)

    def evidence_in(self, lang: str) -> list[str]:
        return evidence_in(self.evidence, lang)


class BackupVerdicts(BaseModel):
    """`compliance/backup/<site>/<host>.json`, committed with the backup that produced it."""

    schema_version: str = "1.0"
    host: str
    platform: str
    # pack -> rule id -> verdict
    verdicts: dict[str, dict[str, Verdict]] = Field(default_factory=dict)


class Change(BaseModel):
    """A rule whose status differs from the previous period."""

    pack: str
    rule: str
    previous: Status | None  # None: not evaluated then
    current: Status


class DeviceCompliance(BaseModel):
    """`compliance/<period>/<site>/<host>.json`: one device's verdicts for one period, committed
    with that period's inspection."""

    schema_version: str = "1.0"
    period: str
    host: str
    site: str
    platform: str
    evaluated_at: str  # UTC ISO 8601
    config_commit: str | None = None  # the store commit whose config was evaluated
    results: list[RuleResult]
    changes: list[Change] = Field(default_factory=list)  # against the previous period
