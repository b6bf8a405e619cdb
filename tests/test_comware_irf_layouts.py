"""H3C Comware layouts of IRF stacks, chassis and the documented variants of the catalogue commands.

The fragments below are short layout examples written after the vendor's command references (a
header plus a row or two in each variant's format), not device captures: the real captures are the
pairs in tests/parsers. Each checks that the right candidate wins, that every line is accounted for,
and that member/chassis numbers survive into the health facts (two members' slot 0 stay apart).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from netpatrol.inspection.capture import parse_capture
from netpatrol.inspection.parsing import parse

CPU_CHASSIS_IRF = """\
Chassis 1 Slot 0 CPU 0 CPU usage:
       9% in last 5 seconds
       8% in last 1 minute
       7% in last 5 minutes

Chassis 2 Slot 0 CPU 0 CPU usage:
       4% in last 5 seconds
       3% in last 1 minute
       2% in last 5 minutes
"""
CPU_CMW5_BANNER = """\
===== Current CPU usage info =====
Slot 0 CPU usage:
      12% in last 5 seconds
      11% in last 1 minute
      10% in last 5 minutes
"""
CPU_STACK_UNIT = """\
Unit 1
Unit CPU usage:
       5% in last 5 seconds
       5% in last 1 minute
       4% in last 5 minutes
"""
MEMORY_STATISTICS_ABOUT = """\
The statistics about memory is measured in KB:
Slot 0:
             Total      Used      Free    Shared   Buffers    Cached   FreeRatio
Mem:       1000000    250000    750000         0      1000     20000       75.0%
-/+ Buffers/Cache:    229000    771000
Swap:            0         0         0
"""
ENVIRONMENT_CHASSIS_IRF = """\
System temperature information (degree centigrade):
----------------------------------------------------------------------
Slot   Sensor        Temperature LowerLimit WarningLimit AlarmLimit ShutdownLimit
1/Vent outflow 1     35          10         40           50          70
1/0    inflow  1     26          -10        50           70          100
2/0    inflow  1     28          -10        50           70          100
"""
ENVIRONMENT_NO_SHUTDOWN = """\
System temperature information (degree centigrade):
-----------------------------------------------------
Slot  Sensor    Temperature LowerLimit WarningLimit AlarmLimit
0/1   Inflow  1   31          -5          66          76
"""
DEVICE_SUBCARDS = """\
Slot brief information:
------------------------------------------------------------
Slot No.   Brd Type        Brd Status   Software Version
 0         BOX-MPU         Master       BOX-7000
SubCard information on slot 0:
-------------------------------------------------------
SSlot No.   Type        Status   Software Version
 1          SUB-A       Normal   BOX-7000
 3          NONE        Fault    NONE
"""
DEVICE_CONTEXT_CPU = """\
Slot No. CPU No.  Brd Type      Brd Status   Subslot  Sft Ver      Patch Ver
  6        1      FW-ENGINE     Master        0       M-9000       None
  9        1      FW-ENGINE     Fault         0       M-9000       None
"""
DEVICE_CHASSIS_IRF = """\
Chassis   Slot Type         State        Subslot      Soft Ver     Patch Ver
1         0    MPU-A        Master       0            S7500E-0000  None
1         1    NONE         Absent       0            NONE         None
2         0    MPU-A        Standby      0            S7500E-0000  None
"""
DEVICE_BLADE_CONTROLLER = """\
---------------------- Blade controller device info ----------------------
Chassis  Slot CPU   Type         State    Subslot  Soft Ver     Patch Ver
1        6    1     FW-ENGINE    Master   0        M-9000       None
"""
DEVICE_BOX_IRF = """\
Slot 1
SubSNo PortNum PCBVer FPGAVer CPLDVer BootRomVer AddrLM Type       State
0      28      REV.C  NULL    002     505        IVL    MAIN       Normal
1      0       REV.A  NULL    NULL    NULL       IVL    2*10GE     Fault
Slot 2
SubSNo PortNum PCBVer FPGAVer CPLDVer BootRomVer AddrLM Type       State
0      28      REV.C  NULL    002     503        IVL    MAIN       Normal
"""
VERSION_IMAGE_LISTS = """\
H3C Comware Software, Version 7.1.070, Release 6300
Copyright (c) 2004-2020 New H3C Technologies Co., Ltd. All rights reserved.
H3C S6520-26Q-SI uptime is 1 week, 2 days, 3 hours, 4 minutes
Last reboot reason : Cold reboot

