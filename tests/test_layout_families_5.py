"""Layout families the first candidate misread: NX-OS `show interface` printed nested (headers and
admin-state lines indented) or without an MTU; IOS ports whose link is up but line protocol down.

Every text here is a layout fragment written for the test (values made up; not a capture)."""

from __future__ import annotations

from pathlib import Path

from netpatrol.inspection.capture import parse_capture


def _template(out: dict) -> str:
    return Path(out["template"]).name


def _ports(out: dict) -> list[tuple[str, bool | None, bool | None]]:
    return [(p["name"], p["admin_up"], p["oper_up"]) for p in out["health"]["interfaces"] or []]


# NX-OS `show interface` as some collectors print it: every block after the first one nested, a
# sub-interface naming its parent, an NVE interface, and a routed port whose MTU is missing so its
# bandwidth line starts with the comma.
NXOS_NESTED_INTERFACES = """\
mgmt0 is up
admin state is up
  Hardware: Ethernet, address: 0011.2233.4455 (bia 0011.2233.4455)
  MTU 1500 bytes, BW 1000000 Kbit, DLY 10 usec
    Ethernet3/7 is up
        admin state is up, Dedicated Interface
      Hardware: 10000 Ethernet, address: 0011.2233.4466 (bia 0011.2233.4466)
      Internet Address is 192.0.2.1/30
    , BW 10000000 Kbit, DLY 10 usec
      Port mode is routed
    Ethernet3/7.300 is down (Administratively down)
        admin state is down, Dedicated Interface, [parent interface is Ethernet3/7]
      Encapsulation 802.1Q Virtual LAN, Vlan ID 300, medium is broadcast
    nve1 is up
    admin state is up,  Hardware: NVE
      MTU 9216 bytes
    Vlan42 is down (Administratively down), line protocol is down, autostate enabled
      Hardware is EtherSVI, address is  0011.2233.4477
"""


def test_nxos_interfaces_nested_or_without_mtu_are_all_read():
    out = parse_capture("cisco_nxos", "show interface", NXOS_NESTED_INTERFACES)
    assert out["status"] == "parsed" and _template(out) == "cisco_nxos_show_interface.textfsm"
    assert _ports(out) == [("mgmt0", True, True), ("Ethernet3/7", True, True),
                           ("Ethernet3/7.300", False, False), ("nve1", True, True),
                           ("Vlan42", False, False)]
    assert [r["bandwidth"] for r in out["rows"]][1] == "10000000 Kbit"


# IOS `show interfaces`: a tunnel whose link is up but whose line protocol is down is not up; an
# administratively down port stays admin down; an up/up port is up.
IOS_LINK_UP_PROTOCOL_DOWN = """\
Tunnel21 is up, line protocol is down
  Hardware is Tunnel
  Internet address is 198.51.100.1/30
  MTU 17912 bytes, BW 100 Kbit/sec, DLY 50000 usec,
     reliability 255/255, txload 1/255, rxload 1/255
  Encapsulation TUNNEL, loopback not set
GigabitEthernet0/2 is administratively down, line protocol is down
  Hardware is iGbE, address is 0011.2233.4401 (bia 0011.2233.4401)
  MTU 1500 bytes, BW 1000000 Kbit/sec, DLY 10 usec,
     reliability 255/255, txload 1/255, rxload 1/255
  Encapsulation ARPA, loopback not set
GigabitEthernet0/3 is up, line protocol is up
  Hardware is iGbE, address is 0011.2233.4402 (bia 0011.2233.4402)
  MTU 1500 bytes, BW 1000000 Kbit/sec, DLY 10 usec,
     reliability 255/255, txload 1/255, rxload 1/255
  Encapsulation ARPA, loopback not set
"""


def test_ios_link_up_with_line_protocol_down_is_down():
    out = parse_capture("cisco_ios", "show interfaces", IOS_LINK_UP_PROTOCOL_DOWN)
    assert _ports(out) == [("Tunnel21", True, False), ("GigabitEthernet0/2", False, False),
                           ("GigabitEthernet0/3", True, True)]


def _boards(out: dict) -> list[tuple[str, str]]:
    return [(b["name"], b["status"]) for b in out["health"]["boards"] or []]


