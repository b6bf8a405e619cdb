"""The report's files from the lab world: the Word document end to end, names people read in the
workbook, file names per period and language, and the zh-CN default formats (DOCX and PDF)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from netpatrol.platforms.registry import PLATFORMS
from netpatrol.report import ReportRequest, write_report
from netpatrol.workspace.settings import Workspace
from report_world import HOSTILE_MODEL, Q3

SITE_NAMES = {"jc-city": "江川市水务局 市中心机房", "jc-north": "北山县水务局", "jc-east": "东河县水务局"}


def _cli(*args: str):
    from netpatrol.cli.root import app

    return CliRunner().invoke(app, list(args))


def _settings_line(ws: Workspace, key: str, value: str | None) -> Workspace:
    """netpatrol.yaml with the top-level `key` set to `value` (None: removed); a fresh Workspace."""
    path = ws.root / "netpatrol.yaml"
    text = re.sub(rf"(?m)^{key}:.*\n", "", path.read_text(encoding="utf-8"))
    path.write_text(text + (f"{key}: {value}\n" if value is not None else ""), encoding="utf-8")
    return Workspace(ws.root)


def test_docx_of_the_lab_world(world):
    ws, inv, store = world
    out = write_report(ws, inv, store, ReportRequest(period=Q3, lang="zh-CN"), ["docx"])
    path = out.files["docx"]
    assert path.name.endswith(f"-{Q3}-zh-CN.docx")
    doc = Document(str(path))
    headings = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")]
    level1 = [text.split(" ", 1)[1] for style, text in headings if style == "Heading 1"]
    assert level1 == ["巡检结论", "巡检概述", "单位档案与设备运行状况", "巡检记录表", "问题清单与整改建议", "安全基线核查",
                      "配置变更记录", "与上期巡检对比", "数据采集与解析说明", "附录"]
    level2 = [text for style, text in headings if style == "Heading 2"]
    # The world's parse problems carry device text: the body gives reasons, the appendix the text.
    assert level2[-1].startswith("附录 A") and any(p.style.name == "Code" for p in doc.paragraphs)
    assert set(SITE_NAMES.values()) <= set(level2) and not set(SITE_NAMES) & set(level2)
    cells = {c.text for t in doc.tables for r in t.rows for c in r.cells}
    assert set(inv.hosts) <= cells  # every device in the site tables
    assert {"Cisco NX-OS", "Huawei VRP"} <= cells and not set(PLATFORMS) & cells
    assert "温度超过设备告警门限" in cells and "city-core-01 配置差异" in level2
    assert {"重大一级 (1)", "重大二级 (1)", "提示 (1)"} <= set(level2)  # the contract's level names
    assert not any(word in text for _, text in headings for word in ("critical", "major", "严重", "重要"))


def test_docx_of_the_hostile_world_reopens(hostile_world):
    ws, inv, store = hostile_world
    out = write_report(ws, inv, store, ReportRequest(period=Q3, lang="zh-CN", appendix=True), ["docx"])
    doc = Document(str(out.files["docx"]))
    cells = {c.text for t in doc.tables for r in t.rows for c in r.cells}
    assert HOSTILE_MODEL in cells  # a formula-looking model is plain text in Word
    code = "\n".join(p.text for p in doc.paragraphs if p.style.name == "Code")
    assert "# fake heading" in code and "# all devices healthy" in code  # device text stays code, not headings
    assert not any(p.text.startswith("# ") for p in doc.paragraphs if p.style.name.startswith("Heading"))


def test_xlsx_shows_names_and_local_times(world):
    from openpyxl import load_workbook

    ws, inv, store = world
    ws = _settings_line(ws, "timezone", "Asia/Shanghai")
    out = write_report(ws, inv, store, ReportRequest(period=Q3, lang="zh-CN"), ["xlsx"])
    wb = load_workbook(out.files["xlsx"])
    metrics = list(wb["设备指标"].iter_rows(values_only=True))
    header, rows = metrics[0], metrics[1:]
    column = {name: i for i, name in enumerate(header)}
    assert {r[column["站点"]] for r in rows} == set(SITE_NAMES.values())
    platforms = {r[column["平台"]] for r in rows}
    assert {"Cisco NX-OS", "Huawei VRP", "Juniper Junos"} <= platforms and not platforms & set(PLATFORMS)
    collected = {r[column["设备"]]: r[column["采集时间"]] for r in rows}
    assert collected["city-core-01"].endswith("+08:00")  # the stored UTC time, shown in the workspace's zone
    findings = list(wb["问题清单"].iter_rows(min_row=2, values_only=True))
    assert {f[1] for f in findings} <= set(SITE_NAMES.values())
    assert {f[0] for f in findings} == {"重大一级", "重大二级", "一般故障", "提示"}  # the contract's names, one vocabulary
    summary = {r[0] for r in wb["概要"].iter_rows(values_only=True)}
    assert {"重大一级", "提示"} <= summary and not {"critical", "严重", "重要"} & summary


def test_lang_en_after_zh_cn_leaves_both_file_sets(world):
    ws, _, store = world
    for lang in ("zh-CN", "en"):
        res = _cli("report", "-w", str(ws.root), "--format", "docx,md,xlsx", "--lang", lang)
        assert res.exit_code == 0, res.output
    names = sorted(p.name for p in (ws.reports / Q3).iterdir())
    stem = "江川市水务局-Jiangchuan-Municipal-Water-Authority-2026Q3"
    assert names == sorted(f"{stem}-{lang}.{ext}" for lang in ("zh-CN", "en") for ext in ("docx", "md", "xlsx"))
    assert "巡检概述" in (ws.reports / Q3 / f"{stem}-zh-CN.md").read_text(encoding="utf-8")
    assert "巡检概述" not in (ws.reports / Q3 / f"{stem}-en.md").read_text(encoding="utf-8")
    # In the store the workspace's language stays where its history is; English goes beside it.
    assert (ws.reports / Q3 / f"{stem}-zh-CN.md").read_text(encoding="utf-8") == store.read_file("reports/2026Q3/report.md")
    assert (ws.reports / Q3 / f"{stem}-en.md").read_text(encoding="utf-8") == store.read_file("reports/2026Q3/report.en.md")


@pytest.fixture
def no_pdf(monkeypatch: pytest.MonkeyPatch) -> str:
    reason = "weasyprint cannot load pango (no libpango)"
    monkeypatch.setattr("netpatrol.report.publish.pdf_available", lambda: reason)
    monkeypatch.setattr("netpatrol.report.pdf.pdf_available", lambda: reason)
    return reason


def test_zh_cn_defaults_are_docx_and_pdf_and_a_missing_pdf_is_skipped(world, no_pdf):
    ws, _, _ = world
    ws = _settings_line(ws, "report_formats", None)
    assert ws.settings.report_formats == ["docx", "pdf"]
    res = _cli("report", "-w", str(ws.root), "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert sorted(doc["files"]) == ["docx"] and no_pdf in doc["skipped"]["pdf"]
    assert Path(doc["files"]["docx"]).is_file() and not list((ws.reports / Q3).glob("*.pdf"))
    res = _cli("report", "-w", str(ws.root))
    assert res.exit_code == 0 and "warning: PDF not written" in res.stderr and "install-system-deps" in res.stderr
    # Asked for, a PDF that cannot be written is an error, as before.
    assert _cli("report", "-w", str(ws.root), "--format", "docx,pdf").exit_code == 2
    _settings_line(ws, "report_formats", "[docx, pdf]")
    assert _cli("report", "-w", str(ws.root)).exit_code == 2


def test_en_defaults_and_explicit_formats(world):
    ws, _, _ = world
    assert _settings_line(ws, "report_formats", None).settings.report_formats == ["docx", "pdf"]
    assert _settings_line(ws, "language", "en").settings.report_formats == ["html", "md"]
    assert _settings_line(ws, "report_formats", "[md, docx]").settings.report_formats == ["md", "docx"]
