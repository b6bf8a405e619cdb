"""`netpatrol inventory check`: every problem of the workspace's input files, all at once.

Covers netpatrol.yaml, the inventory, the job files, the check packs, the compliance packs, the workspace's own TextFSM
templates and their test pairs (parsers/tests/), the intended configs (intended/), lab.yaml and the platform folders
registered from outside the package.
Each problem names its file and, where it applies, host/check and field.
"""

from __future__ import annotations

from pathlib import Path

from netpatrol.errors import InventoryError, InventoryIssue, NetpatrolError
from netpatrol.workspace.inventory import load_inventory
from netpatrol.workspace.settings import Workspace


def _as_issue(file: str, exc: NetpatrolError) -> InventoryIssue | str:
    text = str(exc)
    # A YAML error already names its file: `tasks/quarterly.yaml: tasks/quarterly.yaml: line 2` otherwise.
    return text if text.startswith((f"{file}:", f"{file} is invalid")) else InventoryIssue(file, "", "", text)


def validate_workspace(path: Path | None) -> tuple[list[object], int]:
    from netpatrol.checks.loader import load_packs, validate_pack_file
    from netpatrol.inspection.catalogue import JobProblems, load_job
    from netpatrol.inspection.parsing import validate_template_dir
    from netpatrol.lab.labfile import load_lab_file

    ws = Workspace.locate(path)
    problems: list[object] = []
    count = 0
    settings = None
    try:
        settings = ws.settings
    except NetpatrolError as exc:
        problems.append(str(exc))
    inventory = None
    try:
        inventory = load_inventory(ws.root)
        count = len(inventory.hosts)
    except InventoryError as exc:
        problems.extend(exc.issues)
        count = exc.hosts_read
    if settings is not None and inventory is not None:
        from netpatrol.workspace.zone_check import zone_problems

        problems.extend(zone_problems(settings, inventory))
    job = None
    try:
        job = load_job(ws.root, "quarterly")
    except JobProblems as exc:
        problems.extend(exc.issues)
        job = exc.job  # its check packs are still worth validating
    except NetpatrolError as exc:
        problems.append(_as_issue("tasks/quarterly.yaml", exc))
    checks_dir = ws.root / "checks"
    checks = []
    if checks_dir.is_dir():
        for pack in sorted(checks_dir.glob("*.yaml")):
            problems.extend(validate_pack_file(pack))
        if job is not None and not any(isinstance(p, str) and "checks/" in p for p in problems):
            try:
                checks = load_packs(job.check_packs, checks_dir)
            except NetpatrolError as exc:
                problems.append(str(exc))
    from netpatrol.compliance.loader import validate_workspace_packs

    problems.extend(validate_workspace_packs(ws.compliance_dir))  # the built-in packs with the workspace's
    parsers = ws.root / "parsers"
    index_problems = validate_template_dir(parsers) if (parsers / "index").exists() else []
    problems.extend(index_problems)
    if parsers.is_dir() and not index_problems:
        from netpatrol.inspection.pairs import pair_problems

        try:
            problems.extend(pair_problems(parsers, ws.root))
        except NetpatrolError as exc:  # a template that does not compile
            problems.append(str(exc))
    if job is not None and checks and not index_problems:
        from netpatrol.checks.columns import row_column_problems

        try:
            problems.extend(row_column_problems(checks, job, [parsers] if parsers.is_dir() else []))
        except NetpatrolError as exc:
            problems.append(str(exc))
    from netpatrol.report.render import validate_templates

    problems.extend(validate_templates(ws.reports / "templates"))
    if inventory is not None:  # templates render with the inventory's data
        from netpatrol.compliance.intended import template_problems

        problems.extend(template_problems(ws, inventory))
    try:
        load_lab_file(ws.root)
    except NetpatrolError as exc:
        problems.append(str(exc))
    problems.extend(_registered_platform_problems())
    return problems, count


def _registered_platform_problems() -> list[object]:
    """The parts of platform folders registered from outside the package that do not load (the
    built-in folders are checked by the test suite); each problem names its file."""
    from netpatrol.inspection.normalise import platform_spec
    from netpatrol.inspection.parsing import validate_template_dir
    from netpatrol.lab.profile import get_profile
    from netpatrol.platforms import BUILTIN_DIR, PLATFORMS

    problems: list[object] = []
    try:
        extra = [p for p in PLATFORMS.values() if not p.folder.is_relative_to(BUILTIN_DIR)]
    except NetpatrolError as exc:
        return [str(exc)]
    for platform in extra:
        for load in (platform_spec, get_profile):
            try:
                load(platform.name)
            except NetpatrolError as exc:
                problems.append(str(exc))
        if (platform.textfsm_dir / "index").is_file():
            problems.extend(validate_template_dir(platform.textfsm_dir, platform_column=False))
    return problems
