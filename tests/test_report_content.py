"""What the client report says, on the two real quarters of report_world: one row per problem,
the contract's levels and times, the conclusion and its deadlines in local time, the inspection
record, the contents, period labels."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import yaml

from md_check import parse
from netpatrol.inspection.results import Attempt, Finding, InspectionResult
from netpatrol.report import ReportRequest, build_report
from netpatrol.report.i18n import Translator
from netpatrol.report.periods_label import period_label
from netpatrol.report.render import environment, gfm_anchor, render_html, render_md
from netpatrol.workspace.inventory import load_inventory
from netpatrol.workspace.settings import Workspace
from report_world import Q3

pytest_plugins = ["report_world"]


def _model(world, lang="zh-CN", **kw):
    ws, inv, store = world
    return build_report(ws.settings, inv, store, ReportRequest(period=kw.pop("period", Q3), lang=lang,
                                                               workspace=ws.root, **kw))


def _reopen(world, extra_yaml: str):
    """The same workspace with netpatrol.yaml's keys replaced by `extra_yaml`'s (settings are read
    once per Workspace)."""
    ws, _, store = world
    path = ws.root / "netpatrol.yaml"
    doc = {**yaml.safe_load(path.read_text(encoding="utf-8")), **yaml.safe_load(extra_yaml)}
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return Workspace(ws.root), load_inventory(ws.root), store


def test_period_labels():
    assert period_label("2026Q4", "zh-CN") == "2026年第四季度" and period_label("2026Q4", "en") == "Q4 2026"
    assert period_label("2026Q1", "zh-CN") == "2026年第一季度"
    assert period_label("2026-11", "zh-CN") == "2026年11月" and period_label("2026-11", "en") == "November 2026"
    assert period_label(None, "en") == "—"


def test_contract_times_in_words():
    zh, en = Translator("zh-CN"), Translator("en")
    assert [zh.minutes(m) for m in (10, 240, 480, 1440, 90)] == ["10 分钟", "4 小时", "8 小时", "1 天", "90 分钟"]
    assert [en.minutes(m) for m in (1, 60, 240, 2880, 10080)] == ["1 minute", "1 hour", "4 hours", "2 days", "1 week"]
    assert en.minutes(None) is None


def test_levels_and_one_vocabulary(world):
    r = _model(world)
    assert [(lv.name, lv.count, lv.response, lv.resolution) for lv in r.levels] == [
        ("重大一级", 1, "10 分钟", "4 小时"), ("重大二级", 1, "10 分钟", "8 小时"),
        ("一般故障", 2, "10 分钟", None), ("提示", 1, None, None)]
    assert {f.level for f in r.findings} == {"重大一级", "重大二级", "一般故障", "提示"}
    md = render_md(r, environment())
    html = render_html(r, environment())
    for old in ("严重", "重要", "按计划在维护窗口内处理", "无需立即处理"):  # the package's own words, gone
        assert old not in md and old not in html, old
    assert "| 重大一级 | 1 | 10 分钟 | 4 小时 |" in md and "| 一般故障 | 2 | 10 分钟 | — |" in md


def test_the_workspace_contract_names_levels_and_sets_the_deadlines(world):
    world = _reopen(world, """
timezone: Asia/Shanghai
contract:
  levels:
    p1: {name: {zh-CN: 一级故障, en: Priority 1}, response: 30m, resolution: 2h}
    p2: {name: {zh-CN: 二级故障, en: Priority 2}, response: 1d}
    p3: {name: {zh-CN: 观察, en: Watch}}
  severities: {critical: p1, major: p2, minor: p2, info: p3}
