"""A device sheet (.xlsx, .xlsm, .csv, .txt) read into a `Table`: which sheet, which header row,
which column holds which field, and the device rows under it with their row numbers.

Everything that stops the whole import (no file, .xls, unknown sheet, no header, a password
column, a bad `--map`) is an `ImportInputError` naming the file, and the sheet and column where
there is one. Rows that are no device (totals, notes, a 序号 alone) are listed in `skipped`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path

from openpyxl.utils import column_index_from_string, get_column_letter

from .csv_rows import read_csv
from .headers import INDEX, SCAN_ROWS, Header, find_header, normalise, specific, usable
from .model import FIELDS, PASSWORD_FIELD, Column, ImportInputError, SourceRow, Table
from .xlsx_rows import Workbook

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
TEXT_SUFFIXES = (".csv", ".txt")
# Fields compared as codes, where full-width letters and digits (typed with a Chinese input method)
# mean the ASCII ones. Names, units, rooms and notes keep the sheet's own spelling.
_FOLDED = {"address", "vendor", "model", "platform", "serial", "port", "protocol", "username", "os_version",
           "purchase_date", "warranty_until"}
_DEVICE = ("name", "address", "vendor", "model")
_TOTALS = re.compile(r"^(合计|总计|小计|共计|total)", re.IGNORECASE)
_NOTES = re.compile(r"^(注|说明|备注|填表说明|填表人|填报人|制表人|审核人|负责人|note)([:：\s\d、.\uff0e]|$)", re.IGNORECASE)
_LETTERS = re.compile(r"^[A-Za-z]{1,3}$")
# A date as a CSV or a text cell holds it: 2021/3/15, 2021.3.15, 2021年3月15日, and a date cell read as a
# datetime, with its midnight time (2021-03-15 00:00:00, 2021-03-15T00:00).
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]+0{1,2}:00(?::00(?:\.0+)?)?)?")
_DATES = ("purchase_date", "warranty_until")


def read_table(path: Path, sheet: str | None = None, maps: dict[str, str] | None = None,
               site_column: str | None = None) -> Table:
    path = Path(path)
    requests = _requests(path, maps or {}, site_column)
    named = {normalise(key): target for key, target, _ in requests}
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise ImportInputError(f"{path}: .xls (Excel 97-2003) is not read; save it as .xlsx (Excel: 另存为 → Excel 工作簿) and import that")
    if suffix not in WORKBOOK_SUFFIXES + TEXT_SUFFIXES:
        raise ImportInputError(f"{path}: not a device sheet netpatrol reads; accepted: {', '.join(WORKBOOK_SUFFIXES + TEXT_SUFFIXES)}")
    if not path.is_file():
        raise ImportInputError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    if suffix in TEXT_SUFFIXES:
        if sheet is not None and sheet != path.name:
            raise ImportInputError(f"{path}: a CSV file has no sheets (--sheet {sheet})")
        encoding, rows = read_csv(path)
        candidates: list[tuple[str, Iterator[tuple[int, list[str]]], set[int]]] = [(path.name, iter(rows), set())]
    else:
        encoding = None
        book = Workbook(path)
        if sheet is not None and sheet not in book.sheet_names:
            raise ImportInputError(f"{path}: no sheet {sheet!r}; its sheets: {', '.join(book.sheet_names)}")
        names = [sheet] if sheet is not None else book.sheet_names
        candidates = [(name, book.rows(name), book.grouped_rows(name)) for name in names]

    seen: list[str] = []
    for name, source, grouped in candidates:
        counted = _Counted(source)
        head = list(itertools.islice(counted, SCAN_ROWS))
        header = find_header(head, grouped, named)
        fields = _assigned(path, name, header, requests, strict=False) if header else []
        if header and usable(fields):
            fields = _assigned(path, name, header, requests, strict=True)
            return _table(path, name, header, fields, itertools.chain(head, counted), counted, encoding)
        seen.append(_seen(name, head, header, fields))
    raise ImportInputError(
        f"{path}: no header row found in the first {SCAN_ROWS} rows (a header names the device name or management "
        f"address and one more column, e.g. 设备名称 | 管理IP | 厂商; --map 'HEADER=FIELD' names a header netpatrol "
        f"does not know). Seen: " + "; ".join(seen))


class _Counted:
    def __init__(self, rows: Iterator[tuple[int, list[str]]]) -> None:
        self._rows, self.count = rows, 0

    def __iter__(self) -> _Counted:
        return self

    def __next__(self) -> tuple[int, list[str]]:
        row = next(self._rows)
        self.count += 1
        return row


def _requests(path: Path, maps: Mapping[str, str], site_column: str | None) -> list[tuple[str, str, str]]:
    """(header text or letter, field, the option as typed) per `--map` and `--site-column`."""
    out = []
    for key, target in maps.items():
        target = target.strip().lower()
        if target not in FIELDS:
            extra = " (netpatrol never stores passwords: put `password: ${ENV}` in inventory/defaults.yaml or a group)" \
                if target == PASSWORD_FIELD else ""
            raise ImportInputError(f"{path}: --map {key}={target}: {target!r} is no field{extra}; fields: {', '.join(FIELDS)}")
        out.append((key.strip(), target, f"--map {key.strip()}={target}"))
    if site_column is not None:
        out.append((site_column.strip(), "site", f"--site-column {site_column.strip()}"))
    return out


def _columns_for(key: str, header: Header) -> list[int]:
    wanted = normalise(key)
    whole = [c for c, text in enumerate(header.texts) if text and normalise(text) == wanted]
    if whole:
        return whole
    parts = [c for c, text in enumerate(header.texts) if any(normalise(p) == wanted for p in text.split(" / "))]
    if parts:
        return parts
    return [column_index_from_string(key.upper()) - 1] if _LETTERS.match(key) else []


def _shown(header: Header) -> str:
    return ", ".join(f"{get_column_letter(c + 1)} {t}" for c, t in enumerate(header.texts) if t)


def _assigned(path: Path, sheet: str, header: Header, requests: list[tuple[str, str, str]], *,
              strict: bool) -> list[str | None]:
    """Per column its field: the header's, overridden by `--map`/`--site-column`; in `strict` mode a
    key matching no column, or naming several, is an error."""
    fields = list(header.fields)
    forced: dict[str, str] = {}  # field -> the key that forced it
    for key, target, option in requests:
        cols = _columns_for(key, header)
        if strict and not cols:
            raise ImportInputError(f"{path}: sheet {sheet}: --map {key}: no column has this header or letter; headers: {_shown(header)}")
        if strict and len(cols) > 1:
            letters = ", ".join(get_column_letter(c + 1) for c in cols)
            raise ImportInputError(f"{path}: sheet {sheet}: --map {key}: columns {letters} all have this header; "
                                   "name the column by its letter")
        if strict and target != "ignore" and forced.get(target, key) != key:
            raise ImportInputError(f"{path}: sheet {sheet}: --map {forced[target]} and {key} both name field {target!r}")
        for col in cols[:1]:
            if strict and target != "ignore" and col < len(header.fields) and header.fields[col] == PASSWORD_FIELD:
                raise ImportInputError(f"{path}: sheet {sheet}: {option}: {_password_refusal([col], header.texts)}")
            fields.extend([None] * (col + 1 - len(fields)))
            if target != "ignore":
                forced[target] = key
                # a column recognised as the field a --map gives another column is not read as it
                fields = [None if f == target and c != col else f for c, f in enumerate(fields)]
            fields[col] = target
    return fields


def _table(path: Path, sheet: str, header: Header, fields: list[str | None], rows: Iterator[tuple[int, list[str]]],
           counted: _Counted, encoding: str | None) -> Table:
    # shown on one line: a header cell's line breaks ("管理IP\n(必填)") would break a message
    texts = [" ".join(t.split()) for t in header.texts] + [""] * (len(fields) - len(header.texts))
    # every one named at once: a hand-over sheet has an SSH password and an automation one (tests/import_headers)
    secret = [col for col, field in enumerate(fields) if field == PASSWORD_FIELD]
    if secret:
        raise ImportInputError(f"{path}: sheet {sheet}, {_password_refusal(secret, texts)}")
    chosen = _chosen(fields, texts)
    columns: dict[str, Column] = {}
    unused: list[Column] = []
    for col, field in enumerate(fields):
        column = Column(get_column_letter(col + 1), texts[col])
        if field and chosen.get(field) == col:
            columns[field] = column
        elif field != INDEX and texts[col]:
            unused.append(column)  # no field, `ignore`, or a second column of a field
    rivals = _rivals(fields, texts, chosen.get("address"))
    last_header = max(header.rows)
    wanted = {c.letter: f for f, c in columns.items()}
    letters = [get_column_letter(c + 1) for c in range(len(fields))]
    table = Table(file=str(path), sheet=sheet, header_rows=list(header.rows), columns=columns, unused=unused,
                  rows=[], skipped=[], encoding=encoding)
    for number, cells in rows:
        if number <= last_header or not any(cells):
            continue
        if rivals:
            _check_rival_addresses(path, sheet, number, cells, chosen["address"], rivals, texts)
        values = {}
        for letter, text in zip(letters, cells, strict=False):
            field = wanted.get(letter)
            if field and text:
                values[field] = unicodedata.normalize("NFKC", text).strip() if field in _FOLDED else text
                if field in _DATES:
                    values[field] = iso_date(values[field]) or values[field]
        reason = _skip_reason(cells, values, fields, texts)
        if reason:
            table.skipped.append((number, reason))
        else:
            table.rows.append(SourceRow(sheet, number, values))
    table.rows_read = counted.count
    return table


def _password_refusal(cols: list[int], texts: list[str]) -> str:
    where = ", ".join(f"column {get_column_letter(c + 1)} ({' '.join(texts[c].split())})" for c in cols)
    maps = " ".join(f"--map '{get_column_letter(c + 1)}=ignore'" for c in cols)
    return (f"{where} {'holds' if len(cols) == 1 else 'hold'} passwords: netpatrol never stores passwords; put "
            f"`password: ${{ENV}}` in inventory/defaults.yaml or a group, and pass {maps} to pass over "
            f"{'the column' if len(cols) == 1 else 'them'}")


def _chosen(fields: list[str | None], texts: list[str]) -> dict[str, int]:
    """Per field the column read: the first with a specific header (headers.yaml `weak`), else the first."""
    chosen: dict[str, int] = {}
    for col, field in enumerate(fields):
        if not field or field in (INDEX, "ignore"):
            continue
        if field not in chosen or (specific(texts[col], field) and not specific(texts[chosen[field]], field)):
            chosen[field] = col
    return chosen


def _rivals(fields: list[str | None], texts: list[str], address: int | None) -> list[int]:
    """Other address columns as strong as the one read: where their cells differ, which address
    netpatrol logs in to is the user's to say."""
    if address is None:
        return []
    strong = specific(texts[address], "address")
    return [c for c, f in enumerate(fields) if f == "address" and c != address and specific(texts[c], "address") == strong]


