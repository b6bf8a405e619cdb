"""Per-device run records (last backup attempt/success, last inspection), machine-local JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from netpatrol.workspace import state_files
from netpatrol.workspace.settings import Workspace


def _path(ws: Workspace) -> Path:
    return ws.state_dir / "devices.json"


def load_device_records(ws: Workspace) -> dict[str, dict[str, Any]]:
    path = _path(ws)
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        # A damaged record file must not stop a backup; it is rebuilt by the next run.
        return {}


def update_device_records(ws: Workspace, updates: dict[str, dict[str, Any]]) -> None:
    """Merge `updates` into the records atomically; concurrent runs are serialised by flock."""
    with state_files.editing(ws, "devices"):
        records = load_device_records(ws)
        for host, fields in updates.items():
            records.setdefault(host, {}).update(fields)
        # 0600: records carry device error text; same rule as every file in the state dir.
        state_files.replace(ws, _path(ws).name, json.dumps(records, indent=2, sort_keys=True, ensure_ascii=False))
