"""H3C Comware 5 and Arista layouts the Comware 7 / ntc templates did not account for.

The fragments below are short layout examples (a header plus a row or two in each family's
format), not device captures: the real captures are the pairs in tests/parsers. Each checks that
the family's own candidate wins and that the health facts come out of it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from netpatrol.inspection.capture import parse_capture
from netpatrol.inspection.parsing import parse
from netpatrol.platforms import PLATFORMS

VERSION_MSR = """\
H3C Comware Platform Software
Comware Software, Version 5.20, Release 2511, Standard
Copyright (c) 2004-2013 Hangzhou H3C Tech. Co., Ltd. All rights reserved.
H3C MSR30-40 uptime is 3 weeks, 5 days, 5 hours, 18 minutes
Last reboot 2014/01/19 01:36:38
System returned to ROM By Power-up.

CPU type: FREESCALE MPC8349 533MHz
512M bytes DDR SDRAM Memory
Pcb               Version:  4.0
[SLOT  0]CON                       (Hardware)4.0    (Driver)1.0,   (Cpld)3.0
"""

VERSION_S5500 = """\
H3C Comware Platform Software
Comware Software, Version 5.20, Release 2208P01
Copyright (c) 2004-2010 Hangzhou H3C Tech. Co., Ltd. All rights reserved.
H3C S5500-28C-EI uptime is 0 weeks, 1 day, 2 hours, 47 minutes

H3C S5500-28C-EI with 1 Processor
256M    bytes SDRAM
Hardware Version is REV.C
[SubSlot 0] 24GE+4SFP Hardware Version is REV.C
"""

FAN_SLOT_NO_COLON = " Slot 1\n FAN    1\n State    : Normal\n FAN    2\n State    : Fault\n"
FAN_TRAYS = " Fan-tray state on chassis 1:\n  Fan-tray  1  state: Normal\n  Fan-tray  2  state: Absent\n"
POWER_SLOT_NO_COLON = " Slot 1\n Power    1\n State    : Normal\n Power    2\n State    : Absent\n"
MEMORY_CMW5 = "System Total Memory(bytes): 431869088\nTotal Used Memory(bytes): 71963156\nUsed Rate: 16%\n"
LOGBUFFER_CMW5 = """\
Logging buffer configuration and contents:enabled
Allowed max buffer size : 1024
Actual buffer size : 512
Channel number : 4 , channel name : logbuffer
Dropped messages : 0
Overwritten messages : 0
Current messages : 2
%Jun 19 18:03:24:55 2006 Sysname IFNET/4/LINK UPDOWN: GigabitEthernet1/0/1 link status is DOWN.
%Jun 19 18:03:25:12 2006 Sysname SHELL/5/CMD:
 task:vt0 ip:10.1.1.1 user:admin command:display logbuffer
"""
DIR_CFA0 = """\
Directory of cfa0:/

   0     -rw-  20679804  Jan 01 2007 00:03:28   main.bin

261760 KB total (240232 KB free)

File system type of cfa0: FAT32
"""
ENVIRONMENT_CMW5 = """\
 System Temperature information (degree centigrade):
 ----------------------------------------------------
  SlotNo   Temperature   Lower limit   Upper limit
  1         33             0            60
"""
DEVICE_MSR = " Slot No.  Board Type                Status    Max Ports\n 0         A-MSR900 RPU Board        Normal       8\n"
TOP_NEGATIVE_PRIORITY = """\
top - 01:41:26 up  1:46,  3 users,  load average: 0.09, 0.06, 0.07
Tasks: 151 total,   1 running, 150 sleeping,   0 stopped,   0 zombie
%Cpu(s): 11.1 us,  0.0 sy,  0.0 ni, 83.3 id,  0.0 wa,  5.6 hi,  0.0 si,  0.0 st
MiB Mem :   1933.5 total,     52.9 free,   1179.5 used,   1118.4 buff/cache
MiB Swap:      0.0 total,      0.0 free,      0.0 used.    753.9 avail Mem

    PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND
      1 root      20   0   21648  12388   9000 S   0.0   0.6   0:04.68 systemd
     39 root     -51   0       0      0      0 S   0.0   0.0   0:00.00 watchdogd
