"""The client report and the device archive, built from two real quarters in a real Git store."""

from __future__ import annotations

import csv
import re
from typing import get_args

import pytest
from typer.testing import CliRunner

from netpatrol.errors import TemplateError, UsageError
from netpatrol.inspection.results import DeviceStatus, ItemStatus
from netpatrol.report import ReportRequest, build_report, write_report
from netpatrol.report.i18n import LANGUAGES, catalogue
from netpatrol.report.render import PACKAGE_TEMPLATES, environment, render_html, render_md, tidy_markdown
from netpatrol.workspace.models import MachineRoom
from report_world import CHANGED, DROPPED, Q2, Q3, UNEXPLAINED

ALL_FORMATS = ["html", "md", "xlsx"]




def _model(world, lang="zh-CN", **kw):
    ws, inv, store = world
    return build_report(ws.settings, inv, store, ReportRequest(period=kw.pop("period", Q3), lang=lang, **kw))


def test_every_device_and_finding_is_in_the_markdown(world):
    ws, inv, _ = world
    md = render_md(_model(world, "en"), environment())
    for host in inv.hosts:
        assert f"| {host}" in md, host
    for title in ("Device could not be inspected", "Temperature above the device's own alarm limit",
                  "CPU utilisation high", "Memory utilisation high", "Device up for less than a day"):
        assert title in md
    assert "Slot1: 81 ℃ ≥ device limit 75 ℃" in md
    # A device not inspected: its state and a reference in the body, the raw error in the appendix.
    assert "| east-wan-01 | 东河县水务局 | Unreachable | raw text in appendix A.4 |" in md
    assert "#### A.4 east-wan-01 · Unreachable\n\n```text\nTCP connection to 127.31.3.2:22 timed out\n```" in md
    assert ws.settings.client in md and ws.settings.inspector in md
    # The contract's level names and times, one vocabulary.
    assert "| Major L1 | 1 | 10 minutes | 4 hours |" in md and "| General fault | 2 | 10 minutes | — |" in md
    assert "Critical" not in md and "Level 1 (重大一级)" not in md


def test_comparison_new_resolved_persisting(world):
    c = _model(world).comparison
    assert c.previous_period == Q2
    assert sorted((f.host, f.check) for f in c.new) == [
        ("city-agg-01", "temperature_over_limit"), ("east-acc-02", "recently_rebooted"), ("east-wan-01", "device_unreachable")]
    assert [(f.host, f.key) for f in c.resolved] == [("city-acc-01", "hardware:fan:2")]  # keyed by today's checks
    assert sorted(f.host for f in c.persisting) == ["city-core-01", "north-acc-01"]
    trend = {x.host: x for x in c.trends}
    assert (trend["city-core-01"].cpu_previous, trend["city-core-01"].cpu) == (78.0, 82.0)
    assert (trend["north-acc-01"].memory_previous, trend["north-acc-01"].memory) == (83.0, 85.0)
    assert "east-wan-01" not in trend  # unreachable: no measurement to trend


def test_config_changes_come_from_git_between_inspections(world):
    r = _model(world)
    assert [(c.host, c.added, c.removed) for c in r.config_changes] == [("city-core-01", 1, 1), ("north-wan-01", 1, 0)]
    md = render_md(r, environment())
    assert "+" + CHANGED["city-core-01"].strip() in md
    assert "-" + DROPPED["city-core-01"].strip() in md
    assert "```diff" in md
    device = {d.host: d for d in r.devices}
    assert device["city-core-01"].last_backup == "2026-08-01"
    assert device["city-core-02"].last_backup == "2026-05-10"


def test_first_period_has_no_baseline(world):
    r = _model(world, "en", period=Q2)
    assert r.previous_period is None and r.comparison.resolved == []
    assert {f.change for f in r.findings} == {"new"}
    md = render_md(r, environment())
    assert "This is the first inspection" in md


