"""The report's baseline compliance (安全基线核查, section `s-compliance`) and its workbook sheet, in
both languages: the period's `compliance/<period>/…` records as the inspection committed them (read
at the period's tag), counts per device, failing rules with clause, level, evidence and fix, the
rules newly failing and fixed since the previous period, device text inert in every format, and
one sentence when a period has no records.

The records are written by tests/report_world.py (RULES, COMPLIANCE_FAILS) the way `inspect`
commits them: one DeviceCompliance per device in the inspection's commit."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser

import pytest

from md_check import assert_tables_whole, parse
from netpatrol.compliance.model import DeviceCompliance
from netpatrol.errors import StoreError
from netpatrol.report import ReportRequest, build_report
from netpatrol.report.docx import write_docx
from netpatrol.report.i18n import Translator
from netpatrol.report.inert import REPLACEMENT, clean_text
from netpatrol.report.model import ReportModel
from netpatrol.report.render import environment, render_html, render_md
from netpatrol.report.results import load_compliance
from netpatrol.report.xlsx import write_xlsx
from report_world import HOSTILE_EVIDENCE, Q2, Q3, RULES
from test_report_a4 import CONFIG_LINE, INTERFACES, TOKEN, a4_layout, needs_chromium
from test_report_gfm import _as_github_reads_it, _check_headings, _levels
from test_report_inert import _formulas_in
from test_report_language import _docx_text, _offenders, _plain, _prose, _supplied, _xlsx_text

pytest_plugins = ["report_world"]
LANGS = ["zh-CN", "en"]
LEVELS = {"zh-CN": {"critical": "重大一级", "major": "重大二级"}, "en": {"critical": "Major L1", "major": "Major L2"}}
TITLES = {rule: {"zh-CN": zh, "en": en} for rule, _, _, _, zh, en, _ in RULES}
FIX = {rule: fix for rule, *_, fix in RULES}
SHOWN_EVIDENCE = HOSTILE_EVIDENCE.replace("\x1b", REPLACEMENT).replace("\x02", REPLACEMENT)


def _model(world, lang: str, period: str = Q3, **kw) -> ReportModel:
    ws, inv, store = world
    return build_report(ws.settings, inv, store, ReportRequest(period=period, lang=lang, workspace=ws.root, **kw))


def _section(md: str, t: Translator, number: int = 6) -> str:
    start = md.index(f"\n## {number} {t('compliance.title')}\n")
    return md[start:md.index("\n## ", start + 1)]


@pytest.mark.parametrize("lang", LANGS)
def test_model_counts_changes_and_levels(compliance_world, lang):
    r = _model(compliance_world, lang)
    cs = r.compliance
    assert cs is not None and len(cs.devices) == 15
    assert (cs.counts.passed, cs.counts.failed, cs.counts.not_applicable, cs.counts.unknown) == (71, 2, 1, 1)
    core = next(d for d in cs.devices if d.host == "city-core-01")
    assert [(x.rule, x.clause, x.level) for x in core.failing] == [
        ("no-telnet", "8.1.4.1 d)", LEVELS[lang]["critical"]), ("logging-host", "8.1.4.3 a)", LEVELS[lang]["major"])]
    assert core.failing[0].title == TITLES["no-telnet"][lang]
    assert list(core.failing[0].remediation) == FIX["no-telnet"]
    assert core.clauses("pass") == ["8.1.4.1 b)", "8.1.4.2 a)", "8.1.4.3 c)"]  # the standard's order
    wan = next(d for d in cs.devices if d.host == "north-wan-01")
    assert (wan.counts.passed, wan.counts.failed, wan.counts.not_applicable, wan.counts.unknown) == (3, 0, 1, 1)
    assert cs.compared
    assert [(c.host, c.rule.rule, c.previous) for c in cs.newly_failing] == [("city-core-01", "logging-host", "pass")]
    assert [(c.host, c.rule.rule, c.previous) for c in cs.fixed] == [("city-core-01", "vty-idle-timeout", "fail")]
    sites = {g.key: (g.devices, g.counts.failed) for g in cs.sites}
    assert sites == {"jc-city": (6, 2), "jc-north": (4, 0), "jc-east": (5, 0)}
    categories = [g.key for g in cs.categories]
    assert categories == ["identity", "audit", "snmp", "ntp"]  # the standard's areas first
    one_site = _model(compliance_world, lang, site="jc-north").compliance
    assert one_site is not None and {d.site for d in one_site.devices} == {"jc-north"}


@pytest.mark.parametrize("lang", LANGS)
def test_markdown_section_is_valid_gfm_with_failing_rules_and_fixes(compliance_world, lang):
    t = Translator(lang)
    r = _model(compliance_world, lang)
    md = render_md(r, environment())
    doc = parse(md)
    assert doc.html == [] and {info for info, _ in doc.fences} <= {"diff", "text"}
    assert_tables_whole(doc)
    _check_headings(doc, _levels(md))
    _as_github_reads_it(md, doc)
    title = f"6 {t('compliance.title')}"
    assert doc.headings.index(f"5 {t('findings.title')}") < doc.headings.index(title) \
        < doc.headings.index(f"7 {t('changes.title')}")
    assert f"[{title}](#" in md  # in the contents
    pass_, fail, na, unknown = (t(f"compliance.status.{s}") for s in ("pass", "fail", "not_applicable", "unknown"))
    by_device = next(x for x in doc.tables if x.header == [t("col.device"), t("col.site"), pass_, fail, na, unknown])
    rows = {row[0]: row[2:] for row in by_device.rows}
    assert len(rows) == 15 and rows["city-core-01"] == ["3", "2", "0", "0"] and rows["north-wan-01"] == ["3", "0", "1", "1"]
    failing = next(x for x in doc.tables if t("col.evidence") in x.header)
    assert [row[1:5] for row in failing.rows] == [
        ["8.1.4.1 d)", TITLES["no-telnet"][lang], t("compliance.category.identity"), LEVELS[lang]["critical"]],
        ["8.1.4.3 a)", TITLES["logging-host"][lang], t("compliance.category.audit"), LEVELS[lang]["major"]]]
    # The hostile evidence is that text in its one cell: no link, tag, emphasis or control character.
    assert failing.rows[1][5] == SHOWN_EVIDENCE
    assert ("text", "\n".join(FIX["no-telnet"]) + "\n") in doc.fences
    assert ("text", "\n".join(FIX["logging-host"]) + "\n") in doc.fences
    changes = [x for x in doc.tables if x.header[-2:] == [t("col.previous"), t("col.current")]]
    assert [[row[0], row[1], row[4], row[5]] for x in changes for row in x.rows] == [
        ["city-core-01", "8.1.4.3 a)", pass_, fail], ["city-core-01", "8.1.4.1 b)", fail, pass_]]
    section = _section(md, t)
    assert t("compliance.compared", previous=r.previous_label, new=1, fixed=1) in section
    assert t("compliance.passed_list", n=3, clauses=t("compliance.clause_sep").join(
        ["8.1.4.1 b)", "8.1.4.2 a)", "8.1.4.3 c)"])) in section.replace("\\", "")


class _Html(HTMLParser):
    """Tags, and the text of the compliance section's cells and <pre> blocks."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.section = ""
        self.inside = False
        self.text: list[str] = []
        self.pre: list[str] = []
        self._in_pre = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "section":
            self.inside = dict(attrs).get("id") == "s-compliance"
        self._in_pre = self._in_pre or (tag == "pre" and self.inside)
        if self._in_pre and tag == "pre":
            self.pre.append("")

    def handle_endtag(self, tag):
        if tag == "pre":
            self._in_pre = False

    def handle_data(self, data):
        if self.inside:
            self.text.append(data)
            if self._in_pre:
                self.pre[-1] += data


