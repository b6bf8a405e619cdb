"""Check packs (YAML) and the engine that turns one inspection result into findings.

A pack is a list of checks (or `{checks: [...]}`); each check says when a finding is *raised*.
Built-in packs live in `checkpacks/<name>.yaml`; every `*.yaml` in a workspace's `checks/` adds
checks, or overrides a built-in one by id: the workspace entry's top-level keys replace the
built-in's, so `{id: cpu_percent, severity: major}` is a complete override.

The condition language is documented in docs/checks.md; operators live in check_ops.py.
"""

from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from netpatrol import safe_yaml, time_limit

from netpatrol.checks import ops as check_ops
from netpatrol.errors import CheckFileError, InventoryError, InventoryIssue
from netpatrol.inspection.results import Finding, InspectionResult, Severity
from netpatrol.workspace.models import InspectionScope
from netpatrol.platforms import PLATFORMS

BUILTIN_DIR = Path(__file__).with_name("packs")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_PLACEHOLDERS = {"value", "threshold", "subject"}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(_Model):
    zh_CN: str = Field(alias="zh-CN", min_length=1)
    en: str = Field(min_length=1)

    def as_dict(self) -> dict[str, str]:
        return {"zh-CN": self.zh_CN, "en": self.en}


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
        bad = [p for p in v if p not in PLATFORMS]
        if bad:
            raise ValueError(f"unknown platform(s) {bad} (known: {', '.join(sorted(PLATFORMS))})")
        return v


class Filter(_Model):
    """One filter of `where:` (item fields are relative: `path: severity`)."""

    path: str
    op: Literal[check_ops.OPERATORS]  # type: ignore[valid-type]
    value: Operand | None = None

    @model_validator(mode="after")
    def _regex(self) -> Filter:
        _check_regex(self.op, self.value)
        return self


def _check_regex(op: str | None, operand: Any, field: str = "value") -> None:
    """A literal regex operand must compile: found when the pack is read, not mid-inspection."""
    if op in ("regex", "not_regex") and isinstance(operand, str):
        try:
            re.compile(operand)
        except re.error as exc:
            raise ValueError(f"{field}: bad regex {operand!r}: {exc}") from None


class ConfigMatch(_Model):
    """A regex over the running configuration, one per platform (multi-line mode)."""

    mode: Literal["must_not_match", "must_match"]
    patterns: dict[str, str]

    @field_validator("patterns")
    @classmethod
    def _valid(cls, v: dict[str, str]) -> dict[str, str]:
        for platform, rx in v.items():
            if platform not in PLATFORMS:
                raise ValueError(f"unknown platform '{platform}' (known: {', '.join(sorted(PLATFORMS))})")
            try:
                re.compile(rx, re.MULTILINE)
            except re.error as exc:
                raise ValueError(f"{platform}: bad regex: {exc}") from None
        return v


class Condition(_Model):
    each: str | None = None  # a list in the result; one finding per failing item
    subject: str = "name"  # the item field naming the finding's subject
    key: list[str] | None = None  # item identity across periods (default: [subject])
    where: list[Filter] = Field(default_factory=list)
    new_only: bool = False  # only items absent from the previous inspection
    aggregate: Literal["count"] | None = None  # one finding about how many items passed `where`
    path: str | None = None
    op: Literal[check_ops.OPERATORS] | None = None  # type: ignore[valid-type]
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
        if self.op is None:
            raise ValueError("give 'op' (or a 'config' match)")
        if self.aggregate is None and self.path is None:
            raise ValueError("give 'path' (or 'aggregate: count' with 'each')")
        if (self.aggregate or self.where or self.new_only) and not self.each:
            raise ValueError("'aggregate', 'where' and 'new_only' need 'each'")
        item = check_ops.list_item_type(self.each) if self.each else None
        if self.path and not self.aggregate:
            check_ops.path_type(f"item.{self.path}" if item else self.path, item)
        for t in self.where:
            check_ops.path_type(f"item.{t.path}", item)
        for operand in [self.value] + [t.value for t in self.where]:
            if isinstance(operand, Ref):
                check_ops.path_type(operand.ref, item)
        for name in (([] if self.aggregate else [self.subject]) + (self.key or [])) if item else []:
            check_ops.path_type(f"item.{name}", item)
        return self


