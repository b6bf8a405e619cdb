"""Huawei AR layouts of later releases: `display cpu-usage` with tenths, a User/System/Idle line and
a Linux process table (V300R019 and later), and `display temperature all` naming each sensor with
the limits before the reading (V200R009 and later). The texts below are NOT device captures: they
are short fragments written in each layout (values made up) to pin what the templates read and
which CPU figure counts; the only public captures known are in an evaluation set (TEXTFSM.md)."""

from __future__ import annotations

import pytest

from netpatrol.inspection.capture import parse_capture

# Fragment (written, not captured): control plane idle, data plane loaded.
AR_CPU_TENTHS = """\
CPU   Usage Stat. Cycle: 10 (Second)
CPU   Usage Stat. Time : 2024-01-02  03:04:05
Control Plane
    CPU Usage: 5.5%   Max: 30.0%
    User: 3.0%   System:  2.5%   SoftIrq:  0.0%   HardIrq:  0.0%   Idle: 94.5%
    CPU utilization for ten seconds: 5.5%  one minute:  6.2%  five minutes:  7.4% .
Data    Plane
    CPU Usage: 81.0%   Max: 95.5%
    CPU utilization for ten seconds: 81.0%  one minute:  78.3%  five minutes:  64.9% .

PID   ProcessName         CPU%     CoreIndex      Runtime     State
101   main_task           4.1%      CPU0           123456      S
102   fwd_core            0.0%      CPU1           18446744073709551614R
"""
# Fragment (written, not captured): two named sensors, the second over its upper limit.
AR_TEMPERATURE_NAMED = """\
---------------------------------------------------------------------------
 Slot  Card  Sensor No.  SensorName          Status    Upper  Lower  Temp(C)
---------------------------------------------------------------------------
 0     -     1           AR0000-XX TEMP      NORMAL    86     0      41
 0     -     2           CPU TEMP            ABNORMAL  90     0      93
"""


@pytest.mark.parametrize(("command", "text", "template"), [
    ("display cpu-usage", AR_CPU_TENTHS, "huawei_vrp_display_cpu-usage_ar.textfsm"),
    ("display temperature all", AR_TEMPERATURE_NAMED, "huawei_vrp_display_temperature_all_ar.textfsm"),
])
def test_each_layout_is_explained_by_its_own_template(command: str, text: str, template: str):
    got = parse_capture("huawei_vrp", command, text)
    assert (got["status"], got["template"], got["unexplained"]) == ("parsed", template, None)


def test_ar_cpu_tenths_keep_each_planes_averages():
    got = parse_capture("huawei_vrp", "display cpu-usage", AR_CPU_TENTHS)
    assert [(r["plane"], r["cpu_usage_1_min"], r["cpu_usage_5_min"]) for r in got["rows"]] == [
        ("Control", "6.2", "7.4"), ("Data", "78.3", "64.9")]


def test_ar_cpu_reports_the_busiest_plane():
    # a saturated data plane drops traffic: reading only the control plane would hide it
    got = parse_capture("huawei_vrp", "display cpu-usage", AR_CPU_TENTHS)
    assert (got["health"]["cpu_percent"], got["health"]["cpu_peak_percent"]) == (64.9, 81.0)


def test_ar_named_sensors_read_the_reading_not_the_limits():
    got = parse_capture("huawei_vrp", "display temperature all", AR_TEMPERATURE_NAMED)
    assert [(t["name"], t["celsius"], t["warn"], t["status"]) for t in got["health"]["temperatures"]] == [
        ("0/AR0000-XX TEMP", 41.0, 86.0, "ok"), ("0/CPU TEMP", 93.0, 90.0, "failed")]


# Fragment (written, not captured): the memory summary with a rate in tenths, as the releases
# printing CPU figures in tenths may.
MEMORY_TENTHS = """\
Memory utilization statistics at 2024-01-02 03:04:05+08:00
System Total Memory Is: 1000000 Kbytes
Total Memory Used Is: 235000 Kbytes
Memory Using Percentage Is: 23.5%
"""


def test_memory_rate_in_tenths_is_read():
    got = parse_capture("huawei_vrp", "display memory-usage", MEMORY_TENTHS)
    assert (got["status"], got["unexplained"], got["health"]["memory_percent"]) == ("parsed", None, 23.5)