Boot image: flash:/s6520-cmw710-boot-r6300.bin
Boot image version: 7.1.070, Release 6300
  Compiled Jan 01 2020 11:00:00
System image: flash:/s6520-cmw710-system-r6300.bin
System image version: 7.1.070, Release 6300
  Compiled Jan 01 2020 11:00:00
Feature image(s) list:
  flash:/s6520-cmw710-freeradius-r6300.bin, version: 7.1.070
    Compiled Jan 01 2020 11:00:00
Patch image(s) list:
  flash:/s6520-cmw710-system-r6300h01.bin, version: Release 6300H01
    Compiled Jan 01 2020 11:00:00

MPU(M) Chassis 1 Slot 0:
Uptime is 1 week,2 days,3 hours,4 minutes
S6520 MPU with 1 Processor
BOARD TYPE:         S6520-26Q-SI
Basic    BootWare Version:  1.10
Extended BootWare Version:  1.10
Reboot Cause  :     ColdReboot
[SubSlot 0] 24SFP Plus + 2QSFP Plus
"""
VERSION_CMW5_BLANK_BEFORE_MODEL = """\
HP Comware Platform Software
Comware Software, Version 5.20.105, Release 1808P27
Copyright (c) 2010-2014 Hewlett-Packard Development Company, L.P.

HP A5800-48G Switch with 1 Interface Slot uptime is 2 weeks, 1 day, 3 hours, 4 minutes

 Last reboot reason : Power on
 Boot image: flash:/a5800-cmw520-r1808p27.bin
 System image: flash:/a5800-cmw520-r1808p27.bin
Hardware Version is Ver.A
"""
FAN_CHASSIS_IRF = """\
 Chassis 1 Slot 1:
 Fan 1:
 State    : Normal
 Chassis 2 Slot 1:
 Fan 1:
 State    : Fault
"""
POWER_CHASSIS_HEADER = """\
 Chassis 1:
 PowerID State    Mode   Current(A)  Voltage(V)  Power(W)
 1       Normal   AC     --          --          --
 Chassis 2:
 PowerID State    Mode   Current(A)  Voltage(V)  Power(W)
 1       Absent   --     --          --          --
