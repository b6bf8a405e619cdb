"""`netpatrol report`: gather, render every requested format into reports/<period>/, and commit
the Markdown rendering into the backups repository so Git shows what changed between quarters.

File names carry client (or site), period and language, `<client>-<period>-<lang>.<ext>`, so a
report in the other language never overwrites one. In the store, the workspace's own language keeps
`reports/<period>/report.md` (its history continues); another language goes beside it
(`report.en.md`: see store/layout.py).

When netpatrol.yaml names no `report_formats`, the language's defaults are written (zh-CN: DOCX and
PDF); a PDF that cannot be written then (no WeasyPrint or pango) is skipped with the reason in
`ReportOutput.skipped` instead of failing the run. A PDF asked for (`--format`, `report_formats`)
still fails as an error."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from netpatrol.errors import UsageError
from netpatrol.report.gather import ReportRequest, build_report
from netpatrol.report.model import ReportModel
from netpatrol.report.pdf import pdf_available, write_pdf
from netpatrol.report.render import environment, render_html, render_md
from netpatrol.report.xlsx import write_xlsx
from netpatrol.store import layout
from netpatrol.store.files import owner_only
from netpatrol.store.repo import Store
from netpatrol.workspace.inventory import Inventory
from netpatrol.workspace.settings import Settings, Workspace

FORMATS = ("html", "md", "docx", "xlsx", "pdf")
PDF_HELP = "install WeasyPrint's system libraries (scripts/install-system-deps.sh, as root)"
_UNSAFE = re.compile(r"[^\w.-]+", re.UNICODE)


@dataclass
class ReportOutput:
    report: ReportModel
    files: dict[str, Path] = field(default_factory=dict)  # format -> path
    store_path: str | None = None
    commit: str | None = None  # None when report.md in the store did not change
    skipped: dict[str, str] = field(default_factory=dict)  # default format -> why it was not written


def parse_formats(text: str | None, default: Sequence[str]) -> list[str]:
    chosen = [f.strip().lower() for f in text.split(",") if f.strip()] if text else list(default)
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise UsageError(f"--format {text!r}: expected a comma-separated list of {', '.join(FORMATS)}, e.g. docx,pdf")
    return [f for f in FORMATS if f in chosen]


def file_stem(name: str, period: str, lang: str | None = None) -> str:
    """'江川市水务局-Jiangchuan-Municipal-Water-Authority-2026Q3-zh-CN': CJK kept, path-unsafe text dropped."""
    safe = _UNSAFE.sub("-", name).strip("-.") or "report"
    return f"{safe[:80]}-{period}" + (f"-{lang}" if lang else "")


def optional_formats(settings: Settings, formats: Sequence[str]) -> frozenset[str]:
    """The formats a run may skip when they cannot be written: the PDF, when the formats are the
    language's defaults (netpatrol.yaml names none) rather than asked for."""
    if "report_formats" in settings.model_fields_set or list(formats) != list(settings.report_formats):
        return frozenset()
    return frozenset({"pdf"})


def write_report(ws: Workspace, inv: Inventory, store: Store, req: ReportRequest, formats: list[str],
                 lock_timeout: float = 0, optional: frozenset[str] | None = None) -> ReportOutput:
    """`optional`: formats to skip (with the reason) when they cannot be written; None: the PDF when
    `formats` are the workspace's defaults (`optional_formats`), pass an empty set when the formats
    were asked for on the command line."""
    if optional is None:
        optional = optional_formats(ws.settings, formats)
    report = build_report(ws.settings, inv, store, req)
    env = environment(ws.reports / "templates")
    stem = file_stem(req.site or ws.settings.client, req.period, req.lang)
    result = ReportOutput(report)
    if "pdf" in formats and "pdf" in optional and (problem := pdf_available()):
        how = "" if "install" in problem else f"; {PDF_HELP}"  # pdf_available's reasons mostly say how already
        result.skipped["pdf"] = f"{problem}{how}; or name the formats wanted in netpatrol.yaml (report_formats)"
        formats = [f for f in formats if f != "pdf"]
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
        elif fmt == "docx":
            from netpatrol.report.docx import write_docx  # python-docx (and lxml) only when asked for

            write_docx(report, path)
        elif fmt == "xlsx":
            write_xlsx(report, path)
        elif fmt == "pdf":
            write_pdf(html, path)
        result.files[fmt] = path
    # Client reports list weaknesses: owner-only whatever the umask the xlsx/pdf writers used.
    owner_only(ws.reports)
    own = req.lang == ws.settings.language
    result.store_path = layout.report_path(req.period, req.site, None if own else req.lang)
    with store.lock(timeout=lock_timeout):
        store.write_file(result.store_path, markdown)
        n = len(report.findings)
        result.commit = store.commit(
            f"report {req.period}{f' ({req.site})' if req.site else ''}{'' if own else f' [{req.lang}]'}: "
            f"{len(report.inspected)}/"
            f"{len(report.devices)} devices inspected, {n} findings\n", paths=[result.store_path])
    return result
