"""The check model: what one check in a pack may say, validated when the pack is read.

A check says when a finding is *raised*: a condition over the inspection result (a dotted path,
an operator and an operand, optionally for each item of a list or each parsed row of a catalogue
item) or a regex over the running configuration. Paths are checked against the result model here, so a typo is found when the pack
is loaded, not in the middle of an inspection. The language is documented in docs/checks.md.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from netpatrol import time_limit
from netpatrol.checks import evidence, operators
from netpatrol.inspection.results import Severity
from netpatrol.platforms import canonical_keys, canonical_platform, config_patterns, unknown_platform

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
# A catalogue item name (`rows:`) and a parsed row's column (lower-case TextFSM Value names).
_ITEM = re.compile(r"^[A-Za-z0-9_-]+$")
_COLUMN = re.compile(r"^[a-z0-9_]+$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(_Model):
    zh_CN: str = Field(alias="zh-CN", min_length=1)
    en: str = Field(min_length=1)

    def as_dict(self) -> dict[str, str]:
        return {"zh-CN": self.zh_CN, "en": self.en}


class ProblemSpec(_Model):
    """`problem: NAME` or `problem: {name: NAME, per: subject|device}` (docs/checks.md)."""

    name: str
    per: Literal["subject", "device"] = "subject"

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError(f"'{v}' is not a valid problem name: use lower_snake_case, e.g. cpu")
        return v


class Ref(_Model):
    """A right operand read from the context instead of written down: `{ref: item.warn}`."""

    ref: str


Operand = Ref | bool | int | float | str | list[Any]


class Scope(_Model):
    platforms: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)
    roles: list[str] = Field(default_factory=list)
    hosts: list[str] = Field(default_factory=list)

    @field_validator("platforms")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        bad = [p for p in v if canonical_platform(p) is None]
        if bad:
            raise ValueError("; ".join(unknown_platform(p) for p in bad))
        # Stored as folder names: hosts carry the folder name, so an alias must become it to match.
        return list(dict.fromkeys(str(canonical_platform(p)) for p in v))


class Filter(_Model):
    """One filter of `where:` (item fields are relative: `path: severity`)."""

    path: str
    op: Literal[operators.OPERATORS]  # type: ignore[valid-type]  # the tuple is spread into the Literal at runtime
    value: Operand | None = None

    @model_validator(mode="after")
    def _regex(self) -> Filter:
        check_regex(self.op, self.value)
        return self


def check_regex(op: str | None, operand: Any, field: str = "value") -> None:
    """A literal regex operand must compile: found when the pack is read, not mid-inspection."""
    if op in ("regex", "not_regex") and isinstance(operand, str):
        try:
            re.compile(operand)
            time_limit.compile(operand)  # the engine that runs it (re.error too)
        except re.error as exc:
            raise ValueError(f"{field}: bad regex {operand!r}: {exc}") from None


class ConfigMatch(_Model):
    """A regex over the running configuration, one per platform (multi-line mode).

    Without `patterns`, the check takes each platform folder's pattern for its id (Check fills
    them in); a pack that gives `patterns` names every platform it checks.
    """

    mode: Literal["must_not_match", "must_match"]
    patterns: dict[str, str] | None = None

    @field_validator("patterns")
    @classmethod
    def _valid(cls, v: dict[str, str] | None) -> dict[str, str] | None:
        v = canonical_keys(v) if v is not None else None
        for platform, rx in (v or {}).items():
            if canonical_platform(platform) is None:
                raise ValueError(unknown_platform(platform))
            try:
                re.compile(rx, re.MULTILINE)
                time_limit.compile(rx, multiline=True)  # the engine that runs it (re.error too)
            except re.error as exc:
                raise ValueError(f"{platform}: bad regex: {exc}") from None
        return v


class Condition(_Model):
    each: str | None = None  # a list in the result; one finding per failing item
    rows: str | None = None  # a catalogue item: its parsed rows, walked as `each` walks a list
    subject: str = "name"  # the item field naming the finding's subject
    key: list[str] | None = None  # item identity across periods (default: [subject])
    where: list[Filter] = Field(default_factory=list)
    new_only: bool = False  # only items absent from the previous inspection
    aggregate: Literal["count"] | None = None  # one finding about how many items passed `where`
    path: str | None = None
    op: Literal[operators.OPERATORS] | None = None  # type: ignore[valid-type]  # as above
    value: Operand | None = None  # default: the check's threshold
    delta: bool = False  # compare (current - previous) instead of current
    abs: bool = False
    previous: Literal["required", "absent"] | None = None
    config: ConfigMatch | None = None

    @model_validator(mode="after")
    def _shape(self) -> Condition:
        if self.config is not None:
            if self.path or self.op or self.each:
                raise ValueError("'config' stands alone: drop path/op/each")
            return self
        if self.rows is not None:
            return self._rows_shape()
        if self.op is None:
            raise ValueError("give 'op' (or a 'config' match)")
        if self.aggregate is None and self.path is None:
            raise ValueError("give 'path' (or 'aggregate: count' with 'each')")
        if (self.aggregate or self.where or self.new_only) and not self.each:
            raise ValueError("'aggregate', 'where' and 'new_only' need 'each' (or 'rows')")
        item = operators.list_item_type(self.each) if self.each else None
        if self.path and not self.aggregate:
            operators.path_type(f"item.{self.path}" if item else self.path, item)
        for t in self.where:
            operators.path_type(f"item.{t.path}", item)
        for operand in [self.value] + [t.value for t in self.where]:
            if isinstance(operand, Ref):
                operators.path_type(operand.ref, item)
        for name in (([] if self.aggregate else [self.subject]) + (self.key or [])) if item else []:
            operators.path_type(f"item.{name}", item)
        return self

    def _rows_shape(self) -> Condition:
        """`rows: <item>`: row columns are the template's Value names, known only per template, so
        they are checked for form here (`inventory check` checks them against the templates)."""
        assert self.rows is not None
        if self.each:
            raise ValueError("give 'rows' (a catalogue item's parsed rows) or 'each' (a list in the result), not both")
        if not _ITEM.match(self.rows):
            raise ValueError(f"rows: {self.rows!r} is not a catalogue item name (letters, digits, '_' or '-')")
        if (self.op is None) != (self.path is None) and not (self.aggregate and self.path is None):
            raise ValueError("give 'path' and 'op' together (a test of each selected row), or neither "
                             "(every row passing 'where' raises a finding)")
        if self.aggregate and self.op is None:
            raise ValueError("'aggregate: count' needs 'op'")
        for where, name in [("path", self.path), ("subject", self.subject if "subject" in self.model_fields_set else None),
                            *[(f"where.{i}.path", t.path) for i, t in enumerate(self.where)],
                            *[(f"key.{i}", k) for i, k in enumerate(self.key or [])]]:
            if name is not None and not _COLUMN.match(name):
                raise ValueError(f"{where}: {name!r} is not a row column: give a lower-case field name of the "
                                 "item's template (e.g. state, neighbor_id)")
        for operand in [self.value] + [t.value for t in self.where]:
            if isinstance(operand, Ref):
                operators.path_type(operand.ref, Any)
        return self

    @property
    def walk(self) -> str | None:
        """The dotted path of the list the condition walks: `each`, or the `rows` item's rows."""
        return self.each or (f"rows.{self.rows}" if self.rows else None)