# Catalyst 9400/9600 `show module`: a blank slot cover, a card the chassis denies power and a
# standby supervisor that does not answer (MACs and versions 'unknown', status 'other').
CAT9K_CHASSIS_MODULES = """\
Chassis Type: C9410R

Mod Ports Card Type                                   Model          Serial No.
---+-----+--------------------------------------+--------------+--------------
1   48   48-Port 10GE / 25GE                         C9600-LC-48YL    ABC1111A001
2   0    Blank Module                                C9600-SLOT-BLANK N/A
5   11   Supervisor 1 Module                         C9400-SUP-1      ABC1111A002
6   11   Supervisor 1 Module                         C9400-SUP-1

Mod MAC addresses                    Hw   Fw           Sw                 Status
---+--------------------------------+----+------------+------------------+--------
1   0011.2233.4400 to 0011.2233.447F 1.0  17.6.1r       S2C                power-deny
5   0011.2233.4480 to 0011.2233.448A 1.0  17.6.1r       S2C                ok
6   unknown                          unkn unknown       unknown            other

Mod Redundancy Role     Operating Mode  Configured Mode  Redundancy Status
---+-------------------+---------------+---------------+------------------
5   Active              non-redundant   sso              Active
6   Standby             non-redundant   sso              Disabled

Chassis MAC address range: 64 addresses from 0011.2233.4400 to 0011.2233.443f
"""

# StackWise Virtual pair: the tables once per switch, module numbers repeating.
SVL_MODULES = """\
Chassis Type: C9500-24Y4C

Switch Number 1

Mod Ports Card Type                                   Model          Serial No.
---+-----+--------------------------------------+--------------+--------------
1   28   Cisco Catalyst 9500 Switch                  C9500-24Y4C      ABC2222B001

Mod MAC addresses                    Hw   Fw           Sw                 Status
---+--------------------------------+----+------------+------------------+--------
1   0011.2233.5500 to 0011.2233.551F 1.0  17.3.1r       17.03.04           ok

Mod Redundancy Role     Operating Redundancy Mode Configured Redundancy Mode
---+-------------------+-------------------------+---------------------------
1   Active              sso                       sso

Switch Number 2

Mod Ports Card Type                                   Model          Serial No.
---+-----+--------------------------------------+--------------+--------------
1   28   Cisco Catalyst 9500 Switch                  C9500-24Y4C      ABC2222B002

Mod MAC addresses                    Hw   Fw           Sw                 Status
---+--------------------------------+----+------------+------------------+--------
1   0011.2233.6600 to 0011.2233.661F 1.0  17.3.1r       17.03.04           ok

Mod Redundancy Role     Operating Redundancy Mode Configured Redundancy Mode
---+-------------------+-------------------------+---------------------------
1   Standby             sso                       sso

Chassis 1 MAC address range: 32 addresses from 0011.2233.5500 to 0011.2233.551f

Chassis 2 MAC address range: 32 addresses from 0011.2233.6600 to 0011.2233.661f
"""


def test_catalyst_chassis_blank_power_denied_and_silent_modules():
    out = parse_capture("cisco_ios", "show module", CAT9K_CHASSIS_MODULES)
    assert out["unexplained"] is None
    assert _boards(out) == [("1", "failed"), ("2", "absent"), ("5", "ok"), ("6", "failed")]


def test_stackwise_virtual_modules_are_named_per_switch():
    out = parse_capture("cisco_ios", "show module", SVL_MODULES)
    assert out["unexplained"] is None
    assert _boards(out) == [("1/1", "ok"), ("2/1", "ok")]


# NX-OS `show module`: a standby supervisor whose status reads fine but fails its online
# diagnostics; the fabric-module (LFM) tables after it are read and left out.
NXOS_MODULES_DIAG_FAIL = """\
Mod Ports                  Module-Type                            Model           Status
--- ----- ------------------------------------------------ --------------------- --------
1    48   48x25G SFP28 Ethernet Module                     N9K-X9748-SAMPLE      ok
29   0    Supervisor Module                                N9K-SUP-SAMPLE        active *
30   0    Supervisor Module                                N9K-SUP-SAMPLE        ha-standby

Mod  Sw                       Hw    Slot
---  ----------------------- ------ ----
1    10.2(5)                  1.0    LC1
29   10.2(5)                  1.0    SUP1
30   10.2(5)                  1.0    SUP2

Mod  Online Diag Status
---  ------------------
1    Pass
29   Pass
30   Fail
LFM Ports                  Module-Type                            Model           Status
--- ----- ------------------------------------------------ --------------------- --------
22   0    Fabric Module                                    N9K-FM-SAMPLE         ok

LFM  Online Diag Status
---  ------------------
22   Pass
"""


def test_nxos_module_failing_its_diagnostics_has_failed():
    out = parse_capture("cisco_nxos", "show module", NXOS_MODULES_DIAG_FAIL)
    assert out["unexplained"] is None
    assert _boards(out) == [("1", "ok"), ("29", "ok"), ("30", "failed")]


