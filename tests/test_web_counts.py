"""The web view's numbers are the signed report's: for the same period, the period summary (its
fallback over the results and the summary.json map an inspection writes), the device table's open
problems and the API's inspections routes count what report.gather's ReportModel counts, per
severity, per site, per device, new and resolved; also with a finding stored without its problem
key (results before schema 1.3, a hand-edited one), which the report keys by the checks.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone

from fastapi.testclient import TestClient

from netpatrol.inspection.results import SEVERITIES, Finding, InspectionResult
from netpatrol.inspection.service import summary_document
from netpatrol.report import ReportRequest, build_report
from netpatrol.report.problem_rows import report_checks
from netpatrol.report.results import load_results
from netpatrol.web import memo
from netpatrol.web.app import create_app
from netpatrol.web.device_list import device_rows
from netpatrol.web.period_view import period_summary
from netpatrol.web.state import WebState
from report_world import Q2, Q3

CORE_Q3 = f"inspections/{Q3}/jc-city/city-core-01.json"
# A tier of the CPU measurement stored without its key: the report keys it `cpu` (health.yaml),
# one problem with the minor cpu_percent finding at the stronger severity.
CPU_CRITICAL = Finding(check="cpu_critical", severity="major", title={"zh-CN": "CPU 利用率过高", "en": "CPU critical"},
                       detail={"zh-CN": "CPU 利用率 92%", "en": "CPU 92%"}, value=92, threshold=90, problem=None)


def report_numbers(world, period: str) -> dict:
    ws, inv, store = world
    m = build_report(ws.settings, inv, store, ReportRequest(period=period, lang="en"))
    by_site: dict[str, dict[str, int]] = {}
    for f in m.findings:
        by_site.setdefault(f.site, dict.fromkeys(SEVERITIES, 0))[f.severity] += 1
    return {"severity": m.severity_counts, "site": by_site, "host": dict(Counter(f.host for f in m.findings)),
            "new": len(m.comparison.new), "resolved": len(m.comparison.resolved)}


def web_numbers(state: WebState, period: str) -> dict:
    s = period_summary(state, period)
    return {"severity": s.by_severity, "site": {k: v for k, v in s.by_site.items() if any(v.values())},
            "host": {d.name: sum(d.problems.values()) for d in s.devices if any(d.problems.values())},
            "new": s.new, "resolved": s.resolved}


def assert_same(world, state: WebState) -> dict:
    for period in (Q3, Q2):
        assert web_numbers(state, period) == report_numbers(world, period), period
    # The device table and the API count the same (every device's latest period is 2026Q3 here).
    open_problems = {r.name: r.problems_total for r in device_rows(state) if r.problems_total}
    assert open_problems == report_numbers(world, Q3)["host"]
    ws = world[0]
    with TestClient(create_app(WebState(ws)), base_url="http://localhost") as client:
        one = client.get(f"/api/v1/inspections/{Q3}").json()
        listed = {p["period"]: p["by_severity"] for p in client.get("/api/v1/inspections").json()}
    q3 = report_numbers(world, Q3)
    assert (one["by_severity"], one["new"], one["resolved"]) == (q3["severity"], q3["new"], q3["resolved"])
    assert {k: v for k, v in one["by_site"].items() if any(v.values())} == q3["site"]
    assert listed == {p: report_numbers(world, p)["severity"] for p in (Q3, Q2)}
    return q3


def commit_period(store, message: str, day: int) -> None:
    store.commit(message, paths=["inspections"], when=datetime(2026, 9, day, tzinfo=timezone.utc))
    store.tag(f"inspection/{Q3}", message, force=True)


def test_the_worlds_periods_count_as_the_report(world, state):
    q3 = assert_same(world, state)
    # Stored comparisons in report_world are empty: new/resolved are worked out as the report does.
    assert (q3["new"], q3["resolved"]) == (3, 1)


def test_a_finding_without_its_problem_key_counts_as_the_report(world, state):
    _ws, _inv, store = world
    r = InspectionResult.model_validate_json(store.read_file(CORE_Q3))
    r.findings.append(CPU_CRITICAL)
    store.write_file(CORE_Q3, r.model_dump_json(indent=2) + "\n")
    commit_period(store, "inspection 2026Q3: a finding without its key\n", 21)
    q3 = assert_same(world, state)
    assert q3["severity"] == {"critical": 1, "major": 2, "minor": 1, "info": 1}


def test_the_summary_map_an_inspection_writes_counts_as_the_report(world, state):
    ws, _inv, store = world
    r = InspectionResult.model_validate_json(store.read_file(CORE_Q3))
    r.findings.append(CPU_CRITICAL)
    store.write_file(CORE_Q3, r.model_dump_json(indent=2) + "\n")
    checks = report_checks(ws.root).values()
    for period in (Q2, Q3):
        results = list(load_results(store, period).values()) if period == Q2 else \
            [InspectionResult.model_validate_json(store.read_file(p)) for p in store.list_files(f"inspections/{Q3}")
             if p.endswith(".json") and p.count("/") == 3]
        doc = summary_document(period, results, checks)
        store.write_file(f"inspections/{period}/summary.json", json.dumps(doc))
    assert doc["hosts"]["city-core-01"]["keys"] == ["cpu"] and doc["problems"]["major"] == 2
    commit_period(store, "inspection 2026Q3: with its summary map\n", 22)
    memo.forget(state)
    assert_same(world, state)
