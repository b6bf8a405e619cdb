"""The baseline check on the report's first pages: the conclusion (巡检结论) says what it found in one
sentence of counts per contract level, then what changed since the previous period when that period
has records; the site table counts baseline fails per site; the failing rules of the two most severe
levels become recommendations, one per rule naming its devices, with no contract time; the summary
counts them. In Markdown, HTML, Word and the workbook's summary, in both languages; nothing of it
without records; the inspection's problem counts unchanged (baseline is its own measure).

The worlds are tests/report_world.py's: 2026Q3 fails no-telnet (重大一级) and logging-host (重大二级) on
city-core-01, one result unknown; 2026Q2 has records too. Other failures are planted the way a
re-inspection commits them: records rewritten, the period's tag moved."""

from __future__ import annotations

import dataclasses
from html.parser import HTMLParser

import pytest

from md_check import assert_tables_whole, parse
from netpatrol.compliance.model import DeviceCompliance
from netpatrol.report.docx import write_docx
from netpatrol.report.render import environment, render_html, render_md
from netpatrol.report.results import load_compliance
from netpatrol.report.xlsx import write_xlsx
from report_world import Q2, Q3
from test_report_a4 import TOKEN, a4_layout, needs_chromium
from test_report_compliance import _model
from test_report_language import _docx_text

pytest_plugins = ["report_world"]
LANGS = ["zh-CN", "en"]
COUNTS = {"zh-CN": "安全基线核查：15 台设备 75 项，不符合 2 项，其中 重大一级 1 项、重大二级 1 项，未能核查 1 项。",  # noqa: RUF001 - the report's own punctuation
          "en": "Baseline check: 15 devices, 75 results, 2 failed (Major L1: 1; Major L2: 1), 1 could not be checked."}
CHANGES = {"zh-CN": "较上期（2026年第二季度）新增不符合 1 项，整改 1 项。",  # noqa: RUF001
           "en": "Compared with Q2 2026: 1 newly failing, 1 fixed."}
SEP = {"zh-CN": "", "en": " "}
HEADING = {"zh-CN": "安全基线整改建议", "en": "Baseline remediation"}
HOSTILE_HOST = "evil|<img src=x onerror=alert(1)>*em*[l](x)_u_`"  # no "/": it names the record's file


def _conclusion_md(md: str) -> str:
    start = md.index("\n## 1 ")
    return md[start:md.index("\n## 2 ", start)]


def _summary_md(md: str) -> str:
    start = md.index("\n## 2 ")
    return md[start:md.index("\n## 3 ", start)]


class _Section(HTMLParser):
    """The text and the table cells inside one <section id=...> of the HTML report."""

    def __init__(self, wanted: str) -> None:
        super().__init__()
        self.wanted, self.depth = wanted, 0
        self.text: list[str] = []
        self.rows: list[list[str]] = []
        self.tags: set[str] = set()
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "section" and dict(attrs).get("id") == self.wanted:
            self.depth = 1
        elif self.depth:
            self.tags.add(tag)
            if tag == "section":
                self.depth += 1
            elif tag == "tr":
                self.rows.append([])
            elif tag in ("td", "th"):
                self.cell = []

    def handle_endtag(self, tag):
        if self.depth and tag == "section":
            self.depth -= 1
        elif self.depth and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)
            if self.cell is not None:
                self.cell.append(data)


def _html_section(html: str, sid: str) -> _Section:
    p = _Section(sid)
    p.feed(html)
    return p


def _docx_conclusion(path, chapters: int = 1) -> tuple[list[str], list[list[list[str]]]]:
    """The paragraphs from the conclusion's heading up to the next chapter (or `chapters` on), and
    every table."""
    from docx import Document

    doc = Document(str(path))
    paras = list(doc.paragraphs)
    heads = [i for i, p in enumerate(paras) if p.style.name == "Heading 1"]
    start, end = heads[0], heads[chapters]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    return [p.text for p in paras[start:end]], tables


def _summary_sheet(path) -> list[tuple]:
    from openpyxl import load_workbook

    return [tuple(r) for r in load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True)]


def _plant(store, period: str, fails: dict[str, set[str]], extra: DeviceCompliance | None = None) -> None:
    """Rewrite the period's records so `fails[host]` rules fail, and move its tag onto them."""
    for host, record in load_compliance(store, period).items():
        if host in fails:
            results = [x.model_copy(update={"status": "fail"}) if x.rule in fails[host] else x for x in record.results]
            store.write_file(f"compliance/{period}/{record.site}/{host}.json",
                             record.model_copy(update={"results": results}).model_dump_json(by_alias=True))
    if extra is not None:
        store.write_file(f"compliance/{period}/{extra.site}/{extra.host}.json", extra.model_dump_json(by_alias=True))
    store.commit(f"re-inspection {period}\n", paths=["compliance"])
    store.tag(f"inspection/{period}", f"inspection {period}\n", force=True)


