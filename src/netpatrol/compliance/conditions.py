"""One platform rule's conditions on a hier_config tree: the semantics docs/compliance.md describes.

`under` names sections: its first regex matches top-level lines, each next one a child of the
section before. A condition holds in EVERY section matched (each `line vty` block), or with
`sections: any` in at least one; with no `under`, on the top-level lines. `any_of` / `all_of`
combine nested conditions like a rule's `match: any` / `match: all`. `present`/`absent`/`value` look at every line below the section
(any depth), or at the top-level lines when there is no `under`. Regexes use `re.search` on a
line's text without its indentation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from hier_config import HConfig
from hier_config.child import HConfigChild

from netpatrol import time_limit
from netpatrol.compliance.model import Condition, Evidence, PlatformRule, Status, Texts, ValueTest
from netpatrol.compliance.notes import empty, note

_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
_OPS: dict[str, Callable[[object, object], bool]] = {
    "le": lambda a, b: a <= b,  # type: ignore[operator]
    "lt": lambda a, b: a < b,  # type: ignore[operator]
    "ge": lambda a, b: a >= b,  # type: ignore[operator]
    "gt": lambda a, b: a > b,  # type: ignore[operator]
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "in": lambda a, b: a in b,  # type: ignore[operator]
    "not_in": lambda a, b: a not in b,  # type: ignore[operator]
}
MAX_EVIDENCE = 10  # lines per rule: enough to find them, short enough for a report cell
MAX_LINE = 300  # characters of one evidence line (a certificate or banner line can be far longer)

Node = HConfig | HConfigChild
Scrub = Callable[[str], str] | None


@dataclass
class Outcome:
    status: Status
    evidence: list[Evidence] = field(default_factory=list)


def _rx(pattern: str) -> time_limit.Pattern:
    # Under evaluate's rule limit, in whatever thread judges the rule (a backup's collection thread
    # for `at_backup` rules): see netpatrol/time_limit.py.
    return time_limit.compile(pattern)


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, list):
        return "[" + ", ".join(str(x) for x in v) + "]"
    return str(v)


def _path(node: HConfigChild, scrub: Scrub) -> str:
    texts = [n.text for n in node.lineage()]
    # Cut after scrubbing: a secret cut in half would no longer be recognised and removed.
    path = " > ".join(scrub(t) if scrub else t for t in texts)
    return path if len(path) <= MAX_LINE else path[: MAX_LINE - 3] + "..."


def _where(section: Node, scrub: Scrub) -> Texts:
    return note("where", section=_path(section, scrub)) if isinstance(section, HConfigChild) else empty()


def _fix(fix: bool) -> Texts:
    return note("fix") if fix else empty()


def _lines(section: Node) -> Iterable[HConfigChild]:
    return section.all_children() if isinstance(section, HConfigChild) else section.children


def sections(config: HConfig, under: list[str]) -> list[Node]:
    level: list[Node] = [config]
    for pattern in under:
        rx = _rx(pattern)
        level = [c for node in level for c in node.children if rx.search(c.text)]
    return level


def _limited(lines: list[Evidence]) -> list[Evidence]:
    if len(lines) <= MAX_EVIDENCE:
        return lines
    return [*lines[:MAX_EVIDENCE], note("more", n=len(lines) - MAX_EVIDENCE)]


def _read(m: time_limit.Match[str], vt: ValueTest) -> tuple[object, str]:
    """The value the match gives, as the test compares it, or (None, the `why.*` note saying why not)."""
    groups = m.groupdict()
    if "value" in groups:
        raw = groups["value"]
        if raw is None:
            return None, "no_value"
        if vt.decode == "cisco_type7":
            from netutils.password import decrypt_type7

            try:
                raw = decrypt_type7(raw)
            except Exception:  # noqa: BLE001  # netutils raises bare errors on text that is not type 7
                return None, "not_type7"
        if vt.op in ("in", "not_in") or (vt.op in ("eq", "ne") and isinstance(vt.threshold, str)):
            return raw, ""
        try:
            return float(raw), ""
        except ValueError:
            return None, "not_number"
    unit = _SECONDS.get(vt.unit or "seconds", 1)
    total = sum(float(v) * _SECONDS[k] for k, v in groups.items() if k in _SECONDS and v is not None)
    return total / unit, ""


def _compare(value: object, vt: ValueTest) -> bool:
    threshold: object = vt.threshold
    if isinstance(value, float) and isinstance(threshold, (int, float)):
        threshold = float(threshold)
    elif isinstance(value, str) and not isinstance(threshold, list):
        threshold = str(threshold)
    return _OPS[vt.op](value, threshold)


def _amount(v: object, vt: ValueTest) -> Texts:
    """A value or threshold with the test's unit, in both languages ("10 分钟" / "10 minutes")."""
    return note(f"unit.{vt.unit or 'none'}", n=_fmt(v))


def _test(vt: ValueTest) -> Texts:
    return note(f"op.{vt.op}", threshold=_amount(vt.threshold, vt))


