"""A device's problems as report rows, and the comparison with the previous period by problem key.

One row per problem (inspection/problems.py merges a device's findings), titled, explained and
named by its contract level in the report language.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from netpatrol.checks.loader import load_packs
from netpatrol.checks.model import Check
from netpatrol.inspection.catalogue import Job, JobProblems, load_job
from netpatrol.inspection.problems import Problem, keyed
from netpatrol.inspection.results import SEVERITIES, InspectionResult
from netpatrol.report.i18n import Translator
from netpatrol.report.model import FindingRow
from netpatrol.workspace.contract import Contract

JOB = "quarterly"  # the job whose checks a report keys problems by


def problems_of(result: InspectionResult | None, checks: Iterable[Check]) -> list[Problem]:
    """A device's problems in one period, keyed by today's checks (so results written before
    problem keys existed compare with today's as their findings would be keyed now)."""
    if result is None:
        return []
    return keyed(result.findings, checks)


def job_checks(root: Path | None, job: Job) -> dict[str, Check]:
    """The job's check packs with the workspace's own checks over them, by id."""
    checks_dir = root / "checks" if root is not None and (root / "checks").is_dir() else None
    return {c.id: c for c in load_packs(job.check_packs, checks_dir)}


def report_checks(root: Path | None) -> dict[str, Check]:
    """The checks a report keys problems by: those of the quarterly job (its good entries)."""
    try:
        job = load_job(root, JOB)
    except JobProblems as exc:  # the report still lists what the good entries collect
        job = exc.job
    return job_checks(root, job)


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
