"""A .csv/.txt device list as rows of cell text.

Encodings: UTF-16 with a BOM (Excel's "Unicode text"), UTF-8 (with or without the BOM Excel
writes for "CSV UTF-8"), else GB18030, the
superset of the GBK that Excel on Chinese Windows writes for plain "CSV". UTF-8 is tried strictly
first: GBK text is almost never valid UTF-8, while any byte string decodes "somehow" as GB18030.
The delimiter (comma, semicolon, tab) is sniffed from the first lines.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .model import ImportInputError

ENCODINGS = ("utf-8-sig", "gb18030")
_DELIMITERS = ",;\t"


def read_csv(path: Path) -> tuple[str, list[tuple[int, list[str]]]]:
    """(encoding used, [(line number where the row starts, cell texts)])."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportInputError(f"{path}: cannot be read: {exc.strerror or exc}") from exc
    # Excel's "Unicode 文本 (*.txt)": UTF-16 with its BOM, tab-separated
    candidates = ("utf-16",) if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else ENCODINGS
    for encoding in candidates:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportInputError(f"{path}: neither UTF-8 nor GBK/GB18030 text; save it as CSV UTF-8 (Excel: 另存为 → CSV UTF-8)")
    if "\x00" in text:
        raise ImportInputError(f"{path}: binary data, not a CSV text file (UTF-16 text? save it as CSV UTF-8)")
    sample = "\n".join(text.splitlines()[:30])
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        delimiter = max(_DELIMITERS, key=sample.count) if sample else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for record in reader:
            rows.append((line, [cell.strip().strip("\u200b\ufeff").strip() for cell in record]))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ImportInputError(f"{path}: line {reader.line_num}: {exc}") from exc
    return encoding, rows
