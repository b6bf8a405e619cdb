"""The check engine: every finding the checks raise for one device's inspection result.

`evaluate` selects the checks in scope for the device, takes each threshold from the inventory or
the pack, and runs each check (regex checks under a time limit); `run_check` reads the condition's
values from the result, the previous period's result and the host's scope, and applies the operator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from netpatrol import time_limit
from netpatrol.checks import evidence
from netpatrol.checks.components import key_for
from netpatrol.checks.model import Check, check_regex
from netpatrol.checks.operators import ITEM_ROOTS, apply, as_number, resolve
from netpatrol.errors import CheckFileError, InventoryError, InventoryIssue
from netpatrol.inspection.results import Finding, InspectionResult
from netpatrol.workspace.models import InspectionScope


@dataclass
class CheckContext:
    result: InspectionResult
    previous: InspectionResult | None = None
    seconds_since_previous: float | None = None
    host_scope: InspectionScope = field(default_factory=InspectionScope)
    groups: list[str] = field(default_factory=list)
    role: str | None = None
    # Config check id -> the sanitised lines its pattern matched, from the inspection procedure
    # (inspection.task: it matches where the config is, so the config never travels); None: no config.
    config_matches: dict[str, list[str]] | None = None
    config_overrun: list[str] = field(default_factory=list)  # config checks whose pattern ran too long


# Seconds one regex check may take on one device: a config pattern over a large config takes
# milliseconds; past this it is backtracking without end (see netpatrol/time_limit.py).
REGEX_SECONDS = 10.0


def evaluate(checks: list[Check], ctx: CheckContext) -> list[Finding]:
    """Every finding the checks raise for this device, in check order."""
    findings: list[Finding] = []
    for check in checks:
        if check.id in ctx.host_scope.skip_checks or not in_scope(check, ctx):
            continue
        threshold = threshold_for(check, ctx)
        if not _uses_regex(check):
            findings.extend(run_check(check, ctx, threshold))
            continue
        where = f"{check.source or 'check pack'}: check '{check.id}'"
        try:
            with time_limit.limit(REGEX_SECONDS):
                findings.extend(run_check(check, ctx, threshold))
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
    if (numeric and as_number(value) is None) or (isinstance(default, list) and not isinstance(value, list)):
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
            check_regex(check.condition.op, value, "threshold")
        except ValueError as exc:
            raise InventoryError([InventoryIssue("inventory", f"host {ctx.result.host}",
                                                 f"data.inspection.thresholds.{check.id}", str(exc))]) from None
    return as_number(value) if numeric else value


# --- running one check ---------------------------------------------------------------------------


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, (list, tuple)):
        return ", ".join(_fmt(x) for x in v) if v else "-"
    return "-" if v is None else str(v)


def _finding(check: Any, value: Any, threshold: Any, subject: str | None) -> Finding:
    return Finding(
        check=check.id,
        severity=check.severity,
        title=check.title.as_dict(),
        detail=evidence.render(check.detail, value, threshold, subject),
        problem=key_for(check, subject),
        value=value,
        threshold=threshold,
        recommendation=check.recommendation.as_dict(),
        subject=subject,
    )


class _Env:
    """The names a condition can read: result fields, scope.*, context.*, previous.*, item.*."""

    def __init__(self, ctx: Any, previous: InspectionResult | None):
        r = ctx.result
        self.result: InspectionResult = r
        self.root: dict[str, Any] = {name: getattr(r, name) for name in InspectionResult.model_fields}
        scope = ctx.host_scope.model_dump()
        scope.update(role=ctx.role, groups=list(ctx.groups))
        self.root.update(
            scope=scope,
            context={"seconds_since_previous": ctx.seconds_since_previous},
            previous=previous,
        )

    def get(self, path: str, item: Any = None, prev_item: Any = None) -> Any:
        head, _, rest = path.partition(".")
        if head in ITEM_ROOTS:
            base = item if head == "item" else prev_item
            return resolve(base, rest) if rest else base
        return resolve(self.root, path)

    def operand(self, operand: Any, default: Any, item: Any = None, prev_item: Any = None) -> Any:
        if operand is None:
            return default
        if hasattr(operand, "ref"):
            return self.get(operand.ref, item, prev_item)
        return operand


def _subject_field(cond: Any, item: Any) -> str | None:
    """The field naming a finding's subject: `subject`, or for parsed rows without one the row's
    first column (a template's first Value is its key: interface, neighbour, slot)."""
    if cond.rows is not None and "subject" not in cond.model_fields_set:
        return next(iter(item), None) if isinstance(item, dict) else None
    return str(cond.subject)


def _key(cond: Any, item: Any) -> tuple[Any, ...]:
    """An item's identity across periods: its `key` fields, by default its subject."""
    fields = cond.key or [_subject_field(cond, item)]
    return tuple(resolve(item, f) if f else None for f in fields)


def item_rows(result: InspectionResult | None, item: str) -> list[dict[str, object]]:
    """The parsed rows of catalogue item `item` (stored per command), [] when it was not parsed."""
    outcome = result.items.get(item) if result is not None else None
    if result is None or outcome is None or outcome.command is None:
        return []
    return result.parsed.get(outcome.command) or []


def _walked(cond: Any, env: _Env, result: InspectionResult | None) -> list[Any]:
    """The list a condition walks in `result`: the `each` list, or the `rows` item's rows."""
    if cond.rows is not None:
        return item_rows(result, cond.rows)
    if result is None:
        return []
    return (env.get(cond.each) if result is env.result else resolve(result, cond.each)) or []


def _restarted(ctx: Any) -> bool:
    """Whether the device booted after the previous inspection (its counters restarted at zero)."""
    up, since = ctx.result.facts.uptime_seconds, ctx.seconds_since_previous
    return up is not None and since is not None and up < since


def _left(cond: Any, env: _Env, item: Any, prev_item: Any, has_prev: bool, restarted: bool = False) -> Any:
    """The value under test: the path's value, or its growth since the previous inspection."""
    path = f"item.{cond.path}" if cond.walk else cond.path
    now = env.get(path, item, prev_item)
    if cond.delta:
        if not has_prev:
            return None
        before = env.get(f"previous_item.{cond.path}" if cond.walk else f"previous.{cond.path}", item, prev_item)
        a, b = as_number(now), as_number(before)
        # After a reboot, or when the counter is lower than last time (cleared), everything it
        # holds was counted inside this period: that is the growth known for sure.
        now = None if a is None or b is None else a if restarted or a < b else a - b
    if cond.abs and (number := as_number(now)) is not None:
        now = abs(number)
    return now


def config_patterns(checks: list[Check]) -> dict[str, dict[str, str]]:
    """Check id -> platform -> pattern of every config check: what the inspection procedure matches."""
    return {c.id: dict(c.condition.config.patterns) for c in checks
            if c.condition.config is not None and c.condition.config.patterns}


def match_config(config_checks: dict[str, dict[str, str]], platform: str,
                 config: str) -> tuple[dict[str, list[str]], list[str]]:
    """(check id -> the sanitised lines its pattern matched in `config`, at most five matches, []
    for none; the check ids whose pattern ran past REGEX_SECONDS). `config` is cleaned but not
    sanitised: a community `public` is only visible there."""
    text = config.replace("\r\n", "\n")
    matches: dict[str, list[str]] = {}
    overrun: list[str] = []
    safe: list[str] | None = None
    for check_id, patterns in config_checks.items():
        pattern = patterns.get(platform)
        if pattern is None:
            continue
        try:
            with time_limit.limit(REGEX_SECONDS):  # in a collection thread: see netpatrol/time_limit.py
                found = time_limit.compile(pattern, multiline=True).matches(text)
        except time_limit.Overrun:
            overrun.append(check_id)
            continue
        if found and safe is None:
            # Evidence is quoted in reports: the matched lines come from the sanitised whole config
            # (the sanitiser keeps line structure), so block-context secrets such as a Junos snmp
            # community are removed too, which sanitising a lone line would miss.
            from netpatrol.backup.sanitize import sanitize

            safe = sanitize(text, platform).split("\n")
        lines = []
        for m in found[:5]:
            first = text.count("\n", 0, m.start())
            last = first + m.group(0).strip("\n").count("\n")
            lines.append("\n".join(x.strip() for x in (safe or [])[first : last + 1]))
        matches[check_id] = lines
    return matches, overrun


def _run_config(check: Any, ctx: Any) -> list[Finding]:
    cfg = check.condition.config
    if ctx.result.platform not in (cfg.patterns or {}) or ctx.config_matches is None:
        return []
    if check.id in ctx.config_overrun:
        raise time_limit.Overrun()  # named by evaluate like any regex that runs too long
    lines = ctx.config_matches.get(check.id)
    if lines is None:  # not matched where the config was: nothing is known
        return []
    if cfg.mode == "must_match":
        return [] if lines else [_finding(check, None, "required", None)]
    return [_finding(check, lines, None, None)] if lines else []


def run_check(check: Any, ctx: Any, threshold: Any) -> list[Finding]:
    """The findings of one in-scope check for one device."""
    cond = check.condition
    if cond.config is not None:
        return _run_config(check, ctx)
    previous = ctx.previous if ctx.previous is not None and ctx.previous.status == "ok" else None
    if (cond.previous == "required" and previous is None) or (cond.previous == "absent" and previous is not None):
        return []
    env = _Env(ctx, previous)
    if not cond.walk:
        right = env.operand(cond.value, threshold)
        left = _left(cond, env, None, None, previous is not None, _restarted(ctx))
        return [_finding(check, left, right, None)] if apply(cond.op, left, right) else []
    items = _walked(cond, env, ctx.result)
    prev_items = {_key(cond, p): p for p in _walked(cond, env, previous)}
    selected = []
    for item in items:
        prev_item = prev_items.get(_key(cond, item))
        if cond.new_only and prev_item is not None:
            continue
        if all(apply(t.op, env.get(f"item.{t.path}", item), env.operand(t.value, threshold, item, prev_item)) for t in cond.where):
            selected.append((item, prev_item))
    if cond.aggregate == "count":
        right = env.operand(cond.value, threshold)
        return [_finding(check, len(selected), right, None)] if apply(cond.op, len(selected), right) else []
    out = []
    for item, prev_item in selected:
        subject = _fmt(resolve(item, name)) if (name := _subject_field(cond, item)) else None
        if cond.op is None:  # rows passing `where` are the findings: report what the first filter read
            first = cond.where[0] if cond.where else None
            out.append(_finding(check, env.get(f"item.{first.path}", item) if first else None,
                                env.operand(first.value, threshold, item, prev_item) if first else None, subject))
            continue
        right = env.operand(cond.value, threshold, item, prev_item)
        left = _left(cond, env, item, prev_item, previous is not None, _restarted(ctx))
        if apply(cond.op, left, right):
            out.append(_finding(check, left, right, subject))
    return out