@pytest.mark.parametrize("lang", LANGS)
def test_html_section_escapes_evidence_and_shows_the_fix(compliance_world, lang):
    t = Translator(lang)
    html = render_html(_model(compliance_world, lang), environment())
    view = _Html()
    view.feed(html)
    assert "script" not in view.tags
    assert '<a href="#s-compliance">6 ' in html and '<section id="s-compliance">' in html
    text = "".join(view.text)
    assert SHOWN_EVIDENCE in text and TITLES["logging-host"][lang] in text and LEVELS[lang]["critical"] in text
    assert "\n".join(FIX["no-telnet"]) in view.pre and "\n".join(FIX["logging-host"]) in view.pre
    assert t("fmt.count", name=t("compliance.newly_failing"), n=1) in text


@pytest.mark.parametrize("lang", LANGS)
def test_docx_chapter_tables_and_monospace_fix(compliance_world, lang, tmp_path):
    from docx import Document

    t = Translator(lang)
    doc = Document(str(write_docx(_model(compliance_world, lang), tmp_path / "r.docx")))
    level1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert level1[4:7] == [f"5 {t('findings.title')}", f"6 {t('compliance.title')}", f"7 {t('changes.title')}"]
    code = [p.text for p in doc.paragraphs if p.style.name == "Code"]
    assert FIX["no-telnet"][1] in code and FIX["logging-host"][0] in code  # the fix, indentation kept
    cells = [[c.text for c in row.cells] for x in doc.tables for row in x.rows]
    assert ["city-core-01", "江川市水务局 市中心机房", "3", "2", "0", "0"] in cells
    failing = next(row for row in cells if row[:2] == ["2", "8.1.4.3 a)"])
    assert failing[2] == TITLES["logging-host"][lang] and failing[5] == clean_text(HOSTILE_EVIDENCE)