def _value(vt: ValueTest, section: Node, scrub: Scrub, fix: bool) -> Outcome:
    rx = _rx(vt.line)
    found = [(n, m) for n in _lines(section) if (m := rx.search(n.text))]
    where = _where(section, scrub)
    if not found:
        if vt.default is None:
            return Outcome("fail", [note("missing", where=where, fix=_fix(fix))])
        default: object = vt.default if isinstance(vt.default, str) else float(vt.default)
        ok = _compare(default, vt)
        # At backup time the default may be a secret's (a default community): not shown.
        shown = empty() if scrub else note("default_value", value=_amount(default, vt))
        return Outcome("pass" if ok else "fail", [note("default_meets" if ok else "default_fails", where=where,
                                                       value=shown, test=_test(vt), fix=_fix(fix))])
    statuses: list[Status] = []
    evidence: list[Evidence] = []
    for node, m in found:
        value, why = _read(m, vt)
        if value is None:
            statuses.append("unknown")
            evidence.append(note("unreadable", line=_path(node, scrub), why=note(f"why.{why}")))
            continue
        ok = _compare(value, vt)
        statuses.append("pass" if ok else "fail")
        # At backup time the value may be a secret (a community, a password): only the line, sanitised.
        evidence.append(note("value_hidden", line=_path(node, scrub), test=_test(vt)) if scrub else
                        note("value", line=_path(node, scrub), value=_amount(value, vt), test=_test(vt)))
    return _combine_all([Outcome(s, [e]) for s, e in zip(statuses, evidence, strict=True)])


def _in_section(c: Condition, section: Node, scrub: Scrub, fix: bool) -> Outcome:
    where = _where(section, scrub)
    if c.value is not None:
        return _value(c.value, section, scrub, fix)
    pattern = c.present if c.present is not None else c.absent
    assert pattern is not None
    rx = _rx(pattern)
    hits: list[Evidence] = [_path(n, scrub) for n in _lines(section) if rx.search(n.text)]
    # The rule's regex stays out of the note: a client reads it, and the rule id names the check.
    if c.present is not None:
        return Outcome("pass", hits) if hits else Outcome("fail", [note("missing", where=where, fix=_fix(fix))])
    return Outcome("fail", hits) if hits else Outcome("pass", [note("absent_ok", where=where)])


def _combine_all(outs: list[Outcome]) -> Outcome:
    """Every part must pass: fail if one fails, unknown if one cannot tell, not_applicable if none applies."""
    statuses = {o.status for o in outs}
    status: Status = ("fail" if "fail" in statuses else "unknown" if "unknown" in statuses
                      else "pass" if "pass" in statuses else "not_applicable")
    keep = [o for o in outs if o.status == status] if status in ("fail", "unknown") else outs
    return Outcome(status, [e for o in keep for e in o.evidence])


def _combine_any(outs: list[Outcome]) -> Outcome:
    """One passing part is enough."""
    statuses = {o.status for o in outs}
    status: Status = ("pass" if "pass" in statuses else "unknown" if "unknown" in statuses
                      else "fail" if "fail" in statuses else "not_applicable")
    keep = [o for o in outs if o.status == "pass"] if status == "pass" else outs
    return Outcome(status, [e for o in keep for e in o.evidence])


def check_condition(c: Condition, config: HConfig, scrub: Scrub, saved_matches: bool | None,
                    fix: bool = False) -> Outcome:
    """`fix`: the rule gives remediation commands (a missing line's note points to them)."""
    if c.saved is not None:
        if saved_matches is None:
            return Outcome("not_applicable", [note("saved_not_compared")])
        return Outcome("pass", [note("saved_equal")]) if saved_matches else Outcome("fail", [note("saved_differs")])
    if c.any_of is not None:
        return _combine_any([check_condition(sub, config, scrub, saved_matches, fix) for sub in c.any_of])
    if c.all_of is not None:
        return _combine_all([check_condition(sub, config, scrub, saved_matches, fix) for sub in c.all_of])
    found = sections(config, c.under)
    if not found:
        return Outcome(c.if_no_section, [note("no_section")])
    outs = [_in_section(c, s, scrub, fix) for s in found]
    return _combine_any(outs) if c.sections == "any" else _combine_all(outs)


def check_rule(pr: PlatformRule, config: HConfig, scrub: Scrub, saved_matches: bool | None) -> Outcome:
    """The rule's verdict on `config`; `scrub` makes each evidence line safe (at backup time)."""
    if pr.applies_if is not None:
        rx = _rx(pr.applies_if)
        if not any(rx.search(n.text) for n in config.all_children()):
            return Outcome("not_applicable", [note("not_applicable")])
    outs = [check_condition(c, config, scrub, saved_matches, bool(pr.remediation)) for c in pr.conditions]
    out = _combine_all(outs) if pr.match == "all" else _combine_any(outs)
    return Outcome(out.status, _limited(out.evidence))