class Check(_Model):
    id: str
    title: Text
    severity: Severity
    category: str = "general"  # report section: hardware, resources, interfaces, protocols, logs, security ...
    scope: Scope = Field(default_factory=Scope)
    condition: Condition
    threshold: Any = None
    recommendation: Text
    detail: str | None = None
    source: str = Field(default="", exclude=True)  # the file it came from, for messages

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError(f"'{v}' is not a valid id: use lower_snake_case, e.g. cpu_percent")
        return v

    @field_validator("detail")
    @classmethod
    def _template(cls, v: str | None) -> str | None:
        if v is not None:
            fields = [(f, spec, conv) for _, f, spec, conv in string.Formatter().parse(v) if f is not None]
            if any(spec or conv for _, spec, conv in fields):
                # `{value:>999999999}` pads every finding to a gigabyte: placeholders stand alone.
                raise ValueError("placeholders take no format spec or conversion: write {value}, not {value:>10} or {value!r}")
            names = {f for f, _, _ in fields}
            if names - _PLACEHOLDERS:
                raise ValueError(f"unknown placeholder(s) {sorted(names - _PLACEHOLDERS)}; use {{value}}, {{threshold}}, {{subject}}")
        return v

    @model_validator(mode="after")
    def _needs_operand(self) -> Check:
        c = self.condition
        if c.op in check_ops.BINARY and c.value is None and self.threshold is None:
            raise ValueError(f"operator '{c.op}' needs 'threshold' (or condition.value)")
        _check_regex(c.op, *((c.value, "condition.value") if c.value is not None else (self.threshold, "threshold")))
        return self


# --- loading ------------------------------------------------------------------------------------


def _read(path: Path, label: str, problems: list[str]) -> list[dict[str, Any]]:
    try:
        doc = safe_yaml.load_file(path, label)
    except (FileNotFoundError, safe_yaml.YamlFileError) as exc:
        problems.append(str(exc) if isinstance(exc, safe_yaml.YamlFileError) else f"{label}: not found")
        return []
    if isinstance(doc, dict) and set(doc) == {"checks"}:
        doc = doc["checks"]
    if doc is None:
        return []
    if not isinstance(doc, list) or not all(isinstance(e, dict) for e in doc):
        problems.append(f"{label}: expected a list of checks (or {{checks: [...]}}), each a mapping")
        return []
    return doc


def _validate(raw: dict[str, Any], label: str, problems: list[str]) -> Check | None:
    where = f"check '{raw.get('id', '?')}'"
    try:
        return Check.model_validate({**raw, "source": label})
    except ValidationError as exc:
        for e in exc.errors():
            loc = ".".join(str(p) for p in e["loc"] if not str(p).startswith(("function-", "literal[")))
            msg = e["msg"].removeprefix("Value error, ")
            if e["type"] == "extra_forbidden":
                msg = f"unknown key (known here: {', '.join(_known_keys(e['loc'][:-1]))})"
            problems.append(f"{label}: {where}: field '{loc or '(check)'}': {msg}")
        return None


