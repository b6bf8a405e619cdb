"""The small vocabulary of check conditions: operators, dotted paths, and their static validation.

Operators follow ntc jdiff's `operator` check type (is-gt, is-lt, in, not-in, contains, regex
match/no-match) with snake_case names. Every operator answers True (the finding fires), False,
or None when it cannot be evaluated: missing data (`None`) and unconfigured lists never fire,
because an inspection that did not collect something must not report it as healthy *or* broken.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Union, get_args, get_origin

from netutils.interface import canonical_interface_name
from pydantic import BaseModel, Field

from netpatrol import time_limit
from netpatrol.inspection.results import InspectionResult
from netpatrol.workspace.models import InspectionScope

BINARY = ("gt", "ge", "lt", "le", "eq", "ne", "in", "not_in", "regex", "not_regex", "contains", "in_interfaces")
UNARY = ("is_true", "is_false")
OPERATORS = BINARY + UNARY


def as_number(v: Any) -> float | None:
    """A number, or a string holding one, as a float; None for anything else (booleans too)."""
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
        a, b = as_number(left), as_number(right)
        if a is None or b is None:
            return None
        return {"gt": a > b, "ge": a >= b, "lt": a < b, "le": a <= b}[op]
    if op in ("eq", "ne"):
        same = left == right or (as_number(left) is not None and as_number(left) == as_number(right))
        return same if op == "eq" else not same
    if op in ("in", "not_in", "in_interfaces"):
        if not isinstance(right, (list, tuple, set, frozenset)) or not right:
            return None  # an empty list means "not configured": the check does not apply
        if op == "in_interfaces":
            return _iface(str(left)) in {_iface(str(r)) for r in right}
        return (left in right) if op == "in" else (left not in right)
    if op in ("regex", "not_regex"):
        hit = time_limit.compile(str(right)).search(str(left)) is not None
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