""")
    r = _model(world, "en")
    assert r.timezone == "Asia/Shanghai (UTC+08:00)"
    assert [(lv.name, lv.count, lv.severities) for lv in r.levels] == [
        ("Priority 1", 1, ("critical",)), ("Priority 2", 3, ("major", "minor")), ("Watch", 1, ("info",))]
    # The inspection ended 2026-09-20 08:17 UTC = 16:17 in Shanghai: the deadlines count from there.
    due = {(a.host, a.level): a.due for a in r.conclusion.actions}
    assert due[("east-wan-01", "Priority 1")] == "Resolve within 2 hours (by 2026-09-20 18:17 +08:00)"
    assert due[("city-agg-01", "Priority 2")] == "Respond within 1 day (by 2026-09-21 16:17 +08:00)"
    assert next(a.host for a in r.conclusion.actions) == "east-wan-01"  # the most severe first
    assert len(r.conclusion.actions) == 4  # Watch has no time: nothing is due
    md = render_md(r, environment())
    assert "| Time zone | Asia/Shanghai (UTC+08:00) |" in md
    assert "collected: 2026-09-20 09:10 +08:00" in md  # city-core-01 collected at 01:10 UTC
    assert not re.search(r"\+00:00", md)


def test_conclusion_states_each_site(world):
    r = _model(world, "en")
    states = {s.key: (s.state, s.devices, s.inspected, s.problems) for s in r.conclusion.sites}
    assert states["jc-north"] == ("attention", 4, 4, {"critical": 0, "major": 0, "minor": 1, "info": 0})
    assert states["jc-east"][:3] == ("abnormal", 5, 4)  # a device not inspected
    assert states["jc-city"][0] == "abnormal"  # a problem at the second level
    assert r.conclusion.overall.startswith("Q3 2026: 15 devices in scope, 14 inspected, 1 not inspected; "
                                           "problems found: 5 (Major L1: 1; Major L2: 1; "
                                           "General fault: 2; Notice: 1).")
    assert [f.host for f in r.conclusion.key_risks] == ["east-wan-01", "city-agg-01"]


def test_record_lists_every_job_item_with_its_state(world):
    r = _model(world)
    device = {d.host: d for d in r.devices}
    rec = {h: {x.item: (x.status, x.value) for x in d.record} for h, d in device.items()}
    # Abnormal exactly where a problem's check reads the item (the platform's field maps say which).
    assert rec["city-core-01"]["cpu"] == ("abnormal", "82%")  # cisco_nxos: health.cpu_percent <- cpu
    assert rec["city-agg-01"]["temperature"] == ("abnormal", "最高 81 ℃")  # huawei_vrp: temperatures <- temperature
    assert rec["east-acc-02"]["version"][0] == "abnormal"  # uptime comes from the version item
    assert rec["city-core-01"]["memory"] == ("normal", "40%")
    assert rec["north-acc-01"]["memory"] == ("abnormal", "85%")
    assert rec["city-agg-01"]["fans"] == ("normal", "2/2 正常")
    assert rec["city-agg-01"]["interfaces"] == ("normal", "up 2 / down 1")
    # Unsupported, not collected (output no template recognised, no template), never read.
    assert rec["north-core-01"]["license"] == ("unsupported", "—")
    assert rec["north-core-01"]["fans"] == ("not_collected", "—")
    assert rec["north-core-01"]["logs"] == ("not_collected", "—")
    assert rec["city-agg-01"]["ntp"] == ("not_collected", "—")
    assert {s for s, _ in rec["east-wan-01"].values()} == {"not_collected"}  # unreachable
    assert not [h for h, items in rec.items() for i, (s, _) in items.items() if s == "abnormal"
                and (h, i) not in {("city-core-01", "cpu"), ("city-agg-01", "temperature"), ("east-acc-02", "version"),
                                   ("north-acc-01", "memory")}]
    # Every item of the device's job, in the job's order, labelled in the report language.
    from netpatrol.inspection.catalogue import load_job

    job = load_job(None, "quarterly")
    assert [x.item for x in device["city-agg-01"].record] == [*job.platforms["huawei_vrp"], "running_config"]
    assert rec["city-agg-01"]["running_config"] == ("normal", "已采集，已保存")  # noqa: RUF001 - the job collects the config
    assert device["city-agg-01"].platform_name == "Huawei VRP"
    labels = {x.item: x.label for x in device["city-agg-01"].record}
    assert labels["cpu"] == "CPU 利用率" and labels["ntp"] == "NTP 时钟同步"


def test_a_workspace_item_keeps_its_key(world):
    ws, _, _ = world
    (ws.root / "tasks").mkdir()
    (ws.root / "tasks" / "quarterly.yaml").write_text(
        "name: quarterly\nextends: quarterly\nplatforms:\n  huawei_vrp:\n    poe_budget: [display poe power]\n",
        encoding="utf-8")
    rec = {x.item: x for x in next(d for d in _model(world).devices if d.host == "city-agg-01").record}
    assert (rec["poe_budget"].label, rec["poe_budget"].status) == ("poe_budget", "not_collected")


def _write_q4(world, findings: dict[str, list[Finding]], attempts: dict[str, list[Attempt]] | None = None):
    """2026Q4 from 2026Q3's results with other findings, in the working tree (an untagged period)."""
    _, _, store = world
    for path in store.list_files("inspections/2026Q3", ref="refs/tags/inspection/2026Q3"):
        if not path.endswith(".json") or path.count("/") != 3:
            continue
        r = InspectionResult.model_validate_json(store.read_file(path, "refs/tags/inspection/2026Q3"))
        r.period, r.findings, r.comparison = "2026Q4", findings.get(r.host, r.findings), None
        r.collected_at = r.collected_at.replace("2026-09-20", "2026-12-05")
        r.attempts = (attempts or {}).get(r.host, [])
        store.write_file(path.replace("2026Q3", "2026Q4"),
                         json.dumps(r.model_dump(mode="json"), ensure_ascii=False) + "\n")
    store.commit("inspection 2026Q4\n", paths=["inspections/2026Q4"])


