"""One problem per problem: the findings of one device merged by their problem key.

A measurement crossing three tiers raises three findings, a failed PSU seen by the board list and
the power list raises two; the client counts one problem in each case. Findings with the same
`problem` key (see `problem_key`) become one Problem at the strongest severity, carrying every
finding as evidence. Summary counts, top risks, the period comparison and notifications count
Problems, never raw findings.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from netpatrol.checks.components import key_for
from netpatrol.inspection.results import SEVERITIES, Finding, Severity, finding_key


class Problem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str
    severity: Severity  # the strongest of its findings
    check: str  # the check of the strongest finding (its title and recommendation are the problem's)
    checks: list[str] = Field(default_factory=list)  # every check that raised it, strongest first
    subject: str | None = None
    title: dict[str, str] = Field(default_factory=dict)
    recommendation: dict[str, str] = Field(default_factory=dict)
    evidence: list[Finding] = Field(default_factory=list)  # strongest first

    def evidence_in(self, lang: str) -> list[str]:
        """The evidence sentences in `lang`, strongest first, one per observation: a lower tier of
        the same measurement (same subject, same number: "CPU 93% ≥ 75%" under "CPU 93% ≥ 90%")
        says nothing new to the reader; one part seen by two lists (board and power) is two
        observations and stays. `evidence` keeps every finding."""
        out: list[str] = []
        seen: set[tuple[str | None, str]] = set()
        for f in self.evidence:
            observation = (f.subject, repr(f.value))
            text = f.detail_in(lang)
            measured = isinstance(f.value, (int, float)) and not isinstance(f.value, bool)
            if measured and observation in seen:
                continue
            seen.add(observation)
            if text and text not in out:
                out.append(text)
        return out


def problem_key(f: Finding) -> str:
    """The key the finding was raised under; results before 1.3 fall back to check[:subject]."""
    return f.problem or finding_key(f)


def merge(findings: list[Finding]) -> list[Problem]:
    """Findings of ONE device grouped into problems, in the order each problem first appears."""
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(problem_key(f), []).append(f)
    problems = []
    for key, group in groups.items():
        ranked = sorted(group, key=lambda f: SEVERITIES.index(f.severity))  # stable: check order among equals
        top = ranked[0]
        problems.append(Problem(
            key=key, severity=top.severity, check=top.check,
            checks=list(dict.fromkeys(f.check for f in ranked)), subject=top.subject,
            title=top.title, recommendation=top.recommendation, evidence=ranked,
        ))
    return problems


def assign_keys(findings: list[Finding], checks: Iterable[Any]) -> list[Finding]:
    """`findings` with every missing problem key filled from the check definitions `checks`.

    Results stored before schema 1.3 carry no `problem`; keyed by today's checks, a previous period
    stored then compares with a current one by problem. A finding whose check no longer exists
    keeps its finding key (check[:subject]).
    """
    by_id = {c.id: c for c in checks}
    return [f if f.problem or f.check not in by_id
            else f.model_copy(update={"problem": key_for(by_id[f.check], f.subject)}) for f in findings]


def keyed(findings: list[Finding], checks: Iterable[Any]) -> list[Problem]:
    """A device's problems as the report counts them: every finding keyed (a result stored before
    problem keys, a finding stored without one) by `checks`, then merged. The report, the period
    summary and the web view all count through this, so their numbers agree."""
    return merge(assign_keys(findings, checks))


def changes(now: Iterable[str], before: Iterable[str] | None) -> tuple[int, int]:
    """(new, resolved) between a device's problem keys and those of its previous result; without
    a previous result (`before` None) every problem is new and none resolved, as in the report."""
    current = set(now)
    if before is None:
        return len(current), 0
    earlier = set(before)
    return len(current - earlier), len(earlier - current)


def count(findings: list[Finding]) -> dict[str, int]:
    """Problems of ONE device per severity (every severity present, strongest first)."""
    out = dict.fromkeys(SEVERITIES, 0)
    for p in merge(findings):
        out[p.severity] += 1
    return out
