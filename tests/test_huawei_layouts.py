"""Huawei VRP layouts no public, permissively licensed capture shows yet: the S chassis fan table
without a Slot column, AR rotor sub-rows, per-slot fan tables and control/data plane CPU blocks,
NE power tables and key: value blocks, the AR temperature table. The texts below are NOT device captures: they are written after the layouts
the issue reports and the vendor documents, to pin what each template reads. Replace them with test
pairs in tests/parsers/huawei_vrp when real captures turn up (TEXTFSM.md lists these commands)."""

from __future__ import annotations

import pytest

from netpatrol.inspection.capture import parse_capture

S_CHASSIS_FAN = """\
--------------------------------------------------------------------------------
 FanID   FanNum   Online     Register    Speed     Mode
--------------------------------------------------------------------------------
 FAN3    [1-3]    Present    Registered  55%       AUTO
 FAN4    [1-3]    Present    Unregistered 0%       AUTO
 FAN5    [1-3]    Absent     -           -         -
--------------------------------------------------------------------------------
"""
AR_FAN = """\
---------------------------------------------------------------------------
 Slot  FanID   FanNum  Status    Speed          Mode      Airflow
---------------------------------------------------------------------------
 0     1       [1-2]   Normal    40%(3600)      AUTO      Side-to-Back
                 1               3600
                 2               3550
 0     2       [1-2]   Abnormal  0%             AUTO      Side-to-Back
                 1               0
                 2               0
---------------------------------------------------------------------------
"""
NE_POWER = """\
Slot 17 :
 ----------------------------------------------
 No  Present  Mode   State      Num
 ----------------------------------------------
 1   YES      DC     Supply     1
 2   YES      DC     NotSupply  1
 3   NO       N/A    N/A        N/A
"""
NE_POWER_KEY_VALUE = """\
Slot 17 :
 Present :YES
 Registered :YES
 State :Supply
Slot 18 :
 Present :YES
 Registered :YES
 State :NotSupply
"""
AR_FAN_PER_SLOT = """\
Slot 0:
 FanId   Status    Speed
 1       Normal    3600rpm
 2       Fault     0rpm
"""
AR_CPU = """\
CPU utilization statistics at 2019-07-04 11:27:31
Control Plane
CPU Usage Stat. Cycle: 60 (Second)
CPU Usage            : 11% Max: 82%
CPU Usage Stat. Time : 2019-07-04  11:27:31
CPU utilization for ten seconds: 11%: one minute: 12%: five minutes: 13%
Max CPU Usage Stat. Time : 2019-06-29 10:21:22.

Data Plane
CPU Usage Stat. Cycle: 60 (Second)
CPU Usage            : 1% Max: 2%
CPU Usage Stat. Time : 2019-07-04  11:27:31
CPU utilization for ten seconds: 1%: one minute: 1%: five minutes: 1%
Max CPU Usage Stat. Time : 2019-06-29 10:21:22.
"""
AR_TEMPERATURE = """\
 ------------------------------------------------------------
 Slot     Card     Status      Current(C)   Lower(C)   Upper(C)
 ------------------------------------------------------------
 0        -        NORMAL      37           0          80
 1        1        ABNORMAL    85           0          80
 ------------------------------------------------------------
"""
MADJ_OSPF = """\
(M) Indicates MADJ neighbor

          OSPF Process 1 with Router ID 1.1.1.1
                   Peer Statistic Information
Total number of peer(s): 2
 Peer(s) in full state: 2
-----------------------------------------------------------------------------
 Area Id         Interface                  Neighbor id          State
 0.0.0.1         GigabitEthernet0/1/0       10.1.1.2             Full
 0.0.0.2         GigabitEthernet0/1/0       10.1.1.2(M)          Full
-----------------------------------------------------------------------------
"""


def names_status(components: list[dict]) -> list[tuple[str, str]]:
    return [(c["name"], c["status"]) for c in components]


@pytest.mark.parametrize(("command", "text", "template"), [
    ("display fan", S_CHASSIS_FAN, "huawei_vrp_display_fan_chassis.textfsm"),
    ("display fan", AR_FAN, "huawei_vrp_display_fan_ar.textfsm"),
    ("display power", NE_POWER, "huawei_vrp_display_power_ne.textfsm"),
    ("display power", NE_POWER_KEY_VALUE, "huawei_vrp_display_power_ne_kv.textfsm"),
    ("display fan", AR_FAN_PER_SLOT, "huawei_vrp_display_fan_ar.textfsm"),
    ("display cpu-usage", AR_CPU, "huawei_vrp_display_cpu-usage_ar.textfsm"),
    ("display temperature all", AR_TEMPERATURE, "huawei_vrp_display_temperature_all_ar.textfsm"),
    ("display ospf peer brief", MADJ_OSPF, "huawei_vrp_display_ospf_peer_brief.textfsm"),
])
def test_each_layout_is_explained_by_its_own_template(command: str, text: str, template: str):
    got = parse_capture("huawei_vrp", command, text)
    assert (got["status"], got["template"], got["unexplained"]) == ("parsed", template, None)


def test_s_chassis_fans():
    got = parse_capture("huawei_vrp", "display fan", S_CHASSIS_FAN)
    assert names_status(got["health"]["fans"]) == [("FAN3", "ok"), ("FAN4", "failed"), ("FAN5", "absent")]


def test_ar_fan_module_rows_not_rotor_rows():
    got = parse_capture("huawei_vrp", "display fan", AR_FAN)
    assert names_status(got["health"]["fans"]) == [("0/1", "ok"), ("0/2", "failed")]


def test_ne_power_modules_per_slot():
    got = parse_capture("huawei_vrp", "display power", NE_POWER)
    assert names_status(got["health"]["power_supplies"]) == [("17/1", "ok"), ("17/2", "failed"), ("17/3", "absent")]


def test_ne_power_key_value_blocks_name_the_supply_by_slot():
    got = parse_capture("huawei_vrp", "display power", NE_POWER_KEY_VALUE)
    assert names_status(got["health"]["power_supplies"]) == [("17", "ok"), ("18", "failed")]


def test_ar_fan_table_titled_per_slot():
    got = parse_capture("huawei_vrp", "display fan", AR_FAN_PER_SLOT)
    assert names_status(got["health"]["fans"]) == [("0/1", "ok"), ("0/2", "failed")]


def test_ar_cpu_reports_the_busiest_plane_here_the_control_plane():
    got = parse_capture("huawei_vrp", "display cpu-usage", AR_CPU)
    assert [r["plane"] for r in got["rows"]] == ["Control", "Data"]
    assert (got["health"]["cpu_percent"], got["health"]["cpu_peak_percent"]) == (13.0, 11.0)


def test_ar_temperature_named_by_card_or_slot_and_position():
    got = parse_capture("huawei_vrp", "display temperature all", AR_TEMPERATURE)
    assert sorted((t["name"], t["status"]) for t in got["health"]["temperatures"]) == [
        ("1/1", "failed"), ("slot 0 sensor 1", "ok")]


def test_madj_neighbour_keeps_its_router_id():
    got = parse_capture("huawei_vrp", "display ospf peer brief", MADJ_OSPF)
    assert [(n["neighbor"], n["up"]) for n in got["health"]["ospf"]] == [("10.1.1.2", True), ("10.1.1.2", True)]
