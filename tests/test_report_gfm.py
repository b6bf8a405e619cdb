"""The Markdown report is valid GitHub-flavoured Markdown, read back by a GFM-capable parser
(markdown-it-py with GFM tables, tests/md_check.py): every table is its own table with its header's
width on every row, the site archive and the device table are two tables, headings come in their
levels and order, device text opens no HTML and stays in its one cell, and the bytes are the same
on every render of the same inputs. GitHub's own parser (cmark-gfm, through cmarkgfm) reads the same
tables and headings and makes no link or tag of device text."""

from __future__ import annotations

import dataclasses
import itertools
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from md_check import Parsed, Table, assert_tables_whole, parse, parser
from netpatrol.report import ReportRequest, build_report, write_report
from netpatrol.report.i18n import Translator
from netpatrol.report.inert import REPLACEMENT, md_cell, md_inline
from netpatrol.report.model import RecordRow, ReportModel
from netpatrol.report.render import environment, render_md, tidy_markdown
from report_world import Q3

pytest_plugins = ["report_world"]
LANGS = ["zh-CN", "en"]
# What the report's own Markdown makes in GitHub's HTML; device text adds nothing to it.
GITHUB_TAGS = {"h1", "h2", "h3", "h4", "p", "ul", "ol", "li", "blockquote", "table", "thead", "tbody", "tr", "th", "td",
               "pre", "code", "br", "a", "strong", "em", "hr"}

GITHUB_TABLE = {"table", "thead", "tbody", "tr", "th", "td", "br"}
NUMBERED = re.compile(r"^(\d+(?:\.\d+)*) ")  # "2.1 江川市…" -> "2.1"

# Device values that try to leave their cell: pipes (escaped and not), backslashes (one ending the
# value, one before a pipe), line breaks, padding, tags, entities, backticks, emphasis and URLs.
HOSTILE_CELLS = {
    "model": "  S5735|L48T4X\\|A  ",
    "serial": "SN\\",
    "version": "7.1.070, Release 6328P03\n<b>bold</b> &amp; `tick` | *x* http://evil.example/x www.evil.example",
}


def _model(world, lang: str, **kw) -> ReportModel:
    ws, inv, store = world
    return build_report(ws.settings, inv, store, ReportRequest(period=Q3, lang=lang, **kw))


def _shown(value: str) -> str:
    """What a cell shows for a value: its lines, each trimmed, one under the other."""
    return "\n".join(line.strip() for line in value.splitlines())


def _tables_with(doc: Parsed, *header: str) -> list[Table]:
    return [t for t in doc.tables if all(h in t.header for h in header)]


def _check_headings(doc: Parsed, levels: list[int]) -> None:
    assert levels[0] == 1 and levels.count(1) == 1, "one title, first"
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), f"a heading level skipped: {levels}"
    numbers = []
    for text, level in zip(doc.headings, levels, strict=True):
        m = NUMBERED.match(text)
        if m:
            parts = tuple(int(p) for p in m[1].split("."))
            assert len(parts) == level - 1, f"{text!r} is a level {level} heading"
            numbers.append(parts)
    chapters = [n[0] for n in numbers if len(n) == 1]
    assert chapters == list(range(1, len(chapters) + 1)) and len(chapters) >= 5, chapters
    assert numbers == sorted(numbers), f"numbered headings out of order: {numbers}"
    for sub in (n for n in numbers if len(n) > 1):
        assert sub[:-1] in numbers, f"{sub} has no parent heading"


