"""Device output is hostile input: every writer (report XLSX/Markdown/HTML, archive XLSX/CSV/MD)
writes device text as inert text. Unit and property tests of report/inert.py, then a real Git
store whose 2026Q3 carries hostile facts, finding details, errors, evidence and config."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from md_check import assert_tables_whole, parse, parser
from netpatrol.report import ReportRequest, build_report, write_report
from netpatrol.report.inert import FORMULA_STARTS, REPLACEMENT, clean_text, csv_cell, md_cell, md_code, md_fence, md_inline, xlsx_cell
from netpatrol.report.render import environment, render_html, render_md, tidy_markdown
from report_world import (
    HOSTILE_CONFIG,
    HOSTILE_DETAIL,
    HOSTILE_ERROR,
    HOSTILE_HOST,
    HOSTILE_LINE,
    HOSTILE_MODEL,
    HOSTILE_SERIAL,
    HOSTILE_VERSION,
    Q3,
)

# The report fixtures (built, world, built_hostile, hostile_world), registered rather than imported by name.
pytest_plugins = ["report_world"]

FORMULAS = ['=HYPERLINK("http://x","y")', "=cmd|'/C calc'!A0", "+1+1", "-1+1", "@SUM(1)", "\t=1+1", "\r=1+1",
            "＝1+1", "=1+1\x02"]  # noqa: RUF001 - full-width look-alikes are the input under test
# Markdown's own characters, densely: random Unicode alone rarely spells "<a>" or "- [x]".
MARKDOWNISH = st.one_of(st.text(), st.text(alphabet=list("#>-+*_`~[]()<>!&|\\$=.:;1a/ \n\r\t\x02\u202e\u2067")))
BIDI = "\u202a-\u202e\u2066-\u2069"  # embeddings, overrides, isolates: they reorder what a reader sees
XML_ILLEGAL = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff{BIDI}]")
MD_HIDDEN = re.compile(f"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff{BIDI}]")


def _visible(text: str) -> str:
    """What an inert Markdown rendering shows for one line of device text."""
    return MD_HIDDEN.sub(REPLACEMENT, text).strip()


# -- inert.py: spreadsheets ---------------------------------------------------------------------
def _roundtrip_xlsx(values: list[object]):
    from openpyxl import Workbook, load_workbook

    wb = Workbook()
    for i, v in enumerate(values, start=1):
        xlsx_cell(wb.active.cell(row=i, column=1), v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf, load_workbook(io.BytesIO(buf.getvalue())).active


def _stored(text: str) -> str:
    """What an XLSX cell keeps of a text: line breaks as LF, however the workbook was written."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _formulas_in(xlsx: io.BytesIO | str) -> list[str]:
    """<f> elements anywhere in the workbook's sheets: what Excel would evaluate."""
    with zipfile.ZipFile(xlsx) as z:
        return [n for n in z.namelist() if n.startswith("xl/worksheets/") and b"<f>" in z.read(n)]


def test_xlsx_formula_text_is_a_string_cell_with_the_real_text():
    buf, sheet = _roundtrip_xlsx([*FORMULAS, 82.0, 3, None])
    assert _formulas_in(buf) == []
    cells = [sheet.cell(row=i, column=1) for i in range(1, len(FORMULAS) + 4)]
    for text, cell in zip(FORMULAS, cells, strict=False):  # the sheet has more rows than FORMULAS
        assert cell.data_type == "s" and cell.value == _stored(clean_text(text)) and cell.quotePrefix, text
    assert [c.value for c in cells[-3:]] == [82.0, 3, None] and cells[-3].data_type == "n"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=8))
def test_xlsx_any_text_is_saved_as_that_text(texts):
    buf, sheet = _roundtrip_xlsx(texts)
    assert _formulas_in(buf) == []
    for i, text in enumerate(texts, start=1):
        cell = sheet.cell(row=i, column=1)
        assert cell.data_type != "f"
        assert (cell.value or "") == _stored(XML_ILLEGAL.sub(REPLACEMENT, text))


