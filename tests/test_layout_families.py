"""Layout families whose neighbours ntc's templates (or the first own candidate) misread: Cisco
`show environment` across ISR/ASR/Catalyst 9000/IE, the CPU line alone, the ISR EtherSwitch MAC
table, NX-OS HSRP v4/v6 groups, Comware's verbose VRRP layout and Junos logical units.

Every text here is a layout fragment written for the test (values made up; not a capture)."""

from __future__ import annotations

from pathlib import Path

from netpatrol.inspection.capture import parse_capture
from netpatrol.inspection.parsing import parse


def _template(out: dict) -> str:
    return Path(out["template"]).name


def _parts(out: dict, kind: str) -> list[tuple[str, str]]:
    return [(p["name"], p["status"]) for p in out["health"][kind] or []]


def _celsius(out: dict) -> list[float]:
    return [t["celsius"] for t in out["health"]["temperatures"] or []]


# ISR 4000 / Catalyst 9500 `show environment`: slot-first sensor table with a threshold column; the
# sensor column is cut to its width, so the state may follow after a single space.
SLOT_TABLE_WITH_THRESHOLDS = """\
Number of Critical alarms:  1
Number of Major alarms:     0
Number of Minor alarms:     0

 Slot        Sensor          Current State   Reading        Threshold(Minor,Major,Critical,Shutdown)
 ----------  --------------  --------------- ------------   ---------------------------------------
 P1          RPM: fan0       Normal          8000  RPM      na
 P1          RPM: fan1       Critical        0     RPM      na
 R0          VRM_ABCDEF: VOU Normal          1001  mV       na
 R0          Temp: Inlet     Normal          31    Celsius  (45 ,55 ,65 ,70 )(Celsius)
 R0          Temp: CPU Die   Warning         88    Celsius  (85 ,95 ,105,110)(Celsius)
"""


def test_slot_sensor_table_with_thresholds_and_one_space_states():
    out = parse_capture("cisco_ios", "show environment", SLOT_TABLE_WITH_THRESHOLDS)
    assert _template(out) == "cisco_ios_show_environment_sensors.textfsm"
    assert parse("cisco_ios", "show environment", SLOT_TABLE_WITH_THRESHOLDS).unexplained is None
    assert [r["sensor"] for r in out["rows"]][2] == "VRM_ABCDEF: VOU"
    assert _celsius(out) == [31.0, 88.0]
    # a sensor read in rpm is a fan, whatever its name
    assert _parts(out, "fans") == [("P1/RPM: fan0", "ok"), ("P1/RPM: fan1", "failed")]


# Catalyst 9300 `show environment all` of one member: sensor-first list, fan and supply tables.
C9300_MEMBER = """\
Sensor List: Environmental Monitoring
 Sensor          Location        State               Reading       Range(min-max)
 PS1 Vout        1               GOOD               12000 mV          na
 PS1 FAN         1               GOOD                5000 rpm         na
 PS2 FAN         1               NOT PRESENT            0 rpm         na
 SYSTEM INLET    1               GREEN                 30 Celsius   0 - 56
 SYSTEM HOTSPOT  1               GREEN                 60 Celsius   0 - 125

Switch   FAN     Speed     State     Airflow direction
---------------------------------------------------
  1        1    5000       OK     Front to Back
  1        2    0          NOT PRESENT or FAULTY     Front to Back

SW  PID                 Serial#     Status           Sys Pwr  PoE Pwr  Watts
--  ------------------  ----------  ---------------  -------  -------  -----
1A  PWR-C1-350WAC       AAA0000000A  OK              Good     Good     350
1B  Not Present
"""


def test_catalyst_9300_sensor_list_fans_and_supplies():
    out = parse_capture("cisco_ios", "show environment all", C9300_MEMBER)
    assert _template(out) == "cisco_ios_show_environment_sensors.textfsm"
    assert parse("cisco_ios", "show environment all", C9300_MEMBER).unexplained is None
    assert _celsius(out) == [30.0, 60.0]
    assert _parts(out, "power_supplies") == [("1A", "ok"), ("1B", "absent")]
    fans = dict(_parts(out, "fans"))
    assert (fans["1/1"], fans["1/2"], fans["1/PS1 FAN"], fans["1/PS2 FAN"]) == ("ok", "failed", "ok", "absent")