def _known_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys the model at `loc` accepts, for an "unknown key" message."""
    model: Any = Check
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part)) if isinstance(model, type) and issubclass(model, BaseModel) else None
        if field is None:
            return []
        model = check_ops.element_model(field.annotation)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return []
    return [f.alias or name for name, f in model.model_fields.items() if name != "source"]


def _load_file(path: Path, label: str, base: dict[str, dict[str, Any]], problems: list[str]) -> dict[str, Check]:
    """Checks of one file by id; entries overriding `base` are merged over it first."""
    out: dict[str, Check] = {}
    for i, raw in enumerate(_read(path, label, problems)):
        cid = raw.get("id")
        if not isinstance(cid, str):
            problems.append(f"{label}: check #{i + 1}: field 'id': missing")
            continue
        if cid in out:
            problems.append(f"{label}: check '{cid}': field 'id': duplicate id in the same file")
            continue
        merged = {**base[cid], **raw} if cid in base else raw
        check = _validate(merged, label, problems)
        if check is not None:
            out[cid] = check
    return out


@functools.lru_cache(maxsize=1)
def _builtin_raw() -> dict[str, dict[str, Any]]:
    """Raw built-in entries by id: the base that workspace overrides are merged over."""
    raw: dict[str, dict[str, Any]] = {}
    for path in sorted(BUILTIN_DIR.glob("*.yaml")):
        for entry in _read(path, f"built-in {path.name}", []):
            if isinstance(entry.get("id"), str):
                raw[entry["id"]] = {k: v for k, v in entry.items()}
    return raw


def _workspace_files(d: Path | None) -> list[Path]:
    if d is None or not d.is_dir():
        return []
    return sorted(p for p in d.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def load_packs(names: list[str], workspace_checks_dir: Path | None) -> list[Check]:
    """Built-in packs by name, then every workspace file adding or overriding checks by id.

    Raises CheckFileError listing every problem (file, check id, field) at once.
    """
    problems: list[str] = []
    checks: dict[str, Check] = {}
    ws_files = _workspace_files(workspace_checks_dir)
    for name in names:
        path = BUILTIN_DIR / f"{name}.yaml"
        if path.is_file():
            checks.update(_load_file(path, f"built-in {name}.yaml", {}, problems))
        elif not any(p.stem == name for p in ws_files):
            known = ", ".join(sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml")))
            problems.append(f"check pack '{name}': not found (built-in packs: {known}; or add checks/{name}.yaml)")
    base = _builtin_raw()
    seen_in: dict[str, str] = {}
    for path in ws_files:
        label = f"checks/{path.name}"
        for cid, check in _load_file(path, label, base, problems).items():
            if cid in seen_in:
                problems.append(f"{label}: check '{cid}': field 'id': also defined in {seen_in[cid]}")
                continue
            seen_in[cid] = label
            checks[cid] = check
    if problems:
        raise CheckFileError(f"{len(problems)} problem(s) in the check packs:\n" + "\n".join(f"  - {p}" for p in problems))
    return list(checks.values())


def validate_pack_file(path: Path) -> list[str]:
    """Problems of one pack file (for `netpatrol inventory check`); [] when it is valid."""
    problems: list[str] = []
    label = f"{path.parent.name}/{path.name}"
    _load_file(path, label, _builtin_raw(), problems)
    return problems


# --- evaluation ---------------------------------------------------------------------------------


@dataclass
class CheckContext:
    result: InspectionResult
    previous: InspectionResult | None = None
    seconds_since_previous: float | None = None
    host_scope: InspectionScope = field(default_factory=InspectionScope)
    groups: list[str] = field(default_factory=list)
    role: str | None = None
    running_config: str | None = None  # cleaned, NOT sanitised (kept in memory only); None when not collected


# Seconds one regex check may take on one device: a config pattern over a large config takes
# milliseconds; past this it is backtracking without end (see time_limit.py).
REGEX_SECONDS = 10.0


def evaluate(checks: list[Check], ctx: CheckContext) -> list[Finding]:
    """Every finding the checks raise for this device, in check order."""
    findings: list[Finding] = []
    for check in checks:
        if check.id in ctx.host_scope.skip_checks or not in_scope(check, ctx):
            continue
        threshold = threshold_for(check, ctx)
        if not _uses_regex(check):
            findings.extend(check_ops.run_check(check, ctx, threshold))
            continue
        where = f"{check.source or 'check pack'}: check '{check.id}'"
        try:
            with time_limit.limit(REGEX_SECONDS):
                findings.extend(check_ops.run_check(check, ctx, threshold))
        except time_limit.Overrun:
            raise CheckFileError(
                f"{where}: its regex ran longer than {REGEX_SECONDS:g} s on host {ctx.result.host} "
                f"(catastrophic backtracking, e.g. nested repetition like (a+)+); simplify the pattern; "
                f"nothing was stored") from None
        except re.error as exc:  # an operand taken from the device's data with `ref:`
            raise CheckFileError(f"{where}: bad regex on host {ctx.result.host}: {exc}; nothing was stored") from None
    return findings


def _uses_regex(check: Check) -> bool:
    c = check.condition
    return c.config is not None or c.op in ("regex", "not_regex") or any(
        t.op in ("regex", "not_regex") for t in c.where)


def in_scope(check: Check, ctx: CheckContext) -> bool:
    s = check.scope
    r = ctx.result
    return (
        (not s.platforms or r.platform in s.platforms)
        and (not s.hosts or r.host in s.hosts)
        and (not s.groups or any(g in s.groups for g in ctx.groups))
        and (not s.roles or ctx.role in s.roles)
    )


def threshold_for(check: Check, ctx: CheckContext) -> Any:
    """The inventory's `inspection.thresholds[<check id>]` (host over group, merged by the
    inventory) beats the pack default; its type must match the default's."""
    if check.id not in ctx.host_scope.thresholds:
        return check.threshold
    value = ctx.host_scope.thresholds[check.id]
    default = check.threshold
    numeric = isinstance(default, (int, float)) and not isinstance(default, bool)
    if numeric and check_ops._number(value) is None or isinstance(default, list) and not isinstance(value, list):
        raise InventoryError(
            [
                InventoryIssue(
                    "inventory",
                    f"host {ctx.result.host}",
                    f"data.inspection.thresholds.{check.id}",
                    f"must be a {type(default).__name__} like the pack default {default!r}, got {value!r}",
                )
            ]
        )
    if check.condition.op in ("regex", "not_regex") and check.condition.value is None:
        try:
            _check_regex(check.condition.op, value, "threshold")
        except ValueError as exc:
            raise InventoryError([InventoryIssue("inventory", f"host {ctx.result.host}",
                                                 f"data.inspection.thresholds.{check.id}", str(exc))]) from None
    return check_ops._number(value) if numeric else value
