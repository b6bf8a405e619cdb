"""Huawei VRP layouts of older releases and of siblings of the families already read: sentence
fan states, the "CPU busy status" blocks, the "Used Rate" memory summary, the chassis fan table
with a Min-speed column and rotor sub-rows, the "SlotID PowerNo" power table and NE power tables
whose Num column counts modules by state. The texts below are NOT device captures: they are
written in each layout (values made up) to pin what each template reads and that a header of one
layout is never read as a data row of another."""

from __future__ import annotations

from pathlib import Path

import pytest

from netpatrol.inspection.capture import parse_capture

CPU_BUSY = """\
 CPU busy status:
    12% in last 5 seconds
     9% in last 1 minute
     7% in last 5 minutes
"""
CPU_BUSY_PER_BOARD = """\
Unit 1
Board 0 CPU busy status:
      3% in last 5 seconds
      4% in last 1 minute
      5% in last 5 minutes
Slot 2 CPU 0 CPU usage:
     50% in last 5 seconds
     40% in last 1 minute
     30% in last 5 minutes
"""
MEMORY_USED_RATE = """\
System Total Memory(bytes): 1000000
Total Used Memory(bytes): 250000
Used Rate: 25%
"""
FAN_SENTENCES = """\
Slot 0: Fan 0 is normal.
Slot 0: Fan 1 is abnormal.
Slot 1: Fan 0 is not present.
"""
CHASSIS_FAN_MIN_SPEED = """\
----------------------------------------------------------------------------------
     FanID   FanNum   Online   Register      Speed       Min-speed    Mode      Airflow
----------------------------------------------------------------------------------
     FAN1    [1-2]    Present  Registered    45% (1800)      30%      AUTO      Side-to-Back
                1                                 1800
                2                                 1810
     FAN2    [1-2]    Present  Unregistered  0% (0)          30%      AUTO      Side-to-Back
                1                                 0
                2                                 0
"""
POWER_SLOTID_POWERNO = """\
--------------------------------------------------------------------------
 SlotID  PowerNo  Present  Mode   State      Power(W)   Voltage(V)
--------------------------------------------------------------------------
 0       PWRI     YES      AC     Normal     60         12
 0       PWRII    NO       N/A    N/A        N/A        N/A
"""
NE_POWER_STATE_COUNTS = """\
No Present Mode State                                   Num
-------------------------------------------------------------------------------
AC:
3  Yes     AC   Normal                                  Abnormal(0)/Normal(1)
4  Yes     AC   Abnormal                                Abnormal(1)/Normal(0)
Power monitor cable state:
   Unplug
"""


def names_status(components: list[dict]) -> list[tuple[str, str]]:
    return [(c["name"], c["status"]) for c in components]


@pytest.mark.parametrize(("command", "text", "template"), [
    ("display cpu-usage", CPU_BUSY, "huawei_vrp_display_cpu-usage_busy.textfsm"),
    ("display cpu", CPU_BUSY_PER_BOARD, "huawei_vrp_display_cpu-usage_busy.textfsm"),
    ("display memory-usage", MEMORY_USED_RATE, "huawei_vrp_display_memory-usage.textfsm"),
    ("display fan", FAN_SENTENCES, "huawei_vrp_display_fan_sentence.textfsm"),
    ("display fan", CHASSIS_FAN_MIN_SPEED, "huawei_vrp_display_fan_chassis.textfsm"),
    ("display power", POWER_SLOTID_POWERNO, "huawei_vrp_display_power.textfsm"),
    ("display power", NE_POWER_STATE_COUNTS, "huawei_vrp_display_power_ne.textfsm"),
])
def test_each_layout_is_explained_by_its_own_template(command: str, text: str, template: str):
    got = parse_capture("huawei_vrp", command, text)
    assert (got["status"], Path(got["template"]).name, got["unexplained"]) == ("parsed", template, None)


def test_cpu_busy_status_gives_the_minute_averages():
    got = parse_capture("huawei_vrp", "display cpu-usage", CPU_BUSY)
    assert (got["health"]["cpu_percent"], got["health"]["cpu_peak_percent"]) == (7.0, 12.0)


