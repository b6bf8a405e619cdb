"""A device's problems as report rows, and the comparison with the previous period by problem key.

One row per problem (inspection/problems.py merges a device's findings), titled, explained and
named by its contract level in the report language.
"""

from __future__ import annotations

from collections.abc import Iterable

from netpatrol.checks.model import Check
from netpatrol.inspection.problems import Problem, assign_keys, merge
from netpatrol.inspection.results import SEVERITIES, InspectionResult
from netpatrol.report.i18n import Translator
from netpatrol.report.model import FindingRow
from netpatrol.workspace.contract import Contract


def problems_of(result: InspectionResult | None, checks: Iterable[Check]) -> list[Problem]:
    """A device's problems in one period, keyed by today's checks (so results written before
    problem keys existed compare with today's as their findings would be keyed now)."""
    if result is None:
        return []
    return merge(assign_keys(result.findings, checks))


def rows(t: Translator, contract: Contract, problems: list[Problem], host: str, site: str,
         before: set[str], change: str | None = None) -> list[FindingRow]:
    """`before`: the problem keys of the previous period (a problem in it is persisting)."""
    out = []
    for p in problems:
        evidence = tuple(p.evidence_in(t.lang))
        out.append(FindingRow(
            host=host, site=site, severity=p.severity, check=p.check, key=p.key,
            title=t.pick(p.title) or p.check, detail=t("fmt.evidence_sep").join(evidence),
            recommendation=t.pick(p.recommendation),
            change=change or ("persisting" if p.key in before else "new"),
            level=contract.name(p.severity, t.lang), evidence=evidence))
    return out


def order(f: FindingRow) -> tuple:
    return (SEVERITIES.index(f.severity), f.change != "persisting", f.site, f.host, f.key)
