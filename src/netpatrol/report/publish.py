"""`netpatrol report`: gather, render every requested format into reports/<period>/, and commit
the Markdown rendering into the backups repository so Git shows what changed between quarters."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from netpatrol.errors import UsageError
from netpatrol.report.gather import ReportRequest, build_report
from netpatrol.report.model import ReportModel
from netpatrol.report.pdf import write_pdf
from netpatrol.report.render import environment, render_html, render_md
from netpatrol.report.xlsx import write_xlsx
from netpatrol.store import layout
from netpatrol.store.files import owner_only
from netpatrol.store.repo import Store
from netpatrol.workspace.inventory import Inventory
from netpatrol.workspace.settings import Workspace

FORMATS = ("html", "md", "xlsx", "pdf")
_UNSAFE = re.compile(r"[^\w.-]+", re.UNICODE)


@dataclass
class ReportOutput:
    report: ReportModel
    files: dict[str, Path] = field(default_factory=dict)  # format -> path
    store_path: str | None = None
    commit: str | None = None  # None when report.md in the store did not change


def parse_formats(text: str | None, default: Sequence[str]) -> list[str]:
    chosen = [f.strip().lower() for f in text.split(",") if f.strip()] if text else list(default)
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise UsageError(f"--format {text!r}: expected a comma-separated list of {', '.join(FORMATS)}, e.g. html,md")
    return [f for f in FORMATS if f in chosen]


def file_stem(name: str, period: str) -> str:
    """'江川市水务局-Jiangchuan-Municipal-Water-Authority-2026Q3': CJK kept, path-unsafe text dropped."""
    safe = _UNSAFE.sub("-", name).strip("-.") or "report"
    return f"{safe[:80]}-{period}"


def write_report(ws: Workspace, inv: Inventory, store: Store, req: ReportRequest, formats: list[str],
                 lock_timeout: float = 0) -> ReportOutput:
    report = build_report(ws.settings, inv, store, req)
    env = environment(ws.reports / "templates")
    stem = file_stem(req.site or ws.settings.client, req.period)
    result = ReportOutput(report)
    # Rendered before anything is created: a broken workspace template leaves no empty folder.
    markdown = render_md(report, env)
    html = render_html(report, env) if {"html", "pdf"} & set(formats) else ""
    out_dir = ws.reports / req.period
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    for fmt in formats:
        path = out_dir / f"{stem}.{fmt}"
        if fmt == "md":
            path.write_text(markdown, encoding="utf-8")
        elif fmt == "html":
            path.write_text(html, encoding="utf-8")
        elif fmt == "xlsx":
            write_xlsx(report, path)
        elif fmt == "pdf":
            write_pdf(html, path)
        result.files[fmt] = path
    # Client reports list weaknesses: owner-only whatever the umask the xlsx/pdf writers used.
    owner_only(ws.reports)
    result.store_path = layout.report_path(req.period, req.site)
    with store.lock(timeout=lock_timeout):
        store.write_file(result.store_path, markdown)
        n = len(report.findings)
        result.commit = store.commit(
            f"report {req.period}{f' ({req.site})' if req.site else ''}: {len(report.inspected)}/"
            f"{len(report.devices)} devices inspected, {n} findings\n", paths=[result.store_path])
    return result
