"""What a pack's model cannot check by itself: regexes that compile, value tests whose line
regex, operator and threshold fit together, and `saved:` conditions only in backup-time rules.
Each problem is (field path inside the rule, message); the loader adds file, line, pack and rule.
"""

from __future__ import annotations

import re

from netpatrol import time_limit
from netpatrol.compliance.model import Condition, PlatformRule, ValueTest

TIME_GROUPS = ("days", "hours", "minutes", "seconds")
_NUMERIC_OPS = ("le", "lt", "ge", "gt")
_LIST_OPS = ("in", "not_in")


def _regex(rx: str, field: str, err: list[tuple[str, str]]) -> re.Pattern[str] | None:
    try:
        compiled = re.compile(rx)
        time_limit.compile(rx)  # the engine that runs it (re.error too)
        return compiled
    except re.error as exc:
        err.append((field, f"bad regex {rx!r}: {exc}"))
    except RecursionError:
        err.append((field, f"bad regex {rx!r}: nested too deeply"))
    return None


def _check_value(v: ValueTest, f: str, err: list[tuple[str, str]]) -> None:
    rx = _regex(v.line, f"{f}.line", err)
    if rx is not None:
        groups = set(rx.groupindex)
        times = groups & set(TIME_GROUPS)
        if "value" not in groups and not times:
            err.append((f"{f}.line", "needs a named group (?P<value>...) or one of (?P<days>...), (?P<hours>...), "
                                     "(?P<minutes>...), (?P<seconds>...)"))
        elif "value" in groups and times:
            err.append((f"{f}.line", "has both a (?P<value>...) group and time groups; use one or the other"))
        elif times and v.unit in (None, "count"):
            err.append((f"{f}.unit", "the line reads a duration: say which unit the threshold is in "
                                     "(seconds, minutes, hours or days)"))
    listed = isinstance(v.threshold, list)
    if v.op in _LIST_OPS and not listed:
        err.append((f"{f}.threshold", f"op '{v.op}' needs a list of strings, e.g. [public, private]"))
    elif v.op not in _LIST_OPS and listed:
        err.append((f"{f}.threshold", f"a list goes with op 'in' or 'not_in', not '{v.op}'"))
    elif v.op in _NUMERIC_OPS and not isinstance(v.threshold, (int, float)):
        err.append((f"{f}.threshold", f"op '{v.op}' compares numbers: {v.threshold!r} is not a number"))
    if v.op in _NUMERIC_OPS and isinstance(v.default, str):
        err.append((f"{f}.default", f"op '{v.op}' compares numbers: {v.default!r} is not a number"))


def check_platform_rule(pr: PlatformRule, at_backup: bool, f: str, err: list[tuple[str, str]]) -> None:
    """Appends to `err` each problem of one platform's part of a rule; `f` is its field path."""
    if pr.applies_if is not None:
        _regex(pr.applies_if, f"{f}.applies_if", err)
    for i, c in enumerate(pr.conditions):
        _check_condition(c, at_backup, f"{f}.conditions.{i}", err)


_KINDS = ("present", "absent", "value", "saved", "any_of", "all_of")


def _check_condition(c: Condition, at_backup: bool, cf: str, err: list[tuple[str, str]]) -> None:
    for j, u in enumerate(c.under):
        _regex(u, f"{cf}.under.{j}", err)
    kinds = [k for k in _KINDS if getattr(c, k) is not None]
    if len(kinds) != 1:
        err.append((cf, f"needs exactly one of {', '.join(_KINDS)}"
                        + (f" (has {', '.join(kinds)})" if kinds else "")))
    group = next((k for k in ("any_of", "all_of") if getattr(c, k) is not None), None)
    if group is not None:
        # The nested conditions name their own sections; the group has none of its own.
        for k in ("under", "sections", "if_no_section"):
            if k in c.model_fields_set:
                err.append((f"{cf}.{k}", f"goes on the conditions inside {group}, not on {group} itself"))
        for j, sub in enumerate(getattr(c, group)):
            _check_condition(sub, at_backup, f"{cf}.{group}.{j}", err)
    elif c.sections == "any" and not c.under:
        err.append((f"{cf}.sections", "`sections: any` needs `under` (the sections one of which must pass)"))
    for k in ("present", "absent"):
        rx = getattr(c, k)
        if rx is not None:
            _regex(rx, f"{cf}.{k}", err)
    if c.value is not None:
        _check_value(c.value, f"{cf}.value", err)
    if c.saved is not None:
        if not at_backup:
            err.append((f"{cf}.saved", "a saved: condition needs `at_backup: true` on the rule "
                                       "(only a backup compares running and saved configs)"))
        if c.saved is not True:
            err.append((f"{cf}.saved", "write `saved: true` (passes when running equals saved)"))
