"""Searching the stored configs: a regex per line, grep-style context, and `--under` sections.

Speed comes from never looping over lines in Python where C can do it: the compiled pattern runs
over each whole config (re.MULTILINE, so `^`/`$` anchor at line starts and ends), and only a config
with a hit is looked at line by line. Each hit is re-checked against its line alone, so a pattern
that can cross a line break (`\\s+`, `[^x]`) still means "this line matches", as in grep.

Sections (`under`): a section is a line and the lines after it that are indented deeper, up to the
next line indented as much or less (blank lines do not end it). That one rule reads every stored
style: IOS, NX-OS, EOS and RGOS indentation, Huawei/H3C one-space indentation with `#` separators
(a `#` at the margin ends the section), and Junos braces (its `show configuration` is indented, and
the closing `}` sits at the opening line's depth). A line is under a section when any of its
ancestors is a header the parent regex matches, wherever that header is nested. The parent regex
sees the header line as stored, indentation included, as REGEX sees its lines: `^line vty` is a
top-level section; `services` or `^\\s+services` finds the Junos one inside `system`.

The device text and both regexes are hostile input: all matching runs under one time limit
(netpatrol.time_limit), and a pattern that backtracks without end is reported, not waited for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from netpatrol import time_limit
from netpatrol.errors import UsageError
from netpatrol.store.snapshot import StoredConfig

# The whole search (every config) may take this long: 10,000 configs take about a second, so
# past it a pattern is backtracking without end.
SEARCH_SECONDS = 60.0
_INDENT = re.compile(r"[ \t]*")


@dataclass(frozen=True)
class Line:
    line_no: int  # 1-based
    text: str
    match: bool  # False: a context line


@dataclass(frozen=True)
class DeviceMatches:
    host: str
    site: str
    platform: str
    path: str
    lines: tuple[Line, ...]  # matching and context lines in order; a gap in line_no separates windows

    @property
    def matches(self) -> list[Line]:
        return [ln for ln in self.lines if ln.match]


def compile_regex(regex: str, ignore_case: bool = False, what: str = "REGEX") -> re.Pattern[str]:
    """The pattern as searched (multi-line anchors); UsageError (exit 2) when it does not compile."""
    try:
        return re.compile(regex, re.MULTILINE | (re.IGNORECASE if ignore_case else 0))
    except (re.error, OverflowError, RecursionError) as exc:
        where = f" at position {exc.pos}" if isinstance(exc, re.error) and exc.pos is not None else ""
        raise UsageError(f"{what} {regex!r} is not a valid Python regular expression: "
                         f"{getattr(exc, 'msg', exc)}{where}") from None


def search(configs: Iterable[StoredConfig], pattern: re.Pattern[str], platforms: dict[str, str], *,
           under: re.Pattern[str] | None = None, context: int = 0,
           seconds: float | None = None) -> list[DeviceMatches]:
    """Every config with a matching line (under a matching section, with `under`), in the order
    given; `platforms` maps host -> platform for the result. `seconds`: the time limit (default
    SEARCH_SECONDS)."""
    seconds = SEARCH_SECONDS if seconds is None else seconds
    found: list[DeviceMatches] = []
    host = ""
    try:
        with time_limit.limit(seconds):
            for config in configs:
                host = config.host
                lines = search_text(config.text, pattern, under=under, context=context)
                if lines:
                    found.append(DeviceMatches(config.host, config.site, platforms.get(config.host, ""),
                                               config.path, tuple(lines)))
    except time_limit.Overrun:
        raise UsageError(f"the search ran longer than {seconds:g} s (it was reading {host}'s config): the regex "
                         f"backtracks without end, e.g. nested repetition like (a+)+ or (\\s*\\S+)*; simplify it") from None
    return found


def search_text(text: str, pattern: re.Pattern[str], *, under: re.Pattern[str] | None = None,
                context: int = 0) -> list[Line]:
    """One config's matching lines (1-based) with `context` lines around each, windows merged."""
    found = list(_line_hits(text, pattern))
    if found and under is not None:
        if len(found) <= _WALK_HITS:  # a few hits: walk up from each (no pass over the whole text)
            found = [hit for hit in found if _has_ancestor(text, hit[1], under)]
        else:
            spans = sections(text, under)
            found = [hit for hit in found if any(start < hit[0] < end for start, end in spans)]
    hits = [n for n, _start, _end in found]
    if not hits:
        return []
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    wanted: dict[int, bool] = {}
    for n in hits:
        for k in range(max(1, n - context), min(len(lines), n + context) + 1):
            wanted.setdefault(k, False)
        wanted[n] = True
    return [Line(n, lines[n - 1], is_hit) for n, is_hit in sorted(wanted.items())]