class _GitHubView(HTMLParser):
    """The HTML cmark-gfm makes of the Markdown, as tables, headings, tags and link targets."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[list[str], list[list[str]]]] = []
        self.headings: list[str] = []
        self.tags: set[str] = set()
        self.links: list[str] = []
        self._cell: list[str] | None = None
        self._heading: list[str] | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag == "table":
            self.tables.append(([], []))
        elif tag == "tr" and self.tables:
            self.tables[-1][1].append([])
        elif tag in ("th", "td"):
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")
        elif tag == "a":
            self.links.append(dict(attrs).get("href") or "")
        elif re.fullmatch(r"h[1-6]", tag):
            self._heading = []

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None:
            header, rows = self.tables[-1]
            (header if tag == "th" else rows[-1]).append("".join(self._cell))
            self._cell = None
        elif re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self.headings.append("".join(self._heading).strip())
            self._heading = None

    def handle_data(self, data):
        self.text += data
        for part in (self._cell, self._heading):
            if part is not None:
                part.append(data)


def _as_github_reads_it(md: str, doc: Parsed) -> None:
    """cmark-gfm, GitHub's parser, with raw HTML let through (so any would show as a tag): the same
    tables cell by cell and the same headings as markdown-it, no tag the report does not write
    itself, and links only to the report's own headings (and e-mail or XMPP addresses, which GitHub
    links whatever the escaping)."""
    cmarkgfm = pytest.importorskip("cmarkgfm", reason="cmarkgfm (GitHub's cmark-gfm) is a test dependency")
    view = _GitHubView()
    view.feed(cmarkgfm.github_flavored_markdown_to_html(md, options=cmarkgfm.cmark.Options.CMARK_OPT_UNSAFE))
    assert view.tags <= GITHUB_TAGS, view.tags - GITHUB_TAGS
    assert [h for h in view.links if not (h.startswith("#") or _address(h))] == []
    assert view.headings == doc.headings
    tables = [(header, [r for r in rows if r]) for header, rows in view.tables]
    assert tables == [(x.header, x.rows) for x in doc.tables]


def _address(href: str) -> bool:
    """An e-mail or XMPP address: GitHub links those whatever the escaping (cmark-gfm finds them
    after escapes are resolved); they open a draft, not a web page."""
    return "@" in href and "//" not in href


def _levels(md: str) -> list[int]:
    return [int(t.tag[1]) for t in parser().parse(md) if t.type == "heading_open"]


@pytest.mark.parametrize("lang", LANGS)
def test_lab_report_is_valid_gfm(world, lang):
    t = Translator(lang)
    report = _model(world, lang, appendix=True)
    md = render_md(report, environment())
    doc = parse(md)
    assert doc.html == [], "raw HTML other than <br> in a cell"
    assert_tables_whole(doc)
    _check_headings(doc, _levels(md))
    _as_github_reads_it(md, doc)
    # Each site: its archive table and its device table are two tables, not one merged one.
    archives = [x for x in _tables_with(doc, t("cover.item"), t("cover.value")) if any(r[0] == t("site.unit") for r in x.rows)]
    devices = _tables_with(doc, t("col.device"), t("col.model"), t("col.serial"), t("col.version"))
    assert len(archives) == len([s for s in report.sites if s.archive]) == 3
    assert len(devices) == len(report.sites)
    first_cells = [r[0] for x in devices for r in x.rows]
    assert len(first_cells) == len(report.devices)
    assert all(sum(c.startswith(d.host) for c in first_cells) == 1 for d in report.devices)
    for x in archives:
        assert len(x.header) == 2 and not any(t("col.serial") in r for r in x.rows)


@pytest.mark.parametrize("lang", LANGS)
def test_device_text_stays_in_its_one_cell(hostile_world, lang):
    t = Translator(lang)
    report = _model(hostile_world, lang, appendix=True)
    target = report.devices[0]
    for name, value in HOSTILE_CELLS.items():
        setattr(target, name, value)
    target.record = [RecordRow("version", "version", "normal", HOSTILE_CELLS["version"])]
    report.findings = [dataclasses.replace(f, detail=HOSTILE_CELLS["version"], recommendation=HOSTILE_CELLS["model"])
                       for f in report.findings]
    md = render_md(report, environment())
    doc = parse(md)
    assert doc.html == [] and not [info for info, _ in doc.fences if info not in ("diff", "text")]
    assert_tables_whole(doc)
    _check_headings(doc, _levels(md))
    _as_github_reads_it(md, doc)
    devices = _tables_with(doc, t("col.device"), t("col.model"), t("col.serial"), t("col.version"))
    row = next(r for x in devices for r in x.rows if r[0].startswith(target.host))
    header = next(x.header for x in devices if row in x.rows)
    for name, col in (("model", "col.model"), ("serial", "col.serial"), ("version", "col.version")):
        assert row[header.index(t(col))] == _shown(HOSTILE_CELLS[name]), name
    cells = [c for x in doc.tables for r in x.rows for c in r]
    assert cells.count(_shown(HOSTILE_CELLS["version"])) >= 1 + len(report.findings)
    assert cells.count(_shown(HOSTILE_CELLS["model"])) >= 1 + len(report.findings)


def test_markdown_file_is_byte_identical_across_runs(hostile_world):
    ws, inv, store = hostile_world
    runs = []
    for _ in range(2):
        out = write_report(ws, inv, store, ReportRequest(period=Q3, lang="zh-CN", appendix=True), ["md"])
        runs.append((out.files["md"].read_bytes(), out.commit))
    assert runs[0][0] == runs[1][0]
    assert runs[0][1] is not None and runs[1][1] is None  # the second run changed nothing in Git
    assert runs[0][0] == render_md(_model(hostile_world, "zh-CN", appendix=True), environment()).encode()


@pytest.mark.parametrize("lang", LANGS)
def test_device_archive_is_valid_gfm(hostile_world, lang):
    from netpatrol.report.archive import write_archive

    ws, inv, store = hostile_world
    md = write_archive(ws, inv, store, "md", lang).read_text(encoding="utf-8")
    doc = parse(md)
    assert doc.html == [] and doc.fences == []
    assert_tables_whole(doc)
    assert _levels(md)[0] == 1 and _levels(md).count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(_levels(md)))
    _as_github_reads_it(md, doc)


def _without_blank_lines(md: str) -> str:
    """The Markdown as a template with no blank line between its blocks would write it (fenced
    device output kept as it is)."""
    out, fence = [], None
    for line in md.splitlines():
        if fence is None and line.startswith("```"):
            fence = line[: len(line) - len(line.lstrip("`"))]
        elif fence is not None and line == fence:
            fence = None
        elif fence is None and not line.strip():
            continue
        out.append(line)
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("lang", LANGS)
def test_blocks_glued_by_a_template_are_separated(world, lang):
    """Template whitespace control easily glues blocks together (the site archive table and the
    device table once became one table on GitHub, which kept the first table's two columns):
    tidy_markdown separates them again, so the same report written with no blank line between its
    blocks has the same tables, headings and fenced blocks."""
    md = render_md(_model(world, lang, appendix=True), environment())
    glued = _without_blank_lines(md)
    assert glued.count("\n") < md.count("\n") - 40
    ours, theirs = parse(md), parse(tidy_markdown(glued))
    assert_tables_whole(theirs)
    assert [(x.header, x.rows) for x in theirs.tables] == [(x.header, x.rows) for x in ours.tables]
    assert theirs.headings == ours.headings and theirs.fences == ours.fences
    assert tidy_markdown(md) == md  # tidy output is a fixed point: rendering it again changes nothing


URLISH = st.text(alphabet=list("htpsfw:/.@xmailto<>&|`*_~[]()!#\\- \n\t"), max_size=40)
URLS = ["http://evil.example/a?b=c", "HTTPS://x.example", "www.evil.example", "WwW.x.y", "ftp://f.example/x",
        "<http://x.example>", "mailto:a@b.example", "xmpp:a@b.example", "a@b.example", "[l](http://x.example)"]
DEVICE_TEXT = st.one_of(URLISH, st.text(), st.builds(lambda a, u, b: a + u + b, URLISH, st.sampled_from(URLS), URLISH))
LINE_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
HIDDEN = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]")


@settings(max_examples=300, deadline=None)
@given(DEVICE_TEXT)
def test_github_shows_escaped_text_as_that_text(text):
    """Through GitHub's own parser, running text and a table cell show the device text itself:
    no tag, no link (but to an e-mail or XMPP address), nothing lost."""
    cmarkgfm = pytest.importorskip("cmarkgfm", reason="cmarkgfm (GitHub's cmark-gfm) is a test dependency")
    lines = [HIDDEN.sub(REPLACEMENT, p).strip() for p in LINE_BREAKS.split(text)]
    for md, expected, tags in ((md_inline(text), " ".join(lines).strip(), {"p"}),
                               (f"| h |\n| --- |\n| {md_cell(text)} |\n", "\n".join(lines), GITHUB_TABLE)):
        view = _GitHubView()
        view.feed(cmarkgfm.github_flavored_markdown_to_html(md, options=cmarkgfm.cmark.Options.CMARK_OPT_UNSAFE))
        assert view.tags - {"a"} <= tags, (md, view.tags)
        assert all(_address(h) for h in view.links), (md, view.links)
        if tags == GITHUB_TABLE:
            assert view.tables == [(["h"], [[], [expected]])], md
        else:
            assert view.text.strip() == expected, md
