"""Nothing silent, and the remembered template, through the inspection service on recorded lab
outputs (no SSH): an output no template reads, or rows that give none of the item's facts, is a
parse problem counted in the summary; the template that read an item is remembered per device and
tried first on the next run, and a changed output still gets the template that reads it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from netpatrol.inspection.results import PARSE_PROBLEMS
from netpatrol.inspection.service import TEMPLATES_RECORD, run_inspection
from netpatrol.workspace.inventory import load_inventory
from netpatrol.workspace.records import load_device_records
from netpatrol.workspace.settings import Workspace
from recorded import RecordedCollector, record_workspace

HOST = "north-core-01"  # a Huawei S switch in the sample lab
FAN_TEMPLATE = "huawei_vrp_display_fan.textfsm"
# A rotor-per-line fan layout, and the workspace's own template for it (listed before the platform's).
ROTORS = "Rotor 1 is Normal\nRotor 2 is Abnormal\n"
ROTOR_TEMPLATE = """Value FAN (\\d+)
Value STATUS (\\S+)

Start
  ^Rotor\\s+${FAN}\\s+is\\s+${STATUS}\\s*$$ -> Record
"""


@pytest.fixture
def world(sample_workspace: Path, tmp_path: Path):
    ws = Workspace(sample_workspace)
    hosts = [h for h in load_inventory(sample_workspace).hosts.values() if h.name == HOST]
    return ws, hosts, RecordedCollector(record_workspace(sample_workspace, tmp_path / "rec"))


def inspect(world, period: str = "2026Q3"):
    ws, hosts, collector = world
    run = run_inspection(ws, hosts, period=period, collector=collector, show_progress=False)
    assert not run.failed
    return run, run.results[0]


def add_parser(ws: Workspace, command_regex: str, name: str, text: str) -> None:
    index = ws.root / "parsers" / "index"
    index.write_text(index.read_text(encoding="utf-8") + f"{name}, .*, huawei_vrp, {command_regex}\n", encoding="utf-8")
    (ws.root / "parsers" / name).write_text(text, encoding="utf-8")


def add_item(ws: Workspace, item: str, command: str) -> None:
    path = ws.root / "tasks" / "quarterly.yaml"
    path.write_text(path.read_text(encoding="utf-8") + f"    {item}: [{command}]\n", encoding="utf-8")


def test_the_lab_outputs_leave_nothing_unread(sample_workspace, tmp_path):
    ws = Workspace(sample_workspace)
    hosts = list(load_inventory(sample_workspace).hosts.values())
    collector = RecordedCollector(record_workspace(sample_workspace, tmp_path / "rec"))
    run = run_inspection(ws, hosts, period="2026Q3", collector=collector, show_progress=False)
    problems = {(r.host, n): (i.status, i.problem, i.unexplained) for r in run.results for n, i in r.items.items()
                if i.status in PARSE_PROBLEMS or i.problem}
    assert problems == {} and run.summary()["parse_problems"] == 0
    fans = next(r for r in run.results if r.host == HOST).items["fans"]
    assert fans.status == "parsed" and fans.template == FAN_TEMPLATE and FAN_TEMPLATE in fans.candidates


def test_an_output_no_template_reads_is_unrecognised_and_counted(world):
    ws, _, collector = world
    collector.recordings[HOST].outputs["display fan"] = "Fan tray report\nTray A spinning at full speed\n"
    run, result = inspect(world)
    fans = result.items["fans"]
    # parse_error while the template ends in `^. -> Error`, unrecognised once it leaves lines unexplained
    assert fans.status in ("unrecognised", "parse_error") and fans.rows == 0 and FAN_TEMPLATE in fans.candidates
    assert fans.unexplained == "Fan tray report"
    assert result.status == "ok" and result.health.fans == []
    assert run.summary()["parse_problems"] == 1
    summary = json.loads((ws.backups / "inspections/2026Q3/summary.json").read_text(encoding="utf-8"))
    assert summary["parse_problems"] == 1
    stored = json.loads(next(ws.backups.glob(f"inspections/2026Q3/*/{HOST}.json")).read_text(encoding="utf-8"))
    assert stored["items"]["fans"]["status"] == fans.status
    assert stored["items"]["fans"]["unexplained"] == "Fan tray report"
    # Only a template that read its item is remembered.
    remembered = load_device_records(ws)[HOST][TEMPLATES_RECORD]
    assert "fans" not in remembered and remembered["temperature"] == result.items["temperature"].template


def test_rows_that_give_none_of_the_items_facts_are_unrecognised(world):
    # A workspace's own template whose field names the platform's field map does not read.
    ws, _, _ = world
    add_item(ws, "cpu", "display cpu-usage | include Usage")
    add_parser(ws, r"display cpu-usage \| include Usage$", "my_cpu.textfsm",
               "Value LOAD (\\d+)\n\nStart\n  ^CPU\\s+Usage\\s+:\\s+${LOAD}% -> Record\n  ^CPU\\s+Usage\n")
    run, result = inspect(world)
    cpu = result.items["cpu"]
    assert (cpu.status, cpu.rows, cpu.template) == ("unrecognised", 1, "my_cpu.textfsm")
    assert cpu.problem.startswith("1 row(s) gave none of the item's facts: the field map reads cpu_usage_5_min, ")
    assert cpu.problem.endswith("; the rows fill load")
    assert result.health.cpu_percent is None and run.summary()["parse_problems"] == 1


def test_the_next_run_tries_the_remembered_template_first_and_a_changed_output_still_gets_the_best(world):
    ws, _, collector = world
    add_parser(ws, "di[[splay]] fan$", "rotors.textfsm", ROTOR_TEMPLATE)
    _, first = inspect(world, "2026Q2")
    # The workspace's template is tried first (index order) but does not read this switch's table.
    assert first.items["fans"].candidates[0] == "rotors.textfsm"
    assert first.items["fans"].template == FAN_TEMPLATE
    assert load_device_records(ws)[HOST][TEMPLATES_RECORD]["fans"] == FAN_TEMPLATE

    _, second = inspect(world, "2026Q3")
    assert second.items["fans"].candidates[0] == FAN_TEMPLATE and "rotors.textfsm" in second.items["fans"].candidates
    assert second.items["fans"].template == FAN_TEMPLATE and second.items["fans"].status == "parsed"

    # The device now prints the rotor layout: the remembered template is tried first and loses.
    collector.recordings[HOST].outputs["display fan"] = ROTORS
    _, third = inspect(world, "2026Q4")
    fans = third.items["fans"]
    assert fans.candidates[0] == FAN_TEMPLATE
    assert (fans.template, fans.status, fans.rows) == ("rotors.textfsm", "parsed", 2)
    assert {f.name: f.status for f in third.health.fans} == {"1": "ok", "2": "failed"}
    assert load_device_records(ws)[HOST][TEMPLATES_RECORD]["fans"] == "rotors.textfsm"