def test_parsing_problems_are_said_plainly(world):
    r = _model(world, "en")
    assert [(d.host, [p.status for p in d.problems]) for d in r.with_problems] == [
        ("north-core-01", ["unrecognised", "unsupported", "no_template"])]
    md = render_md(r, environment())
    assert ("| north-core-01 | Logs | `display logbuffer` | No parsing template | — | "
            "No parsing template for this command's output; raw text in appendix A.3 |") in md
    assert "Not supported by the device" in md
    # An output no template recognised: the status, the template tried, a reason; the device's
    # text (the error and the first line not explained) only in the appendix.
    assert ("| north-core-01 | Fans | `display fan` | Output not recognised | `huawei_vrp_display_fan.textfsm` | "
            "No parsing template recognised the layout of the output; raw text in appendix A.1 |") in md
    assert f"```text\nno template accounts for the output\nFirst line not recognised: {UNEXPLAINED}\n```" in md
    zh = render_md(_model(world, "zh-CN"), environment())
    assert ("| 输出格式未识别 | `huawei_vrp_display_fan.textfsm` | 没有解析模板能识别该输出的格式"
            "\uff1b原始信息见附录 A.1 |") in zh  # a full-width semicolon joins Chinese clauses
    assert f"首个未识别行: {UNEXPLAINED}" in zh


def test_site_filter_keeps_one_site(world):
    r = _model(world, site="jc-north")
    assert {d.site for d in r.devices} == {"jc-north"} and len(r.devices) == 4
    assert {f.host for f in r.findings} == {"north-acc-01"}
    with pytest.raises(UsageError, match="unknown site"):
        _model(world, site="nowhere")


def test_markdown_is_byte_identical_across_renders(world):
    first = render_md(_model(world), environment()).encode()
    second = render_md(_model(world), environment()).encode()
    assert first == second
    assert not re.search(r"\d{2}:\d{2}:\d{2}", first.decode())  # no run timestamps


def test_write_report_files_and_store_commit(world):
    ws, inv, store = world
    out = write_report(ws, inv, store, ReportRequest(period=Q3, lang="zh-CN"), ALL_FORMATS)
    assert sorted(out.files) == sorted(ALL_FORMATS)
    for fmt, path in out.files.items():
        assert path.parent == ws.reports / Q3 and path.name.endswith(f"-{Q3}-zh-CN.{fmt}") and path.stat().st_size > 1000
    assert out.commit and store.read_file("reports/2026Q3/report.md", out.commit) == out.files["md"].read_text(encoding="utf-8")
    again = write_report(ws, inv, store, ReportRequest(period=Q3, lang="zh-CN"), ["md"])
    assert again.commit is None  # same inputs, same report: Git shows no change
    html = out.files["html"].read_text(encoding="utf-8")
    assert "<svg" in html and "@page" in html and "<link" not in html and "<script" not in html
    assert "east-wan-01" in html and "温度超过设备告警门限" in html


def test_xlsx_sheets(world):
    from openpyxl import load_workbook

    ws, inv, store = world
    out = write_report(ws, inv, store, ReportRequest(period=Q3, lang="en"), ["xlsx"])
    wb = load_workbook(out.files["xlsx"])
    records = ["Inspection records"] if any(d.record for d in out.report.devices) else []
    assert wb.sheetnames == ["Summary", "Findings", "Device metrics", *records, "Site archive", "Config changes",
                             "Parse problems", "Raw error texts"]
    problems = list(wb["Parse problems"].iter_rows(min_row=2, values_only=True))
    # The reason in the report's words, pointing at the raw text on its own sheet.
    fans = next(p for p in problems if p[:2] == ("北山县水务局", "north-core-01") and p[3] == "display fan")
    assert fans[2] == "Fans" and fans[4:6] == ("Output not recognised", "huawei_vrp_display_fan.textfsm")
    assert fans[6].startswith("No parsing template recognised the layout of the output; raw text in appendix A.")
    assert len(problems) == 3
    ref = fans[6].rsplit(" ", 1)[1].rstrip(")")
    raw = {r[0]: r for r in wb["Raw error texts"].iter_rows(min_row=2, values_only=True)}
    assert raw[ref][1:4] == ("north-core-01", "Fans", "display fan")
    assert UNEXPLAINED in raw[ref][4] and "no template accounts for the output" in raw[ref][4]
    findings = [row for row in wb["Findings"].iter_rows(min_row=2, values_only=True)]
    assert len(findings) == 6  # 5 current + 1 resolved
    metrics = {row[1]: row for row in wb["Device metrics"].iter_rows(min_row=2, values_only=True)}
    assert set(metrics) == set(inv.hosts) and metrics["city-core-01"][8] == 82.0
    assert wb["Site archive"].max_row == 4


