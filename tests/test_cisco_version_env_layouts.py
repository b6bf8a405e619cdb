"""Cisco IOS/IOS-XE `show version` and `show environment all`, NX-OS `show version`: layouts whose
fact ntc's templates lose, read by this repository's own candidates. The texts below are layout
fragments written for these tests (values made up), not captures; real captures are the pairs in
tests/parsers/cisco_ios/ and tests/parsers/cisco_nxos/."""

from __future__ import annotations

from pathlib import Path

from netpatrol.inspection.capture import parse_capture
from netpatrol.inspection.parsing import parse

IOS_XE_STACK = """\
Cisco IOS XE Software, Version 17.09.04a
Cisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 17.9.4a, RELEASE SOFTWARE (fc3)
Technical Support: http://www.cisco.com/techsupport
Copyright (c) 1986-2023 by Cisco Systems, Inc.
Compiled Fri 20-Oct-23 10:44 by mcpre

ROM: IOS-XE ROMMON
BOOTLDR: System Bootstrap, Version 17.9.1r, RELEASE SOFTWARE (P)

access-3 uptime is 3 weeks, 2 days, 4 hours, 10 minutes
Uptime for this control processor is 3 weeks, 2 days, 4 hours, 12 minutes
System returned to ROM by Reload Command
System image file is "flash:packages.conf"
Last reload reason: Reload Command

Technology Package License Information:

------------------------------------------------------------------------------
Technology-package                                     Technology-package
Current                        Type                       Next reboot
------------------------------------------------------------------------------
network-advantage   \tSmart License                 \t network-advantage
dna-advantage       \tSubscription Smart License    \t dna-advantage
AIR License Level: AIR DNA Advantage
Next reload AIR license Level: AIR DNA Advantage

Smart Licensing Status: Smart Licensing Using Policy

cisco C9300-48P (X86) processor with 1338934K/6147K bytes of memory.
Processor board ID FOC0000X0AA
2 Virtual Ethernet interfaces
96 Gigabit Ethernet interfaces
2048K bytes of non-volatile configuration memory.
8388608K bytes of physical memory.

Base Ethernet MAC Address          : 00:11:22:33:44:00
Motherboard Assembly Number        : 73-00000-00
Model Number                       : C9300-48P
System Serial Number               : FOC0000X0AA


Switch Ports Model              SW Version        SW Image              Mode
------ ----- -----              ----------        ----------            ----
*    1 65    C9300-48P          17.09.04a         CAT9K_IOSXE           INSTALL
     2 65    C9300-48P          17.09.04a         CAT9K_IOSXE           INSTALL


Switch 02
---------
Switch uptime                      : 3 weeks, 2 days, 4 hours, 11 minutes

Base Ethernet MAC Address          : 00:11:22:33:55:00
Model Number                       : C9300-48P
System Serial Number               : FOC0000X0BB

Configuration register is 0x102
"""


def test_ios_xe_stack_is_read_whole_by_the_own_candidate():
    outcome = parse("cisco_ios", "show version", IOS_XE_STACK)
    assert (Path(outcome.template).name, outcome.unexplained) == ("cisco_ios_show_version_xe.textfsm", None)
    row = outcome.rows[0]
    assert (row["version"], row["hardware"], row["serial"]) == ("17.9.4a", ["C9300-48P", "C9300-48P"],
                                                                ["FOC0000X0AA", "FOC0000X0BB"])
    facts = parse_capture("cisco_ios", "show version", IOS_XE_STACK)["facts"]
    assert (facts["model"], facts["os_version"], facts["serial"]) == ("C9300-48P", "17.9.4a", "FOC0000X0AA")


def test_engineering_build_release_is_read():
    # "Experimental Version X [build]": no comma after the release, a word before "Version"
    text = IOS_XE_STACK.replace("Version 17.9.4a, RELEASE SOFTWARE (fc3)",
                                "Experimental Version 17.12.20230601:003012 [BLD_V1712_THROTTLE_LATEST 101]")
    facts = parse_capture("cisco_ios", "show version", text)["facts"]
    assert facts["os_version"] == "17.12.20230601:003012"


def test_ios_xe_line_alone_gives_the_release():
    text = IOS_XE_STACK.replace(
        "Cisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 17.9.4a, RELEASE SOFTWARE (fc3)\n",
        "")
    assert parse_capture("cisco_ios", "show version", text)["facts"]["os_version"] == "17.09.04a"


