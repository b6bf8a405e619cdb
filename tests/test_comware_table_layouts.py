"""H3C Comware `display fan` tables and the CPU figure of a device with several CPU blocks.

The texts below are NOT device captures: they are short fragments in each layout (values made
up): a box's "Index Status Speedlevel" table, Comware 7 switches' "FanID Status Direction" per
slot, an IRF chassis' "Fan Status Speed(RPM) Direction", and IRF members' CPU blocks. The only
public capture of a fan table known is in an evaluation set (TEXTFSM.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from netpatrol.inspection.capture import parse_capture

FAN_INDEX_SPEEDLEVEL = """\
 Index  Status     Speedlevel
 ----------------------------
 1      Normal     2
 2      Fault      0
"""
FAN_SLOTS_DIRECTION = """\
Slot 1:
 FanID    Status      Direction
 1        Normal      Back-to-front
 2        Absent      Back-to-front

Slot 2:
 FanID    Status      Direction
 1        Fault       Back-to-front
"""
FAN_CHASSIS_RPM = """\
Chassis 1 Slot 0:
 Fan    Status    Speed(RPM)   Direction
 1      Normal    5400         Port-to-power
 2      Normal    5350         Port-to-power
"""
CPU_MEMBERS = """\
Slot 1 CPU 0 CPU usage:
       3% in last 5 seconds
       3% in last 1 minute
       2% in last 5 minutes

Slot 2 CPU 0 CPU usage:
      70% in last 5 seconds
      65% in last 1 minute
      60% in last 5 minutes
"""


def states(out: dict) -> list[tuple[str, str]]:
    return [(f["name"], f["status"]) for f in out["health"]["fans"]]


@pytest.mark.parametrize("text", [FAN_INDEX_SPEEDLEVEL, FAN_SLOTS_DIRECTION, FAN_CHASSIS_RPM])
def test_fan_tables_are_read_by_the_table_template(text: str):
    out = parse_capture("hp_comware", "display fan", text)
    assert (out["status"], out["template"], out["unexplained"]) == (
        "parsed", "hp_comware_display_fan_table.textfsm", None)


def test_fan_table_without_slots_gives_each_fan_state():
    out = parse_capture("hp_comware", "display fan", FAN_INDEX_SPEEDLEVEL)
    assert states(out) == [("1", "ok"), ("2", "failed")]
    assert [r["speed"] for r in out["rows"]] == ["2", "0"]


def test_fan_tables_per_slot_name_the_fan_by_slot_and_keep_absent_ones_apart():
    out = parse_capture("hp_comware", "display fan", FAN_SLOTS_DIRECTION)
    assert states(out) == [("1/1", "ok"), ("1/2", "absent"), ("2/1", "failed")]


def test_chassis_fan_table_with_rpm_keeps_chassis_and_speed():
    out = parse_capture("hp_comware", "display fan", FAN_CHASSIS_RPM)
    assert [(r["chassis"], r["slot"], r["fan"], r["speed"], r["airflow"]) for r in out["rows"]] == [
        ("1", "0", "1", "5400", "Port-to-power"), ("1", "0", "2", "5350", "Port-to-power")]


def test_cpu_of_irf_members_reports_the_busiest():
    out = parse_capture("hp_comware", "display cpu-usage", CPU_MEMBERS)
    assert (out["health"]["cpu_percent"], out["health"]["cpu_peak_percent"]) == (60.0, 70.0)


def test_manuinfo_without_a_slot_line_still_gives_the_serial():
    # a real capture (tests/parsers pair): a wireless controller prints one block, no "Slot 1:"
    raw = Path(__file__).resolve().parent / "parsers/hp_comware/display_device_manuinfo/ntc_wx2560x_no_slot.raw"
    out = parse_capture("hp_comware", "display device manuinfo", raw.read_text(encoding="utf-8"))
    assert (out["status"], out["facts"].get("serial")) == ("parsed", "219801A2X08218E0000M")


# Fragments (written, not captured): a static ARP entry (aging N/A) under the Comware 5 legend and
# header; the Comware 7 MAC table header and the Comware 5 footer.
ARP_STATIC = """\
                Type: S-Static    D-Dynamic    A-Authorized
IP Address       MAC Address     VLAN ID  Interface              Aging Type
10.0.0.1         0000-0000-0001  1        GE1/0/1                N/A   S
10.0.0.2         0000-0000-0002  1        GE1/0/2                20    D
"""
MAC_CMW7 = """\
MAC Address      VLAN ID    State            Port/Nickname            Aging
0000-0000-0001   1          Learned          GE1/0/1                  Y
0000-0000-0002   1          Config static    GE1/0/2                  N
"""
MAC_CMW5_FOOTER = """\
MAC ADDR       VLAN ID  STATE          PORT INDEX               AGING TIME(s)
0000-0000-0001 1        Learned        GigabitEthernet1/0/1     AGING

  ---  1 mac address(es) found  ---
"""


def test_arp_static_entries_count_and_the_legend_is_read():
    out = parse_capture("hp_comware", "display arp", ARP_STATIC)
    assert (out["status"], out["template"], out["unexplained"]) == ("parsed", "hp_comware_display_arp.textfsm", None)
    assert [(r["aging"], r["type"]) for r in out["rows"]] == [("N/A", "S"), ("20", "D")]


def test_mac_tables_of_both_releases_are_read_whole():
    assert parse_capture("hp_comware", "display mac-address", MAC_CMW5_FOOTER)["unexplained"] is None
    out = parse_capture("hp_comware", "display mac-address", MAC_CMW7)
    assert (out["status"], out["template"], out["unexplained"]) == ("parsed", "hp_comware_display_mac-address.textfsm", None)