# Catalyst 9400 chassis: sensor list with thresholds, the supply table with its fan states, fan tray.
C9400_CHASSIS = """\
Sensor List:  Environmental Monitoring
 Sensor           Location          State          Reading           Threshold(Minor,Major,Critical,Shutdown)
 Temp: Coretemp   R0                Normal            40 Celsius          (107,117,123,125)(Celsius)
 HotSwap: Power   R0                Normal            200 Watts            na
 Temp:    Inlet   3/0               Normal            25 Celsius          (50 ,60 ,84 ,86 )(Celsius)

Power                                                       Fan States
Supply  Model No              Type  Capacity  Status        1     2
------  --------------------  ----  --------  ------------  -----------
PS1     C9400-PWR-3200AC      ac    3200 W    active        good  good
PS3     C9400-PWR-3200AC      ac    n.a.      faulty        good  good

PS Current Configuration Mode : Combined
PS Current Operating State    : Combined

Power supplies currently active    : 1
Power supplies currently available : 1

Fantray : good
Power consumed by Fantray : 500 Watts
Fantray airflow direction : side-to-side
Fantray beacon LED: off
Fantray status LED: green
SYSTEM : GREEN
"""


def test_catalyst_9400_supply_table_and_fan_tray():
    out = parse_capture("cisco_ios", "show environment all", C9400_CHASSIS)
    assert _template(out) == "cisco_ios_show_environment_sensors.textfsm"
    assert parse("cisco_ios", "show environment all", C9400_CHASSIS).unexplained is None
    assert _celsius(out) == [40.0, 25.0]
    assert [r["slot"] for r in out["rows"] if r["sensor"]] == ["R0", "R0", "3/0"]
    assert _parts(out, "power_supplies") == [("PS1", "ok"), ("PS3", "failed")]
    assert _parts(out, "fans") == [("Fantray", "ok")]


# ASR 901 and ISR routers: a sentence per sensor.
ROUTER_SENTENCES = """\
Power Supply Status:
   12AV  Supply: +12.000 V Normal
   1.5V  Supply: +0.000 V Failed
 Fan Status:
 Fan 1 Operation: Normal, is running at 40   percent speed

 Fan 2 Operation: Failed

 Alert settings:
   Board temperature, temperature warning: Enabled
   Threshold: 90 (high) -40 (low) DegC
 Board Temperature: Normal
   Board temperature,  temperature = 41 (C), Normal
   Inlet temperature,  temperature = 22 (C), Normal

 Environmental monitor experienced the following events:
   SeqNum           Event              State             Time
       1  :  Environmental monitor : "started " at 10:00:00 UTC Mon Jan 1 2024.

 External Alarms :

ALARM CONTACT 1 is not asserted
ALARM CONTACT 2 is asserted
"""

ISR_G1_SENTENCES = """\
Redundant Power System is not present.

SYS PS1 is present.
Type: AC

AUX(-48V) PS1 is absent.

Fan  1 Normal
Fan  2 Normal

Fan Speed is Normal

Alert settings:
Intake temperature warning: Enabled, Threshold: 55
Core temperature warning: Enabled, Threshold: 70 (CPU: 95)

Board Temperature: Normal
Internal-ambient temperature = 30, Normal
CPU temperature = 45, Normal

Voltage 1(3300) is Normal, Current voltage = 3290 mV
"""


def test_router_sentence_layouts():
    asr = parse_capture("cisco_ios", "show environment", ROUTER_SENTENCES)
    isr = parse_capture("cisco_ios", "show environment", ISR_G1_SENTENCES)
    for text, out in ((ROUTER_SENTENCES, asr), (ISR_G1_SENTENCES, isr)):
        assert _template(out) == "cisco_ios_show_environment_router.textfsm"
        assert parse("cisco_ios", "show environment", text).unexplained is None
    assert _parts(asr, "fans") == [("1", "ok"), ("2", "failed")]
    assert _celsius(asr) == [41.0, 22.0]
    assert _parts(isr, "fans") == [("1", "ok"), ("2", "ok")]
    assert _parts(isr, "power_supplies") == [("SYS PS1", "ok"), ("AUX(-48V) PS1", "absent")]
    assert _celsius(isr) == [30.0, 45.0]


# IE 3x00: alarm contacts, the supervisor temperature and the DC supplies.
IE_SUPERVISOR = """\
ALARM CONTACT 1
   Status:      asserted
   Description: external alarm contact 1
   Severity:    major
   Trigger:     open

Supervisor Temperature Value: 50 C
Temperature State: GREEN

System Temperature thresholds
-------------------------------
Minor Threshold    : 80 C (Yellow)
Major Threshold    : 90 C (Red)
Critical Threshold : 96 C

Pwr Supply         Type     Status     Voltage

------------------------------------------------
POWER SUPPLY-A      DC      OK      24V

POWER SUPPLY-B      DC      FAIL      0V
"""


