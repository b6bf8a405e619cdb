"""The inspection service on recorded outputs (no SSH): results, evidence, tags, comparison with
the previous period, records of failed devices, exit codes.

run_inspection gets a RecordedCollector (tests/recorded.py) answering with the lab's outputs for
each device's scenarios; the SSH layer and the whole command over SSH are tested against the lab
(test_inspect_lab.py, test_faults.py).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netpatrol.cli.root import app
from netpatrol.inspection.service import run_inspection
from netpatrol.store.layout import slug
from netpatrol.workspace.inventory import load_inventory
from netpatrol.workspace.records import load_device_records
from netpatrol.workspace.settings import Workspace
from recorded import RecordedCollector, record_workspace

runner = CliRunner()
HOST, OTHER = "east-dist-01", "city-core-01"


@pytest.fixture
def world(sample_workspace: Path, tmp_path: Path):
    """(workspace, its hosts, a collector answering for every host from the lab's outputs)."""
    ws = Workspace(sample_workspace)
    hosts = list(load_inventory(sample_workspace).hosts.values())
    return ws, hosts, RecordedCollector(record_workspace(sample_workspace, tmp_path / "rec"))


def inspect(world, period: str, *names: str):
    ws, hosts, collector = world
    chosen = [h for h in hosts if h.name in names] if names else hosts
    return run_inspection(ws, chosen, period=period, collector=collector, show_progress=False)


def git(ws: Workspace, *args: str) -> str:
    return subprocess.run(["git", "-C", str(ws.backups), *args], check=True, capture_output=True, text=True).stdout


def stored(ws: Workspace, period: str, host: str) -> dict:
    return json.loads(next(ws.backups.glob(f"inspections/{period}/*/{host}.json")).read_text(encoding="utf-8"))


def test_inspection_commits_results_evidence_and_summary_under_its_tag(world):
    ws, hosts, collector = world
    run = inspect(world, "2026Q3")
    assert len(run.results) == 15 and not run.failed
    assert run.tag == "inspection/2026Q3" and git(ws, "rev-parse", "inspection/2026Q3^{commit}").strip() == run.commit
    assert git(ws, "status", "--porcelain") == ""
    files = set(git(ws, "ls-files", "inspections/2026Q3").split())
    for h in hosts:
        assert f"inspections/2026Q3/{h.site}/{h.name}.json" in files
        assert any(f.startswith(f"inspections/2026Q3/{h.site}/{h.name}/") and f.endswith(".txt") for f in files), h.name
    doc = stored(ws, "2026Q3", "north-core-01")
    assert doc["status"] == "ok" and doc["period"] == "2026Q3" and doc["schema_version"]
    assert doc["comparison"]["previous_period"] is None
    assert any(f["check"] == "fan_failed" for f in doc["findings"])  # lab.yaml plants a failed fan
    # Evidence is the device's reply, sanitised like a backup.
    acc = next(r for r in run.results if r.host == "city-acc-02")
    item = next(i for i in acc.items.values() if i.command and i.command.startswith("show version"))
    evidence = (ws.backups / "inspections/2026Q3/jc-city/city-acc-02" / f"{slug(item.command)}.txt").read_text()
    assert evidence.strip() and evidence.strip() in collector.recordings["city-acc-02"].outputs[item.command]
    summary = json.loads((ws.backups / "inspections/2026Q3/summary.json").read_text())
    assert summary["devices"] == 15 and summary["status"] == {"ok": 15} == run.summary()["status"]
    records = load_device_records(ws)
    for r in run.results:
        assert records[r.host]["last_inspection"] == r.collected_at and records[r.host]["last_inspection_status"] == "ok"
        assert records[r.host]["inspection_commands"]


def test_next_period_is_compared_with_the_previous_one(world, tmp_path):
    ws, _, collector = world
    inspect(world, "2026Q3")
    # Between the quarters: the fan is replaced, a CPU problem appears elsewhere.
    changed = record_workspace(ws.root, tmp_path / "later", {"north-core-01": ["healthy"], "east-acc-01": ["cpu_high"]})
    collector.recordings.update(changed)
    run = inspect(world, "2026Q4")
    by_host = {r.host: r.comparison for r in run.results}
    # By problem key: the fan is one problem (board list and fan list), the CPU and memory tiers one each.
    assert "hardware:fan:0/2" in by_host["north-core-01"].resolved
    assert "cpu" in by_host["east-acc-01"].new
    assert "memory" in by_host["city-agg-01"].persisting
    assert by_host["east-acc-01"].previous_period == "2026Q3"
    cpu = by_host["east-acc-01"].metrics["cpu_percent"]
    assert cpu["delta"] is not None and cpu["delta"] > 50
    assert stored(ws, "2026Q4", "east-acc-01")["comparison"]["previous_period"] == "2026Q3"
    assert git(ws, "tag", "-l", "inspection/*").split() == ["inspection/2026Q3", "inspection/2026Q4"]

    # Re-running a period replaces its results in one new commit and moves the tag.
    before = int(git(ws, "rev-list", "--count", "HEAD"))
    collector.recordings.update(record_workspace(ws.root, tmp_path / "calm", {"east-acc-01": ["healthy"]}))
    again = inspect(world, "2026Q4")
    assert int(git(ws, "rev-list", "--count", "HEAD")) == before + 1
    assert git(ws, "rev-parse", "inspection/2026Q4^{commit}").strip() == again.commit
    assert not [f for f in stored(ws, "2026Q4", "east-acc-01")["findings"] if f["check"].startswith("cpu")]


def test_a_backfilled_earlier_period_is_not_compared_with_a_later_one(world):
    _ws, _, _ = world
    inspect(world, "2026Q3", HOST)
    run = inspect(world, "2026Q1", HOST)
    assert run.results[0].comparison.previous_period is None
    assert inspect(world, "2026Q4", HOST).results[0].comparison.previous_period == "2026Q3"


def test_device_failing_its_first_inspection_is_reported_and_never_recorded_as_inspected(world):
    ws, _, collector = world
    collector.fail(HOST, "unreachable")
    run = inspect(world, "2026Q2", HOST, OTHER)
    by_host = {r.host: r for r in run.results}
    assert [r.host for r in run.failed] == [HOST]
    assert by_host[HOST].status == "unreachable" and [f.check for f in by_host[HOST].findings] == ["device_unreachable"]
    assert stored(ws, "2026Q2", HOST)["status"] == "unreachable"
    assert not (ws.backups / "inspections/2026Q2/jc-east" / HOST).exists()  # no evidence
    record = load_device_records(ws)[HOST]
    assert record["last_inspection_status"] == "unreachable" and record["last_inspection_error"]
    assert "last_inspection" not in record and "inspection_commands" not in record
    assert load_device_records(ws)[OTHER]["last_inspection_status"] == "ok"


@pytest.mark.parametrize("status", ["auth_failed", "unreachable", "not_inspected"])
def test_failed_reinspection_keeps_the_good_result_of_the_period(world, status):
    ws, _, collector = world
    first = inspect(world, "2026Q2", HOST, OTHER)
    assert not first.failed
    good = stored(ws, "2026Q2", HOST)
    assert good["status"] == "ok" and good["facts"]["os_version"]

    if status == "not_inspected":
        collector.recordings[HOST].refuse_all = True  # an account without privilege
    else:
        collector.fail(HOST, status)
    run = inspect(world, "2026Q2", HOST, OTHER)
    assert [(r.host, r.status) for r in run.failed] == [(HOST, status)]
    shown = next(r for r in run.results if r.host == HOST)
    assert shown.status == "ok" and [a.status for a in shown.attempts] == [status]
    now = stored(ws, "2026Q2", HOST)
    assert {k: v for k, v in now.items() if k != "attempts"} == {k: v for k, v in good.items() if k != "attempts"}
    assert now["attempts"][0]["status"] == status and now["attempts"][0]["error"]
    record = load_device_records(ws)[HOST]
    assert record["last_inspection"] == good["collected_at"]
    assert record["last_inspection_status"] == status and record["last_inspection_error"]

    # Once the device answers again, a new good result replaces the kept one.
    collector.heal(HOST)
    collector.recordings[HOST].refuse_all = False
    assert not inspect(world, "2026Q2", HOST, OTHER).failed
    assert stored(ws, "2026Q2", HOST)["attempts"] == []


def _report_md(ws: Workspace, period: str) -> str:
    res = runner.invoke(app, ["report", "-w", str(ws.root), "--period", period, "--format", "md", "--lang", "en", "--json"])
    assert res.exit_code == 0, res.output
    return Path(json.loads(res.stdout)["files"]["md"]).read_text(encoding="utf-8")


def test_cli_device_refusing_every_command_is_not_inspected_and_exits_1(world, monkeypatch):
    """An account without privilege logs in, and every command is refused: nothing was inspected."""
    ws, _, collector = world
    monkeypatch.setattr("netpatrol.inspection.service.default_collector", lambda *a, **k: collector)
    args = ["inspect", "-w", str(ws.root), "--backfill", "--period", "2026Q2", "--json", "--host", "city-acc-01", "--host", OTHER]
    ok = runner.invoke(app, args)
    assert ok.exit_code == 0, ok.output
    collector.recordings["city-acc-01"].refuse_all = True
    res = runner.invoke(app, args)
    assert res.exit_code == 1, res.output
    by_host = {d["host"]: d for d in json.loads(res.stdout)["devices"]}
    assert by_host[OTHER]["status"] == "ok"
    record = load_device_records(ws)["city-acc-01"]
    assert record["last_inspection_status"] == "not_inspected"
    assert record["last_inspection"] == next(d["collected_at"] for d in json.loads(ok.stdout)["devices"] if d["host"] == "city-acc-01")
    section = _report_md(ws, "2026Q2").split("Devices that could not be inspected", 1)[1].split("\n## ", 1)[0]
    assert not any(line.startswith("| city-acc-01 |") for line in section.splitlines())  # the good result was kept


def test_cli_first_inspection_refused_everywhere_is_reported_as_not_inspected(world, monkeypatch):
    ws, _, collector = world
    monkeypatch.setattr("netpatrol.inspection.service.default_collector", lambda *a, **k: collector)
    collector.recordings["city-acc-01"].refuse_all = True
    res = runner.invoke(app, ["inspect", "-w", str(ws.root), "--backfill", "--period", "2026Q2", "--json",
                              "--host", "city-acc-01", "--host", OTHER])
    assert res.exit_code == 1, res.output
    bad = {d["host"]: d for d in json.loads(res.stdout)["devices"]}["city-acc-01"]
    assert bad["status"] == "not_inspected" and "refused all" in bad["error"] and bad["facts"]["os_version"] is None
    record = load_device_records(ws)["city-acc-01"]
    assert record["last_inspection_status"] == "not_inspected" and "last_inspection" not in record
    section = _report_md(ws, "2026Q2").split("Devices that could not be inspected", 1)[1].split("\n## ", 1)[0]
    row = next(line for line in section.splitlines() if line.startswith("| city-acc-01 |"))
    # The body gives the reason in the report's words; the device's own text is in the appendix.
    assert "not inspected" in row and "refused all" not in row and "appendix A.1" in row
    appendix = _report_md(ws, "2026Q2").split("Appendix A: raw error texts", 1)[1]
    assert "A.1 city-acc-01" in appendix and "refused all" in appendix
    assert not any(line.startswith(f"| {OTHER} |") for line in section.splitlines())


def test_a_secret_quoted_in_a_device_log_reaches_neither_results_nor_evidence(world):
    """IOS logs typed commands (CFGLOG_LOGGEDCMD) with their secrets; what Git gets is sanitised."""
    ws, _, collector = world
    rec = collector.recordings["city-acc-02"]
    rec.outputs["show logging"] = rec.outputs["show logging"].rstrip("\n") + (
        "\n000042: Dec  3 10:00:02.274 UTC: %PARSER-5-CFGLOG_LOGGEDCMD: User:admin  logged command:"
        "snmp-server community LeakPw2 RO\n")
    run = inspect(world, "2026Q3", "city-acc-02")
    assert not run.failed
    files = [p for p in (ws.backups / "inspections/2026Q3/jc-city").rglob("*") if p.is_file()]
    texts = {p.name: p.read_text(encoding="utf-8") for p in files}
    assert f"{slug('show logging')}.txt" in texts and "city-acc-02.json" in texts
    assert not [name for name, text in texts.items() if "LeakPw2" in text]
    assert "logged command:snmp-server community <removed> RO" in texts[f"{slug('show logging')}.txt"]