@pytest.mark.parametrize("lang", LANGS)
def test_xlsx_sheet_one_row_per_device_and_rule(compliance_world, lang, tmp_path):
    from openpyxl import load_workbook

    t = Translator(lang)
    path = write_xlsx(_model(compliance_world, lang), tmp_path / "r.xlsx")
    assert _formulas_in(str(path)) == []
    sheet = load_workbook(path)[t("xlsx.compliance")]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:L{1 + 15 * len(RULES)}"
    header = [c.value for c in sheet[1]]
    assert header == [t(k) for k in ("col.device", "col.site", "col.platform", "col.pack", "col.rule", "col.clause",
                                     "col.requirement", "col.category", "col.status", "col.level", "col.evidence",
                                     "col.fix")]
    rows = {(r[0].value, r[4].value): r for r in sheet.iter_rows(min_row=2)}
    assert len(rows) == 15 * len(RULES)
    row = rows[("city-core-01", "logging-host")]
    assert [c.value for c in row[5:10]] == ["8.1.4.3 a)", TITLES["logging-host"][lang], t("compliance.category.audit"),
                                          t("compliance.status.fail"), LEVELS[lang]["major"]]
    evidence = row[10]
    assert evidence.value == clean_text(HOSTILE_EVIDENCE) and evidence.data_type == "s" and evidence.quotePrefix
    assert row[11].value == "\n".join(FIX["logging-host"])
    assert rows[("north-wan-01", "ntp-server")][8].value == t("compliance.status.not_applicable")
    assert not [c for r in sheet.iter_rows() for c in r if c.data_type == "f"]


@pytest.mark.parametrize("lang", LANGS)
def test_a_period_without_records_says_so_in_one_sentence(world, lang, tmp_path):
    from openpyxl import load_workbook

    t = Translator(lang)
    r = _model(world, lang)
    assert r.compliance is None
    md = render_md(r, environment())
    assert _section(md, t).strip().splitlines()[1:] == ["", t("compliance.none")]
    assert f"<p>{t('compliance.none')}</p>" in render_html(r, environment())
    assert t("compliance.none") in _docx_text(write_docx(r, tmp_path / "r.docx"))
    assert t("xlsx.compliance") not in load_workbook(write_xlsx(r, tmp_path / "r.xlsx")).sheetnames


@pytest.mark.parametrize("lang", LANGS)
def test_the_first_period_with_records_has_nothing_to_compare(compliance_world, lang):
    t = Translator(lang)
    first = _model(compliance_world, lang, period=Q2)
    assert first.compliance is not None and not first.compliance.compared
    assert t("compliance.not_compared") in render_md(first, environment())


