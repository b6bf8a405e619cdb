"""Row helpers of the field maps: which rows a map reads, names for parts a row does not name,
and notes on rows that could not be used."""

from __future__ import annotations

import re
from collections.abc import Mapping

from netpatrol.inspection.normalise import _common as c
from netpatrol.inspection.normalise._spec import Parsed, Where

# item -> why rows of it could not be used ("row 2: no temperature value 'NA'"), when asked for.
Notes = dict[str, list[str]]


def where_ok(row: Mapping, where: Where) -> bool:
    return all(re.fullmatch(rx, c.text(row.get(f)) or "", re.IGNORECASE) for f, rx in where)


def note(notes: Notes | None, item: str, why: str) -> None:
    if notes is not None and why not in (seen := notes.setdefault(item, [])):
        seen.append(why)


def given(row: Mapping, fields: tuple[str, ...]) -> bool:
    """Whether the template filled any of `fields` in this row, placeholders ('NA') included: a
    shared table (Cisco `show environment`) fills only its own kind's fields in each row."""
    for f in fields:
        value = row.get(f)
        if any(str(v).strip() for v in (value if isinstance(value, list) else [value]) if v is not None):
            return True
    return False


def raw_value(row: Mapping, fields: tuple[str, ...]) -> str:
    return next((str(v).strip() for f in fields if (v := row.get(f)) is not None and str(v).strip()), "")


def part_name(row: Mapping, prefix: tuple[str, ...], fields: tuple[str, ...]) -> str | None:
    name = c.first(row, fields)
    if name is None:
        return None
    parts = [p for f in prefix if (p := c.first(row, [f]))]
    return "/".join([*parts, name])


def named_rows(maps, parsed: Parsed) -> set[int]:
    """Rows some map names: a row one map cannot name may be another map's (Comware 5 prints no
    sensor column and its own map names the row by slot), so only the rest fall back to positions."""
    return {id(r) for m in maps for r in parsed.get(m.item) or [] if where_ok(r, m.where) and part_name(r, m.prefix, m.name)}


class Positions:
    """Names for rows whose name column is empty or a placeholder (S-series `display temperature
    all` prints NA card and sensor columns): 'slot 1 fan 2' by position in its slot, else '#3' by
    position in the table. Such a row still says something about a real part; dropping it would
    hide a failed fan."""

    def __init__(self, kind: str):
        self.kind = kind
        self.counts: dict[str, int] = {}

    def name(self, row: Mapping, prefix: tuple[str, ...]) -> str:
        slot = "/".join(p for f in prefix if (p := c.first(row, [f])))
        n = self.counts[slot] = self.counts.get(slot, 0) + 1
        return f"slot {slot} {self.kind} {n}" if slot else f"#{n}"
