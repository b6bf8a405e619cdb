"""The small vocabulary of check conditions: operators, dotted paths, and their static validation.

Operators follow ntc jdiff's `operator` check type (is-gt, is-lt, in, not-in, contains, regex
match/no-match) with snake_case names. Every operator answers True (the finding fires), False,
or None when it cannot be evaluated: missing data (`None`) and unconfigured lists never fire,
because an inspection that did not collect something must not report it as healthy *or* broken.
"""

from __future__ import annotations

import re
import types
import typing
from typing import Any, Union, get_args, get_origin

from netutils.interface import canonical_interface_name
from pydantic import BaseModel, Field

from netpatrol.inspection.results import Finding, InspectionResult
from netpatrol.workspace.models import InspectionScope

BINARY = ("gt", "ge", "lt", "le", "eq", "ne", "in", "not_in", "regex", "not_regex", "contains", "in_interfaces")
UNARY = ("is_true", "is_false")
OPERATORS = BINARY + UNARY


def _number(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return None
    return None


def _iface(name: str) -> str:
    return canonical_interface_name(name).lower()


def apply(op: str, left: Any, right: Any = None) -> bool | None:
    """Whether `left <op> right` holds; None when it cannot be decided (missing data)."""
    if left is None:
        return None
    if op == "is_true":
        return left is True
    if op == "is_false":
        return left is False
    if right is None:
        return None
    if op in ("gt", "ge", "lt", "le"):
        a, b = _number(left), _number(right)
        if a is None or b is None:
            return None
        return {"gt": a > b, "ge": a >= b, "lt": a < b, "le": a <= b}[op]
    if op in ("eq", "ne"):
        same = left == right or (_number(left) is not None and _number(left) == _number(right))
        return same if op == "eq" else not same
    if op in ("in", "not_in", "in_interfaces"):
        if not isinstance(right, (list, tuple, set, frozenset)) or not right:
            return None  # an empty list means "not configured": the check does not apply
        if op == "in_interfaces":
            return _iface(str(left)) in {_iface(str(r)) for r in right}
        return (left in right) if op == "in" else (left not in right)
    if op in ("regex", "not_regex"):
        hit = re.search(str(right), str(left)) is not None
        return hit if op == "regex" else not hit
    if op == "contains":
        if isinstance(left, (list, tuple, set, frozenset, str)):
            return right in left
        return None
    raise ValueError(f"unknown operator '{op}'")


def resolve(root: Any, path: str) -> Any:
    """Follow a dotted path through models, dataclasses and dicts; None when any step is missing."""
    cur = root
    for part in path.split("."):
        if cur is None:
            return None
        cur = cur.get(part) if isinstance(cur, dict) else getattr(cur, part, None)
    return cur


# --- static validation of paths against the result model ----------------------------------------


class _ScopeView(InspectionScope):
    """What `scope.*` paths see: the merged inspection scope plus the host's role and groups."""

    role: str | None = None
    groups: list[str] = Field(default_factory=list)


class _ContextView(BaseModel):
    seconds_since_previous: float | None = None


ROOTS: dict[str, Any] = {name: f.annotation for name, f in InspectionResult.model_fields.items()}
ROOTS.update({"scope": _ScopeView, "context": _ContextView, "previous": InspectionResult})
ITEM_ROOTS = ("item", "previous_item")


def _unwrap(tp: Any) -> Any:
    """Drop Optional; `X | None` -> X."""
    if get_origin(tp) in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        return args[0] if len(args) == 1 else tp
    return tp


def _walk(tp: Any, parts: list[str], path: str) -> Any:
    for i, part in enumerate(parts):
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(part)
            if field is None:
                known = ", ".join(tp.model_fields)
                raise ValueError(f"'{path}': no field '{part}' (known here: {known})")
            tp = field.annotation
        elif get_origin(tp) is dict or tp is typing.Any or tp is object:
            return typing.Any  # free-form below this point
        else:
            raise ValueError(f"'{path}': '{'.'.join(parts[:i])}' has no fields")
    return tp


def element_model(tp: Any) -> Any:
    """The model inside `X | None` or `list[X]` (X itself otherwise)."""
    tp = _unwrap(tp)
    if get_origin(tp) is list:
        tp = _unwrap(get_args(tp)[0])
    if get_origin(tp) in (Union, types.UnionType):  # e.g. Ref | literal: the model member
        models = [a for a in get_args(tp) if isinstance(a, type) and issubclass(a, BaseModel)]
        return models[0] if len(models) == 1 else tp
    return tp


def path_type(path: str, item_type: Any = None) -> Any:
    """The annotation a dotted path resolves to; ValueError naming the bad segment."""
    parts = path.split(".")
    head = parts[0]
    if head in ITEM_ROOTS:
        if item_type is None:
            raise ValueError(f"'{path}': '{head}.' only works inside a check with 'each'")
        return _walk(item_type, parts[1:], path)
    if head not in ROOTS:
        raise ValueError(f"'{path}': unknown root '{head}' (known: {', '.join(sorted(ROOTS))}, item, previous_item)")
    return _walk(ROOTS[head], parts[1:], path)


def list_item_type(path: str) -> Any:
    """For an `each:` path: the element type of the list it names."""
    tp = _unwrap(path_type(path))
    if get_origin(tp) is not list:
        raise ValueError(f"'{path}' is not a list, so 'each' cannot walk it")
    return get_args(tp)[0]


# --- running one check --------------------------------------------------------------------------


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, (list, tuple)):
        return ", ".join(_fmt(x) for x in v) if v else "-"
    return "-" if v is None else str(v)


