"""The report as an Excel workbook: summary, problems, per-device metrics, the inspection record,
baseline compliance (one row per device and rule), site archive, config changes and parse problems,
one table per sheet with a frozen header, for clients who track findings in Excel."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from netpatrol.report.i18n import Translator
from netpatrol.report.inert import xlsx_cell
from netpatrol.report.labels import level_names, platform_label, site_names
from netpatrol.report.model import ReportModel
from netpatrol.report.render import ROOM_FIELDS

HEADER_FILL = "1F4E79"


def write_xlsx(report: ReportModel, path: Path) -> Path:
    """Sites by their archive names, platforms by their vendors' names, levels by the contract's
    names, one row per problem, times in the report's zone."""
    from openpyxl import Workbook

    t = Translator(report.lang)
    sites = site_names(report.sites)
    levels = level_names(report)
    wb = Workbook()
    summary = wb.worksheets[0]  # the sheet a new workbook starts with
    summary.title = t("xlsx.summary")
    rows: list[list[object]] = [[t("cover.client"), report.client], [t("cover.provider"), report.provider],
            [t("cover.period"), report.period_label or report.period], [t("cover.inspector"), report.inspector or ""],
            [t("cover.report_date"), report.report_date], [t("summary.devices"), len(report.devices)],
            [t("summary.inspected"), len(report.inspected)], [t("summary.not_inspected"), len(report.not_inspected)]]
    rows += [[lv.name, lv.count] for lv in report.levels]
    if report.timezone:
        rows += [[t("docx.col.zone"), report.timezone]]
    if report.conclusion is not None:
        rows += [[t("docx.conclusion"), report.conclusion.overall]]
        if report.conclusion.baseline:
            rows += [[t("summary.baseline"), report.conclusion.baseline]]
    write_table(summary, [t("cover.item"), t("cover.value")], rows)
    write_table(wb.create_sheet(t("xlsx.findings")),
           [t("docx.col.level"), t("col.site"), t("col.device"), t("col.problem_key"),
            t("col.issue"), t("col.detail"), t("col.recommendation"), t("col.change")],
           [[f.level or levels.get(f.severity, f.severity), sites.get(f.site, f.site), f.host, f.key, f.title,
             "\n".join(f.evidence) if f.evidence else f.detail, f.recommendation, t(f"change.{f.change}")]
            for f in [*report.findings, *report.comparison.resolved]])
    write_table(wb.create_sheet(t("xlsx.metrics")),
           [t("col.site"), t("col.device"), t("col.platform"), t("col.status"), t("col.model"), t("col.serial"),
            t("col.version"), t("col.uptime"), t("col.cpu") + " %", t("compare.cpu_previous") + " %",
            t("col.memory") + " %", t("compare.memory_previous") + " %", t("col.temperature") + " ℃",
            t("col.fans"), t("col.psus"), "up", "down", t("col.config_saved"), t("col.last_backup"),
            t("col.collected_at")],
           [[sites.get(d.site, d.site), d.host, platform_label(d), t(f"status.{d.status}"), d.model, d.serial, d.version,
             t.duration(d.uptime_seconds) if d.uptime_seconds is not None else None, d.cpu, d.cpu_previous,
             d.memory, d.memory_previous, d.temperature, t.ratio(d.fans) if d.fans else None,
             t.ratio(d.psus) if d.psus else None, d.interfaces_up, d.interfaces_down,
             None if d.config_saved is None else t.yes_no(d.config_saved), d.last_backup,
             d.collected_local or None]
            for d in report.devices])
    if any(d.record for d in report.devices):
        write_table(wb.create_sheet(t("xlsx.records")),
               [t("col.site"), t("col.device"), t("col.item"), t("docx.col.result"), t("col.value")],
               [[sites.get(d.site, d.site), d.host, x.label, t(f"record.status.{x.status}"), x.value]
                for d in report.devices for x in d.record])
    # Only when the period has records, as the record sheet: the documents say in a sentence that it has none.
    if report.compliance is not None:
        _compliance(wb.create_sheet(t("xlsx.compliance")), report, t, sites)
    write_table(wb.create_sheet(t("xlsx.archive")),
           [t("col.site"), t("col.unit"), t("col.address"), t("col.contacts"),
            *[t(f"room.{f}") for f in ROOM_FIELDS]],
           [[s.archive.name, s.archive.unit, s.archive.address,
             "; ".join(" ".join(x for x in (c.name, c.role, c.phone, c.email) if x) for c in s.archive.contacts),
             *[getattr(s.archive.machine_room, f) if s.archive.machine_room else None for f in ROOM_FIELDS]]
            for s in report.sites if s.archive])
    write_table(wb.create_sheet(t("xlsx.changes")),
           [t("col.device"), t("col.site"), t("col.change_status"), t("col.added"), t("col.removed")],
           [[c.host, sites.get(c.site, c.site), t(f"drift.{c.status}"), c.added, c.removed] for c in report.config_changes])
    # As in the other formats: the reason in the report's words here, the device's own text on its own sheet.
    write_table(wb.create_sheet(t("xlsx.problems")),
           [t("col.site"), t("col.device"), t("col.item"), t("col.command"), t("col.result"), t("col.template"),
            t("col.reason")],
           [[sites.get(d.site, d.site), d.host, p.label or p.item, p.command, t(f"item.{p.status}"), p.template,
             f"{p.reason}{t('fmt.evidence_sep')}{p.note}" if p.note else p.reason or None]
            for d in report.with_problems for p in d.problems])
    if report.raw_errors:
        write_table(wb.create_sheet(t("xlsx.raw_errors")),
               [t("col.ref"), t("col.device"), t("col.item"), t("col.command"), t("col.raw_text")],
               [[e.ref, e.host, e.what, e.command, e.text] for e in report.raw_errors])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _compliance(ws, report: ReportModel, t: Translator, sites: dict[str, str]) -> None:
    """One row per device and rule, whatever its status, so the client can filter the whole baseline."""
    write_table(ws, [t("col.device"), t("col.site"), t("col.platform"), t("col.pack"), t("col.rule"), t("col.clause"),
                     t("col.requirement"), t("col.category"), t("col.status"), t("col.level"), t("col.evidence"),
                     t("col.fix")],
                [[d.host, sites.get(d.site, d.site), d.platform_name, x.pack, x.rule, x.clause, x.title,
                  x.category_name, t(f"compliance.status.{x.status}"), x.level, "\n".join(x.evidence) or None,
                  "\n".join(x.remediation) or None]
                 for d in (report.compliance.devices if report.compliance else []) for x in d.rules])


def write_table(ws, header: Sequence[object], rows: Sequence[Sequence[object]]) -> None:
    """One sheet: a styled, frozen header and the rows; every value goes through inert.xlsx_cell
    (device text is hostile input: it must not become a formula or break the workbook)."""
    from openpyxl.styles import Alignment, Font, PatternFill

    for r, values in enumerate([header, *rows], start=1):
        for c, value in enumerate(values, start=1):
            xlsx_cell(ws.cell(row=r, column=c), value)
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = ws.dimensions
    for column in ws.iter_cols(min_row=1, max_row=ws.max_row):
        # CJK characters are about twice as wide as Latin ones in Excel's column units.
        width = max((sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(c.value or "")) for c in column), default=8)
        ws.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