def test_records_are_read_at_the_inspection_tag(compliance_world):
    """A record changed after the inspection (working tree, later commit) does not change the report."""
    _, _, store = compliance_world
    path = "compliance/2026Q3/jc-city/city-core-01.json"
    record = DeviceCompliance.model_validate_json(store.read_file(path))
    passing = [x.model_copy(update={"status": "pass"}) for x in record.results]
    store.write_file(path, record.model_copy(update={"results": passing}).model_dump_json(by_alias=True))
    store.commit("later\n", paths=["compliance"])
    core = next(d for d in _model(compliance_world, "en").compliance.devices if d.host == "city-core-01")
    assert core.counts.failed == 2
    # An untagged period (an interrupted run) is read from the working tree; a damaged record names its file.
    store.write_file("compliance/2026Q4/jc-city/city-core-01.json", "{}")
    with pytest.raises(StoreError, match=r"compliance/2026Q4/jc-city/city-core-01\.json: field 'period'"):
        load_compliance(store, "2026Q4")


@pytest.mark.parametrize("lang", LANGS)
def test_the_section_is_in_the_report_language(compliance_world, lang, tmp_path):
    """Titles, categories, statuses and levels in the language; what stays as it is: rule and pack
    ids, evidence and commands (device text), as the language test treats config lines."""
    r = _model(compliance_world, lang)
    ids = {x for d in r.compliance.devices for rule in d.rules
           for x in (rule.pack, rule.rule, *rule.evidence, *map(clean_text, rule.evidence),
                     *(line.strip() for line in rule.remediation))}
    supplied = sorted({*_supplied(compliance_world, r), *ids, *(g.name for g in r.compliance.packs)},
                      key=len, reverse=True)
    for name, text, html in (("md", render_md(r, environment()), False), ("html", render_html(r, environment()), True)):
        offenders = _offenders(_prose(text, html, supplied), lang)
        assert not offenders, f"{lang} {name}:\n" + "\n".join(offenders[:20])
    for name, text in (("docx", _docx_text(write_docx(r, tmp_path / "r.docx"))),
                       ("xlsx", _xlsx_text(write_xlsx(r, tmp_path / "r.xlsx")))):
        offenders = _offenders(_plain(text, supplied), lang)
        assert not offenders, f"{lang} {name}:\n" + "\n".join(offenders[:20])


def test_world_records_hold_what_the_section_shows(compliance_world):
    """The world's own records: what the assertions above count (15 devices x RULES, both periods)."""
    _, _, store = compliance_world
    for period in (Q2, Q3):
        records = load_compliance(store, period)
        assert len(records) == 15 and all(len(x.results) == len(RULES) for x in records.values())


@needs_chromium
@pytest.mark.parametrize("lang", LANGS)
def test_html_section_fits_a4_with_the_widest_device_text(compliance_world, lang, tmp_path):
    """Long config lines and unbroken tokens as evidence and fix stay inside the A4 text column."""
    r = _model(compliance_world, lang)
    for d in r.compliance.devices:
        d.rules = [dataclasses.replace(x, evidence=(CONFIG_LINE, TOKEN, INTERFACES), remediation=(CONFIG_LINE, f" {TOKEN}"))
                   if x.status == "fail" else x for x in d.rules]
    verdict = a4_layout(render_html(r, environment()), tmp_path)
    assert verdict["scroll"] <= verdict["viewport"], verdict
    assert verdict["over"] == [], verdict["over"][:5]


def test_packs_are_named_by_their_title_in_the_report_language(compliance_world):
    """A pack's title comes from the packs as the workspace loads them; a workspace whose packs no
    longer load still gets its report, the pack named by its id."""
    from netpatrol.report.compliance import _pack_names

    ws, _, _ = compliance_world
    folder = ws.root / "compliance"
    folder.mkdir(exist_ok=True)
    (folder / "site.yaml").write_text("pack: site-baseline\ntitle: {zh-CN: 本单位基线, en: Site baseline}\nrules: []\n",
                                      encoding="utf-8")
    assert _pack_names(ws.root, Translator("zh-CN"), {"site-baseline"}) == {"site-baseline": "本单位基线"}
    assert _pack_names(ws.root, Translator("en"), {"site-baseline"}) == {"site-baseline": "Site baseline"}
    (folder / "site.yaml").write_text("pack: site-baseline\nrules: [{id: x}]\n", encoding="utf-8")
    assert _pack_names(ws.root, Translator("en"), {"site-baseline"}) == {}
    assert _model(compliance_world, "en").compliance is not None  # the report is still written



