"""The Word report, read back with python-docx: headings in order, the TOC field, the conclusion,
the inspection record, A4 pages and CJK fonts; hostile device text; and the lab world end to end."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from netpatrol.report.docx import DIFF_MAX_LINES, TOC_INSTRUCTION, write_docx
from netpatrol.report.model import (
    Action,
    Conclusion,
    ConfigChange,
    DeviceRow,
    FindingRow,
    ItemProblem,
    LevelRow,
    PeriodComparison,
    RawOutput,
    RecordRow,
    ReportModel,
    SiteSection,
    SiteState,
)
from netpatrol.workspace.models import SiteArchive

RECORD = [("cpu", "CPU 利用率", "abnormal", "93%"), ("memory", "内存利用率", "normal", "41%"),
          ("fans", "风扇", "normal", "2/2 正常"), ("license", "许可证", "unsupported", "—"),
          ("ntp", "时钟同步", "not_collected", "—")]
STATUS_ZH = {"normal": "正常", "abnormal": "异常", "unsupported": "不支持", "not_collected": "未采集"}


def _device(host: str, site: str, platform: str, name: str, record=RECORD, **kw) -> DeviceRow:
    values = dict(host=host, site=site, platform=platform, role=None, status="ok", error=None, model="S5735",
                  serial="SN1", version="V200R021", uptime_seconds=90 * 86400, cpu=93.0, memory=41.0,
                  temperature=40.0, fans=(2, 2), psus=(2, 2), interfaces_up=10, interfaces_down=2,
                  config_saved=True, last_backup="2026-12-01", last_backup_commit="abc", collected_at=None,
                  platform_name=name, record=[RecordRow(*x) for x in record])
    values.update(kw)
    return DeviceRow(**values)


def _finding(host: str, site: str, title: str, evidence: tuple[str, ...], severity: str = "critical",
             level: str = "重大一级") -> FindingRow:
    return FindingRow(host=host, site=site, severity=severity, check="cpu_percent", key=f"cpu_percent:{host}",
                      title=title, detail="; ".join(evidence), recommendation="排查占用 CPU 的进程", change="new",
                      level=level, evidence=evidence)


def build_model(hostile: str | None = None, diff_lines: int = 10) -> ReportModel:
    """A zh-CN report with every part filled; `hostile` goes into every device-derived text."""
    h = hostile or ""
    core = _device("core-01", "jc-city", "huawei_vrp", "Huawei VRP", model="CE6881" + h, version="V200" + h,
                   record=[*RECORD[:-1], ("ntp", "时钟同步", "not_collected", "—" + h)])
    north = _device("north-01", "jc-north", "cisco_nxos", "Cisco NX-OS")
    down = _device("east-01", "jc-north", "cisco_ios", "Cisco IOS / IOS-XE", record=[], status="unreachable",
                   error="timed out" + h, cpu=None, memory=None)
    north.problems = [ItemProblem(item="logs", status="no_template", command="display logbuffer",
                                  error="no template" + h)]
    cpu = _finding("core-01", "jc-city", "CPU 利用率过高" + h, ("CPU 利用率 93% 超过 90%" + h, "持续 3 次采样"))
    info = _finding("north-01", "jc-north", "运行时间不足 1 天", ("运行时间 1 小时",), "info", "提示")
    archive = SiteArchive(name="江川市水务局 市中心机房" + h, unit="信息中心", address="江川路 1 号")
    sites = [SiteSection("jc-city", archive, [core], [cpu]),
             SiteSection("jc-north", SiteArchive(name="北山县水务局"), [north, down], [info])]
    levels = [LevelRow("critical", "重大一级", 1, "10 分钟", "4 小时"), LevelRow("major", "重大二级", 0, "10 分钟", "8 小时"),
              LevelRow("minor", "一般故障", 0, "10 分钟", None), LevelRow("info", "提示", 1, None, None)]
    conclusion = Conclusion(
        overall="本期巡检结论：核心交换机 CPU 过高 须在 4 小时内处理。" + h,
        sites=[SiteState("jc-city", "江川市水务局 市中心机房", "abnormal", 1, 1, {"critical": 1}),
               SiteState("jc-north", "北山县水务局", "attention", 2, 1, {"info": 1})],
        key_risks=[cpu],
        actions=[Action("critical", "重大一级", "core-01", "jc-city", "CPU 利用率过高", "排查进程",
                        "4 小时内 (2026-12-05 14:40 +08:00 前)")])
    diff = "\n".join(f"+line {i} {h}" for i in range(diff_lines))
    return ReportModel(
        lang="zh-CN", period="2026Q4", previous_period="2026Q3", client="江川市水务局" + h,
        provider="青禾网络运维服务有限公司" + h, inspector="李工", report_date="2026-12-05",
        inspection_start="2026-12-01", inspection_end="2026-12-05", scope=None, tool_version="0.1.0",
        sites=sites, findings=[cpu, info], severity_counts={"critical": 1, "major": 0, "minor": 0, "info": 1},
        top_risks=[cpu], config_changes=[ConfigChange("core-01", "jc-city", "modified", diff_lines, 0, diff)],
        config_range=("abc1234", "def5678"),
        comparison=PeriodComparison(previous_period="2026Q3", new=[cpu, info]),
        appendix=[RawOutput("core-01", "display_version", "Huawei Versatile Routing Platform\n" + h)],
        period_label="2026年第四季度", levels=levels, conclusion=conclusion, timezone="Asia/Shanghai (UTC+08:00)")


def _body_items(doc):
    """Paragraphs and tables in document order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, doc)
        elif child.tag == qn("w:tbl"):
            yield Table(child, doc)


