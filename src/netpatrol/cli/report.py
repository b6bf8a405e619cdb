"""`netpatrol report` (the client's quarterly inspection report) and `netpatrol archive`."""

from __future__ import annotations

from typing import Annotated

import typer

from netpatrol.cli.common import JsonOpt, SiteOpt, WorkspaceOpt, err, open_workspace, out, print_json

LangOpt = Annotated[str | None, typer.Option("--lang", help="zh-CN or en (default: language in netpatrol.yaml).")]


def report(
    workspace: WorkspaceOpt = None,
    period: Annotated[str | None, typer.Option("--period", help="Period, e.g. 2026Q3 (default: the latest inspected one).")] = None,
    site: SiteOpt = None,
    fmt: Annotated[str | None, typer.Option(
        "--format", help="Comma-separated: html,md,docx,xlsx,pdf (default: report_formats in netpatrol.yaml; "
        "without it docx,pdf in zh-CN and html,md in en, a PDF that cannot be written then skipped with a warning).")] = None,
    lang: LangOpt = None,
    appendix: Annotated[bool, typer.Option("--appendix", help="Append every device's raw command outputs.")] = False,
    date: Annotated[str | None, typer.Option(
        "--date", help="Report date on the cover, YYYY-MM-DD (default: the last inspection day).")] = None,
    wait: Annotated[float, typer.Option("--wait", help="Seconds to wait for another run's lock on backups/ (0: fail at once).")] = 0.0,
    json_out: JsonOpt = False,
) -> None:
    """Write the client report for a period, compared with the previous inspection, into reports/<period>/."""
    from netpatrol.report import ReportRequest, write_report
    from netpatrol.report.i18n import catalogue
    from netpatrol.report.publish import parse_formats
    from netpatrol.report.results import latest_period
    from netpatrol.store.open import open_store
    from netpatrol.store.periods import check_period
    from netpatrol.store.refs import parse_moment

    ws, inv = open_workspace(workspace, need_secrets=False)
    formats = parse_formats(fmt, ws.settings.report_formats)
    language = lang or ws.settings.language
    catalogue(language)  # an unknown --lang is a usage error before any work
    if period:
        period = check_period(period)
    if date:
        parse_moment(date)
    store = open_store(ws)
    req = ReportRequest(period=period or latest_period(store), lang=language, site=site,
                        appendix=appendix, report_date=date)
    # Formats named on the command line must all be written; the workspace's defaults may skip the PDF.
    result = write_report(ws, inv, store, req, formats, lock_timeout=wait, optional=frozenset() if fmt else None)
    r = result.report
    for name, why in result.skipped.items():
        err.print(f"warning: {name.upper()} not written: {why}", highlight=False, markup=False, soft_wrap=True)
    doc = {"period": r.period, "previous_period": r.previous_period, "lang": language,
           "files": {k: str(v) for k, v in result.files.items()}, "skipped": result.skipped,
           "store_path": result.store_path, "commit": result.commit, "devices": len(r.devices),
           "inspected": len(r.inspected), "problems": r.severity_counts,
           "findings": r.severity_counts,  # the same counts under the name of before 1.3 (they count problems)
           "levels": {lv.name: lv.count for lv in r.levels}}
    if json_out:
        print_json(doc)
        return
    counts = ", ".join(f"{lv.count} {lv.name}" for lv in r.levels if lv.count) or "none"
    out.print(f"Report {r.period} ({language}): {len(r.inspected)}/{len(r.devices)} devices inspected, problems: {counts}; "
              f"compared with {r.previous_period or 'nothing (first inspection)'}.")
    for path in result.files.values():
        out.print(f"  {path}", highlight=False, markup=False)
    committed = f"committed {result.commit[:10]}" if result.commit else "unchanged"
    out.print(f"  backups/{result.store_path} ({committed})", highlight=False, markup=False)


def archive(
    workspace: WorkspaceOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="xlsx, csv or md.")] = "xlsx",
    lang: LangOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Write the device archive: site archive, devices with model/serial/version, last backup and inspection, repairs."""
    from netpatrol.errors import UsageError
    from netpatrol.report.archive import ARCHIVE_FORMATS, build_archive, write_archive
    from netpatrol.report.i18n import catalogue
    from netpatrol.store.open import open_store

    if fmt not in ARCHIVE_FORMATS:
        raise UsageError(f"--format must be one of {', '.join(ARCHIVE_FORMATS)}, not {fmt!r}")
    ws, inv = open_workspace(workspace, need_secrets=False)
    language = lang or ws.settings.language
    catalogue(language)
    store = open_store(ws)
    if json_out:
        print_json([{**r.__dict__, "repairs": [x.model_dump(mode="json") for x in r.repairs]}
                    for r in build_archive(ws, inv, store)])
        return
    path = write_archive(ws, inv, store, fmt, language)
    out.print(f"Device archive ({len(inv.hosts)} devices): {path}", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    app.command()(report)
    app.command()(archive)