def _cpu(check: str, severity: str, threshold: int) -> Finding:
    return Finding(check=check, severity=severity, title={"zh-CN": f"CPU ≥ {threshold}%", "en": f"CPU ≥ {threshold}%"},
                   detail={"zh-CN": f"CPU 利用率 95% ≥ {threshold}%", "en": f"CPU 95% ≥ {threshold}%"},
                   recommendation={"zh-CN": "排查进程", "en": "Find the process"}, problem="cpu")


def test_findings_of_one_problem_are_one_row_and_counted_once(world):
    tiers = [_cpu("cpu_percent", "minor", 75), _cpu("cpu_critical", "major", 90), _cpu("cpu_notice", "info", 60)]
    _write_q4(world, {"city-core-01": tiers})
    r = _model(world, "en", period="2026Q4")
    rows = [f for f in r.findings if f.host == "city-core-01"]
    assert len(rows) == 1
    row = rows[0]
    assert (row.severity, row.level, row.title) == ("major", "Major L2", "CPU ≥ 90%")
    assert row.evidence == ("CPU 95% ≥ 90%", "CPU 95% ≥ 75%", "CPU 95% ≥ 60%")
    assert row.detail == "CPU 95% ≥ 90%; CPU 95% ≥ 75%; CPU 95% ≥ 60%"
    assert r.severity_counts["major"] == 2 and r.severity_counts["minor"] == 1  # HOT + CPU; MEM
    # Q3's result predates problem keys: keyed by today's checks, its cpu_percent finding is the same
    # problem (cpu), persisting, not new + resolved.
    assert [f.host for f in r.comparison.persisting if f.key == "cpu"] == ["city-core-01"]
    assert not [f for f in r.comparison.resolved + r.comparison.new if f.host == "city-core-01"]
    assert r.period_label == "Q4 2026" and r.previous_label == "Q3 2026"
    md = render_md(r, environment())
    assert "Compared with Q3 2026: 0 new problems, 0 resolved, 5 persisting." in md


