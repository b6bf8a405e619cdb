"""The rendered reports under `reports/<period>/` to list and download, and nothing else there.

A requested file is looked up among the files listed (period folder, file name), never joined from
the request: a path parameter cannot leave `reports/`, and links inside it are not followed.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from netpatrol.store.periods import is_period, period_order
from netpatrol.web.state import NotFound, WebState

MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8", ".md": "text/markdown; charset=utf-8", ".csv": "text/csv; charset=utf-8",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ReportFile:
    period: str
    name: str
    size: int
    modified: datetime  # UTC
    path: Path

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.path.suffix.lower()]


def report_files(state: WebState) -> list[ReportFile]:
    """Every rendered report file, newest period first, then by name."""
    root = state.ws.reports
    found = []
    try:
        folders = [d for d in os.scandir(root) if is_period(d.name) and d.is_dir(follow_symlinks=False)]
    except OSError:
        return []
    for folder in folders:
        for entry in os.scandir(folder.path):
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(st.st_mode) and Path(entry.name).suffix.lower() in MEDIA_TYPES:
                found.append(ReportFile(folder.name, entry.name, st.st_size,
                                        datetime.fromtimestamp(st.st_mtime, timezone.utc), Path(entry.path)))
    return sorted(found, key=lambda f: (tuple(-x for x in period_order(f.period)), f.name))


def report_file(state: WebState, period: str, name: str) -> ReportFile:
    """The listed file `reports/<period>/<name>`; NotFound for anything else."""
    for f in report_files(state):
        if f.period == period and f.name == name:
            return f
    raise NotFound(f"no report file {period}/{name}", key="error.no_report", file=f"{period}/{name}")