def test_industrial_switch_layout():
    out = parse_capture("cisco_ios", "show environment all", IE_SUPERVISOR)
    assert _template(out) == "cisco_ios_show_environment_ie.textfsm"
    assert parse("cisco_ios", "show environment all", IE_SUPERVISOR).unexplained is None
    assert _celsius(out) == [50.0]
    assert _parts(out, "power_supplies") == [("POWER SUPPLY-A", "ok"), ("POWER SUPPLY-B", "failed")]


def test_alarm_contact_severity_is_not_a_power_supply():
    # the Catalyst template's one-word supply rule used to read "Severity: major" as a supply
    out = parse_capture("cisco_ios", "show environment all", IE_SUPERVISOR)
    assert all(name.startswith("POWER SUPPLY") for name, _ in _parts(out, "power_supplies"))


def test_cpu_line_alone_gives_the_cpu_figures():
    for line, average, peak in (("CPU utilization for five seconds: 13%/0%; one minute: 23%; five minutes: 15%", 15.0, 13.0),
                                ("CPU utilization for five seconds: 2%, one minute: 3%, five minutes: 4%", 4.0, 2.0)):
        out = parse_capture("cisco_ios", "show processes cpu sorted", line + "\n")
        assert out["status"] == "parsed"
        assert (out["health"]["cpu_percent"], out["health"]["cpu_peak_percent"]) == (average, peak)


ISR_TWO_MODULES = (
    "EHWIC: 0\n"
    "Destination Address\tAddress Type\tVLAN\tDestination Port\n"
    "-------------------\t------------\t----\t-----------------\n"
    "aaaa.bbbb.0001\t\tDynamic      \t  10  \tGigabitEthernet0/1/0\n"
    "aaaa.bbbb.0002\t\tStatic       \t  10  \tGigabitEthernet0/1/1\n"
    "\n"
    "EHWIC: 2\n"
    "Destination Address\tAddress Type\tVLAN\tDestination Port\n"
    "-------------------\t------------\t----\t-----------------\n"
    "aaaa.bbbb.0003\t\tDynamic      \t   20\tGigabitEthernet0/2/3\n"
)


def test_isr_mac_table_per_etherswitch_module():
    out = parse_capture("cisco_ios", "show mac address-table", ISR_TWO_MODULES)
    assert _template(out) == "cisco_ios_show_mac-address-table_ehwic.textfsm"
    assert out["health"]["mac_entries"] == 3
    assert [r["destination_port"] for r in out["rows"]] == [["GigabitEthernet0/1/0"], ["GigabitEthernet0/1/1"],
                                                            ["GigabitEthernet0/2/3"]]


NXOS_HSRP_V4_V6 = """\
Vlan10 - Group 10 (HSRP-V2) (IPv4)
  Local state is Standby, priority 90 (Cfged 90)
    Forwarding threshold(for vPC), lower: 0 upper: 90
  Hellotime 3 sec, holdtime 10 sec
  Virtual IP address is 10.0.10.1 (Cfged)
  Active router is 10.0.10.2, priority 100 expires in 9.1 sec(s)
  Standby router is local
  Authentication text "x"
  Virtual mac address is 0000.0c9f.f00a (Default MAC)
  3 state changes, last state change 1d02h
    Track object 5 state DOWN decrement 20
  IP redundancy name is hsrp-Vlan10-10 (default)

Vlan10 - Group 11 (HSRP-V2) (IPv4)
  Local state is Disabled(Virtual IP not cfged), priority 100 (Cfged 100)
  Hellotime 3 sec, holdtime 10 sec
  Virtual IP address is unknown
  Active router is unknown
  Standby router is unknown
  Virtual mac address is 0000.0c9f.f00b (Default MAC)
  0 state changes, last state change never
  IP redundancy name is hsrp-Vlan10-11 (default)

Vlan10 - Group 10 (HSRP-V2) (IPv6)
  Local state is Active, priority 110 (Cfged 110), may preempt
  Hellotime 3 sec, holdtime 10 sec
  Virtual IP address is fe80::5:73ff:fea0:a (Auto)
  Active router is local
  Standby router is fe80::1 , priority 90 expires in 8.0 sec(s)
  Virtual mac address is 0005.73a0.000a (Default MAC)
  1 state changes, last state change 00:10:00
  IP redundancy name is hsrp-Vlan10-10-V6 (default)
  Secondary VIP(s):
\t\t2001:db8::1
"""