"""
LOGBUFFER_TRAP_MARK = """\
Logging buffer configuration and contents:enabled
Allowed max buffer size : 1024
Actual buffer size : 512
Channel number : 4 , channel name : logbuffer
Dropped messages : 0
Overwritten messages : 0
Current messages : 2
#Jan  2 10:00:01:100 2010 Sysname DEV/2/BOARD STATE CHANGE TO FAULT: Trap 1.3.6.1.4.1.2011: slot 2 fault
%Jan  2 10:00:00:050 2010 Sysname SHELL/5/LOGIN: admin logged in from 10.0.0.1.
"""


def _run(command: str, text: str) -> dict:
    outcome = parse("hp_comware", command, text)
    assert outcome.status == "parsed" and outcome.unexplained is None, (outcome.status, outcome.unexplained)
    return parse_capture("hp_comware", command, text)


def test_cpu_keeps_the_chassis_of_each_board():
    out = _run("display cpu-usage", CPU_CHASSIS_IRF)
    assert [(r["chassis"], r["slot"], r["cpu_usage_5_min"]) for r in out["rows"]] == [("1", "0", "7"), ("2", "0", "2")]
    assert out["health"]["cpu_percent"] == 7.0


@pytest.mark.parametrize(("text", "slot", "percent"), [(CPU_CMW5_BANNER, "0", 10.0), (CPU_STACK_UNIT, "1", 4.0)])
def test_cpu_comware5_banner_and_stack_unit(text: str, slot: str, percent: float):
    out = _run("display cpu-usage", text)
    assert [r["slot"] for r in out["rows"]] == [slot]
    assert out["health"]["cpu_percent"] == percent


def test_memory_statistics_about_header():
    out = _run("display memory", MEMORY_STATISTICS_ABOUT)
    assert Path(out["template"]).name == "hp_comware_display_memory.textfsm"
    assert out["health"]["memory_percent"] == pytest.approx(25.0)


def test_environment_chassis_slots_and_vent():
    out = _run("display environment", ENVIRONMENT_CHASSIS_IRF)
    temps = [(t["name"], t["celsius"], t["warn"], t["critical"]) for t in out["health"]["temperatures"]]
    assert temps == [("1/Vent/outflow 1", 35.0, 40.0, 50.0), ("1/0/inflow  1", 26.0, 50.0, 70.0),
                     ("2/0/inflow  1", 28.0, 50.0, 70.0)]


def test_environment_without_shutdown_column_is_not_shifted():
    out = _run("display environment", ENVIRONMENT_NO_SHUTDOWN)
    row = out["rows"][0]
    assert (row["sensor"], row["temperature"], row["upper_limit"], row["critical_limit"]) == ("Inflow  1", "31", "66", "76")


@pytest.mark.parametrize(("text", "boards"), [
    (DEVICE_SUBCARDS, [("0", "ok", "BOX-MPU"), ("0/1", "ok", "SUB-A"), ("0/3", "failed", None)]),
    (DEVICE_CONTEXT_CPU, [("6", "ok", "FW-ENGINE"), ("9", "failed", "FW-ENGINE")]),
    (DEVICE_CHASSIS_IRF, [("1/0", "ok", "MPU-A"), ("1/1", "absent", None), ("2/0", "ok", "MPU-A")]),
    (DEVICE_BLADE_CONTROLLER, [("1/6", "ok", "FW-ENGINE")]),
    (DEVICE_BOX_IRF, [("1/0", "ok", "MAIN"), ("1/1", "failed", "2*10GE"), ("2/0", "ok", "MAIN")]),
])
def test_device_layouts_by_header(text: str, boards: list):
    out = _run("display device", text)
    assert Path(out["template"]).name == "hp_comware_display_device.textfsm"
    assert [(b["name"], b["status"], b.get("detail")) for b in out["health"]["boards"]] == boards


def test_version_image_lists_and_chassis_slot_sections():
    out = _run("display version", VERSION_IMAGE_LISTS)
    assert Path(out["template"]).name == "hp_comware_display_version.textfsm"
    assert (out["facts"]["model"], out["facts"]["os_version"]) == ("S6520-26Q-SI", "7.1.070, Release 6300")
    assert out["facts"]["last_reboot_reason"] == "Cold reboot"


def test_comware5_version_with_a_blank_line_before_the_model():
    out = _run("display version", VERSION_CMW5_BLANK_BEFORE_MODEL)
    assert Path(out["template"]).name == "hp_comware_display_version_cmw5.textfsm"
    assert out["facts"]["model"] == "A5800-48G Switch with 1 Interface Slot"
    assert out["facts"]["last_reboot_reason"] == "Power on" and out["facts"]["uptime_seconds"] > 0


@pytest.mark.parametrize(("command", "text", "key", "expected"), [
    ("display fan", FAN_CHASSIS_IRF, "fans", [("1/1/1", "ok"), ("2/1/1", "failed")]),
    ("display power", POWER_CHASSIS_HEADER, "power_supplies", [("1/1", "ok"), ("2/1", "absent")]),
])
def test_fan_and_power_keep_the_chassis(command: str, text: str, key: str, expected: list):
    out = _run(command, text)
    assert [(c["name"], c["status"]) for c in out["health"][key]] == expected


def test_logbuffer_trap_and_log_marks():
    out = _run("display logbuffer", LOGBUFFER_TRAP_MARK)
    assert [(r["facility"], r["severity"], r["mnemonic"]) for r in out["rows"]] == [
        ("DEV", "2", "BOARD STATE CHANGE TO FAULT"), ("SHELL", "5", "LOGIN")]
