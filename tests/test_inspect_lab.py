"""The quarterly inspection of the sample workspace against the lab, over two periods.

The lab's scenarios (lab.yaml) plant problems; the inspection must find each planted problem and
nothing else, parse every catalogue item, store results in Git and compare with the last period.
What the service stores and records for failed, refused and re-inspected devices, and re-runs of
a period, are tested on recorded outputs (test_inspection_service.py); session failures in
test_faults.py.
"""

from __future__ import annotations

import json
import subprocess

import pytest
import yaml
from typer.testing import CliRunner

from netpatrol.cli.root import app
from netpatrol.lab import control
from netpatrol.workspace.settings import Workspace

pytestmark = pytest.mark.lab
runner = CliRunner()

# scenario -> (findings that must appear, findings that may accompany them)
EXPECTED = {
    "healthy": (set(), set()),
    "cpu_high": ({"cpu_percent", "cpu_critical"}, {"city_cpu_percent"}),
    "memory_high": ({"memory_percent", "memory_critical"}, set()),
    "fan_failed": ({"fan_failed"}, {"board_failed", "alarms_active", "log_high_severity"}),
    "psu_failed": ({"power_supply_failed"}, {"board_failed", "alarms_active", "log_high_severity"}),
    "interface_errors": ({"interface_errors_high", "interface_crc_high"}, set()),
    "recently_rebooted": ({"recently_rebooted"}, {"unexpected_reboot"}),
    "ntp_unsynced": ({"ntp_unsynchronised"}, {"ntp_stratum_16", "clock_skew"}),
    "log_alarms": ({"log_high_severity"}, {"alarms_active"}),
    "vrrp_init": ({"vrrp_group_not_ready"}, set()),
    "stp_flapping": ({"stp_topology_changes"}, set()),
    "weak_security": ({"telnet_enabled", "snmp_default_community"},
                      {"http_management_enabled", "password_encryption_off", "plaintext_password", "account_without_password",
                       "snmp_community_no_acl", "ssh_v2_not_enforced", "logging_host_missing", "ntp_server_missing"}),
}


# The sample workspace's own job item and check (tasks/, parsers/, checks/): every lab Huawei device
# has ports that are down but not shut down.
SAMPLE_JOB_FINDINGS = {"huawei_vrp": {"unused_ports_open"}}


# With a previous inspection, error counters are judged by their growth since then (they are
# cumulative); the lab's counters on a faulty port keep growing.
EXPECTED_LATER = {
    **EXPECTED,
    "interface_errors": ({"interface_errors_grown", "interface_crc_grown"}, {"interface_errors_high", "interface_crc_high"}),
}


def inspect(ws, period):
    res = runner.invoke(app, ["inspect", "-w", str(ws), "--period", period, "--backfill", "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def scenarios(ws) -> dict[str, list[str]]:
    doc = yaml.safe_load((ws / "lab.yaml").read_text(encoding="utf-8"))
    return {h: d.get("scenarios", []) for h, d in doc["devices"].items()}


def check_planted(devices: list[dict], planted: dict[str, list[str]], expected=EXPECTED) -> None:
    problems = []
    for d in devices:
        found = {f["check"] for f in d["findings"]}
        required, allowed = set(SAMPLE_JOB_FINDINGS.get(d["platform"], ())), set()
        for s in planted.get(d["host"], []) or ["healthy"]:
            req, opt = expected[s]
            required |= req
            allowed |= opt
        if not required <= found:
            problems.append(f"{d['host']} {planted.get(d['host'])}: missing {sorted(required - found)}")
        extra = found - required - allowed
        if extra:
            problems.append(f"{d['host']} {planted.get(d['host'])}: unexpected {sorted(extra)}")
    assert not problems, "\n".join(problems)


def test_two_periods_find_exactly_the_planted_problems(lab_workspace):
    ws = lab_workspace
    planted = scenarios(ws)
    q3 = inspect(ws, "2026Q3")
    devices = q3["devices"]
    assert len(devices) == 15 and all(d["status"] == "ok" for d in devices)
    # Every catalogue item is parsed, or honestly unsupported by that device family, or an
    # empty table that means "nothing to report" (no alarms).
    for d in devices:
        for name, item in d["items"].items():
            assert item["status"] in ("parsed", "unsupported") or (item["status"] == "empty" and name == "alarms"), (d["host"], name, item)
    check_planted(devices, planted)

    # Between the quarters: the fan is replaced, a CPU problem appears elsewhere.
    w = Workspace(ws)
    control.set_scenarios(w.lab_dir, "north-core-01", ["healthy"])
    control.set_scenarios(w.lab_dir, "east-acc-01", ["cpu_high"])
    planted.update({"north-core-01": ["healthy"], "east-acc-01": ["cpu_high"]})
    q4 = inspect(ws, "2026Q4")
    check_planted(q4["devices"], planted, EXPECTED_LATER)
    by_host = {d["host"]: d for d in q4["devices"]}
    # Compared by problem key: the failed fan seen by the board list and the fan list is one
    # problem, a CPU or memory crossing two tiers is one problem.
    assert "hardware:fan:0/2" in by_host["north-core-01"]["comparison"]["resolved"]
    assert "cpu" in by_host["east-acc-01"]["comparison"]["new"]
    assert "memory" in by_host["city-agg-01"]["comparison"]["persisting"]
    assert by_host["east-acc-01"]["comparison"]["previous_period"] == "2026Q3"
    cpu = by_host["east-acc-01"]["comparison"]["metrics"]["cpu_percent"]
    assert cpu["delta"] is not None and cpu["delta"] > 50

    tags = subprocess.run(["git", "-C", str(ws / "backups"), "tag", "-l", "inspection/*"],
                          capture_output=True, text=True, check=True).stdout.split()
    assert tags == ["inspection/2026Q3", "inspection/2026Q4"]
