"""`netpatrol inventory check`: every problem of the workspace's input files, all at once."""

from __future__ import annotations

from pathlib import Path

from netpatrol.errors import InventoryError, InventoryIssue, WorkspaceError
from netpatrol.inventory import load_inventory
from netpatrol.workspace import Workspace


def validate_workspace(path: Path | None) -> tuple[list[object], int]:
    ws = Workspace.locate(path)
    problems: list[object] = []
    count = 0
    try:
        _ = ws.settings
    except WorkspaceError as exc:
        problems.append(str(exc))
    try:
        count = len(load_inventory(ws.root).hosts)
    except InventoryError as exc:
        problems.extend(exc.issues)
    for name in ("quarterly",):
        try:
            from netpatrol.jobs import load_job

            load_job(ws.root, name)
        except WorkspaceError as exc:
            problems.append(InventoryIssue(f"tasks/{name}.yaml", "", "", str(exc)))
    return problems, count