def _table_after(doc, heading_text: str):
    seen = False
    for item in _body_items(doc):
        if hasattr(item, "style") and item.style.name.startswith("Heading") and heading_text in item.text:
            seen = True
        elif seen and hasattr(item, "rows"):
            return item
    raise AssertionError(f"no table after heading {heading_text!r}")


def test_docx_structure_toc_conclusion_record_page_and_fonts(tmp_path: Path):
    path = write_docx(build_model(), tmp_path / "r.docx")
    doc = Document(str(path))
    headings = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")]
    level1 = [text for style, text in headings if style == "Heading 1"]
    assert level1 == ["1 巡检结论", "2 巡检概述", "3 单位档案与设备运行状况", "4 巡检记录表", "5 问题清单与整改建议",
                      "6 安全基线核查", "7 配置变更记录", "8 与上期巡检对比", "9 数据采集与解析说明", "10 附录"]
    assert ("Heading 2", "江川市水务局 市中心机房") in headings  # the archive's name, not "jc-city"
    records = headings[headings.index(("Heading 1", "4 巡检记录表")) + 1:headings.index(("Heading 1", "5 问题清单与整改建议"))]
    assert records == [("Heading 2", "江川市水务局 市中心机房"), ("Heading 3", "core-01 · Huawei VRP"),
                       ("Heading 2", "北山县水务局"), ("Heading 3", "north-01 · Cisco NX-OS"),
                       ("Heading 3", "east-01 · Cisco IOS / IOS-XE")]
    assert ("Heading 2", "重大一级 (1)") in headings and not any("critical" in text for _, text in headings)
    # The cover: title, period label, sign-off table; no heading style there (it would enter the TOC).
    titles = [p.text for p in doc.paragraphs if p.style.name == "Title"]
    assert titles == ["江川市水务局", "网络设备季度巡检报告"]
    assert any(p.style.name == "Subtitle" and p.text == "2026年第四季度" for p in doc.paragraphs)
    signoff = doc.tables[1]
    assert [c.text for c in signoff.rows[0].cells] == [" ", "维保服务单位", "客户单位"]
    assert [r.cells[0].text for r in signoff.rows[1:]] == ["单位名称", "签字", "日期", "盖章"]
    # A real TOC field Word fills on open, and a line saying what to do when it is empty.
    body = doc.element.xml
    assert TOC_INSTRUCTION in body and 'TOC \\o "1-3" \\h \\z \\u' in body
    assert 'w:fldCharType="begin"' in body and "更新域" in body
    assert doc.settings.element.find(qn("w:updateFields")).get(qn("w:val")) == "true"
    # The conclusion follows its heading.
    texts = [p.text for p in doc.paragraphs]
    assert "本期无该设备的巡检记录。 (不可达)" in texts  # the unreachable device's record says why it is empty
    assert texts[texts.index("1 巡检结论") + 1].startswith("本期巡检结论：核心交换机 CPU 过高")
    actions = _table_after(doc, "后续工作与处理时限")
    assert "4 小时内 (2026-12-05 14:40 +08:00 前)" in [c.text for c in actions.rows[1].cells]
    # The inspection record: its columns and one row per catalogue item, states in words.
    record = _table_after(doc, "core-01 · Huawei VRP")
    assert [c.text for c in record.rows[0].cells] == ["#", "检查项", "结果", "实测值"]
    rows = [[c.text for c in r.cells] for r in record.rows[1:]]
    assert [r[1] for r in rows] == [x[1] for x in RECORD]
    assert [r[2] for r in rows] == [STATUS_ZH[x[2]] for x in RECORD] and rows[0][3] == "93%"
    assert record.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    # The contract's levels and times in the summary.
    levels = _table_after(doc, "故障等级与处理时限")
    assert [c.text for c in levels.rows[1].cells] == ["重大一级", "1", "10 分钟", "4 小时"]
    # A4 with the margins, page numbers in the footer.
    section = doc.sections[0]
    cm = [round(x.cm, 2) for x in (section.page_width, section.page_height, section.top_margin, section.bottom_margin,
                                   section.left_margin, section.right_margin)]
    assert cm == [21.0, 29.7, 2.5, 2.5, 2.0, 2.0]  # A4 (stored in twips)
    footer = section.footer.paragraphs[0]._p.xml
    assert " PAGE " in footer and " NUMPAGES " in footer
    assert section.different_first_page_header_footer  # none on the cover
    assert section.header.paragraphs[0].text == "江川市水务局 · 网络设备季度巡检报告 · 2026年第四季度"
    # East Asian fonts set apart from the Latin ones, no theme font overriding them.
    for style, east_asian in (("Normal", "宋体"), ("Heading 1", "黑体"), ("Heading 2", "黑体")):
        fonts = doc.styles[style].element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) == east_asian and fonts.get(qn("w:ascii"))
        assert fonts.get(qn("w:eastAsiaTheme")) is None and fonts.get(qn("w:asciiTheme")) is None
    assert doc.core_properties.author == "青禾网络运维服务有限公司"
    assert doc.core_properties.title == "江川市水务局 · 网络设备季度巡检报告 · 2026年第四季度"
    # Editable: text only.
    assert not [n for n in zipfile.ZipFile(path).namelist() if n.startswith("word/media/")]


