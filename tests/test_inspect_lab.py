"""The quarterly inspection of the sample workspace against the lab, over two periods.

The lab's scenarios (lab.yaml) plant problems; the inspection must find each planted problem and
nothing else, parse every catalogue item, store results in Git and compare with the last period.
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
    assert "fan_failed:0/2" in by_host["north-core-01"]["comparison"]["resolved"] or any(
        k.startswith("fan_failed") for k in by_host["north-core-01"]["comparison"]["resolved"])
    assert any(k.startswith("cpu_critical") for k in by_host["east-acc-01"]["comparison"]["new"])
    assert any(k.startswith("memory_critical") for k in by_host["city-agg-01"]["comparison"]["persisting"])
    assert by_host["east-acc-01"]["comparison"]["previous_period"] == "2026Q3"
    cpu = by_host["east-acc-01"]["comparison"]["metrics"]["cpu_percent"]
    assert cpu["delta"] is not None and cpu["delta"] > 50

    tags = subprocess.run(["git", "-C", str(ws / "backups"), "tag", "-l", "inspection/*"],
                          capture_output=True, text=True, check=True).stdout.split()
    assert tags == ["inspection/2026Q3", "inspection/2026Q4"]
    stored = json.loads((ws / "backups/inspections/2026Q4/jc-north/north-core-01.json").read_text())
    assert stored["schema_version"] and stored["period"] == "2026Q4"
    assert list((ws / "backups/inspections/2026Q4/jc-north/north-core-01").glob("*.txt"))

    # Re-running a period replaces its results in a new commit and moves the tag.
    before = subprocess.run(["git", "-C", str(ws / "backups"), "rev-list", "--count", "HEAD"], capture_output=True, text=True).stdout
    control.set_scenarios(w.lab_dir, "east-acc-01", ["healthy"])
    again = inspect(ws, "2026Q4")
    assert not [f for f in {d["host"]: d for d in again["devices"]}["east-acc-01"]["findings"] if f["check"].startswith("cpu")]
    after = subprocess.run(["git", "-C", str(ws / "backups"), "rev-list", "--count", "HEAD"], capture_output=True, text=True).stdout
    assert int(after) == int(before) + 1


def test_unreachable_device_is_reported_not_skipped(lab_workspace):
    w = Workspace(lab_workspace)
    control.set_faults(w.lab_dir, "east-dist-01", ["refuse_connection"])
    res = runner.invoke(app, ["inspect", "-w", str(lab_workspace), "--period", "2026Q2", "--backfill", "--json",
                              "--host", "east-dist-01", "--host", "city-core-01"])
    assert res.exit_code == 1
    by_host = {d["host"]: d for d in json.loads(res.stdout)["devices"]}
    assert by_host["east-dist-01"]["status"] == "unreachable"
    assert [f["check"] for f in by_host["east-dist-01"]["findings"]] == ["device_unreachable"]
    assert by_host["city-core-01"]["status"] == "ok"


def _report_md(ws, period) -> str:
    res = runner.invoke(app, ["report", "-w", str(ws), "--period", period, "--format", "md", "--lang", "en", "--json"])
    assert res.exit_code == 0, res.output
    return open(json.loads(res.stdout)["files"]["md"], encoding="utf-8").read()


def _report_not_inspected(ws, period) -> str:
    """The English Markdown report's "could not be inspected" section."""
    md = _report_md(ws, period)
    return md.split("Devices that could not be inspected", 1)[1].split("\n## ", 1)[0]


def test_device_refusing_every_command_is_not_inspected(lab_workspace):
    """An account without privilege logs in, and every command is refused: nothing was inspected."""
    w = Workspace(lab_workspace)
    control.set_faults(w.lab_dir, "city-acc-01", ["error_all"])
    res = runner.invoke(app, ["inspect", "-w", str(lab_workspace), "--backfill", "--period", "2026Q2", "--json",
                              "--host", "city-acc-01", "--host", "city-core-01"])
    assert res.exit_code == 1, res.output
    by_host = {d["host"]: d for d in json.loads(res.stdout)["devices"]}
    bad = by_host["city-acc-01"]
    assert bad["status"] == "not_inspected", bad
    assert "refused all" in bad["error"] and bad["facts"]["os_version"] is None
    assert by_host["city-core-01"]["status"] == "ok"
    listed = runner.invoke(app, ["inventory", "list", "-w", str(lab_workspace), "--json", "--host", "city-acc-01"])
    record = json.loads(listed.stdout)[0]["status"]
    assert record["last_inspection_status"] == "not_inspected" and "last_inspection" not in record
    section = _report_not_inspected(lab_workspace, "2026Q2")
    row = next(line for line in section.splitlines() if line.startswith("| city-acc-01 |"))
    assert "not inspected" in row and "refused all" in row
    assert not any(line.startswith("| city-core-01 |") for line in section.splitlines())


@pytest.mark.parametrize("fault,status", [("reject_password", "auth_failed"), ("refuse_connection", "unreachable"),
                                          ("error_all", "not_inspected")])
def test_failed_reinspection_keeps_the_good_result_of_the_period(lab_workspace, fault, status):
    ws, w = lab_workspace, Workspace(lab_workspace)
    args = ["inspect", "-w", str(ws), "--backfill", "--period", "2026Q2", "--json", "--host", "east-dist-01", "--host", "city-core-01"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    path = ws / "backups/inspections/2026Q2/jc-east/east-dist-01.json"
    good = json.loads(path.read_text())
    assert good["status"] == "ok" and good["facts"]["os_version"]

    control.set_faults(w.lab_dir, "east-dist-01", [fault])
    res = runner.invoke(app, args)
    assert res.exit_code == 1, res.output
    doc = json.loads(res.stdout)
    assert doc["kept"] == [{"host": "east-dist-01", "status": status, "error": doc["kept"][0]["error"]}]
    shown = {d["host"]: d for d in doc["devices"]}["east-dist-01"]
    assert shown["status"] == "ok" and [a["status"] for a in shown["attempts"]] == [status]
    stored = json.loads(path.read_text())
    assert {k: v for k, v in stored.items() if k not in ("attempts", "schema_version")} == \
           {k: v for k, v in good.items() if k not in ("attempts", "schema_version")}
    assert stored["attempts"][0]["status"] == status and stored["attempts"][0]["error"]
    record = json.loads(runner.invoke(app, ["inventory", "list", "-w", str(ws), "--json", "--host", "east-dist-01"]).stdout)[0]["status"]
    assert record["last_inspection"] == good["collected_at"]
    assert record["last_inspection_status"] == status and record["last_inspection_error"]
    assert not any(line.startswith("| east-dist-01 |") for line in _report_not_inspected(ws, "2026Q2").splitlines())
    # The failed attempt is reported among the collection notes, beside the kept result.
    md = _report_md(ws, "2026Q2")
    notes = md.split("Data collection and parsing notes", 1)[1]
    row = next(line for line in notes.splitlines() if line.startswith("| east-dist-01 | re-inspection |"))
    assert "Re-inspection failed, earlier result kept" in row and status in row

    # Once the device answers again, a new good result replaces the kept one.
    control.set_faults(w.lab_dir, "east-dist-01", [])
    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.output
    assert json.loads(path.read_text())["attempts"] == []