@pytest.mark.parametrize("lang", LANGS)
def test_counts_and_changes_in_every_format(compliance_world, lang, tmp_path):
    r = _model(compliance_world, lang)
    paragraph = COUNTS[lang] + SEP[lang] + CHANGES[lang]
    assert r.conclusion.baseline == paragraph
    md = render_md(r, environment())
    conclusion = _conclusion_md(md)
    assert f"\n\n{paragraph}\n\n" in conclusion  # its own paragraph, right after the verdict
    assert conclusion.index(r.conclusion.overall) < conclusion.index(paragraph)
    counts = {"zh-CN": "- 安全基线核查: 不符合 2 项 / 共 75 项", "en": "- Baseline check: 2 failed of 75"}[lang]
    assert counts in _summary_md(md).splitlines()
    html = render_html(r, environment())
    assert paragraph in "".join(_html_section(html, "s-conclusion").text)
    summary = " ".join(" ".join(_html_section(html, "s-summary").text).split())
    assert ("2 安全基线不符合项" if lang == "zh-CN" else "2 Baseline fails") in summary
    paras, tables = _docx_conclusion(write_docx(r, tmp_path / "r.docx"))
    assert paras[1:3] == [r.conclusion.overall, paragraph]
    label = {"zh-CN": "安全基线核查", "en": "Baseline check"}[lang]
    assert [label, counts.split(": ", 1)[1]] in [row for t in tables for row in t]
    assert (label, paragraph) in _summary_sheet(write_xlsx(r, tmp_path / "r.xlsx"))


@pytest.mark.parametrize("lang", LANGS)
def test_no_changes_sentence_without_records_the_period_before(compliance_world, lang, tmp_path):
    first = _model(compliance_world, lang, period=Q2)  # the first period: nothing before it
    assert first.compliance is not None and first.conclusion.baseline
    assert CHANGES[lang][:3] not in first.conclusion.baseline
    # A previous period that was inspected without a baseline check: counts, no comparison.
    _, _, store = compliance_world
    for path in store.list_files(f"compliance/{Q2}"):
        (store.path / path).unlink()
    _plant(store, Q2, {})
    r = _model(compliance_world, lang)
    assert r.previous_period == Q2 and not r.compliance.compared
    assert r.conclusion.baseline == COUNTS[lang]
    assert CHANGES[lang] not in render_md(r, environment())
    assert CHANGES[lang] not in _docx_text(write_docx(r, tmp_path / "r.docx"))


@pytest.mark.parametrize("lang", LANGS)
def test_one_recommendation_per_failing_rule_naming_its_devices(compliance_world, lang, tmp_path):
    _, _, store = compliance_world
    # no-telnet fails on a second device too; ntp-server (一般故障 level) fails somewhere: no line for it.
    _plant(store, Q3, {"north-acc-01": {"no-telnet", "ntp-server"}})
    r = _model(compliance_world, lang)
    assert [(a.rule, a.hosts, a.severity) for a in r.conclusion.baseline_actions] == [
        ("no-telnet", ("city-core-01", "north-acc-01"), "critical"),
        ("logging-host", ("city-core-01",), "major")]
    sep = {"zh-CN": "、", "en": ", "}[lang]
    level = {"zh-CN": "重大一级", "en": "Major L1"}[lang]
    title = {"zh-CN": "禁用 Telnet 远程管理", "en": "Telnet management disabled"}[lang]
    first = ["1", level, "8.1.4.1 d)", title, f"city-core-01{sep}north-acc-01"]
    md = render_md(r, environment())
    conclusion = _conclusion_md(md)
    assert f"### {HEADING[lang]}" in conclusion
    doc = parse(conclusion)
    assert_tables_whole(doc)
    table = doc.tables[-1]
    assert table.rows[0] == first and len(table.rows) == 2
    assert all("小时内" not in c and "within" not in c.lower() for row in table.rows for c in row)  # no contract time
    assert "8.1.4.3 c)" not in conclusion  # the minor rule is in the chapter, not on this page
    sites = {row[0]: row[-1] for row in doc.tables[0].rows}
    assert list(sites.values()) == ["2", "2", "0"]  # baseline fails per site, after the levels
    html_rows = _html_section(render_html(r, environment()), "s-conclusion").rows
    assert first in html_rows
    _, tables = _docx_conclusion(write_docx(r, tmp_path / "r.docx"))
    assert first in [row for t in tables for row in t]


@pytest.mark.parametrize("lang", LANGS)
def test_a_rule_failing_widely_names_ten_devices_and_counts_the_rest(compliance_world, lang):
    _, _, store = compliance_world
    hosts = sorted(load_compliance(store, Q3))
    _plant(store, Q3, {h: {"no-telnet"} for h in hosts})
    r = _model(compliance_world, lang)
    action = r.conclusion.baseline_actions[0]
    assert len(action.hosts) == 15 and len(action.shown) == 10 and action.more == 5
    row = parse(_conclusion_md(render_md(r, environment()))).tables[-1].rows[0]
    assert row[-1].endswith({"zh-CN": " 等 15 台", "en": " and 5 more"}[lang])
    assert all(h in row[-1] for h in action.shown) and not any(h in row[-1] for h in action.hosts[10:])