@pytest.mark.lab
def test_inspect_on_the_lab_reports_its_baseline(lab_workspace, tmp_path):
    """End to end: `backup` and `inspect` on the lab commit the period's records; the report of that
    period shows them in every format, counted as recorded, with no secret value anywhere."""
    from typer.testing import CliRunner

    from netpatrol.cli.root import app
    from netpatrol.store.repo import Store
    from netpatrol.workspace.inventory import load_inventory
    from netpatrol.workspace.settings import Workspace
    from test_secrets_scan import leaks

    for command in (["backup"], ["inspect", "--period", "2026Q3", "--backfill"]):
        res = CliRunner().invoke(app, [*command, "-w", str(lab_workspace), "--json"])
        assert res.exit_code == 0, res.output
    ws, inv = Workspace(lab_workspace), load_inventory(lab_workspace)
    store = Store(lab_workspace / "backups").open_or_init()
    try:
        records = load_compliance(store, "2026Q3")
        assert set(records) == set(inv.hosts)
        for lang in LANGS:
            t = Translator(lang)
            r = build_report(ws.settings, inv, store, ReportRequest(period="2026Q3", lang=lang))
            cs = r.compliance
            assert cs is not None and {d.host for d in cs.devices} == set(inv.hosts)
            assert cs.counts.total == sum(len(x.results) for x in records.values())
            assert cs.counts.failed == sum(x.status == "fail" for rec in records.values() for x in rec.results) > 0
            md = render_md(r, environment())
            doc = parse(md)
            assert_tables_whole(doc)
            pass_, fail = t("compliance.status.pass"), t("compliance.status.fail")
            by_device = next(x for x in doc.tables if x.header[:4] == [t("col.device"), t("col.site"), pass_, fail])
            assert {row[0]: int(row[3]) for row in by_device.rows} == {
                h: sum(x.status == "fail" for x in rec.results) for h, rec in records.items()}
            fences = {content for info, content in doc.fences if info == "text"}
            assert all("\n".join(x.remediation) + "\n" in fences for d in cs.devices for x in d.failing if x.remediation)
            html = render_html(r, environment())
            docx = _docx_text(write_docx(r, tmp_path / f"r-{lang}.docx"))
            xlsx = _xlsx_text(write_xlsx(r, tmp_path / f"r-{lang}.xlsx"))
            for name, text in (("md", md), ("html", html), ("docx", docx), ("xlsx", xlsx)):
                assert t("compliance.title") in text, name
                assert leaks(text) == [], name
    finally:
        store.close()


# --- notes in the report's language, clauses neutral (issue 14 follow-up) ---------------------------

NOTED_CONFIG = """hostname city-core-01
line vty 0 4
 exec-timeout 30 0
 transport input ssh
"""
ENGLISH_NOTE = ("required command", "not configured", "must be", "does not apply", "no line matches",
                "checked at backup", "see the fix", "the rule")


def _noted_world(compliance_world, monkeypatch):
    """city-core-01's record as the engine writes it for a real IOS config against dengbao-l3: config
    lines, notes in both languages (missing commands, a value read, at-backup rules with no verdict)
    and the inspection-sheet items (a clause with the mark, login-banner without a clause)."""
    from netpatrol.compliance.evaluate import evaluate
    from netpatrol.compliance.loader import load_packs
    from netpatrol.report import compliance as section

    stored = section.load_compliance

    def load(store, period):
        records = stored(store, period)
        rec = records["city-core-01"]
        results = evaluate([p for p in load_packs(None) if p.pack == "dengbao-l3"], host=rec.host, site=rec.site,
                           platform="cisco_ios", config=NOTED_CONFIG, backup=None)
        records["city-core-01"] = rec.model_copy(update={"platform": "cisco_ios", "results": results, "changes": []})
        return records

    monkeypatch.setattr(section, "load_compliance", load)
    return compliance_world