CATALYST_SENTENCES = """\
FAN is NOT OK
TEMPERATURE is OK
Temperature Value: 41 Degree Celsius
Temperature State: GREEN
Yellow Threshold : 65 Degree Celsius
Red Threshold    : 75 Degree Celsius

POWER is OK
RPS is AVAILABLE
"""


def health(text: str) -> dict:
    out = parse_capture("cisco_ios", "show environment all", text)
    assert out["status"] == "parsed"
    return out["health"]


def test_catalyst_one_sentence_per_subsystem():
    h = health(CATALYST_SENTENCES)
    assert [f["status"] for f in h["fans"]] == ["failed"]
    assert [(p["name"], p["status"]) for p in h["power_supplies"]] == [("POWER", "ok"), ("RPS", "ok")]
    # TEMPERATURE names no power supply; the value block is a sensor with its thresholds
    assert [(t["celsius"], t["status"]) for t in h["temperatures"]] == [(None, "ok"), (41.0, "ok")]
    assert parse("cisco_ios", "show environment all", CATALYST_SENTENCES).unexplained is None


def test_redundant_power_system_words():
    absent = health(CATALYST_SENTENCES.replace("RPS is AVAILABLE", "RPS is NOT PRESENT"))
    assert [(p["name"], p["status"]) for p in absent["power_supplies"]] == [("POWER", "ok"), ("RPS", "absent")]
    busy = health(CATALYST_SENTENCES.replace("RPS is AVAILABLE", "RPS is NOT AVAILABLE"))
    assert ("RPS", "warning") in [(p["name"], p["status"]) for p in busy["power_supplies"]]


def test_stack_rps_table_and_switch_prefixed_sentences():
    text = ("Switch 1 FAN 1 is OK\nSwitch 2 FAN 1 is NOT OK\nSYSTEM TEMPERATURE is OK\n"
            "SW  Status          RPS Name          RPS Serial#  RPS Port#\n"
            "--  -------------   ----------------  -----------  ---------\n"
            "1   Not Present     <>\n2   Not Present     <>\n")
    h = health(text)
    assert [(f["name"], f["status"]) for f in h["fans"]] == [("1/1", "ok"), ("2/1", "failed")]
    assert {p["status"] for p in h["power_supplies"]} == {"absent"}
    assert parse("cisco_ios", "show environment all", text).unexplained is None


NXOS_HARDWARE = """\
Cisco Nexus Operating System (NX-OS) Software
TAC support: http://www.cisco.com/tac
Copyright (c) 2002-2023, Cisco Systems, Inc. All rights reserved.

Software
  BIOS:      version 05.45
  kickstart: version 16.0(3d) [build 16.0(3d)]
  system:    version 16.0(3d) [build 16.0(3d)]
  BIOS compile time:       03/01/2022
  kickstart image file is: /bootflash/aci-n9000-dk9.16.0.3d.bin
  kickstart compile time:  08/01/2023 10:00:00 [08/01/2023 10:00:00]
  system image file is:    /bootflash/auto-s
  system compile time:     08/01/2023 10:00:00 [08/01/2023 10:00:00]

Hardware
  cisco N9K-C93180YC-FX ("supervisor")
   Intel(R) Xeon(R) CPU  @ 1.80GHz with 24000000 kB of memory.
  Processor Board ID FDO00000AAA

  Device name: leaf-201
  bootflash:    62000000 kB

Kernel uptime is 10 day(s), 2 hour(s), 3 minute(s), 4 second(s)
"""


def test_nxos_pid_with_dashes_keeps_the_model():
    outcome = parse("cisco_nxos", "show version", NXOS_HARDWARE)
    assert (Path(outcome.template).name, outcome.unexplained) == ("cisco_nxos_show_version_pid.textfsm", None)
    assert parse_capture("cisco_nxos", "show version", NXOS_HARDWARE)["facts"]["model"] == "C93180YC-FX"


def test_nxos_chassis_lines_read_as_ntc_reads_them():
    def model(line: str) -> str:
        text = NXOS_HARDWARE.replace('  cisco N9K-C93180YC-FX ("supervisor")', line)
        return parse_capture("cisco_nxos", "show version", text)["facts"]["model"]

    assert model("  cisco Nexus9000 C93180YC-EX chassis") == "C93180YC-EX"
    assert model('  cisco Nexus 3048 Chassis ("48x1GE + 4x10G Supervisor")') == "3048"
    assert model('  cisco N77-C7710 (10 Slot) Chassis ("Supervisor Module-2")') == "C7710"