def test_docx_diff_is_monospace_and_cut_with_a_note(tmp_path: Path):
    doc = Document(str(write_docx(build_model(diff_lines=DIFF_MAX_LINES + 50), tmp_path / "r.docx")))
    code = [p.text for p in doc.paragraphs if p.style.name == "Code"]
    assert code[0] == "+line 0 " and f"+line {DIFF_MAX_LINES - 1} " in code
    assert f"+line {DIFF_MAX_LINES} " not in code
    notes = [p.text for p in doc.paragraphs if p.text.startswith(f"差异共 {DIFF_MAX_LINES + 50} 行")]
    assert len(notes) == 1 and f"此处列出前 {DIFF_MAX_LINES} 行" in notes[0]
    fonts = doc.styles["Code"].element.rPr.rFonts
    assert fonts.get(qn("w:ascii")) == "Consolas"


@pytest.mark.parametrize("hostile", [
    "\x00\x01\x08\x0b\x0c\x1b[2J\x7f",  # XML-illegal controls (lxml refuses them) and a terminal escape
    "</w:t></w:r></w:p><w:p><w:r><w:t>injected",  # markup stays text
    "\u202eevil\u202c\u2066",  # bidi overrides reorder what the client reads
    "x" * 50000,  # a line far longer than a page
    "\ud800\ufffe\uffff",  # a lone surrogate and non-characters
])
def test_docx_hostile_values_stay_text_and_the_file_reopens(tmp_path: Path, hostile: str):
    path = write_docx(build_model(hostile), tmp_path / "r.docx")
    doc = Document(str(path))
    text = "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    assert "江川市水务局" in text and "core-01" in text
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\u202a-\u202e\u2066-\u2069]", text)
    if "<w:p>" in hostile:
        assert "</w:t></w:r></w:p><w:p><w:r><w:t>injected" in text  # literally, as text
        assert "injected" not in [p.text for p in doc.paragraphs]
    if hostile.startswith("xxx"):
        assert max(len(p.text) for p in doc.paragraphs) <= 20000
    with zipfile.ZipFile(path) as z:  # every part is well-formed XML
        from lxml import etree

        for name in z.namelist():
            if name.endswith(".xml"):
                etree.fromstring(z.read(name))


def test_docx_in_english_uses_the_english_catalogue(tmp_path: Path):
    model = build_model()
    model.lang = "en"
    doc = Document(str(write_docx(model, tmp_path / "en.docx")))
    level1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert level1[0] == "1 Conclusion" and "4 Inspection records" in level1
    record = _table_after(doc, "core-01 · Huawei VRP")
    assert [c.text for c in record.rows[0].cells][1:] == ["Check item", "Result", "Value"]
    assert doc.paragraphs and "Update Field" in doc.element.xml


def test_xlsx_record_sheet_and_names_from_the_model(tmp_path: Path):
    from openpyxl import load_workbook

    from netpatrol.report.xlsx import write_xlsx

    wb = load_workbook(write_xlsx(build_model(), tmp_path / "r.xlsx"))
    assert "巡检记录表" in wb.sheetnames
    rows = list(wb["巡检记录表"].iter_rows(values_only=True))
    assert rows[0] == ("站点", "设备", "检查项", "结果", "实测值")
    core = [r for r in rows[1:] if r[1] == "core-01"]
    assert [r[2] for r in core] == [x[1] for x in RECORD] and core[0] == ("江川市水务局 市中心机房", "core-01",
                                                                            "CPU 利用率", "异常", "93%")
    findings = list(wb["问题清单"].iter_rows(values_only=True))
    assert findings[1][0] == "重大一级" and findings[1][5] == "CPU 利用率 93% 超过 90%\n持续 3 次采样"  # all evidence
    assert len(findings) == 3  # one row per problem
