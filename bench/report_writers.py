"""What making device text inert costs the report writers, against the plain writers in the same run.

    .venv/bin/python -P bench/report_writers.py [--devices 500] [--trials 5]

(-P: bench/inspect.py would otherwise shadow the standard library's inspect.)

XLSX: a 19-column device sheet through netpatrol's write_table (every value via inert.xlsx_cell)
against the former writer (ws.append of the raw rows, same header style, widths and alignment).
Markdown: inert.md_cell on every device-table value against the former escape (backslash, pipe,
newline only). Median of --trials, seconds.
"""

from __future__ import annotations

import repo_env  # noqa: F401 - re-runs with the clone's .venv when netpatrol is not importable

import argparse
import io

from openpyxl import Workbook

import common
from netpatrol.report.inert import md_cell
from netpatrol.report.xlsx import HEADER_FILL, write_table


def _former_table(ws, header: list[str], rows: list[list[object]]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in rows:
        ws.append(row)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    for column in ws.iter_cols(min_row=1, max_row=ws.max_row):
        width = max((sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(c.value or "")) for c in column), default=8)
        ws.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)


def _rows(n: int) -> list[list[object]]:
    return [[f"site-{i % 7}", f"host-{i:04d}", "huawei_vrp", "ok", f"S5735-L48T4X-{i}", f"SN{i:08d}",
             "V200R021C10SPC600" if i % 50 else '=HYPERLINK("http://x","y")', "90 d 0 h", 20.0 + i % 60, 19.0,
             41.0, 40.5, 45.0, "2/2", "2/2", 24, 3, "yes", "2026-09-20"] for i in range(n)]


def _old_md_cell(value: object) -> str:
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devices", type=int, default=500)
    ap.add_argument("--trials", type=int, default=5)
    args = ap.parse_args()
    rows = _rows(args.devices)
    header = [f"col{i}" for i in range(len(rows[0]))]

    def plain() -> None:
        wb = Workbook()
        _former_table(wb.active, header, rows)
        wb.save(io.BytesIO())

    def inert() -> None:
        wb = Workbook()
        write_table(wb.active, header, rows)
        wb.save(io.BytesIO())

    texts = [str(v) for r in rows for v in r[:12]]
    figures = {
        "xlsx former writer (baseline)": common.median_seconds(plain, args.trials),
        "xlsx write_table, inert cells": common.median_seconds(inert, args.trials),
        "md former cell escape (baseline)": common.median_seconds(lambda: [_old_md_cell(t) for t in texts], args.trials),
        "md inert.md_cell": common.median_seconds(lambda: [md_cell(t) for t in texts], args.trials),
    }
    print(f"{args.devices} devices, median of {args.trials} trials")
    for name, seconds in figures.items():
        print(f"  {name:50s} {seconds * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