def _check_rival_addresses(path: Path, sheet: str, number: int, cells: list[str], address: int, rivals: list[int],
                  texts: list[str]) -> None:
    def cell(col: int) -> str:
        return unicodedata.normalize("NFKC", cells[col]).strip() if col < len(cells) else ""

    for col in rivals:
        if cell(col) and cell(col) != cell(address):  # an empty rival, or the same address again, loses nothing
            a, b = get_column_letter(address + 1), get_column_letter(col + 1)
            raise ImportInputError(
                f"{path}: sheet {sheet}: columns {a} ({' '.join(texts[address].split())}) and {b} "
                f"({' '.join(texts[col].split())}) both name the management address, and row {number} differs "
                f"({cell(address) or 'empty'} / {cell(col)}): pass --map '{a}=address' (or '{b}=address') to pick "
                f"the one netpatrol logs in to, and --map '{b}=ignore' (or '{a}=ignore') for the other")


def iso_date(text: str) -> str | None:
    """ISO text for a date written one of the usual ways, else None. The reader gives dates so;
    the mapping step refuses a cell that still is none (devices.py)."""
    found = _DATE.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if found:
        try:
            return dt.date(*map(int, found.groups())).isoformat()
        except ValueError:
            pass  # 2021/2/30
    return None


def _skip_reason(cells: list[str], values: dict[str, str], fields: list[str | None], texts: list[str]) -> str | None:
    first = next(t for t in cells if t)
    if _TOTALS.match(first):
        return f"a totals row ({first[:30]})"
    if _NOTES.match(first):
        return f"a notes row ({first[:30]})"
    if not any(f in values for f in _DEVICE):
        where = ", ".join(f"{get_column_letter(c + 1)}" + (f" ({texts[c]})" if c < len(texts) and texts[c] else "")
                          for c, t in enumerate(cells) if t)
        return f"no device name, address, vendor or model (text only in {where})"
    return None


def _seen(sheet: str, head: list[tuple[int, list[str]]], header: Header | None, fields: list[str | None]) -> str:
    if header is not None:
        found = ", ".join(f"{f} ({get_column_letter(c + 1)} {header.texts[c]})" for c, f in enumerate(fields) if f and f != INDEX)
        return f"sheet {sheet} rows {'-'.join(map(str, header.rows))} name only {found}, no device name or address and one more"
    fullest = max(head, key=lambda r: sum(1 for t in r[1] if t), default=None)
    if fullest is None or not any(fullest[1]):
        return f"sheet {sheet} is empty"
    return f"sheet {sheet} row {fullest[0]}: " + " | ".join(" ".join(t.split()) for t in fullest[1] if t)[:200]