class _Contents(HTMLParser):
    """The HTML's contents links (href, text) and each section's first <h2> text by section id."""

    def __init__(self):
        super().__init__()
        self.toc: list[tuple[str, str]] = []
        self.sections: dict[str, str] = {}
        self.current, self.href, self.in_h2, self.in_a = None, None, False, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and a.get("id"):
            self.current = a["id"]
        self.in_h2 = tag == "h2" or self.in_h2
        if tag == "a" and (a.get("href") or "").startswith("#s-"):
            self.href, self.in_a = a["href"][1:], True

    def handle_endtag(self, tag):
        self.in_h2 = self.in_h2 and tag != "h2"
        self.in_a = self.in_a and tag != "a"

    def handle_data(self, data):
        if self.in_a:
            self.toc.append((self.href, data))
        elif self.in_h2 and self.current and self.current not in self.sections:
            self.sections[self.current] = data


def test_contents_link_every_section_in_both_formats(world):
    for lang, first in (("zh-CN", "1-巡检结论"), ("en", "1-conclusion")):
        r = _model(world, lang)
        md = render_md(r, environment())
        doc = parse(md)
        links = re.findall(r"^- \[[^\]]+\]\(#([^)]+)\)$", md, re.MULTILINE)
        assert links[0] == first and len(links) == 10
        h2 = [h for h in doc.headings if gfm_anchor(h) in links]
        assert [gfm_anchor(h) for h in h2] == links  # each link has its heading, in order
        assert gfm_anchor("3 Site archive and device status") == "3-site-archive-and-device-status"

        walk = _Contents()
        walk.feed(render_html(r, environment()))
        toc, sections = walk.toc, walk.sections
        assert toc == list(sections.items())
        assert [i for i, _ in toc] == ["s-conclusion", "s-summary", "s-sites", "s-records", "s-findings",
                                       "s-compliance", "s-changes", "s-comparison", "s-problems", "s-appendix"]


def test_raw_error_texts_only_in_the_appendix(world):
    r = _model(world, "en")
    assert [(e.ref, e.host, e.what, e.command) for e in r.raw_errors] == [
        ("A.1", "north-core-01", "Fans", "display fan"), ("A.2", "north-core-01", "Licences", None),
        ("A.3", "north-core-01", "Logs", "display logbuffer"), ("A.4", "east-wan-01", "Unreachable", None)]
    md = render_md(r, environment())
    body = md.split("\n## Appendix\n")[0]
    for e in r.raw_errors:
        assert e.text.splitlines()[0] not in body
    assert "Error: Unrecognized command" in md.split("\n## Appendix\n")[1]
    assert "## Appendix" in md  # without --appendix: the raw errors alone make the appendix
    assert "Appendix B" not in md


def test_every_builtin_item_has_a_label_and_a_reading():
    from netpatrol.inspection.catalogue import builtin_entries
    from netpatrol.report.i18n import catalogue
    from netpatrol.report.record import READINGS

    items = {i for entries in builtin_entries("quarterly").values() for i in entries}  # type: ignore[union-attr]
    assert len(items) > 20
    for lang in ("zh-CN", "en"):
        assert not [i for i in items if f"record.item.{i}" not in catalogue(lang)], lang
    assert items <= set(READINGS), items - set(READINGS)


def test_a_failed_re_inspection_is_told_in_local_time_with_its_error_in_the_appendix(world):
    world = _reopen(world, "timezone: Asia/Shanghai\n")
    _write_q4(world, {}, {"north-wan-01": [Attempt(at="2026-12-06T03:00:00+00:00", status="timeout",
                                                    error="TCP connection to 10.0.0.9:22 timed out")]})
    r = _model(world, "zh-CN", period="2026Q4")
    row = next(p for d in r.devices if d.host == "north-wan-01" for p in d.problems)
    assert (row.label, row.status) == ("复检", "attempt_failed")
    # north-wan-01 was collected at 08:17 UTC: 16:17 in Shanghai.
    assert row.reason == "2026-12-06 11:00 +08:00 复检失败（超时），保留 2026-12-05 16:17 +08:00 的巡检结果"  # noqa: RUF001
    error = next(e for e in r.raw_errors if e.host == "north-wan-01")
    assert error.text == "TCP connection to 10.0.0.9:22 timed out" and row.note == f"原始信息见附录 {error.ref}"
    assert r.inspection_start == "2026-12-05" and r.report_date == "2026-12-05"
