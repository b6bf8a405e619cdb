"""Header rows of real device lists (tests/import_headers/*.yaml, one per public source, laid out like
ntc-templates' test folders) read by `read_table` as CSV and as xlsx: every column must get the field its
source means, a password column must refuse the import by its letter, and `--map X=ignore` must pass it.

`expected` in each case was written from the source's own meaning of the column, not from the reader.
A column counts as right when the reader gives it that field, or leaves it unused because another column
meaning the same field holds it (one column per field: 所属机房 and 物理位置 are both a location). Run this file alone for
the tally: `pytest tests/test_import_headers_real.py -q -n 0 -rA -k tally`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import Workbook
from openpyxl.utils import column_index_from_string, get_column_letter

from netpatrol.inventory_import.model import ImportInputError, Table
from netpatrol.inventory_import.table import read_table

CASES = sorted((Path(__file__).parent / "import_headers").glob("*.yaml"))
PASSWORD = "password"
INDEX = "index"


@dataclass
class Case:
    name: str
    header: list[str]
    rows: list[list[Any]]
    expected: list[str | None]


def _load(path: Path) -> Case:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert {"source", "licence", "header", "expected"} <= doc.keys(), path
    assert len(doc["header"]) == len(doc["expected"]), path
    if doc.get("rows"):
        assert "no licence" not in doc["licence"] and "header row only" not in doc["licence"], \
            f"{path}: sample rows only where the licence allows them"
    return Case(path.stem, [str(h) for h in doc["header"]], doc.get("rows") or [], doc["expected"])


def _write(case: Case, path: Path) -> Path:
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            out = csv.writer(f)
            out.writerow(case.header)
            out.writerows([["" if v is None else v for v in row] for row in case.rows])
    else:
        book = Workbook()
        ws = book.active
        assert ws is not None
        ws.append(case.header)
        for row in case.rows:
            ws.append(row)
        book.save(path)
    return path


def _password_letters(case: Case) -> list[str]:
    return [get_column_letter(i + 1) for i, e in enumerate(case.expected) if e == PASSWORD]


def _read(path: Path, case: Case) -> Table:
    return read_table(path, maps={letter: "ignore" for letter in _password_letters(case)})


def _wrong(case: Case, table: Table) -> list[str]:
    """The columns the reader got wrong, as 'C 设备名称: got x, expected y'."""
    got = {c.letter: f for f, c in table.columns.items()}
    unused = {c.letter for c in table.unused}
    wrong = []
    for i, (text, want) in enumerate(zip(case.header, case.expected, strict=True)):
        letter = get_column_letter(i + 1)
        have = got.get(letter)
        if want == PASSWORD:
            right = letter in unused and have is None  # refused first (checked apart), then ignored
        elif want == INDEX:
            right = have is None and letter not in unused
        elif want is None:
            right = have is None
        else:
            # one column per field: another of the same meaning holding it leaves this one rightly unused
            holder = table.columns.get(want)
            right = have == want or (have is None and holder is not None
                                     and case.expected[column_index_from_string(holder.letter) - 1] == want)
        if not right:
            wrong.append(f"{letter} {' '.join(text.split())}: got {have}, expected {want}")
    return wrong


def _score(case: Case, tmp_path: Path) -> tuple[int, list[str]]:
    path = _write(case, tmp_path / f"{case.name}.xlsx")
    try:
        table = _read(path, case)
    except ImportInputError as exc:
        return 0, [f"whole sheet refused: {exc}"]
    wrong = _wrong(case, table)
    return len(case.header) - len(wrong), wrong


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("case_file", CASES, ids=[p.stem for p in CASES])
def test_every_column_of_a_real_header_gets_the_field_its_source_means(case_file: Path, suffix: str,
                                                                        tmp_path: Path) -> None:
    case = _load(case_file)
    path = _write(case, tmp_path / f"{case.name}{suffix}")
    letters = _password_letters(case)
    if letters:
        with pytest.raises(ImportInputError) as refused:
            read_table(path)
        for letter in letters:  # all of them in the one message: no second failed run to find the next
            assert f"column {letter} (" in str(refused.value) and f"--map '{letter}=ignore'" in str(refused.value)
    table = _read(path, case)
    assert _wrong(case, table) == []


def test_every_source_is_recorded_with_its_licence_and_at_least_half_are_chinese() -> None:
    cases = [_load(p) for p in CASES]
    assert len(cases) >= 15
    chinese = [c for c in cases if any("\u4e00" <= ch <= "\u9fff" for ch in "".join(c.header))]
    assert 2 * len(chinese) >= len(cases) - 1  # icefire's Chinese tool uses netmiko's English keys


def test_tally(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Right/total columns per source, printed (xlsx only; the parametrized test above covers CSV too)."""
    total = right = 0
    lines = []
    for p in CASES:
        case = _load(p)
        good, wrong = _score(case, tmp_path)
        total, right = total + len(case.header), right + good
        lines.append(f"{case.name}: {good}/{len(case.header)}" + "".join(f"\n    {w}" for w in wrong))
    with capsys.disabled():
        print("\n" + "\n".join(lines) + f"\nright: {right}/{total} columns in {len(CASES)} sources")
    assert right == total, "\n".join(lines)