def _sheet_rows(path, t: Translator) -> dict[str, list]:
    from openpyxl import load_workbook

    sheet = load_workbook(path)[t("xlsx.compliance")]
    return {r[4].value: [c.value for c in r] for r in sheet.iter_rows(min_row=2) if r[0].value == "city-core-01"}


def _docx_evidence(path, t: Translator) -> str:
    """The evidence cells of the Word chapter's failed-rule tables (the rest quotes the inventory)."""
    from docx import Document

    out = []
    for table in Document(str(path)).tables:
        header = [c.text for c in table.rows[0].cells]
        if t("col.evidence") in header and header[0] == "#":
            col = header.index(t("col.evidence"))
            out += [row.cells[col].text for row in table.rows[1:]]
    return "\n".join(out)


@pytest.mark.parametrize("lang", LANGS)
def test_evidence_notes_and_the_checklist_mark_are_in_the_report_language(compliance_world, monkeypatch, tmp_path,
                                                                          lang):
    t = Translator(lang)
    r = _model(_noted_world(compliance_world, monkeypatch), lang)
    core = next(d for d in r.compliance.devices if d.host == "city-core-01")
    rules = {x.rule: x for x in core.rules}
    # The clause stays the standard's number; the mark comes from the messages catalogue.
    assert rules["ntp-server"].clause_id == "8.1.4.3 b)"
    assert rules["ntp-server"].clause == "8.1.4.3 b)" + t("compliance.checklist_mark")
    assert rules["login-banner"].clause_id is None and rules["login-banner"].clause == t("compliance.checklist_only")
    assert rules["vty-idle-timeout"].clause == "8.1.4.1 b)"
    rows = _sheet_rows(write_xlsx(r, tmp_path / "r.xlsx"), t)
    docx = _docx_evidence(write_docx(r, tmp_path / "r.docx"), t)
    evidence = "\n".join(str(row[10]) for row in rows.values() if row[10])
    value_line = "line vty 0 4 > exec-timeout 30 0"
    if lang == "zh-CN":
        assert rows["ntp-server"][5] == "8.1.4.3 b)\uff08核查表\uff09" and rows["login-banner"][5] == "核查表"
        assert rows["vty-idle-timeout"][10] == f"{value_line}\uff0830 分钟\uff0c应不大于 10 分钟\uff09"
        assert "未配置所需命令" in rows["ntp-server"][10] and "（见整改命令）" in rows["ntp-server"][10]  # noqa: RUF001
        assert "该规则在备份时检查" in rows["config-saved"][10]
        for text in (evidence, docx):
            assert "未配置所需命令" in text and "应不大于 10 分钟" in text
            assert not [w for w in ENGLISH_NOTE if w in text], [w for w in ENGLISH_NOTE if w in text]
    else:
        assert rows["ntp-server"][5] == "8.1.4.3 b) (inspection sheet)" and rows["login-banner"][5] == "Inspection sheet"
        assert rows["vty-idle-timeout"][10] == f"{value_line} (30 minutes; must be at most 10 minutes)"
        assert rows["ntp-server"][10].startswith("required command not configured")
        for text in (evidence, docx):
            assert "required command not configured" in text
        assert not re.search(r"[\u4e00-\u9fff]", evidence), evidence
        assert not re.search(r"[\u4e00-\u9fff]", docx), docx
    assert value_line in docx  # the device's line itself is the same in both


@pytest.mark.parametrize("lang", LANGS)
def test_markdown_and_html_show_notes_as_text_and_config_lines_as_code(compliance_world, monkeypatch, lang):
    t = Translator(lang)
    r = _model(_noted_world(compliance_world, monkeypatch), lang)
    md, html = render_md(r, environment()), render_html(r, environment())
    note = "required command not configured" if lang == "en" else "未配置所需命令"
    assert note in md and f"`{note}" not in md and note in html and f"<code>{note}" not in html
    assert "`line vty 0 4 > exec-timeout 30 0`" not in md  # a value note quotes the line inside its sentence
    mark = t("compliance.checklist_mark").strip()
    assert mark in _section(md, t) and mark in html
