"""Row conditions (`rows: <item>`) checked against the job and its templates, for `inventory check`.

A row's columns are the Value names of the template that parsed it, so they cannot be checked when
a pack is read on its own: here the job says which commands collect the item on each platform, and
the templates those commands may be parsed with say which columns can exist. A column no template
gives would make a check that never fires.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from netpatrol.checks.model import Check
from netpatrol.inspection.catalogue import Job


def _columns(platform: str, commands: list[str], extra_dirs: Sequence[Path]) -> set[str]:
    from netpatrol.inspection.parsing import candidates, compile_template

    columns: set[str] = set()
    for command in commands:
        for path in candidates(platform, command, extra_dirs):  # any family's template may parse it
            if path.is_file():
                columns |= {h.lower() for h in compile_template(path).header}
    return columns


def _named(check: Check) -> list[tuple[str, str]]:
    """(field, column) for every column the condition names."""
    c = check.condition
    named = [("condition.path", c.path)] if c.path else []
    if "subject" in c.model_fields_set:
        named.append(("condition.subject", c.subject))
    named += [(f"condition.where.{i}.path", t.path) for i, t in enumerate(c.where)]
    named += [(f"condition.key.{i}", k) for i, k in enumerate(c.key or [])]
    return named


def row_column_problems(checks: Sequence[Check], job: Job, extra_dirs: Sequence[Path] = ()) -> list[str]:
    """Row checks whose item the job does not collect (on the platforms in the check's scope), or
    that name a column no template of the item gives; each names file, check and field."""
    problems = []
    for check in checks:
        item = check.condition.rows
        if item is None:
            continue
        where = f"{check.source or 'check pack'}: check '{check.id}'"
        platforms = [p for p in (check.scope.platforms or sorted(job.platforms)) if item in job.platforms.get(p, {})]
        if not platforms:
            scope = f" on {', '.join(check.scope.platforms)}" if check.scope.platforms else ""
            problems.append(f"{where}: field 'condition.rows': job '{job.name}' collects no item '{item}'{scope}")
            continue
        columns: set[str] = set()
        for platform in platforms:
            columns |= _columns(platform, job.platforms[platform][item], extra_dirs)
        if not columns:
            continue  # no template at all: the inspection reports the item as no_template
        for field, column in _named(check):
            if column not in columns:
                problems.append(f"{where}: field '{field}': no template of item '{item}' gives a column '{column}' "
                                f"(on {', '.join(platforms)}: {', '.join(sorted(columns))})")
    return problems