def test_nxos_hsrp_groups_of_both_families():
    out = parse_capture("cisco_nxos", "show hsrp all", NXOS_HSRP_V4_V6)
    assert out["status"] == "parsed"
    assert parse("cisco_nxos", "show hsrp all", NXOS_HSRP_V4_V6).unexplained is None
    groups = [(g["group"], g["state"], g["virtual_ip"]) for g in out["health"]["vrrp"]]
    assert groups == [("10", "Standby", "10.0.10.1"), ("11", "Disabled(Virtual IP not cfged)", None),
                      ("10", "Active", "fe80::5:73ff:fea0:a")]
    # the same text without the indent (some tools strip it) reads the same
    flat = "\n".join(line.strip() for line in NXOS_HSRP_V4_V6.splitlines()) + "\n"
    again = parse_capture("cisco_nxos", "show hsrp all", flat)
    assert [(g["group"], g["state"]) for g in again["health"]["vrrp"]] == [(a, b) for a, b, _ in groups]


COMWARE_VRRP_VERBOSE = """\
IPv4 Virtual Router Information:
 Running mode : Standard
 Total number of virtual routers : 2
   Interface Vlan-interface10
     VRID             : 10                  Adver Timer  : 100
     Admin Status     : Up                  State        : Backup
     Config Pri       : 100                 Running Pri  : 100
     Preempt Mode     : Yes                 Delay Time   : 0
     Become Master    : 2900ms left
     Auth Type        : None
     Virtual IP       : 10.0.10.1
                        10.0.10.2
     Master IP        : 10.0.10.3
   Interface Vlan-interface20
     VRID             : 20                  Adver Timer  : 100
     Admin Status     : Up                  State        : Master
     Config Pri       : 120                 Running Pri  : 120
     Preempt Mode     : Yes                 Delay Time   : 0
     Auth Type        : Simple              Key          : ******
     Virtual IP       : 10.0.20.1
     Virtual MAC      : 0000-5e00-0114
     Master IP        : 10.0.20.2
"""


def test_comware_verbose_vrrp_layout():
    out = parse_capture("hp_comware", "display vrrp", COMWARE_VRRP_VERBOSE)
    assert _template(out) == "hp_comware_display_vrrp_verbose.textfsm"
    assert parse("hp_comware", "display vrrp", COMWARE_VRRP_VERBOSE).unexplained is None
    groups = [(g["interface"], g["group"], g["state"], g["virtual_ip"], g["priority"]) for g in out["health"]["vrrp"]]
    assert groups == [("Vlan-interface10", "10", "Backup", "10.0.10.1", 100),
                      ("Vlan-interface20", "20", "Master", "10.0.20.1", 120)]


JUNOS_UNITS = """\
Physical interface: lo0, Enabled, Physical link is Up
  Interface index: 6, SNMP ifIndex: 6
  Type: Loopback, MTU: Unlimited
  Device flags   : Present Running Loopback
  Interface flags: SNMP-Traps
  Link flags     : None
  Last flapped   : Never
    Input packets : 10
    Output packets: 10

  Logical interface lo0.0 (Index 321) (SNMP ifIndex 16)
    Flags: SNMP-Traps Encapsulation: Unspecified
    Input packets : 10
    Output packets: 10
    Protocol inet, MTU: Unlimited
      Addresses, Flags: Is-Default Is-Primary
        Local: 10.255.0.1

Physical interface: ge-0/0/1, Enabled, Physical link is Down
  Interface index: 140, SNMP ifIndex: 507
  Link-level type: Ethernet, MTU: 1514, Speed: 1000mbps, Duplex: Full-Duplex
  Device flags   : Present Running Down
  Interface flags: Hardware-Down SNMP-Traps Internal: 0x4000
  Last flapped   : 2024-01-01 10:00:00 UTC (1d 00:00 ago)
    Input packets : 0
    Output packets: 0

  Logical interface ge-0/0/1.0 (Index 330) (SNMP ifIndex 520)
    Flags: Device-Down SNMP-Traps 0x4000 Encapsulation: ENET2
    Input packets : 0
    Output packets: 0
    Protocol inet, MTU: 1500
      Addresses, Flags: Is-Preferred Is-Primary
        Destination: 10.0.0.0/30, Local: 10.0.0.1, Broadcast: 10.0.0.3
"""


def test_junos_ports_counted_without_their_logical_units():
    out = parse_capture("juniper_junos", "show interfaces", JUNOS_UNITS)
    assert out["status"] == "parsed"
    assert parse("juniper_junos", "show interfaces", JUNOS_UNITS).unexplained is None
    assert [r["interface"] for r in out["rows"]] == ["lo0", "lo0.0", "ge-0/0/1", "ge-0/0/1.0"]
    assert [r["local"] for r in out["rows"]][1] == "10.255.0.1"
    assert [(i["name"], i["oper_up"]) for i in out["health"]["interfaces"]] == [("lo0", True), ("ge-0/0/1", False)]