def matching_lines(text: str, pattern: re.Pattern[str]) -> list[int]:
    """1-based numbers of the lines `pattern` matches when given the line alone."""
    return [n for n, _start, _end in _line_hits(text, pattern)]


# What can fail on the whole text where the line alone matches: string anchors, and negative
# lookarounds that see the newline (`b(?!\s)`). Such a pattern is run line by line.
_LINE_BOUND = re.compile(r"\\[AZ]|\(\?<?!")


def _line_hits(text: str, pattern: re.Pattern[str]) -> Iterator[tuple[int, int, int]]:
    """(line number, start offset, end offset) of each line the pattern matches on its own."""
    if _LINE_BOUND.search(pattern.pattern):
        yield from _each_line(text, pattern)
        return
    size = len(text)
    line_no, counted_to = 1, 0
    m = pattern.search(text)
    while m is not None:
        at = m.start()
        if at == size and (size == 0 or text.endswith("\n")):
            return  # an empty match after the last newline: there is no line there
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        end = size if end < 0 else end
        line_no += text.count("\n", counted_to, start)
        counted_to = start
        # The whole-text match may lean on a neighbouring line (`\s+` across the newline, a
        # lookbehind seeing it): the line counts only when it matches on its own.
        if pattern.search(text[start:end]) is not None:
            yield line_no, start, end
        if end >= size:
            return
        m = pattern.search(text, end + 1)


def _each_line(text: str, pattern: re.Pattern[str]) -> Iterator[tuple[int, int, int]]:
    lines = text.split("\n")
    if text.endswith("\n") or not text:
        lines.pop()  # no line after the last newline, none in an empty text
    start = 0
    for n, line in enumerate(lines, 1):
        if pattern.search(line) is not None:
            yield n, start, start + len(line)
        start += len(line) + 1


# Up to this many hits in a config, `under` walks up from each hit; past it, one pass finds every
# matching section (a walk can cross a long section for each hit).
_WALK_HITS = 16


def _has_ancestor(text: str, start: int, header: re.Pattern[str]) -> bool:
    """Whether the line starting at `start` has an ancestor the header pattern matches: the
    nearest earlier non-blank line indented less, then that line's, and so on."""
    line_end = text.find("\n", start)
    line = text[start:] if line_end < 0 else text[start:line_end]
    body = line.lstrip(" \t")
    # A blank line belongs to whatever is open above it, the line just before it included.
    limit = len(line) - len(body) if body.strip("\r") else 1 << 62
    pos = start
    while pos > 0 and limit > 0:
        prev = text.rfind("\n", 0, pos - 1) + 1
        line, pos = text[prev:pos - 1], prev
        body = line.lstrip(" \t")
        depth = len(line) - len(body)
        if depth < limit and body.strip("\r"):
            if header.search(line) is not None:
                return True
            limit = depth
    return False


def sections(text: str, header: re.Pattern[str]) -> list[tuple[int, int]]:
    """(header line, first line past the section) of each section whose line the header pattern
    matches; lines strictly between belong to it. The header is matched as stored, indentation
    included, like REGEX: `^line vty` is a top-level section, `^\\s+services` or `services` also a
    nested one."""
    spans = []
    size = len(text)
    for n, start, end in _line_hits(text, header):
        depth = _INDENT.match(text, start).end() - start  # type: ignore[union-attr]  # matches always
        ends = _ENDS.get(depth)
        if ends is None:
            ends = _ENDS.setdefault(depth, re.compile(rf"^[ \t]{{0,{depth}}}[^ \t\r\n]", re.MULTILINE))
        m = ends.search(text, end + 1) if end < size else None
        spans.append((n, _PAST_END if m is None else n + 1 + text.count("\n", end + 1, m.start())))
    return spans


_PAST_END = 1 << 62  # a section that runs to the end of the config


# Per depth, the start of a line indented that much or less that is not blank: a section's end.
_ENDS: dict[int, re.Pattern[str]] = {}
