"""Which row of a sheet is its header and which field each column holds.

Header texts are matched after `normalise` against headers.yaml (per field, its Chinese and English
variants). The header is the row among the first `SCAN_ROWS` with the most recognised cells; a
group row above it ("设备信息" merged over "设备名称 | 型号") or a second header row belonging to it is
combined with it, a column taking its field from whichever row names one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from .model import FIELDS, PASSWORD_FIELD

SCAN_ROWS = 20
_HEADER_LENGTH = 16  # normalised; longer text in a cell is a sentence (a title, a note), not a header
INDEX = "#index"  # a 序号 column: recognised as nothing, and no warning about it
_WORDS = re.compile(r"[^\W\d][\w/()]*")  # no sentence punctuation, no leading item number
_DATA = Path(__file__).with_name("headers.yaml")
_DROP = re.compile(r"[\s*_\-:：]+")
# A trailing bracketed note (after NFKC, so full-width brackets too): "管理IP(必填)", "端口【默认22】".
_NOTE = re.compile(r"[(\[【][^()\[\]【】]*[)\]】]$")


def normalise(text: str) -> str:
    """The form header texts are compared in: full-width letters and brackets folded (NFKC),
    spaces, newlines, `*`, `_`, `-` and colons removed, a trailing "(必填)"-style note dropped,
    lower case."""
    out = _DROP.sub("", unicodedata.normalize("NFKC", text))
    while True:
        shorter = _NOTE.sub("", out)
        if shorter in ("", out):
            return out.casefold()
        out = shorter


def _exact(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


@dataclass(frozen=True)
class Vocabulary:
    variants: dict[str, str]  # normalised header text -> field, INDEX or PASSWORD_FIELD
    password_parts: tuple[str, ...]
    exact: dict[str, str]  # `_exact` header text -> field, looked up before the normalised variants
    weak: dict[str, frozenset[str]]  # field -> its generic variants (normalised), giving way to specific ones


@cache
def vocabulary() -> Vocabulary:
    doc = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    variants: dict[str, str] = {}
    for name, texts in doc["fields"].items():
        if name not in FIELDS:
            raise ValueError(f"{_DATA}: {name!r} is no field (known: {', '.join(FIELDS)})")
        variants.update((normalise(str(t)), name) for t in texts)
    variants.update((normalise(str(t)), INDEX) for t in doc["index"])
    variants.update((normalise(str(t)), PASSWORD_FIELD) for t in doc["password"])
    exact = {_exact(str(t)): name for t, name in doc.get("exact", {}).items()}
    if set(exact.values()) - set(FIELDS):
        raise ValueError(f"{_DATA}: exact: {sorted(set(exact.values()) - set(FIELDS))} are no fields")
    weak = {name: frozenset(normalise(str(t)) for t in texts) for name, texts in doc.get("weak", {}).items()}
    stray = sorted(f"{name}: {t}" for name, texts in weak.items() for t in texts if variants.get(t) != name)
    if stray:
        raise ValueError(f"{_DATA}: weak: {', '.join(stray)} are no variants of their field")
    return Vocabulary(variants, tuple(normalise(t) for t in doc["password_parts"]), exact, weak)


def specific(text: str, field: str) -> bool:
    """Whether a header (as `Header.texts` shows it: rows joined by " / ", lines of one cell) names
    `field` by one of its specific variants rather than only a generic one (headers.yaml `weak`)."""
    weak = vocabulary().weak.get(field, frozenset())
    pieces = {normalise(p) for part in text.split(" / ") for p in (part, *part.splitlines())} - {""}
    return not (pieces & weak) or any(recognise(p) == field and normalise(p) not in weak for p in pieces)


def recognise(text: str, named: Mapping[str, str] | None = None) -> str | None:
    """The field a header cell names (INDEX, PASSWORD_FIELD included), or None. `named`:
    normalised header text -> field given on the command line (`--map`), checked first. A cell of
    several lines that names nothing as a whole ("ip\n管理地址,必填": a key, then what it means) names
    what its first recognised line names."""
    found = _recognise_one(text, named)
    if found is None and "\n" in text.strip():
        found = next(filter(None, (_recognise_one(line, named) for line in text.splitlines())), None)
    return found


def _recognise_one(text: str, named: Mapping[str, str] | None) -> str | None:
    key = normalise(text)
    if not key:
        return None
    own = _own(text, key)
    # a password column stays one whatever `--map` names it: only `ignore` passes it over (table.py)
    if named and key in named and own != PASSWORD_FIELD:
        return named[key]
    return own


def _own(text: str, key: str) -> str | None:
    vocab = vocabulary()
    exact = vocab.exact.get(_exact(text))
    if exact:
        return exact
    if key in vocab.variants:
        return vocab.variants[key]
    # a header naming a password in more words ("SSH登录口令"), not a sentence mentioning one
    if _WORDS.fullmatch(key) and len(key) <= _HEADER_LENGTH and any(part in key for part in vocab.password_parts):
        return PASSWORD_FIELD
    return None


@dataclass(frozen=True)
class Header:
    rows: list[int]  # the sheet's row numbers making up the header
    texts: list[str]  # per column (0-based), the header as shown ("设备信息 / 设备名称")
    fields: list[str | None]  # per column, the field recognised (INDEX, PASSWORD_FIELD included)

    def score(self) -> int:
        return _score(self.fields)


def _score(fields: Sequence[str | None]) -> int:
    # fields, not columns: a note merged across the sheet is one cell, however many columns it covers
    return len({f for f in fields if f and f != INDEX})


def usable(fields: Sequence[str | None]) -> bool:
    """A header names a device: its name or address, and at least one thing more."""
    found = {f for f in fields if f and f != INDEX}
    return bool(found & {"name", "address"}) and len(found) >= 2


def find_header(rows: Sequence[tuple[int, list[str]]], grouped: set[int],
                named: Mapping[str, str] | None = None) -> Header | None:
    """The header among `rows` (number, cell texts with merged ranges filled in), or None.
    `grouped`: rows holding a horizontally merged cell narrower than the sheet (a group cell,
    not a title)."""
    recognised = [[recognise(t, named) for t in cells] for _, cells in rows]
    best: Header | None = None
    for i, (number, cells) in enumerate(rows):
        fields = list(recognised[i])
        if not _score(fields):
            continue
        texts = list(cells)
        used = [number]
        for j in (i - 1, i + 1):  # the row above (a group row) or below (the second half)
            if not 0 <= j < len(rows):
                continue
            other, other_fields = rows[j][1], recognised[j]
            added = False
            for col, f in enumerate(other_fields):
                if f and col < len(fields) and not fields[col]:
                    fields[col] = f
                    added = True
            if added or (j < i and rows[j][0] in grouped):
                texts = _joined(other, texts) if j < i else _joined(texts, other)
                used.append(rows[j][0])
        candidate = Header(sorted(used), texts, _settled(cells, fields))
        if best is None or candidate.score() > best.score():
            best = candidate
    return best


def _settled(cells: Sequence[str], fields: list[str | None]) -> list[str | None]:
    """A `hostname` column beside another name column, with no address column, is the address
    (nornir's inventory: `name` names the host, `hostname` is what it connects to)."""
    if "address" in fields or fields.count("name") < 2:
        return fields
    hostname = [c for c, f in enumerate(fields) if f == "name" and c < len(cells) and normalise(cells[c]) == "hostname"]
    if len(hostname) == 1:
        fields = list(fields)
        fields[hostname[0]] = "address"
    return fields


def _joined(upper: list[str], lower: list[str]) -> list[str]:
    width = max(len(upper), len(lower))
    out = []
    for col in range(width):
        a = upper[col] if col < len(upper) else ""
        b = lower[col] if col < len(lower) else ""
        out.append(" / ".join(t for t in dict.fromkeys((a, b)) if t))
    return out
