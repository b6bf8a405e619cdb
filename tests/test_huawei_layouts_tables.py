"""Huawei `display arp all` and `display mac-address` layouts the ntc templates stop at or leave
unread. The texts below are NOT device captures: short fragments in each layout (values made up);
the real captures are the pairs in tests/parsers/huawei_vrp (VRP5/NE ARP with VLAN lines, the S
VRP5 MAC table per slot)."""

from __future__ import annotations

from pathlib import Path

from netpatrol.inspection.capture import parse_capture

# VRP5: a dynamic entry's VLAN on a line of its own under it.
ARP_VLAN_LINES = """\
IP ADDRESS      MAC ADDRESS     EXPIRE(M) TYPE        INTERFACE   VPN-INSTANCE
                                    VLAN/CEVLAN(SIP/DIP)
------------------------------------------------------------------------------
10.0.10.1       0000-0000-0001            I -         Vlanif10
10.0.10.2       0000-0000-0002  17        D-0         GE0/0/1
                                            10/-
10.0.20.2       0000-0000-0003  5         D-0         GE0/0/2     vpn1
                                            20/-
------------------------------------------------------------------------------
Total:3         Dynamic:2       Static:0     Interface:1
"""
# CE: a legend, and the VLAN in the type column.
ARP_CE = """\
ARP Entry Types: D - Dynamic, S - Static, I - Interface
EXP: Expire-time

IP ADDRESS      MAC ADDRESS    EXP(M) TYPE/VLAN INTERFACE       VPN-INSTANCE
------------------------------------------------------------------------------
10.0.0.1        0000-0000-0001        I         Vlanif100
10.0.0.2        0000-0000-0002   20   D/100     10GE1/0/1
------------------------------------------------------------------------------
Total:2         Dynamic:1       Static:0    Interface:1
"""
# S VRP5: a table per slot with PEVLAN/CEVLAN columns.
MAC_PER_SLOT = """\
MAC address table of slot 0:
-------------------------------------------------------------------------------
MAC Address    VLAN/       PEVLAN CEVLAN Port            Type      LSP/LSR-ID
               VSI/SI                                              MAC-Tunnel
-------------------------------------------------------------------------------
0000-0000-0001 10          -      -      GE0/0/3         dynamic   0/-
0000-0000-0002 20          -      -      GE0/0/4         static    -
-------------------------------------------------------------------------------
Total matching items on slot 0 displayed = 2
"""


def test_vrp5_arp_vlan_lines_belong_to_the_entry_above():
    got = parse_capture("huawei_vrp", "display arp all", ARP_VLAN_LINES)
    assert (got["status"], got["template"], got["unexplained"]) == ("parsed", "huawei_vrp_display_arp_all.textfsm", None)
    assert [(r["ip_address"], r["type"], r["vlan"], r["vpn_instance"]) for r in got["rows"]] == [
        ("10.0.10.1", "I -", "", ""), ("10.0.10.2", "D-0", "10", ""), ("10.0.20.2", "D-0", "20", "vpn1")]
    assert got["health"]["arp_entries"] == 3


def test_ce_arp_layout_is_read_not_a_parse_error():
    got = parse_capture("huawei_vrp", "display arp all", ARP_CE)
    assert (got["status"], got["unexplained"], got["health"]["arp_entries"]) == ("parsed", None, 2)
    assert [(r["expire"], r["type"], r["interface"]) for r in got["rows"]] == [("", "I", "Vlanif100"), ("20", "D/100", "10GE1/0/1")]


def test_s_mac_table_per_slot_is_read_whole():
    got = parse_capture("huawei_vrp", "display mac-address", MAC_PER_SLOT)
    assert (got["status"], got["unexplained"], got["health"]["mac_entries"]) == ("parsed", None, 2)
    assert [(r["vlan_id"], r["destination_port"], r["type"]) for r in got["rows"]] == [
        ("10", "GE0/0/3", "dynamic"), ("20", "GE0/0/4", "static")]


def test_device_legend_of_a_configured_board_is_read():
    # a real capture (tests/parsers pair): a CE stack with a configured, not yet active member
    raw = Path(__file__).resolve().parent / "parsers/huawei_vrp/display_device/ntc_ce6850_stack_legend.raw"
    got = parse_capture("huawei_vrp", "display device", raw.read_text(encoding="utf-8"))
    assert (got["status"], got["unexplained"], got["explained"]) == ("parsed", None, got["significant"])
    assert [r["pid"] for r in got["rows"]][-1] == "CE6850-48S4Q-EI"