def _finding(check: Any, value: Any, threshold: Any, subject: str | None) -> Finding:
    if check.detail:
        detail = check.detail.format(value=_fmt(value), threshold=_fmt(threshold), subject=subject or "")
    else:
        detail = f"{subject + ': ' if subject else ''}{_fmt(value)} (threshold {_fmt(threshold)})"
    return Finding(
        check=check.id,
        severity=check.severity,
        title=check.title.as_dict(),
        detail=detail,
        value=value,
        threshold=threshold,
        recommendation=check.recommendation.as_dict(),
        subject=subject,
    )


class _Env:
    """The names a condition can read: result fields, scope.*, context.*, previous.*, item.*."""

    def __init__(self, ctx: Any, previous: InspectionResult | None):
        r = ctx.result
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


def _key(item: Any, fields: list[str]) -> tuple[Any, ...]:
    return tuple(resolve(item, f) for f in fields)


def _restarted(ctx: Any) -> bool:
    """Whether the device booted after the previous inspection (its counters restarted at zero)."""
    up, since = ctx.result.facts.uptime_seconds, ctx.seconds_since_previous
    return up is not None and since is not None and up < since


def _left(cond: Any, env: _Env, item: Any, prev_item: Any, has_prev: bool, restarted: bool = False) -> Any:
    """The value under test: the path's value, or its growth since the previous inspection."""
    path = f"item.{cond.path}" if cond.each else cond.path
    now = env.get(path, item, prev_item)
    if cond.delta:
        if not has_prev:
            return None
        before = env.get(f"previous_item.{cond.path}" if cond.each else f"previous.{cond.path}", item, prev_item)
        a, b = _number(now), _number(before)
        # After a reboot, or when the counter is lower than last time (cleared), everything it
        # holds was counted inside this period: that is the growth known for sure.
        now = None if a is None or b is None else a if restarted or a < b else a - b
    if cond.abs and (number := _number(now)) is not None:
        now = abs(number)
    return now


def _run_config(check: Any, ctx: Any) -> list[Finding]:
    cfg = check.condition.config
    pattern = cfg.patterns.get(ctx.result.platform)
    if pattern is None or ctx.running_config is None:
        return []
    text = ctx.running_config.replace("\r\n", "\n")
    matches = list(re.finditer(pattern, text, re.MULTILINE))
    if cfg.mode == "must_match":
        return [] if matches else [_finding(check, None, "required", None)]
    if not matches:
        return []
    # Evidence is quoted in reports: take the matched lines from the sanitised whole config (the
    # sanitiser keeps line structure), so block-context secrets such as a Junos snmp community are
    # removed too, which sanitising a lone line would miss.
    from netpatrol.backup.sanitize import sanitize

    safe = sanitize(text, ctx.result.platform).split("\n")
    lines = []
    for m in matches[:5]:
        first = text.count("\n", 0, m.start())
        last = first + m.group(0).strip("\n").count("\n")
        lines.append("\n".join(x.strip() for x in safe[first : last + 1]))
    return [_finding(check, lines, None, None)]


def run_check(check: Any, ctx: Any, threshold: Any) -> list[Finding]:
    """The findings of one in-scope check for one device."""
    cond = check.condition
    if cond.config is not None:
        return _run_config(check, ctx)
    previous = ctx.previous if ctx.previous is not None and ctx.previous.status == "ok" else None
    if (cond.previous == "required" and previous is None) or (cond.previous == "absent" and previous is not None):
        return []
    env = _Env(ctx, previous)
    if not cond.each:
        right = env.operand(cond.value, threshold)
        left = _left(cond, env, None, None, previous is not None, _restarted(ctx))
        return [_finding(check, left, right, None)] if apply(cond.op, left, right) else []
    key_fields = cond.key or [cond.subject]
    items = env.get(cond.each) or []
    prev_items = {_key(p, key_fields): p for p in (resolve(previous, cond.each) or [])} if previous else {}
    selected = []
    for item in items:
        prev_item = prev_items.get(_key(item, key_fields))
        if cond.new_only and prev_item is not None:
            continue
        if all(apply(t.op, env.get(f"item.{t.path}", item), env.operand(t.value, threshold, item, prev_item)) for t in cond.where):
            selected.append((item, prev_item))
    if cond.aggregate == "count":
        right = env.operand(cond.value, threshold)
        return [_finding(check, len(selected), right, None)] if apply(cond.op, len(selected), right) else []
    out = []
    for item, prev_item in selected:
        right = env.operand(cond.value, threshold, item, prev_item)
        left = _left(cond, env, item, prev_item, previous is not None, _restarted(ctx))
        if apply(cond.op, left, right):
            out.append(_finding(check, left, right, _fmt(resolve(item, cond.subject))))
    return out
