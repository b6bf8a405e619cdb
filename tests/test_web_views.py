"""The read side of the web view on report_world's two quarters in a real Git store: a device's
versions (against git's own log), its config at any REF, diffs, a device that moved site, the
period summary (against what the world plants), the device rows and their filters, and the caches
being read again after a new commit. The HTTP routes over these are test_web_pages/test_web_api's.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime, timezone

import pytest

from netpatrol.errors import UsageError
from netpatrol.inspection.results import InspectionResult
from netpatrol.inspection.service import summary_document
from netpatrol.report.problem_rows import report_checks
from netpatrol.report.results import load_results
from netpatrol.store.refs import format_commit_message
from netpatrol.store.repo import Store
from netpatrol.web import memo
from netpatrol.web.device_list import device_rows, filter_rows
from netpatrol.web.period_view import device_compliance, device_inspections, period_summary, periods
from netpatrol.web.state import NotFound, WebState
from netpatrol.web.versions import device_config, device_diff, device_versions
from netpatrol.workspace.records import update_device_records
from report_world import CHANGED, DROPPED, Q2, Q3

CORE = "city-core-01"  # its config changed between the quarters (CHANGED, DROPPED)
CORE_PATH = "configs/jc-city/city-core-01.cfg"
CITY_ACC, EAST_ACC = "platform: hp_comware\n  groups: [jc-city, access]", "platform: hp_comware\n  groups: [jc-east, access]"


def git(store: Store, *args: str) -> str:
    return subprocess.run(["git", "-C", str(store.path), *args], check=True, capture_output=True, text=True).stdout


def change(store: Store, path: str, line: str, message: str, when: datetime) -> str:
    text = store.read_file(path)
    store.write_file(path, text.replace("end\n", line + "end\n"))
    sha = store.commit(message, paths=[path], when=when)
    assert sha
    return sha


def numstat(store: Store, path: str) -> list[tuple[str, int, int]]:
    out = git(store, "log", "--format=@%H", "--numstat", "--", path)
    rows, sha = [], ""
    for line in out.splitlines():
        if line.startswith("@"):
            sha = line[1:]
        elif line.strip():
            added, removed, _ = line.split("\t")
            rows.append((sha, int(added), int(removed)))
    return rows


def test_versions_are_newest_first_with_author_reason_and_gits_own_counts(world, state):
    _ws, _inv, store = world
    other = Store(store.path, author_name="李工", author_email="li@example.cn").open_or_init()
    message = format_commit_message([CORE], reason="CHG-7 replace uplink")
    sha = change(other, CORE_PATH, "logging host 10.1.1.1\nlogging host 10.1.1.2\n", message,
                 datetime(2026, 10, 2, tzinfo=timezone.utc))
    other.close()
    page = device_versions(state, CORE)
    assert [(v.commit, v.added, v.removed) for v in page.items] == numstat(store, CORE_PATH)
    assert [v.date for v in page.items] == sorted((v.date for v in page.items), reverse=True)
    newest = page.items[0]
    assert (newest.commit, newest.author, newest.reason, newest.message) == (sha, "李工", "CHG-7 replace uplink",
                                                                            "backup: 1 changed (city-core-01)")
    assert (newest.added, newest.removed, newest.path) == (2, 0, CORE_PATH)
    assert page.items[1].author == "netpatrol" and page.items[1].reason is None
    assert page.total is None and not page.has_more


def test_versions_come_a_page_at_a_time(world, state):
    _ws, _inv, store = world
    for i in range(5):
        change(store, CORE_PATH, f"ntp server 10.0.9.{i}\n", f"backup: {i}\n", datetime(2026, 10, 1 + i, tzinfo=timezone.utc))
    expected = [sha for sha, _a, _r in numstat(store, CORE_PATH)]  # 7 versions
    pages = [device_versions(state, CORE, page=n, per_page=3) for n in (1, 2, 3, 4)]
    assert [[v.commit for v in p.items] for p in pages] == [expected[0:3], expected[3:6], expected[6:7], []]
    assert [p.has_more for p in pages] == [True, True, False, False]


@pytest.mark.parametrize("ref,q2", [(Q2, True), ("inspection/2026Q3", False), ("2026-07-01", True),
                                    ("2026-08-01T02:00:00Z", False), (None, False)])
def test_config_at_a_period_tag_or_date(state, ref, q2):
    view = device_config(state, CORE, ref)
    assert view.path == CORE_PATH and view.host == CORE
    assert (DROPPED[CORE] in view.text) == q2 and (CHANGED[CORE] in view.text) == (not q2)


def test_diff_between_two_refs_is_the_planted_change(state):
    d = device_diff(state, CORE, Q2, Q3)
    assert (d.added, d.removed) == (1, 1)
    assert f"+{CHANGED[CORE]}" in d.diff and f"-{DROPPED[CORE]}" in d.diff
    assert d.diff.startswith(f"--- a/{CORE_PATH}\n+++ b/{CORE_PATH}\n")
    assert device_diff(state, CORE, Q3, Q3).diff == ""
    back = device_diff(state, CORE, Q3, Q2)
    assert (back.added, back.removed) == (1, 1) and back.from_commit == d.to_commit


def test_unknown_device_is_not_found_and_a_bad_ref_a_usage_error(state):
    for view in (lambda: device_versions(state, "nope-01"), lambda: device_config(state, "nope-01"),
                 lambda: device_diff(state, "nope-01", Q2), lambda: device_inspections(state, "../etc")):
        with pytest.raises(NotFound):
            view()
    for ref in ("no-such-ref", "2026-13-45", "-x", "2026Q9"):
        with pytest.raises(UsageError):
            device_config(state, CORE, ref)
    with pytest.raises(UsageError):
        device_diff(state, CORE, "")
    with pytest.raises(UsageError):
        device_config(state, CORE, "2020-01-01")  # before the first backup


def test_a_device_that_moved_site_keeps_its_older_versions_and_configs(world, state):
    ws, _inv, store = world
    hosts = ws.root / "inventory" / "hosts.yaml"
    text = hosts.read_text(encoding="utf-8")
    hosts.write_text(text.replace(CITY_ACC, EAST_ACC, 1), encoding="utf-8")  # city-acc-01 moves
    assert state.host("city-acc-01").site == "jc-east"
    old, new = "configs/jc-city/city-acc-01.cfg", "configs/jc-east/city-acc-01.cfg"
    store.write_file(new, store.read_file(old).replace("end\n", "ntp server 10.7.7.7\nend\n"))
    moved = store.commit("backup: 1 changed (city-acc-01)\n", paths=[new], when=datetime(2026, 10, 5, tzinfo=timezone.utc))
    page = device_versions(state, "city-acc-01")
    assert [v.path for v in page.items] == [new, old]  # the old site's file: its one version, from the first backup
    assert page.items[0].commit == moved and page.items[0].added == store.read_file(new).count("\n")
    assert device_config(state, "city-acc-01", Q2).path == old
    assert device_config(state, "city-acc-01").path == new
    d = device_diff(state, "city-acc-01", Q2)
    assert (d.added, d.removed) == (1, 0) and d.diff.startswith(f"--- a/{old}\n+++ b/{new}\n")
    assert [i.period for i in device_inspections(state, "city-acc-01")] == [Q3, Q2]  # stored under jc-city
    assert len(device_versions(state, "city-acc-01", page=2, per_page=1).items) == 1


def test_config_of_a_device_whose_old_file_was_removed_is_found_at_that_commit(world, state):
    ws, _inv, store = world
    hosts = ws.root / "inventory" / "hosts.yaml"
    hosts.write_text(hosts.read_text(encoding="utf-8").replace(CITY_ACC, EAST_ACC, 1), encoding="utf-8")
    old, new = "configs/jc-city/city-acc-01.cfg", "configs/jc-east/city-acc-01.cfg"
    store.write_file(new, store.read_file(old))
    store.remove_file(old)
    store.commit("backup: moved\n", paths=[new, old], when=datetime(2026, 10, 5, tzinfo=timezone.utc))
    assert device_config(state, "city-acc-01", Q2).path == old


def expected_counts(store: Store, period: str) -> tuple[dict[str, int], dict[str, int]]:
    """Problems per severity and devices per status, straight from the stored results."""
    from netpatrol.inspection.problems import count

    severities: dict[str, int] = {}
    status: dict[str, int] = {}
    for r in load_results(store, period).values():
        for sev, n in count(r.findings).items():
            severities[sev] = severities.get(sev, 0) + n
        status[r.status] = status.get(r.status, 0) + 1
    return severities, status


def test_period_summary_counts_what_the_world_planted(world, state):
    _ws, inv, store = world
    assert periods(state) == [Q3, Q2]
    q3 = period_summary(state, "2026q3")
    # 2026Q3: unreachable east-wan-01 (critical), hot board (major), CPU and memory (minor), a reboot (info).
    assert q3.by_severity == {"critical": 1, "major": 1, "minor": 2, "info": 1}
    assert q3.previous == Q2 and q3.previous_by_severity == {"critical": 0, "major": 1, "minor": 2, "info": 0}
    assert q3.status == {"ok": 14, "unreachable": 1} and len(q3.devices) == len(inv.hosts)
    assert (q3.by_severity, q3.status) == expected_counts(store, Q3)
    assert q3.by_site["jc-east"] == {"critical": 1, "major": 0, "minor": 0, "info": 1}
    assert q3.by_site["jc-city"] == {"critical": 0, "major": 1, "minor": 1, "info": 0}
    assert [(d.site, d.name) for d in q3.devices] == sorted((d.site, d.name) for d in q3.devices)
    q2 = period_summary(state, Q2)
    assert q2.previous is None and q2.previous_by_severity is None and q2.by_severity["major"] == 1
    with pytest.raises(NotFound):
        period_summary(state, "2025Q1")
    with pytest.raises(UsageError):
        period_summary(state, "2026-Q3")


def test_period_summary_from_the_summary_map_equals_reading_every_result(world, state):
    ws, _inv, store = world
    from_results = period_summary(state, Q3)
    doc = summary_document(Q3, list(load_results(store, Q3).values()), report_checks(ws.root).values())
    doc["hosts"]["city-core-01"]["problems"] = {"critical": 5}  # proves which one was read
    store.write_file(f"inspections/{Q3}/summary.json", json.dumps(doc))
    store.commit("inspection 2026Q3 again\n", paths=["inspections"], when=datetime(2026, 9, 21, tzinfo=timezone.utc))
    store.tag(f"inspection/{Q3}", "again\n", force=True)
    from_map = period_summary(state, Q3)
    assert from_map.by_severity == {**from_results.by_severity, "critical": 6, "minor": 1}
    assert from_map.status == from_results.status and from_map.previous_by_severity == from_results.previous_by_severity
    assert [d.name for d in from_map.devices] == [d.name for d in from_results.devices]


def test_device_inspections_newest_first_and_compliance(compliance_world):
    ws, _inv, _store = compliance_world
    web = WebState(ws)
    try:
        found = device_inspections(web, "east-wan-01")
        assert [(i.period, i.status) for i in found] == [(Q3, "unreachable"), (Q2, "ok")]
        assert [p.check for p in found[0].problems] == ["device_unreachable"]
        record = device_compliance(web, CORE)
        assert record is not None and record.period == Q3
        assert {r.rule for r in record.results if r.status == "fail"} == {"no-telnet", "logging-host"}
    finally:
        memo.forget(web)


def test_device_rows_status_and_filters(world, state):
    ws, inv, _store = world
    update_device_records(ws, {"city-acc-02": {"last_backup_success": "2026-10-01T02:00:00+00:00"},
                               "north-acc-01": {"last_backup_error": "timed out"}})
    rows = {r.name: r for r in device_rows(state)}
    assert set(rows) == set(inv.hosts)
    assert rows["east-wan-01"].status == "failed" and rows["east-wan-01"].inspection_status == "unreachable"
    assert rows["north-acc-01"].status == "failed"  # its last backup failed
    assert rows[CORE].status == "problems" and rows[CORE].open_problems["minor"] == 1 and rows[CORE].problems_total == 1
    assert rows["city-acc-01"].status == "ok" and rows["city-acc-01"].last_inspection == Q3  # the fan was fixed
    assert rows["city-acc-02"].last_backup == datetime(2026, 10, 1, 2, tzinfo=timezone.utc)
    listed = device_rows(state)
    assert [(r.site, r.name) for r in listed] == sorted((r.site, r.name) for r in listed)
    assert {r.name for r in filter_rows(listed, status="failed")} == {"east-wan-01", "north-acc-01"}
    assert {r.site for r in filter_rows(listed, site="jc-north")} == {"jc-north"}
    assert all(r.platform == "huawei_vrp" for r in filter_rows(listed, platform="huawei_vrp"))
    assert [r.name for r in filter_rows(listed, text="CITY-CORE")] == ["city-core-01", "city-core-02"]
    assert filter_rows(listed, site="jc-north", status="never") == []


def test_rows_and_versions_are_read_again_after_a_new_commit(world, state):
    ws, _inv, store = world
    before = device_rows(state)
    assert device_rows(state) is before  # kept while nothing changed
    path = f"inspections/{Q3}/jc-east/east-wan-01.json"
    r = InspectionResult.model_validate_json(store.read_file(path))
    store.write_file(path, r.model_copy(update={"status": "ok", "findings": [], "error": None}).model_dump_json())
    store.commit("inspection 2026Q3: east-wan-01\n", paths=["inspections"], when=datetime(2026, 9, 22, tzinfo=timezone.utc))
    store.tag(f"inspection/{Q3}", "again\n", force=True)
    assert {r.name: r.status for r in device_rows(state)}["east-wan-01"] == "ok"
    assert period_summary(state, Q3).by_severity["critical"] == 0
    first = device_versions(state, CORE).items[0].commit
    sha = change(store, CORE_PATH, "ntp server 10.0.0.124\n", "backup: 1 changed\n", datetime(2026, 10, 3, tzinfo=timezone.utc))
    assert [v.commit for v in device_versions(state, CORE).items[:2]] == [sha, first]
    update_device_records(ws, {CORE: {"last_backup_error": "auth failed"}})
    assert {r.name: r.status for r in device_rows(state)}[CORE] == "failed"


def test_every_commit_keeps_the_changed_path_filters_git_log_reads(world):
    _ws, _inv, store = world
    change(store, CORE_PATH, "ntp server 10.0.0.125\n", "backup: 1 changed\n", datetime(2026, 10, 4, tzinfo=timezone.utc))
    assert (store.git_dir / "objects/info/commit-graphs/commit-graph-chain").is_file()
    git(store, "commit-graph", "verify")
    env = {**os.environ, "GIT_TRACE2_PERF": "1"}
    trace = subprocess.run(["git", "-C", str(store.path), "log", "--format=%H", "--", CORE_PATH], env=env,
                           capture_output=True, text=True, check=True).stderr
    stats = json.loads(next(line for line in trace.splitlines() if "bloom" in line and "statistics" in line).split("statistics", 1)[1]
                       .split("|", 1)[-1].strip().lstrip(":").strip())
    assert stats["definitely_not"] > 0 and stats["filter_not_present"] == 0


def test_a_device_reads_its_own_result_only_and_committed_data_only(world, state):
    """The API detail and the page read the device's one result at its period's commit: another
    host's damaged result changes nothing; without the period's tag HEAD is read, never the
    working tree a run may be half-way through writing."""
    from fastapi.testclient import TestClient

    from netpatrol.web.app import create_app

    ws, _inv, store = world
    core, other = f"inspections/{Q3}/jc-city/{CORE}.json", f"inspections/{Q3}/jc-city/city-agg-01.json"
    committed = InspectionResult.model_validate_json(store.read_file(core)).facts.model
    store.write_file(other, store.read_file(other)[:50])  # damaged, committed and tagged
    store.commit("inspection 2026Q3: damaged\n", paths=["inspections"], when=datetime(2026, 9, 21, tzinfo=timezone.utc))
    store.tag(f"inspection/{Q3}", "damaged\n", force=True)
    git(store, "tag", "-d", f"inspection/{Q3}")
    edited = InspectionResult.model_validate_json(store.read_file(core))
    edited.facts.model = "UNCOMMITTED-MODEL"
    store.write_file(core, edited.model_dump_json())  # a run writing: not committed yet
    half = f"inspections/{Q3}/jc-east/east-acc-02.json"
    store.write_file(half, store.read_file(half)[:40])
    with TestClient(create_app(WebState(ws)), base_url="http://localhost") as client:
        detail = client.get(f"/api/v1/devices/{CORE}")
        assert detail.status_code == 200, detail.text
        assert detail.json()["facts"]["model"] == committed and detail.json()["facts"]["period"] == Q3
        assert client.get("/api/v1/devices/east-acc-02").json()["facts"]["period"] == Q3
        assert client.get("/api/v1/devices/city-agg-01").json()["facts"]["period"] == Q2  # its Q3 is damaged
        page = client.get(f"/devices/{CORE}")
        assert page.status_code == 200 and committed in page.text and "UNCOMMITTED-MODEL" not in page.text


@pytest.mark.parametrize("page", ["99999999999999999999", "10000001"])
def test_a_page_beyond_any_list_is_empty_with_nothing_after_it(world, state, page):
    from fastapi.testclient import TestClient

    from netpatrol.web.app import create_app
    from netpatrol.web.paging import MAX_ITEMS

    assert device_versions(state, CORE, page=int(page), per_page=1).items == []
    assert not device_versions(state, CORE, page=int(page), per_page=1).has_more
    assert device_versions(state, CORE, page=MAX_ITEMS // 2, per_page=2).items == []
    with TestClient(create_app(WebState(world[0])), base_url="http://localhost") as client:
        for path in (f"/api/v1/devices/{CORE}/versions", "/api/v1/devices", "/api/v1/inspections"):
            assert client.get(path, params={"page": page, "per_page": 1}).status_code == 422, path
            beyond = client.get(path, params={"page": MAX_ITEMS, "per_page": 2})
            assert beyond.status_code == 200 and beyond.json() == [], path
            assert 'rel="next"' not in beyond.headers.get("link", ""), path
        html = client.get(f"/devices/{CORE}", params={"page": page, "per_page": 1})
        assert html.status_code == 200 and "data-commit=" not in html.text and "page=100" not in html.text
        listed = client.get("/devices", params={"page": page})
        assert listed.status_code == 200 and "data-device=" not in listed.text
