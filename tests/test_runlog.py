"""Run records (`.netpatrol/runs.jsonl`, the web view's runs page): bounded, owner-only, a damaged
line passed over, and written by real backup and inspection runs (tests/recorded.py, no SSH)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from netpatrol.backup.service import run_backup
from netpatrol.inspection.service import run_inspection
from netpatrol.workspace import runlog
from netpatrol.workspace.inventory import load_inventory
from netpatrol.workspace.runlog import RunRecord, append_run, recent_runs, runs_path
from netpatrol.workspace.settings import Workspace
from recorded import RecordedCollector, record_workspace


def record(n: int) -> RunRecord:
    return RunRecord("backup", f"2026-10-01T00:00:{n:02d}+00:00", f"2026-10-01T00:01:{n:02d}+00:00", n, {"saved": n})


def test_runs_are_bounded_newest_first_and_owner_only(tmp_path, monkeypatch):
    ws = Workspace(tmp_path)
    monkeypatch.setattr(runlog, "MAX_RUNS", 5)
    for n in range(8):
        append_run(ws, record(n))
    assert [r.devices for r in recent_runs(ws)] == [7, 6, 5, 4, 3]
    assert [r.devices for r in recent_runs(ws, limit=2)] == [7, 6]
    assert len(runs_path(ws).read_text(encoding="utf-8").splitlines()) == 5
    assert stat.S_IMODE(runs_path(ws).stat().st_mode) == 0o600
    assert not runs_path(ws).with_suffix(".tmp").exists()


def test_a_damaged_line_is_passed_over(tmp_path):
    ws = Workspace(tmp_path)
    append_run(ws, record(1))
    with runs_path(ws).open("a", encoding="utf-8") as fh:
        fh.write('{"kind": "backup", "started": \n[1, 2]\n{"kind": "backup", "unknown_field": 1}\n')
    with runs_path(ws).open("ab") as raw:
        raw.write(b"\xff\xfe not UTF-8 \x00\n")
    append_run(ws, record(2))
    assert [r.devices for r in recent_runs(ws)] == [2, 1]


def test_a_line_with_a_field_of_the_wrong_type_is_passed_over_and_the_runs_page_shows_the_rest(tmp_path):
    from fastapi.testclient import TestClient

    from netpatrol.web.app import create_app
    from netpatrol.web.state import WebState

    ws = Workspace(tmp_path)
    append_run(ws, record(1))
    good = json.loads(runs_path(ws).read_text(encoding="utf-8"))
    bad = [{"counts": [1, 2]}, {"counts": {"saved": "3"}}, {"counts": {"saved": True}}, {"devices": "9"},
           {"devices": -1}, {"started": 5}, {"commit": ["a"]}, {"kind": None}]
    with runs_path(ws).open("a", encoding="utf-8") as fh:
        fh.writelines(json.dumps({**good, **change}) + "\n" for change in bad)
        fh.write("[]\n\"text\"\n")
    append_run(ws, record(2))
    assert [r.devices for r in recent_runs(ws)] == [2, 1]
    (tmp_path / "inventory").mkdir()
    (tmp_path / "inventory" / "hosts.yaml").write_text("hosts: {}\n", encoding="utf-8")
    with TestClient(create_app(WebState(ws)), base_url="http://localhost") as client:
        page = client.get("/runs")
    assert page.status_code == 200 and page.text.count("<tr") >= 2


def test_no_records_yet_is_an_empty_list_and_an_unwritable_state_dir_fails_nothing(tmp_path):
    ws = Workspace(tmp_path)
    assert recent_runs(ws) == []
    (tmp_path / ".netpatrol").write_text("a file where the state directory would be", encoding="utf-8")
    append_run(ws, record(1))  # swallowed: the run itself succeeded
    assert recent_runs(ws) == []


@pytest.fixture
def world(sample_workspace: Path, tmp_path: Path):
    ws = Workspace(sample_workspace)
    hosts = list(load_inventory(sample_workspace).hosts.values())
    return ws, hosts, RecordedCollector(record_workspace(sample_workspace, tmp_path / "rec"))


def test_backup_and_inspection_runs_append_their_record(world):
    ws, hosts, collector = world
    collector.fail("east-wan-01", "unreachable")
    backup = run_backup(ws, hosts, reason="CHG-42 replace uplink", collector=collector, show_progress=False)
    inspection = run_inspection(ws, hosts[:3], period="2026Q3", collector=collector, show_progress=False)
    latest, first = recent_runs(ws)
    assert (first.kind, first.devices, first.counts, first.commit, first.tag, first.reason) == (
        "backup", len(hosts), backup.counts, backup.commit, backup.tag, "CHG-42 replace uplink")
    assert backup.counts["failed"] == 1 and first.tag and first.tag.startswith("pre-change/CHG-42/")
    assert first.started <= first.finished and first.finished == backup.finished.isoformat(timespec="seconds")
    assert (latest.kind, latest.devices, latest.period, latest.commit, latest.tag) == (
        "inspection", 3, "2026Q3", inspection.commit, "inspection/2026Q3")
    assert latest.counts == {"ok": 3}
    lines = [json.loads(line) for line in runs_path(ws).read_text(encoding="utf-8").splitlines()]
    assert [line["kind"] for line in lines] == ["backup", "inspection"]
    summary = json.loads((ws.backups / "inspections/2026Q3/summary.json").read_text(encoding="utf-8"))
    assert set(summary["hosts"]) == {h.name for h in hosts[:3]}
    assert all(set(v) == {"site", "platform", "status", "problems", "keys", "previous"} for v in summary["hosts"].values())