def test_cpu_busy_status_per_board_gives_a_row_each_and_the_busiest_board_counts():
    got = parse_capture("huawei_vrp", "display cpu", CPU_BUSY_PER_BOARD)
    assert [(r["unit"], r["slot"], r["cpu"], r["cpu_usage_5_min"]) for r in got["rows"]] == [
        ("1", "0", "", "5"), ("1", "2", "0", "30")]
    assert got["health"]["cpu_percent"] == 30.0


def test_used_rate_memory_summary():
    got = parse_capture("huawei_vrp", "display memory-usage", MEMORY_USED_RATE)
    health = got["health"]
    assert (health["memory_percent"], health["memory_total_kb"], health["memory_used_kb"]) == (25.0, 976, 244)


def test_fan_sentences_give_each_fan_state():
    got = parse_capture("huawei_vrp", "display fan", FAN_SENTENCES)
    assert names_status(got["health"]["fans"]) == [("0/0", "ok"), ("0/1", "failed"), ("1/0", "absent")]


def test_chassis_fan_trays_not_rotor_rows():
    got = parse_capture("huawei_vrp", "display fan", CHASSIS_FAN_MIN_SPEED)
    assert names_status(got["health"]["fans"]) == [("FAN1", "ok"), ("FAN2", "failed")]
    assert got["rows"][0]["airflow"] == "Side-to-Back" and got["rows"][0]["mode"] == "AUTO"


def test_slotid_powerno_table_present_and_empty_slots():
    got = parse_capture("huawei_vrp", "display power", POWER_SLOTID_POWERNO)
    assert names_status(got["health"]["power_supplies"]) == [("0/PWRI", "ok"), ("0/PWRII", "absent")]
    assert got["rows"][0]["power"] == "60"


def test_ne_power_state_counts_header_is_not_a_supply():
    got = parse_capture("huawei_vrp", "display power", NE_POWER_STATE_COUNTS)
    assert names_status(got["health"]["power_supplies"]) == [("3", "ok"), ("4", "failed")]


@pytest.mark.parametrize("template", ["huawei_vrp_display_power_chassis.textfsm", "huawei_vrp_display_fan_ne.textfsm",
                                      "huawei_vrp_display_power_ne_kv.textfsm"])
def test_other_layouts_values_are_not_read_by_a_loose_template(template: str):
    """The chassis table takes only PWRn names and AC/DC modes, the key: value templates only a
    slot title with at most a board name: each leaves the other layouts' lines to their own."""
    from netpatrol.inspection import parsing

    fsm = parsing.compile_template(next(p for p in parsing.candidates("huawei_vrp", "display power")
                                        + parsing.candidates("huawei_vrp", "display fan") if p.name == template))
    for text in (NE_POWER_STATE_COUNTS, FAN_SENTENCES):
        fsm.reset()
        assert fsm.ParseText(text) == []


# a task table whose names carry punctuation and whose wrapped explanations end a sentence
CPU_TASKS_PUNCTUATED = """\
CPU Usage Stat. Cycle: 60 (Second)
CPU Usage            : 9% Max: 70%
CPU Usage Stat. Time : 2020-01-01  00:00:00
CPU utilization for five seconds: 9%: one minute: 8%: five minutes: 7%
Max CPU Usage Stat. Time : 2020-01-01 00:00:00.

TaskName        CPU  Runtime(CPU Tick High/Tick Low)  Task Explanation
VIDL                 90%        13/b28d8dff       DOPRA IDLE
L3MB                  0%         0/       0       L3MB MPU Process urpf, vrrp
                                                  etc.
POE+                  0%         0/       0       POE+ PPP Over Ethernet Plus
"""


def test_task_table_names_and_wrapped_sentences_are_read():
    got = parse_capture("huawei_vrp", "display cpu-usage", CPU_TASKS_PUNCTUATED)
    assert (Path(got["template"]).name, got["unexplained"]) == ("huawei_vrp_display_cpu-usage.textfsm", None)
    assert got["health"]["cpu_percent"] == 7.0
