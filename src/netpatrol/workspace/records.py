"""Per-device run records (last backup attempt/success, last inspection), machine-local JSON."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import Any

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
    ws.ensure_state_dir()
    path = _path(ws)
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        records = load_device_records(ws)
        for host, fields in updates.items():
            records.setdefault(host, {}).update(fields)
        tmp = path.with_suffix(".tmp")
        # 0600: records carry device error text; same rule as every file in the state dir.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(records, indent=2, sort_keys=True, ensure_ascii=False))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