# Old IOS (11.x/12.x) banners: the release followed by a qualifier ('SHARED PLATFORM,', 'EARLY
# DEPLOYMENT'), ROM lines naming a bootstrap image's own version, an uptime wrapped before its
# last unit.
OLD_IOS_VERSION = """\
Cisco Internetwork Operating System Software
IOS (tm) 1600 Software (C1600-Y-L), Version 11.3(4)T, EARLY DEPLOYMENT RELEASE SOFTWARE (fc1)
Copyright (c) 1986-1998 by cisco Systems, Inc.
Compiled Wed 01-Jul-98 10:00 by someone
Image text-base: 0x02005000, data-base: 0x02400000

ROM: System Bootstrap, Version 11.1(7)AX, EARLY DEPLOYMENT RELEASE SOFTWARE (fc2)
ROM: 1600 Software (C1600-RBOOT-R), Version 11.1(7)AX, SHARED PLATFORM, RELEASE SOFTWARE (fc2)

a-long-router-name-for-the-wrap-in-this-layout uptime is 1 year, 3 weeks, 4 days, 5 hours, 12
minutes
System returned to ROM by power-on
System image file is "flash:c1600-y-l.113-4.T"

cisco 1604 (68360) processor (revision C) with 7680K/1024K bytes of memory.
Processor board ID 12345678, with hardware revision 00000000
Configuration register is 0x2102
"""


def test_old_ios_release_and_wrapped_uptime():
    out = parse_capture("cisco_ios", "show version", OLD_IOS_VERSION)
    assert out["facts"]["os_version"] == "11.3(4)T"
    assert out["facts"]["uptime_seconds"] == 365 * 86400 + 3 * 604800 + 4 * 86400 + 5 * 3600 + 12 * 60


# IOS-XE `show ip bgp summary` for the IPv6 family: a neighbour address too long for its column
# is printed alone, its counters on the next line; every header and memory line is accounted for.
IOS_BGP_IPV6_WRAPPED = """\
For address family: IPv6 Unicast
BGP router identifier 192.0.2.9, local AS number 64500
BGP table version is 120, main routing table version 120
12 network entries using 3072 bytes of memory
14 path entries using 2128 bytes of memory
3/2 BGP path/bestpath attribute entries using 816 bytes of memory
1 BGP AS-PATH entries using 24 bytes of memory
0 BGP route-map cache entries using 0 bytes of memory
BGP using 6040 total bytes of memory
BGP activity 30/18 prefixes, 40/26 paths, scan interval 60 secs
12 networks peaked at 10:00:00 Jan 1 2025 UTC (1d02h ago)

Neighbor        V           AS MsgRcvd MsgSent   TblVer  InQ OutQ Up/Down  State/PfxRcd
2001:db8:ffff:1::2
                4        64501     500     498      120    0    0 1d02h           12
2001:db8::3     4        64502       0       0        1    0    0 never    Idle (Admin)
"""


def test_ios_bgp_ipv6_neighbours_wrapped_or_not():
    out = parse_capture("cisco_ios", "show ip bgp summary", IOS_BGP_IPV6_WRAPPED)
    assert out["unexplained"] is None and _template(out) == "cisco_ios_show_ip_bgp_summary.textfsm"
    assert [(b["neighbor"], b["up"]) for b in out["health"]["bgp"]] == [
        ("2001:db8:ffff:1::2", True), ("2001:db8::3", False)]


# IOS-XE `show interfaces` with a pseudowire (no line protocol, MTU line without a delay, RX/TX
# counters) between ordinary interfaces.
IOS_PSEUDOWIRE_AMONG_PORTS = """\
GigabitEthernet0/0/1 is up, line protocol is up
  Hardware is BUILT-IN-2T+6X1GE, address is 0011.2233.4401 (bia 0011.2233.4401)
  MTU 1500 bytes, BW 1000000 Kbit/sec, DLY 10 usec,
     reliability 255/255, txload 1/255, rxload 1/255
  Encapsulation ARPA, loopback not set
pseudowire200 is up
    MTU 1500 bytes, BW 10000000 Kbit
    Encapsulation mpls
    Peer IP 198.51.100.7, VC ID 200
    RX
      1200 packets 96000 bytes 0 drops
    TX
      1100 packets 88000 bytes 0 drops
pseudowire201 is down
    MTU 1500 bytes, BW 10000000 Kbit
    Encapsulation mpls
    Peer IP 198.51.100.8, VC ID 201
GigabitEthernet0/0/2 is administratively down, line protocol is down
  Hardware is BUILT-IN-2T+6X1GE, address is 0011.2233.4402 (bia 0011.2233.4402)
"""


def test_ios_pseudowires_are_interfaces_too():
    out = parse_capture("cisco_ios", "show interfaces", IOS_PSEUDOWIRE_AMONG_PORTS)
    assert _template(out) == "cisco_ios_show_interfaces.textfsm"
    assert _ports(out) == [("GigabitEthernet0/0/1", True, True), ("pseudowire200", True, True),
                           ("pseudowire201", True, False), ("GigabitEthernet0/0/2", False, False)]
