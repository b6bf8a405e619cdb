"""An .xlsx/.xlsm sheet as rows of cell text, merged ranges filled into every cell they cover.

openpyxl's normal mode, not read-only: only it reads merged ranges, and a 300-device ledger loads
in a fraction of a second either way. `data_only=True`: a formula gives the value Excel saved with
it. Rows are read in chunks and the reading stops after `MAX_BLANK` blank rows in a row, so a sheet
formatted down to row 1,048,576 costs no more than its data.
"""

from __future__ import annotations

import datetime as dt
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from .model import ImportInputError

MAX_BLANK = 1000  # consecutive blank rows that end the data
MAX_COLUMNS = 200  # no device sheet is wider; a row formatted to column XFD is not read to there
_CHUNK = 256


def cell_text(value: Any) -> str:
    """A cell as text: a whole number without ".0" (a port 22.0 is "22", a serial typed as a
    number keeps its digits), a date as ISO text, anything else as written, stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e18 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ", "minutes")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip().strip("\u200b\ufeff").strip()


class Workbook:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            with warnings.catch_warnings():  # "Data Validation extension is not supported" and the like
                warnings.simplefilter("ignore")
                self._book = load_workbook(path, data_only=True)
        except (  # what openpyxl raises on a damaged or half-written package, by where it gives up
                zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, AttributeError, IndexError,
                EOFError, zlib.error, SyntaxError) as exc:  # SyntaxError: an XML parse error, lxml's or the stdlib's
            raise ImportInputError(f"{path}: not a readable Excel workbook ({type(exc).__name__}: {exc})") from exc
        except OSError as exc:
            raise ImportInputError(f"{path}: cannot be read: {exc.strerror or exc}") from exc

    @property
    def sheet_names(self) -> list[str]:
        return list(self._book.sheetnames)

    def _sheet(self, name: str) -> Worksheet | None:
        ws = self._book[name]
        return ws if isinstance(ws, Worksheet) else None  # a chart sheet reads as an empty one

    def grouped_rows(self, name: str) -> set[int]:
        """Rows holding a horizontally merged cell that is a group over some columns (设备信息 over
        设备名称 | 型号), not a title across the whole sheet: the row has other texts too."""
        ws = self._sheet(name)
        if ws is None:
            return set()
        merged_rows = {r.min_row for r in ws.merged_cells.ranges if r.max_col > r.min_col and r.min_row <= 40}
        out = set()
        for row in merged_rows:
            texts = {cell_text(c.value) for c in ws[row][:MAX_COLUMNS]} - {""}
            if len(texts) >= 2:
                out.add(row)
        return out

    def rows(self, name: str) -> Iterator[tuple[int, list[str]]]:
        """(row number, cell texts) from row 1, blank rows included, up to the end of the data."""
        ws = self._sheet(name)
        if ws is None:
            return
        width = min(ws.max_column, MAX_COLUMNS)
        merges = sorted(
            ((r.min_row, r.max_row, r.min_col, min(r.max_col, width), cell_text(ws.cell(r.min_row, r.min_col).value))
             for r in ws.merged_cells.ranges if r.min_col <= width),
        )
        blank = 0
        start = 1
        while start <= ws.max_row and blank < MAX_BLANK:
            end = min(start + _CHUNK - 1, ws.max_row)
            for offset, values in enumerate(ws.iter_rows(min_row=start, max_row=end, max_col=width, values_only=True)):
                number = start + offset
                texts = [cell_text(v) for v in values]
                # A row with nothing of its own is blank, whatever merged cell covers it: the empty
                # rows under a unit cell merged down far, or a title two rows tall.
                blank = 0 if any(texts) else blank + 1
                for top, bottom, left, right, text in merges if not blank else ():
                    if top > number:
                        break
                    if number <= bottom and text:
                        texts[left - 1:right] = [text] * (right - left + 1)
                if blank >= MAX_BLANK:
                    return
                yield number, texts
            start = end + 1