@pytest.mark.parametrize("lang", LANGS)
def test_device_names_stay_inert_in_the_recommendations(compliance_world, lang, tmp_path):
    _, _, store = compliance_world
    core = load_compliance(store, Q3)["city-core-01"]
    evil = core.model_copy(update={"host": HOSTILE_HOST,
                                   "results": [x.model_copy(update={"host": HOSTILE_HOST}) for x in core.results]})
    _plant(store, Q3, {}, extra=evil)
    r = _model(compliance_world, lang)
    assert r.conclusion.baseline_actions[0].hosts == ("city-core-01", HOSTILE_HOST)
    sep = {"zh-CN": "、", "en": ", "}[lang]
    doc = parse(_conclusion_md(render_md(r, environment())))
    assert_tables_whole(doc)
    assert doc.html == []
    assert doc.tables[-1].rows[0][-1] == f"city-core-01{sep}{HOSTILE_HOST}"
    html = _html_section(render_html(r, environment()), "s-conclusion")
    assert "img" not in html.tags
    # Both of city-core-01's failing rules fail on its hostile copy: two lines, each naming both.
    assert [f"city-core-01{sep}{HOSTILE_HOST}"] * 2 == [row[-1] for row in html.rows if row and HOSTILE_HOST in row[-1]]
    _, tables = _docx_conclusion(write_docx(r, tmp_path / "r.docx"))
    assert f"city-core-01{sep}{HOSTILE_HOST}" in [row[-1] for t in tables for row in t]


@pytest.mark.parametrize("lang", LANGS)
def test_problem_counts_are_the_inspections_own(compliance_world, lang):
    """Baseline failures are not inspection problems: counts, risks, actions and states as without records."""
    with_records = _model(compliance_world, lang)
    _, _, store = compliance_world
    for path in store.list_files(f"compliance/{Q3}"):
        (store.path / path).unlink()
    _plant(store, Q3, {})
    plain = _model(compliance_world, lang)
    assert plain.compliance is None
    assert with_records.compliance is not None and with_records.compliance.counts.failed == 2
    for r in (plain, with_records):
        assert len(r.findings) == 5
    assert plain.severity_counts == with_records.severity_counts
    assert [lv.count for lv in plain.levels] == [lv.count for lv in with_records.levels]
    c1, c2 = plain.comparison, with_records.comparison
    assert (len(c1.new), len(c1.resolved), len(c1.persisting)) == (len(c2.new), len(c2.resolved), len(c2.persisting))
    assert plain.conclusion.overall == with_records.conclusion.overall
    assert [(s.key, s.state, s.problems) for s in plain.conclusion.sites] == [
        (s.key, s.state, s.problems) for s in with_records.conclusion.sites]
    assert [(a.host, a.title) for a in plain.conclusion.actions] == [
        (a.host, a.title) for a in with_records.conclusion.actions]


@pytest.mark.parametrize("lang", LANGS)
def test_nothing_without_records(world, lang, tmp_path):
    r = _model(world, lang)
    assert r.compliance is None and r.conclusion.baseline == "" and r.conclusion.baseline_actions == []
    assert all(s.baseline_failed is None for s in r.conclusion.sites)
    md = render_md(r, environment())
    words = {"zh-CN": ("安全基线", "基线不符合"), "en": ("Baseline", "baseline")}[lang]
    for part in (_conclusion_md(md), _summary_md(md)):
        assert not any(w in part for w in words)
    html = render_html(r, environment())
    for sid in ("s-conclusion", "s-summary"):
        assert not any(w in "".join(_html_section(html, sid).text) for w in words)
    paras, tables = _docx_conclusion(write_docx(r, tmp_path / "r.docx"), chapters=2)
    # cover, sign-off, site states, key risks, actions; summary, levels, not inspected
    docx_text = "\n".join(paras + [c for t in tables[:8] for row in t for c in row])
    assert not any(w in docx_text for w in words)
    assert not any(w in str(v) for row in _summary_sheet(write_xlsx(r, tmp_path / "r.xlsx")) for v in row for w in words)


@needs_chromium
@pytest.mark.parametrize("lang", LANGS)
def test_the_recommendations_fit_a4_with_the_widest_names(compliance_world, lang, tmp_path):
    """Ten unbroken 130-character device names and a long requirement stay inside the text column."""
    r = _model(compliance_world, lang)
    wide = tuple(f"{TOKEN}-{i:02}" for i in range(12))
    r.conclusion.baseline_actions = [dataclasses.replace(a, hosts=wide, title=a.title * 6, clause=TOKEN[:40])
                                     for a in r.conclusion.baseline_actions]
    verdict = a4_layout(render_html(r, environment()), tmp_path)
    assert verdict["scroll"] <= verdict["viewport"], verdict
    assert verdict["over"] == [], verdict["over"][:5]
