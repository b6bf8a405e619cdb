"""Reading a rendered Markdown report back the way a renderer does (markdown-it-py, CommonMark plus
GFM tables), to assert that device text stayed text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

_PIPE = re.compile(r"(?<!\\)\|")  # markdown-it and GFM split rows on pipes without a backslash


def parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)  # rendered cell text, <br> as "\n"
    source_widths: list[int] = field(default_factory=list)  # cells each body line holds in the source


@dataclass
class Parsed:
    headings: list[str]
    fences: list[tuple[str, str]]  # (info, content)
    html: list[str]  # raw HTML that would reach the reader, inline or block
    tables: list[Table]
    text: str  # all rendered inline text, in order


def inline_text(token) -> str:
    parts = []
    for c in token.children or []:
        if (c.type == "html_inline" and c.content.lower() == "<br>") or c.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        else:
            parts.append(c.content)
    return "".join(parts)


def parse(text: str) -> Parsed:
    tokens = parser().parse(text)
    lines = text.splitlines()
    out = Parsed([], [], [], [], "")
    texts = []
    table: Table | None = None
    in_head = False
    for i, t in enumerate(tokens):
        if t.type == "heading_open":
            out.headings.append(inline_text(tokens[i + 1]))
        elif t.type in ("fence", "code_block"):
            out.fences.append((t.info, t.content))
        elif t.type == "html_block":
            out.html.append(t.content)
        elif t.type == "inline":
            texts.append(inline_text(t))
            out.html += [c.content for c in t.children or [] if c.type == "html_inline" and c.content.lower() != "<br>"]
        elif t.type == "table_open":
            table = Table([])
            out.tables.append(table)
        elif t.type == "thead_open":
            in_head = True
        elif t.type == "thead_close":
            in_head = False
        elif t.type == "tr_open" and table is not None and not in_head:
            table.rows.append([])
            line = lines[t.map[0]].strip()
            table.source_widths.append(len(_PIPE.findall(line)) - 1)
        elif t.type in ("th_open", "td_open") and table is not None:
            cell = inline_text(tokens[i + 1])
            (table.header if in_head else table.rows[-1]).append(cell)
    out.text = "\n".join(texts)
    return out


def assert_tables_whole(parsed: Parsed) -> None:
    """Every body line of every table holds as many cells as its header: nothing was split by a
    pipe in device text, and no second table's header was swallowed as a row of the first."""
    for table in parsed.tables:
        for width, row in zip(table.source_widths, table.rows, strict=True):
            assert width == len(table.header), (table.header, row)
            assert not all(re.fullmatch(r":?-+:?", c.strip()) for c in row), ("delimiter row read as data", table.header)
