"""One platform rule's conditions on a hier_config tree: the semantics docs/compliance.md describes.

`under` names sections: its first regex matches top-level lines, each next one a child of the
section before. A condition holds in EVERY section matched (each `line vty` block), or with
`sections: any` in at least one; with no `under`, on the top-level lines. `any_of` / `all_of`
combine nested conditions like a rule's `match: any` / `match: all`. `present`/`absent`/`value` look at every line below the section
(any depth), or at the top-level lines when there is no `under`. Regexes use `re.search` on a
line's text without its indentation.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from hier_config import HConfig
from hier_config.child import HConfigChild

from netpatrol.compliance.model import Condition, PlatformRule, Status, ValueTest

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
_OP_WORDS = {"le": "<=", "lt": "<", "ge": ">=", "gt": ">", "eq": "=", "ne": "!=", "in": "one of", "not_in": "none of"}
MAX_EVIDENCE = 10  # lines per rule: enough to find them, short enough for a report cell
MAX_LINE = 300  # characters of one evidence line (a certificate or banner line can be far longer)

Node = HConfig | HConfigChild
Scrub = Callable[[str], str] | None


@dataclass
class Outcome:
    status: Status
    evidence: list[str] = field(default_factory=list)


@functools.lru_cache(maxsize=2048)
def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


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


def _where(section: Node, scrub: Scrub) -> str:
    return f" under {_path(section, scrub)}" if isinstance(section, HConfigChild) else ""


def _lines(section: Node) -> Iterable[HConfigChild]:
    return section.all_children() if isinstance(section, HConfigChild) else section.children


def sections(config: HConfig, under: list[str]) -> list[Node]:
    level: list[Node] = [config]
    for pattern in under:
        rx = _rx(pattern)
        level = [c for node in level for c in node.children if rx.search(c.text)]
    return level


def _limited(lines: list[str]) -> list[str]:
    if len(lines) <= MAX_EVIDENCE:
        return lines
    return [*lines[:MAX_EVIDENCE], f"... and {len(lines) - MAX_EVIDENCE} more"]


def _read(m: re.Match[str], vt: ValueTest) -> tuple[object, str]:
    """The value the match gives, as the test compares it, or (None, why not)."""
    groups = m.groupdict()
    if "value" in groups:
        raw = groups["value"]
        if raw is None:
            return None, "the line has no value where the rule reads one"
        if vt.decode == "cisco_type7":
            from netutils.password import decrypt_type7

            try:
                raw = decrypt_type7(raw)
            except Exception:  # noqa: BLE001  # netutils raises bare errors on text that is not type 7
                return None, "the value is not a Cisco type-7 string"
        if vt.op in ("in", "not_in") or (vt.op in ("eq", "ne") and isinstance(vt.threshold, str)):
            return raw, ""
        try:
            return float(raw), ""
        except ValueError:
            return None, "the value is not a number"
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


def _test(vt: ValueTest) -> str:
    unit = f" {vt.unit}" if vt.unit and vt.unit != "count" else ""
    return f"must be {_OP_WORDS[vt.op]} {_fmt(vt.threshold)}{unit}"


def _value(vt: ValueTest, section: Node, scrub: Scrub) -> Outcome:
    rx = _rx(vt.line)
    found = [(n, m) for n in _lines(section) if (m := rx.search(n.text))]
    where = _where(section, scrub)
    if not found:
        if vt.default is None:
            return Outcome("fail", [f"missing: no line matches '{vt.line}'{where}"])
        default: object = vt.default if isinstance(vt.default, str) else float(vt.default)
        ok = _compare(default, vt)
        shown = "" if scrub else f" {_fmt(default)}"
        return Outcome("pass" if ok else "fail", [f"no line matches '{vt.line}'{where}; the default{shown} "
                                                  f"{'meets' if ok else 'fails'}: {_test(vt)}"])
    statuses: list[Status] = []
    evidence: list[str] = []
    for node, m in found:
        value, why = _read(m, vt)
        if value is None:
            statuses.append("unknown")
            evidence.append(f"{_path(node, scrub)} ({why})")
            continue
        ok = _compare(value, vt)
        statuses.append("pass" if ok else "fail")
        # At backup time the value may be a secret (a community, a password): only the line, sanitised.
        shown = "" if scrub else f"{_fmt(value)}{' ' + vt.unit if vt.unit and vt.unit != 'count' else ''}; "
        evidence.append(f"{_path(node, scrub)} ({shown}{_test(vt)})")
    return _combine_all([Outcome(s, [e]) for s, e in zip(statuses, evidence, strict=True)])


def _in_section(c: Condition, section: Node, scrub: Scrub) -> Outcome:
    where = _where(section, scrub)
    if c.value is not None:
        return _value(c.value, section, scrub)
    pattern = c.present if c.present is not None else c.absent
    assert pattern is not None
    rx = _rx(pattern)
    hits = [_path(n, scrub) for n in _lines(section) if rx.search(n.text)]
    if c.present is not None:
        return Outcome("pass", hits) if hits else Outcome(
            "fail", [f"missing: no line matches '{pattern}'{where}"])
    return Outcome("fail", hits) if hits else Outcome(
        "pass", [f"no line matches '{pattern}'{where}"])


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


def check_condition(c: Condition, config: HConfig, scrub: Scrub, saved_matches: bool | None) -> Outcome:
    if c.saved is not None:
        if saved_matches is None:
            return Outcome("not_applicable", ["running and saved configs were not compared on this platform"])
        return (Outcome("pass", ["the running config equals the saved config"]) if saved_matches else
                Outcome("fail", ["the running config differs from the saved config (changes not saved)"]))
    if c.any_of is not None:
        return _combine_any([check_condition(sub, config, scrub, saved_matches) for sub in c.any_of])
    if c.all_of is not None:
        return _combine_all([check_condition(sub, config, scrub, saved_matches) for sub in c.all_of])
    found = sections(config, c.under)
    if not found:
        return Outcome(c.if_no_section, [f"no section matches {' > '.join(repr(u) for u in c.under)}"])
    outs = [_in_section(c, s, scrub) for s in found]
    return _combine_any(outs) if c.sections == "any" else _combine_all(outs)


def check_rule(pr: PlatformRule, config: HConfig, scrub: Scrub, saved_matches: bool | None) -> Outcome:
    """The rule's verdict on `config`; `scrub` makes each evidence line safe (at backup time)."""
    if pr.applies_if is not None:
        rx = _rx(pr.applies_if)
        if not any(rx.search(n.text) for n in config.all_children()):
            return Outcome("not_applicable", [f"does not apply: no line matches '{pr.applies_if}'"])
    outs = [check_condition(c, config, scrub, saved_matches) for c in pr.conditions]
    out = _combine_all(outs) if pr.match == "all" else _combine_any(outs)
    return Outcome(out.status, _limited(out.evidence))