def test_catalogues_have_the_same_keys_and_templates_use_only_known_ones():
    zh, en = catalogue("zh-CN"), catalogue("en")
    assert set(zh) == set(en)
    used = set()
    for path in PACKAGE_TEMPLATES.glob("*.j2"):
        used |= set(re.findall(r"""\bt\(\s*['"]([\w.]+)['"]\s*[,)]""", path.read_text(encoding="utf-8")))
    assert len(used) > 50 and used <= set(zh), used - set(zh)
    dynamic = [f"room.{f}" for f in MachineRoom.model_fields] + \
        [f"status.{s}" for s in (*get_args(DeviceStatus), "missing")] + \
        [f"item.{s}" for s in get_args(ItemStatus)] + \
        [f"change.{s}" for s in ("new", "resolved", "persisting")] + [f"drift.{s}" for s in ("added", "removed", "modified")] + \
        [f"state.{s}" for s in ("normal", "attention", "abnormal")] + \
        [f"record.status.{s}" for s in ("normal", "abnormal", "unsupported", "not_collected")] + \
        [f"reason.{s}" for s in get_args(ItemStatus)] + ["reason.attempt_failed"] + \
        [f"conclusion.verdict.{s}" for s in ("normal", "attention", "abnormal")]
    assert set(dynamic) <= set(zh), set(dynamic) - set(zh)
    assert LANGUAGES == ("zh-CN", "en")


def test_workspace_template_overrides_the_builtin(world):
    ws, _, _ = world
    (ws.reports / "templates").mkdir(parents=True)
    (ws.reports / "templates" / "report.css").write_text("body { color: #123456; }\n", encoding="utf-8")
    html = render_html(_model(world), environment(ws.reports / "templates"))
    assert "#123456" in html and "@page" not in html
    (ws.reports / "templates" / "report.md.j2").write_text("{{ t('no.such.key') }}\n", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"no\.such\.key"):
        render_md(_model(world), environment(ws.reports / "templates"))


def test_tidy_markdown_separates_blocks_but_not_fenced_text():
    text = "# T\n| a |\n| - |\ntext\n```\n# prompt\n| x |\n```\n"
    assert tidy_markdown(text) == "# T\n\n| a |\n| - |\n\ntext\n```\n# prompt\n| x |\n```\n"


def _cli():
    from netpatrol.cli.root import app

    return app


def test_cli_report_and_errors(world):
    ws, _, _ = world
    runner = CliRunner()
    res = runner.invoke(_cli(), ["report", "-w", str(ws.root), "--format", "md,html", "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "2026Q3" in res.output and "-en.html" in res.output and "report.en.md" in res.output
    assert runner.invoke(_cli(), ["report", "-w", str(ws.root), "--format", "doc"]).exit_code == 2
    assert runner.invoke(_cli(), ["report", "-w", str(ws.root), "--period", "2026Q5"]).exit_code == 2
    res = runner.invoke(_cli(), ["report", "-w", str(ws.root), "--period", "2025Q1", "--format", "md"])
    assert res.exit_code == 0 and "nothing (first inspection)" in res.output  # no results: every device "missing"


def test_archive_merges_inventory_and_collected_facts(world):
    ws, inv, _ = world
    runner = CliRunner()
    for fmt in ("csv", "md", "xlsx"):
        res = runner.invoke(_cli(), ["archive", "-w", str(ws.root), "--format", fmt, "--lang", "en"])
        assert res.exit_code == 0, res.output
    path = next((ws.reports / "archive").glob("*.csv"))
    rows = {r["Device"]: r for r in csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines())}
    assert set(rows) == set(inv.hosts)
    assert rows["east-wan-01"]["Last inspection"] == "2026Q2 (2026-06-15)"  # unreachable in Q3: Q2 facts kept
    assert rows["city-core-01"]["Model"] == "MODEL-city-core-01" and rows["city-core-01"]["Purchased"] == "2023-04-18"
    assert "更换风扇模块" in rows["city-acc-01"]["Repairs / replacements"]
    md = next((ws.reports / "archive").glob("*.md")).read_text(encoding="utf-8")
    assert "RMA-2025-0814" in md and "3 楼 301 机房" in md