class Check(_Model):
    id: str
    title: Text
    severity: Severity
    category: str = "general"  # report section: hardware, resources, interfaces, protocols, logs, security ...
    scope: Scope = Field(default_factory=Scope)
    condition: Condition
    threshold: Any = None
    recommendation: Text
    # The evidence sentence per language; one string (a workspace pack's) serves both languages.
    detail: dict[str, str] | str | None = None
    problem: ProblemSpec | None = None
    source: str = Field(default="", exclude=True)  # the file it came from, for messages

    @model_validator(mode="before")
    @classmethod
    def _platform_patterns(cls, data: Any) -> Any:
        """A config condition without `patterns`: the platform folders' patterns for this check id."""
        if not isinstance(data, dict) or not isinstance(cond := data.get("condition"), dict):
            return data
        config = cond.get("config")
        if not isinstance(config, dict) or "patterns" in config or not isinstance(data.get("id"), str):
            return data
        found = config_patterns(data["id"])
        return {**data, "condition": {**cond, "config": {**config, "patterns": found}}} if found else data

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError(f"'{v}' is not a valid id: use lower_snake_case, e.g. cpu_percent")
        return v

    @field_validator("problem", mode="before")
    @classmethod
    def _problem_name(cls, v: Any) -> Any:
        return {"name": v} if isinstance(v, str) else v

    @field_validator("detail")
    @classmethod
    def _template(cls, v: dict[str, str] | str | None) -> dict[str, str] | str | None:
        if isinstance(v, dict):
            missing = [lang for lang in evidence.LANGS if not v.get(lang)]
            extra = sorted(set(v) - set(evidence.LANGS))
            if missing or extra:
                raise ValueError(f"give one sentence per language: {', '.join(evidence.LANGS)}"
                                 + (f" (missing {', '.join(missing)})" if missing else "")
                                 + (f" (unknown {', '.join(extra)})" if extra else ""))
        for text in (v.values() if isinstance(v, dict) else [v] if v is not None else []):
            evidence.check_template(text)
        return v

    @model_validator(mode="after")
    def _needs_operand(self) -> Check:
        c = self.condition
        if c.config is not None and c.config.patterns is None:
            raise ValueError(f"condition.config: give 'patterns' (no platform folder's config_checks.yaml has one for '{self.id}')")
        if c.op in operators.BINARY and c.value is None and self.threshold is None:
            raise ValueError(f"operator '{c.op}' needs 'threshold' (or condition.value)")
        check_regex(c.op, *((c.value, "condition.value") if c.value is not None else (self.threshold, "threshold")))
        return self
