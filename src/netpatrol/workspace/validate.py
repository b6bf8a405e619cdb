"""`netpatrol inventory check`: every problem of the workspace's input files, all at once.

Covers netpatrol.yaml, the inventory, the job files, the check packs, the workspace's own TextFSM
templates and lab.yaml. Each problem names its file and, where it applies, host/check and field.
"""

from __future__ import annotations

from pathlib import Path

from netpatrol.errors import InventoryError, InventoryIssue, NetpatrolError
from netpatrol.workspace.inventory import load_inventory
from netpatrol.workspace.settings import Workspace


def _as_issue(file: str, exc: NetpatrolError) -> InventoryIssue | str:
    text = str(exc)
    # A YAML error already names its file: `tasks/quarterly.yaml: tasks/quarterly.yaml: line 2` otherwise.
    return text if text.startswith(f"{file}:") else InventoryIssue(file, "", "", text)


def validate_workspace(path: Path | None) -> tuple[list[object], int]:
    from netpatrol.checks.loader import load_packs, validate_pack_file
    from netpatrol.inspection.catalogue import NotReadOnly, load_job
    from netpatrol.lab.labfile import load_lab_file
    from netpatrol.inspection.parsing import validate_template_dir

    ws = Workspace.locate(path)
    problems: list[object] = []
    count = 0
    try:
        _ = ws.settings
    except NetpatrolError as exc:
        problems.append(str(exc))
    try:
        count = len(load_inventory(ws.root).hosts)
    except InventoryError as exc:
        problems.extend(exc.issues)
        count = exc.hosts_read
    job = None
    try:
        job = load_job(ws.root, "quarterly")
    except NotReadOnly as exc:
        problems.extend(exc.issues)
        job = exc.job  # its check packs are still worth validating
    except NetpatrolError as exc:
        problems.append(_as_issue("tasks/quarterly.yaml", exc))
    checks_dir = ws.root / "checks"
    if checks_dir.is_dir():
        for pack in sorted(checks_dir.glob("*.yaml")):
            problems.extend(validate_pack_file(pack))
        if job is not None and not any(isinstance(p, str) and "checks/" in p for p in problems):
            try:
                load_packs(job.check_packs, checks_dir)
            except NetpatrolError as exc:
                problems.append(str(exc))
    parsers = ws.root / "parsers"
    if (parsers / "index").exists():
        problems.extend(validate_template_dir(parsers))
    from netpatrol.report.render import validate_templates

    problems.extend(validate_templates(ws.reports / "templates"))
    try:
        load_lab_file(ws.root)
    except NetpatrolError as exc:
        problems.append(str(exc))
    return problems, count