"""


def _run(platform: str, command: str, text: str) -> dict:
    out = parse_capture(platform, command, text)
    assert out["status"] == "parsed", out
    return out


@pytest.mark.parametrize(("text", "model", "os_version"), [
    (VERSION_MSR, "MSR30-40", "5.20, Release 2511"),
    (VERSION_S5500, "S5500-28C-EI", "5.20, Release 2208P01"),
])
def test_comware5_version(text: str, model: str, os_version: str):
    out = _run("hp_comware", "display version", text)
    assert Path(out["template"]).name == "hp_comware_display_version_cmw5.textfsm"
    assert (out["facts"]["model"], out["facts"]["os_version"]) == (model, os_version)
    assert out["facts"]["uptime_seconds"] > 0


@pytest.mark.parametrize(("command", "text", "key", "expected"), [
    ("display fan", FAN_SLOT_NO_COLON, "fans", [("1/1", "ok"), ("1/2", "failed")]),
    ("display fan", FAN_TRAYS, "fans", [("1/1", "ok"), ("1/2", "absent")]),
    ("display power", POWER_SLOT_NO_COLON, "power_supplies", [("1/1", "ok"), ("1/2", "absent")]),
])
def test_comware5_fans_and_power(command: str, text: str, key: str, expected: list):
    out = _run("hp_comware", command, text)
    assert Path(out["template"]).name.endswith("_cmw5.textfsm")
    assert [(c["name"], c["status"]) for c in out["health"][key]] == expected


def test_comware5_memory_used_rate():
    out = _run("hp_comware", "display memory", MEMORY_CMW5)
    assert Path(out["template"]).name == "hp_comware_display_memory_cmw5.textfsm"
    assert out["health"]["memory_percent"] == 16.0


def test_comware5_logbuffer_header_and_wrapped_message():
    out = _run("hp_comware", "display logbuffer", LOGBUFFER_CMW5)
    assert [(r["mnemonic"], r["message"]) for r in out["rows"]] == [
        ("LINK UPDOWN", ["GigabitEthernet1/0/1 link status is DOWN."]),
        ("CMD", ["task:vt0 ip:10.1.1.1 user:admin command:display logbuffer"]),
    ]


def test_comware5_dir_file_system_type_line():
    out = _run("hp_comware", "dir", DIR_CFA0)
    assert (out["health"]["storage_total_kb"], out["health"]["storage_free_kb"]) == (261760, 240232)


def test_comware5_environment_without_sensor_column():
    out = _run("hp_comware", "display environment", ENVIRONMENT_CMW5)
    assert [(t["name"], t["celsius"], t["warn"]) for t in out["health"]["temperatures"]] == [("1", 33.0, 60.0)]


def test_msr_board_type_with_spaces():
    out = _run("hp_comware", "display device", DEVICE_MSR)
    assert Path(out["template"]).name == "hp_comware_display_device_msr.textfsm"
    assert [(b["name"], b["status"], b["detail"]) for b in out["health"]["boards"]] == [
        ("0", "ok", "A-MSR900 RPU Board")]


def test_arista_top_with_negative_priority():
    # ntc's template of the same name rejects the "-51"; the platform's own one is chosen.
    assert Path(parse("arista_eos", "show processes top once", TOP_NEGATIVE_PRIORITY).template).parent == (
        PLATFORMS["arista_eos"].textfsm_dir)
    out = _run("arista_eos", "show processes top once", TOP_NEGATIVE_PRIORITY)
    assert [r["priority"] for r in out["rows"]] == ["20", "-51"]
    assert out["health"]["cpu_percent"] == pytest.approx(16.7)