@given(st.one_of(st.text(), st.sampled_from(FORMULAS)))
def test_csv_any_text_reads_back_without_a_formula_start(text):
    buf = io.StringIO()
    csv.writer(buf, quoting=csv.QUOTE_ALL).writerow([csv_cell(text), csv_cell(-5)])
    field, number = next(csv.reader(io.StringIO(buf.getvalue())))
    assert field[:1] not in FORMULA_STARTS and not XML_ILLEGAL.search(field)
    cleaned = XML_ILLEGAL.sub(REPLACEMENT, text)
    assert field == ("'" + cleaned if cleaned[:1] in FORMULA_STARTS else cleaned)
    assert number == "-5"  # numbers are numbers, not formula starts


# -- inert.py: Markdown -------------------------------------------------------------------------
def _only_text(md: str) -> str:
    tokens = parser().parse(md)
    if not tokens:
        return ""
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"], (md, tokens)
    kinds = {c.type for c in tokens[1].children}
    assert kinds <= {"text", "text_special"}, (md, kinds)
    return "".join(c.content for c in tokens[1].children)


@given(MARKDOWNISH)
def test_md_inline_renders_as_the_text_itself(text):
    expected = " ".join(_visible(p) for p in re.split(r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]", text)).strip()
    assert _only_text(md_inline(text)) == expected.replace("\x00", REPLACEMENT)


@pytest.mark.parametrize("text", ["# all devices healthy", "```", "~~~", "<script>x</script>", "- a", "+ a", "1. a",
                                  "2) a", "> q", "---", "===", "* * *", "    code", "[x]: http://x", "&amp;", "a_b_c",
                                  "_em_", "**b**", "[l](http://x)", "![i](x.png)", "<http://x>", "$x$", "x\\", "| a |"])
def test_md_inline_block_and_inline_syntax_stays_text(text):
    assert _only_text(md_inline(text)) == text.strip()


@given(MARKDOWNISH)
def test_md_cell_stays_in_its_cell(text):
    table = parse(f"| h | next |\n| --- | --- |\n| {md_cell(text)} | end |\n")
    assert len(table.tables) == 1 and not table.html and not table.fences and not table.headings
    assert_tables_whole(table)
    expected = [_visible(p) for p in re.split(r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]", text)]
    assert table.tables[0].rows == [["\n".join(expected).replace("\x00", REPLACEMENT), "end"]]


@given(MARKDOWNISH)
def test_md_code_is_one_code_span_with_the_text(text):
    one_line = " ".join(re.split(r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]", text))
    if not one_line.strip(" "):
        return  # nothing to show (the report writes "—" instead)
    shown = MD_HIDDEN.sub(REPLACEMENT, one_line)
    for src in (f"x {md_code(text)} y", f"| h |\n| --- |\n| {md_code(text, table=True)} |\n"):
        spans = [c for t in parser().parse(src) if t.type == "inline" for c in t.children if c.type == "code_inline"]
        assert [c.content for c in spans] == [shown], src


@given(MARKDOWNISH)
def test_md_fence_holds_the_text_and_closes_once(text):
    rendered = parse(tidy_markdown(md_fence(text, "text") + "\n\n## after\n"))
    assert rendered.headings == ["after"]
    assert len(rendered.fences) == 1 and rendered.fences[0][0] == "text"


# -- the writers, on a store whose 2026Q3 is hostile --------------------------------------------
def _model(world, lang="en", **kw):
    ws, inv, store = world
    return build_report(ws.settings, inv, store, ReportRequest(period=Q3, lang=lang, **kw))


def test_markdown_report_keeps_device_text_inert(hostile_world):
    md = render_md(_model(hostile_world, appendix=True), environment())
    doc = parse(md)
    assert doc.html == []
    assert not [h for h in doc.headings if "healthy" in h or "fake" in h]
    # The sign-off is on the cover: its table comes before the table of contents and every section.
    assert doc.headings.index("Contents") < doc.headings.index("9 Data collection and parsing notes")
    assert {info for info, _ in doc.fences} <= {"diff", "text"}
    assert any(HOSTILE_CONFIG.splitlines()[2] in content for info, content in doc.fences if info == "diff")
    assert_tables_whole(doc)
    signoff = next(t for t in doc.tables if t.header[1:] == ["Maintenance provider", "Client"])
    assert len(signoff.rows) == 4
    sites = next(t for t in doc.tables if t.header[:2] == ["Site", "State"])
    assert doc.tables.index(signoff) < doc.tables.index(sites)
    # The whole hostile detail is visible as text: in running text on one line, in cells line by line.
    lines = [_visible(x) for x in HOSTILE_DETAIL.splitlines()]
    assert " ".join(lines) in doc.text and "\n".join(lines) in doc.text
    metrics = next(t for t in doc.tables if t.header[:2] == ["Device", "Model"])
    row = next(r for r in metrics.rows if r[0] == HOSTILE_HOST)
    assert row[1:4] == [HOSTILE_MODEL, HOSTILE_SERIAL.strip(), _visible(HOSTILE_VERSION)]
    # Raw error texts are not in the body: a localized reason there, the text verbatim in the appendix.
    fenced = "\n".join(content for info, content in doc.fences if info == "text")
    assert HOSTILE_ERROR in fenced and HOSTILE_ERROR.splitlines()[0] not in doc.text
    # The first line no template recognised is device output, shown verbatim in the appendix.
    problems = next(t for t in doc.tables if "Template tried" in t.header)
    row = next(r for r in problems.rows if r[1] == "Fans")
    assert row[problems.header.index("Reason")].startswith("No parsing template recognised")
    assert HOSTILE_LINE.replace("\x02", REPLACEMENT) in fenced


def test_every_markdown_table_is_its_own_block(world):
    """The site archive table and the device table used to be one table: GitHub kept 2 columns."""
    for lang in ("en", "zh-CN"):
        doc = parse(render_md(_model(world, lang), environment()))
        assert_tables_whole(doc)
        devices = [t for t in doc.tables if len(t.header) == 12]
        assert len(devices) == 3 and sum(len(t.rows) for t in devices) == 15


def test_html_report_escapes_device_text(hostile_world):
    tags: list[str] = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append(tag)

    html = render_html(_model(hostile_world, appendix=True), environment())
    Tags().feed(html)
    assert "script" not in tags and "img" not in tags
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "=HYPERLINK(&#34;http://x&#34;,&#34;y&#34;)" in html
    assert not XML_ILLEGAL.search(html) and "=cmd|&#39;/C calc&#39;!A0\ufffd" in html
    assert "First line not recognised: =cmd|&#39;/C calc&#39;!A0 `x` &lt;b&gt;bold&lt;/b&gt; | ## h [l](http://x)\ufffd</pre>" in html


def test_report_xlsx_has_no_formula_and_shows_the_text(hostile_world):
    from openpyxl import load_workbook

    ws, inv, store = hostile_world
    path = write_report(ws, inv, store, ReportRequest(period=Q3, lang="en"), ["xlsx"]).files["xlsx"]
    assert _formulas_in(str(path)) == []
    wb = load_workbook(path)
    assert not [c.coordinate for sheet in wb for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    metrics = {row[1].value: row for row in wb["Device metrics"].iter_rows(min_row=2)}
    row = metrics[HOSTILE_HOST]
    assert [c.value for c in row[4:7]] == [HOSTILE_MODEL, HOSTILE_SERIAL, clean_text(HOSTILE_VERSION)]
    assert all(c.quotePrefix for c in row[4:7])
    assert row[8].value == 82.0 and row[8].data_type == "n"  # a measurement stays a number
    details = [r[5] for r in wb["Findings"].iter_rows(min_row=2, values_only=True)]
    assert HOSTILE_DETAIL in details
    raw = [r[4] for r in wb["Raw error texts"].iter_rows(min_row=2)]  # the device's line, as it was
    cell = next(c for c in raw if c.value and clean_text(HOSTILE_LINE) in c.value)
    assert cell.data_type == "s" and not str(cell.value).startswith("=")


def _cli():
    from netpatrol.cli import report as cli_report
    from netpatrol.cli.root import app

    if "archive" not in {c.name or c.callback.__name__ for c in app.registered_commands}:
        cli_report.register(app)
    return app


def test_archive_writers_keep_device_text_inert(hostile_world):
    from openpyxl import load_workbook

    ws, inv, _ = hostile_world
    for fmt in ("csv", "md", "xlsx"):
        res = CliRunner().invoke(_cli(), ["archive", "-w", str(ws.root), "--format", fmt, "--lang", "en"])
        assert res.exit_code == 0, res.output
    folder = ws.reports / "archive"
    rows = {r["Device"]: r for r in csv.DictReader(io.StringIO(next(folder.glob("*.csv")).read_text(encoding="utf-8-sig")))}
    assert set(rows) == set(inv.hosts)
    assert rows[HOSTILE_HOST]["Model"] == "'" + HOSTILE_MODEL
    assert rows[HOSTILE_HOST]["Software"] == "'" + clean_text(HOSTILE_VERSION)
    assert rows[HOSTILE_HOST]["Serial"] == "'" + HOSTILE_SERIAL
    assert not [v for r in rows.values() for v in r.values() if v[:1] in FORMULA_STARTS]

    xlsx = next(folder.glob("*.xlsx"))
    assert _formulas_in(str(xlsx)) == []
    sheet = load_workbook(xlsx).worksheets[0]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[1].value == HOSTILE_HOST)
    assert [c.value for c in row[4:7]] == [HOSTILE_MODEL, HOSTILE_SERIAL, clean_text(HOSTILE_VERSION)]

    doc = parse(next(folder.glob("*.md")).read_text(encoding="utf-8"))
    assert doc.html == [] and doc.fences == []
    assert_tables_whole(doc)
    devices = next(t for t in doc.tables if t.header[:2] == ["Site", "Device"])
    assert len(devices.header) == 9 and len(devices.rows) == len(inv.hosts)
    row = next(r for r in devices.rows if r[1] == HOSTILE_HOST)
    assert row[2:5] == [HOSTILE_MODEL, HOSTILE_SERIAL.strip(), _visible(HOSTILE_VERSION)]


def test_terminal_text_has_no_escape_sequences_and_no_markup() -> None:
    import io

    from rich.console import Console

    from netpatrol.cli.common import markup, red, table

    hostile = "a\x1b]8;;http://x/\x1b\\b\x1b[2J\x9b2J\r\u202egnp.exe [link=http://x/]L[/link] [/x] [bold]B"
    console = Console(file=io.StringIO(), force_terminal=True, width=400)
    console.print(table(hostile, ["c", "d"], [[hostile, red(hostile)]]))
    console.print("[red]error:[/red] " + markup(hostile), highlight=False)
    shown = console.file.getvalue()
    # Only rich's own styling (SGR "m" sequences) and no link, clear-screen, CR or bidi override.
    assert "\x1b]" not in shown and "\x1b[2J" not in shown and "\x9b" not in shown
    assert "\r" not in shown and "\u202e" not in shown
    assert shown.count("[link=http://x/]L[/link] [/x] [bold]B") == 4  # title, two cells, the error line


TROJAN = "version 1.0 \u202egnp.exe\u202c \u2067isolate\u2069"


def test_bidi_overrides_are_replaced_in_every_report_format():
    """A device cannot reorder what the client reads: no embedding, override or isolate survives."""
    bidi = re.compile(f"[{BIDI}]")
    _buf, sheet = _roundtrip_xlsx([TROJAN])
    outputs = [sheet.cell(row=1, column=1).value, csv_cell(TROJAN), md_inline(TROJAN), md_cell(TROJAN),
               md_code(TROJAN), md_fence(TROJAN), clean_text(TROJAN)]
    for out in outputs:
        assert not bidi.search(out) and "gnp.exe" in out and out.count(REPLACEMENT) == 4, repr(out)
