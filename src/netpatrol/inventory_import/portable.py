"""A host or group name from what a sheet calls a device or a unit (核心交换机-1, 北京市公安局).

Names become file names, Git paths and tag parts (workspace/names.py), so they are ASCII: Chinese
is written in pinyin, accents dropped, anything else a '-'. A name that is already valid is kept
exactly as typed, so re-importing a sheet finds the same hosts.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from pypinyin import lazy_pinyin

from netpatrol.workspace.names import MAX_NAME, RESERVED_STEM, name_problem

# CJK ideographs: the basic block, extension A and the compatibility block (NFKC maps most of the
# latter into the basic block; what it leaves still reads as Chinese).
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_KEEP = re.compile(r"[A-Za-z0-9._-]")
_HASH = 6  # hex digits of the suffix that keeps two long names that share a beginning apart


def _ascii(ch: str) -> str:
    """A non-Chinese character as ASCII: itself if allowed, its letter without accents, else '-'."""
    if _KEEP.fullmatch(ch):
        return ch
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if _KEEP.fullmatch(c))
    return base or "-"


def _transliterate(text: str) -> str:
    parts: list[str] = []
    pos = 0
    for run in _HAN.finditer(text):
        parts.extend(_ascii(ch) for ch in text[pos:run.start()])
        # One run is one word (核心交换机 -> hexinjiaohuanji); runs are kept apart by '-'. A rare
        # ideograph pypinyin has no reading for comes back as itself and is dropped.
        syllables = "".join(re.sub(r"[^a-z0-9]", "", s.lower()) for s in lazy_pinyin(run.group()))
        parts.append(f"-{syllables}-")
        pos = run.end()
    parts.extend(_ascii(ch) for ch in text[pos:])
    return "".join(parts)


def _tidy(name: str) -> str:
    name = re.sub(r"-{2,}", "-", name)
    name = re.sub(r"\.{2,}", ".", name)  # '..' is refused in Git paths
    name = re.sub(r"[-.]+(?=[-.])", "", name)  # '-.-' -> '-': separators do not pile up
    name = re.sub(r"^[._-]+", "", name)  # must start with a letter or digit
    name = re.sub(r"[._-]+$", "", name)
    if name.lower().endswith(".lock"):
        name = name[:-5] + "-lock"
    stem, dot, rest = name.partition(".")
    if RESERVED_STEM.fullmatch(stem):  # Windows device names, with any extension
        name = f"{stem}_{dot}{rest}"
    return name


def portable_name(text: str) -> str:
    """`text` as a valid host or group name; ValueError when nothing of it can make one."""
    if name_problem(text) is None:
        return text
    normal = unicodedata.normalize("NFKC", text)
    name = _tidy(_transliterate(normal))
    if not name:
        raise ValueError(f"{text!r} has no letters or digits to make a name of")
    if len(name) > MAX_NAME:
        # A short hash of the whole text keeps two long names that differ only near the end apart.
        digest = hashlib.sha256(normal.encode()).hexdigest()[:_HASH]
        name = _tidy(name[:MAX_NAME - _HASH - 1])
        name = f"{name}-{digest}"
    problem = name_problem(name)
    if problem is not None:  # the steps above are meant to make this unreachable
        raise ValueError(f"{text!r} gives no valid name ({name!r}: {problem})")
    return name
