"""Short site group keys: the organisation prefix the new units of one sheet share, left out.

Every unit of one client repeats the client's name (江川市公安局指挥中心, 江川市公安局城关派出所 …),
so keys made of the whole name are long and alike; people type them (`--site`) and they name the
folders under backups/configs/. The cut is made only right after an organisation word
(unit_words.yaml), never inside one, so 城关派出所 / 城北派出所 (sharing only 城) keep their names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Sequence
from functools import cache
from pathlib import Path

import yaml

from netpatrol.inventory_import.portable import portable_name

_DATA = Path(__file__).with_name("unit_words.yaml")
# What may sit between the organisation and the unit: "江川市公安局 指挥中心", "Jiangchuan PSB - Command Centre"
# (after NFKC, so a full-width comma or colon is among them).
_JOINERS = " -_/.,:;·、"


@cache
def _words() -> tuple[re.Pattern[str], ...]:
    doc = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    # A lookahead finds overlapping occurrences too (局局长). English words only as whole words:
    # "Co" is not the start of "Command".
    chinese = [re.compile(f"(?=({re.escape(w)}))") for w in doc["chinese"]]
    english = [re.compile(rf"(?<![A-Za-z0-9])(?=({re.escape(w)})(?![A-Za-z0-9]))", re.IGNORECASE) for w in doc["english"]]
    return tuple(chinese + english)


def _spans(text: str) -> set[tuple[int, int]]:
    """Where organisation words stand in `text`: (start, end) of every occurrence."""
    return {m.span(1) for p in _words() for m in p.finditer(text)}


def short_site_keys(units: Sequence[str], taken: Container[str]) -> dict[str, str]:
    """Each of `units` (distinct new units of one sheet) -> its short key, or {} when no cut is
    made: the longest shared prefix that ends with an organisation word, leaves a name for every
    unit, cuts no word in two and gives keys that are distinct and not in `taken` (casefolded
    keys of groups.yaml). One unit alone is never cut: nothing shows what its organisation is."""
    if len(units) < 2:
        return {}
    names = [" ".join(unicodedata.normalize("NFKC", u).split()) for u in units]
    spans = [_spans(n) for n in names]
    shared = min(len(n) for n in names)
    shared = next((i for i in range(shared) if len({n[i] for n in names}) > 1), shared)
    # A cut after a word that begins the name would leave nothing naming the organisation.
    cuts = sorted({end for start, end in spans[0] if start > 0 and end <= shared}, reverse=True)
    for cut in cuts:
        if any(start < cut < end for found in spans for start, end in found):
            continue  # inside a longer word: 政法委|员会
        if not all(any(end == cut for _, end in found) for found in spans):
            continue  # a word in one name only: "PSB" before "PSBx" is no English word
        keys = _keys(names, cut)
        if keys and len({k.casefold() for k in keys}) == len(keys) and not any(k.casefold() in taken for k in keys):
            return dict(zip(units, keys, strict=True))
    return {}


def _keys(names: list[str], cut: int) -> list[str] | None:
    keys = []
    for name in names:
        rest = name[cut:].strip(_JOINERS)
        if not rest:
            return None
        try:
            keys.append(portable_name(rest))
        except ValueError:
            return None
    return keys
