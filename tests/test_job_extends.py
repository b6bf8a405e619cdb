"""A workspace job that extends the built-in one: items added, replaced or removed per platform,
and every bad entry named with its file, platform and item."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netpatrol.cli.root import app
from netpatrol.inspection.catalogue import JobProblems, load_job

runner = CliRunner()


def _write_job(ws: Path, body: str) -> None:
    (ws / "tasks").mkdir(parents=True, exist_ok=True)
    (ws / "tasks" / "quarterly.yaml").write_text(body, encoding="utf-8")


def test_an_empty_list_removes_the_builtin_item_on_that_platform_only(tmp_path: Path) -> None:
    builtin = load_job(None, "quarterly")
    assert "logs" in builtin.platforms["huawei_vrp"] and "logs" in builtin.platforms["hp_comware"]
    _write_job(tmp_path, "name: quarterly\nextends: quarterly\nplatforms:\n"
                         "  huawei_vrp: {logs: [], clock: [display clock]}\n")
    job = load_job(tmp_path, "quarterly")
    assert "logs" not in job.platforms["huawei_vrp"]
    assert job.platforms["huawei_vrp"]["clock"] == ["display clock"]
    assert job.platforms["hp_comware"] == builtin.platforms["hp_comware"]
    expected = {k: v for k, v in builtin.platforms["huawei_vrp"].items() if k not in ("logs", "clock")}
    assert {k: v for k, v in job.platforms["huawei_vrp"].items() if k != "clock"} == expected


def test_every_bad_entry_is_named_with_file_platform_and_item(tmp_path: Path) -> None:
    _write_job(tmp_path, "name: quarterly\nextends: quarterly\nplatforms:\n"
                         "  huawei_vrp: {nosuch: [], blank: ['  '], logs: []}\n"
                         "  acme_os: {version: [show version]}\n")
    with pytest.raises(JobProblems) as info:
        load_job(tmp_path, "quarterly")
    lines = sorted(str(i) for i in info.value.issues)
    assert len(lines) == 3, lines
    assert lines[0].startswith("tasks/quarterly.yaml: platform acme_os: field 'platforms' unknown platform")
    assert lines[1] == "tasks/quarterly.yaml: platform huawei_vrp, item 'blank': field 'commands' an empty command: give the command text"
    assert lines[2].startswith("tasks/quarterly.yaml: platform huawei_vrp, item 'nosuch': field 'commands' "
                               "[] removes a built-in item, but job 'quarterly' has no item 'nosuch' on huawei_vrp (its items: ")
    # What is left is still a usable job (its check packs get validated): the good removal applied.
    assert "logs" not in info.value.job.platforms["huawei_vrp"] and "acme_os" not in info.value.job.platforms
    assert info.value.exit_code == 2


def test_an_empty_list_without_extends_is_refused(tmp_path: Path) -> None:
    _write_job(tmp_path, "name: quarterly\nplatforms: {huawei_vrp: {version: [display version], logs: []}}\n")
    with pytest.raises(JobProblems, match=r"item 'logs': field 'commands' give at least one command "
                                          r"\(an empty list removes an item only in a job with 'extends:'\)"):
        load_job(tmp_path, "quarterly")


def test_inventory_check_lists_the_job_problems_one_per_line(sample_workspace: Path) -> None:
    _write_job(sample_workspace, "name: quarterly\nextends: quarterly\nplatforms:\n"
                                 "  huawei_vrp: {nosuch: []}\n  cisco_ios: {version: show version}\n")
    res = runner.invoke(app, ["inventory", "check", "-w", str(sample_workspace), "--json"])
    assert res.exit_code == 2
    problems = json.loads(res.stdout)["problems"]
    assert any("field 'platforms.cisco_ios.version': Input should be a valid list" in p for p in problems), problems
    assert not any(p.startswith("tasks/quarterly.yaml: tasks/quarterly.yaml") for p in problems), problems
    _write_job(sample_workspace, "name: quarterly\nextends: quarterly\nplatforms: {huawei_vrp: "
                                 "{nosuch: [], unused_ports: [display interface brief | include down]}}\n")
    problems = json.loads(runner.invoke(app, ["inventory", "check", "-w", str(sample_workspace), "--json"]).stdout)["problems"]
    assert [p.split(" (its items")[0] for p in problems] == [
        "tasks/quarterly.yaml: platform huawei_vrp, item 'nosuch': field 'commands' "
        "[] removes a built-in item, but job 'quarterly' has no item 'nosuch' on huawei_vrp"]


def test_an_inspection_leaves_a_removed_item_out(sample_workspace: Path, tmp_path: Path) -> None:
    from netpatrol.inspection.service import run_inspection
    from netpatrol.workspace.inventory import load_inventory
    from netpatrol.workspace.settings import Workspace
    from recorded import RecordedCollector, record_workspace

    builtin_logs = load_job(None, "quarterly").platforms["huawei_vrp"]["logs"]
    _write_job(sample_workspace, "name: quarterly\nextends: quarterly\nplatforms: {huawei_vrp: {logs: []}}\n")
    hosts = [h for h in load_inventory(sample_workspace).hosts.values() if h.name in ("east-core-01", "north-acc-02")]
    collector = RecordedCollector(record_workspace(sample_workspace, tmp_path / "rec"))
    run_inspection(Workspace(sample_workspace), hosts, period="2026Q3", collector=collector, show_progress=False)
    assert not set(builtin_logs) & set(collector.sent["east-core-01"])
    stored = {h.name: json.loads(next((sample_workspace / "backups").glob(f"inspections/2026Q3/*/{h.name}.json")).read_text(
        encoding="utf-8")) for h in hosts}
    assert "logs" not in stored["east-core-01"]["items"] and stored["east-core-01"]["status"] == "ok"
    assert "logs" in stored["north-acc-02"]["items"]  # another platform keeps it
