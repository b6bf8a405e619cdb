"""Run records: one line per backup or inspection run in `.netpatrol/runs.jsonl`, newest last,
for the web view's runs page. Bounded: the file keeps the last MAX_RUNS runs.

A run record is written after the run's commit; losing it (a full disk, a damaged line) never
fails a run, and a damaged line is passed over when read.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from netpatrol.errors import StoreError
from netpatrol.workspace import state_files
from netpatrol.workspace.settings import Workspace

MAX_RUNS = 1000


@dataclass(frozen=True)
class RunRecord:
    kind: str  # backup / inspection
    started: str  # UTC ISO 8601
    finished: str
    devices: int
    counts: dict[str, int] = field(default_factory=dict)  # backup: saved/unchanged/failed; inspection: status -> devices
    commit: str | None = None
    period: str | None = None  # inspection
    reason: str | None = None  # backup --reason, or the trigger (schedule, syslog)
    tag: str | None = None


def runs_path(ws: Workspace) -> Path:
    return ws.state_dir / "runs.jsonl"


def append_run(ws: Workspace, record: RunRecord) -> None:
    """Add one record (under flock), dropping the oldest beyond MAX_RUNS; errors are swallowed."""
    try:
        path = runs_path(ws)
        with state_files.editing(ws, "runs"):
            # errors="replace": a damaged byte costs its line (passed over when read), never the run.
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines() if path.exists() else []
            lines = [*lines, json.dumps(asdict(record), ensure_ascii=False, sort_keys=True)][-MAX_RUNS:]
            state_files.replace(ws, path.name, "\n".join(lines) + "\n")
    except (OSError, StoreError):  # StoreError: a link in the way, refused
        pass  # a run's record is a convenience for the web view; the run itself succeeded


def recent_runs(ws: Workspace, limit: int = 100) -> list[RunRecord]:
    """The newest `limit` runs, newest first; damaged lines are passed over."""
    try:
        lines = runs_path(ws).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    runs = []
    for line in reversed(lines):
        record = _record(line)
        if record is None:
            continue
        runs.append(record)
        if len(runs) >= limit:
            break
    return runs


_TEXT = ("kind", "started", "finished")
_OPTIONAL_TEXT = ("commit", "period", "reason", "tag")


def _record(line: str) -> RunRecord | None:
    """The line's record when every field has its type, else None: a hand-edited or damaged line
    (`"counts": [1, 2]`) must not reach the runs page as a record it cannot show."""
    try:
        data = json.loads(line)
    except ValueError:
        return None
    if not isinstance(data, dict) or not set(data) <= set(RunRecord.__dataclass_fields__):
        return None
    counts = data.get("counts", {})
    ok = (all(isinstance(data.get(k), str) for k in _TEXT)
          and all(isinstance(data.get(k), (str, type(None))) for k in _OPTIONAL_TEXT)
          and _count(data.get("devices"))
          and isinstance(counts, dict) and all(isinstance(k, str) and _count(v) for k, v in counts.items()))
    return RunRecord(**data) if ok else None


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
