"""Problem keys: which problem a finding of a check is about (docs/checks.md, "Problems").

A check declares `problem: NAME` (one problem per subject: `NAME:<component>`, or `NAME` without
a subject) or `problem: {name: NAME, per: device}` (every subject of the device is one problem).
Without it the key is the finding key `check[:subject]`. For the problem `hardware` the subject is
turned into a component identity (`power:0/2`, `fan:0/2`) by the table in components.yaml, so a
failed PSU listed by both the board list and the power list is one problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from netpatrol.safe_yaml import load_file

TABLE = Path(__file__).with_name("components.yaml")


@dataclass(frozen=True)
class Rule:
    kind: str
    pattern: re.Pattern[str]
    checks: tuple[str, ...] = ()


@cache
def rules() -> dict[str, tuple[Rule, ...]]:
    """The component table, per problem name (read once)."""
    raw = load_file(TABLE, "built-in components.yaml") or {}
    return {
        name: tuple(Rule(r["kind"], re.compile(r["pattern"], re.IGNORECASE), tuple(r.get("checks") or ()))
                    for r in rows)
        for name, rows in raw.items()
    }


def component(problem: str, check: str, subject: str) -> str:
    """The component a subject names under `problem`; the subject itself when no rule applies."""
    for rule in rules().get(problem, ()):
        if rule.checks and check not in rule.checks:
            continue
        m = rule.pattern.match(subject.strip())
        if m:
            slot = m.groupdict().get("slot")
            return f"{rule.kind}:{slot + '/' if slot else ''}{int(m.group('n'))}"
    return subject


def key_for(check: Any, subject: str | None) -> str:
    """The problem key of a finding of `check` (a Check) about `subject`."""
    spec = getattr(check, "problem", None)
    if spec is None:
        return f"{check.id}:{subject}" if subject else check.id
    if spec.per == "device" or not subject:
        return str(spec.name)
    return f"{spec.name}:{component(spec.name, check.id, subject)}"
