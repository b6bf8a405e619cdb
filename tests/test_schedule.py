"""Cadence and due list (real Git store), `run --due` against the lab, cron/systemd entries."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
import yaml
from typer.testing import CliRunner

from netpatrol.automation.schedule import (
    cadence_for,
    compute_due,
    cron_entry,
    parse_duration,
    replace_cron_entry,
    run_command,
    run_plan,
    systemd_units,
)
from netpatrol.cli import root as cli
from netpatrol.cli import schedule as cli_schedule
from netpatrol.errors import UsageError, WorkspaceError
from netpatrol.store.open import open_store
from netpatrol.workspace.inventory import load_inventory
from netpatrol.workspace.records import update_device_records
from netpatrol.workspace.settings import ScheduleSettings, Workspace

if not any(getattr(c.callback, "__name__", "") == "due" for c in cli.app.registered_commands):
    cli_schedule.register(cli.app)  # until cli.py registers the module itself
runner = CliRunner()
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=timezone.utc)  # 2026Q4, November


def np(ws, *args):
    return runner.invoke(cli.app, [*args, "-w", str(ws)])


def set_settings(ws: Path, **sections) -> None:
    path = ws / "netpatrol.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc.update(sections)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


def put_result(store, period: str, site: str, host: str, collected: datetime, status: str = "ok") -> None:
    doc = {"host": host, "site": site, "period": period, "status": status, "collected_at": collected.isoformat()}
    store.write_file(f"inspections/{period}/{site}/{host}.json", json.dumps(doc))


def test_durations_and_bad_settings_name_the_field(sample_workspace):
    assert parse_duration("24h") == timedelta(hours=24) and parse_duration("90m") == timedelta(minutes=90)
    with pytest.raises(UsageError, match="24x"):
        parse_duration("24x")
    set_settings(sample_workspace, schedule={"backup_interval": "daily"})
    with pytest.raises(WorkspaceError, match=r"schedule\.backup_interval.*e\.g\. 24h"):
        _ = Workspace(sample_workspace).settings
    set_settings(sample_workspace, schedule={}, notify={"mail": [{"host": "smtp", "from": "a@b.cn", "to": ["c@d.cn"],
                                                                   "password": "hunter2-plain"}]})
    with pytest.raises(WorkspaceError, match=r"notify\.mail\.0\.password.*ENV_VAR") as exc:
        _ = Workspace(sample_workspace).settings
    assert "hunter2-plain" not in str(exc.value)


def test_cadence_strictest_rule_wins(sample_workspace):
    inv = load_inventory(sample_workspace)
    sched = ScheduleSettings.model_validate({"backup_interval": "24h", "sites": {"jc-north": {"inspection": "monthly"}},
                                             "groups": {"core": {"backup_interval": "6h"}}})
    core_north = cadence_for(inv.hosts["north-core-01"], inv, sched)
    assert core_north.inspection == "monthly" and core_north.backup_interval == timedelta(hours=6)
    acc_city = cadence_for(inv.hosts["city-acc-02"], inv, sched)
    assert acc_city.inspection == "quarterly" and acc_city.backup_interval == timedelta(hours=24)


def test_due_from_git_history_and_device_records(sample_workspace):
    ws = Workspace(sample_workspace)
    inv = load_inventory(sample_workspace)
    store = open_store(ws)
    put_result(store, "2026Q4", "jc-city", "city-acc-01", NOW - timedelta(days=10))          # done this quarter
    put_result(store, "2026Q3", "jc-city", "city-acc-02", NOW - timedelta(days=80))          # last quarter: due
    put_result(store, "2026Q2", "jc-city", "city-agg-01", NOW - timedelta(days=170))         # skipped Q3: overdue
    put_result(store, "2026Q3", "jc-city", "city-core-01", NOW - timedelta(days=80))
    put_result(store, "2026Q4", "jc-city", "city-core-01", NOW - timedelta(days=1), "unreachable")  # failed now
    put_result(store, "2026Q4", "jc-north", "north-core-01", NOW - timedelta(days=40))       # Oct: monthly → due
    store.commit("inspections", paths=["inspections"])
    records = {
        "city-acc-01": {"last_backup_success": (NOW - timedelta(hours=2)).isoformat(),
                        "last_backup_attempt": (NOW - timedelta(hours=2)).isoformat()},
        # 23 h 30 min ago with a 24 h interval: inside the slack, so a daily job does not skip a day.
        "city-acc-02": {"last_backup_success": (NOW - timedelta(hours=23, minutes=30)).isoformat(),
                        "last_backup_attempt": (NOW - timedelta(hours=23, minutes=30)).isoformat()},
        "city-agg-01": {"last_backup_success": (NOW - timedelta(hours=5)).isoformat(),
                        "last_backup_attempt": NOW.isoformat(), "last_backup_error": "connection refused"},
        "north-core-01": {"last_backup_success": (NOW - timedelta(hours=7)).isoformat()},
    }
    sched = ScheduleSettings.model_validate({"sites": {"jc-north": {"inspection": "monthly"}},
                                             "groups": {"core": {"backup_interval": "6h"}}})
    rep = compute_due(inv, list(inv.hosts.values()), store, records, sched, now=NOW)
    insp = {i.host: i for i in rep.inspections}
    assert insp["city-acc-01"].status == "done"
    assert insp["city-acc-02"].status == "due" and insp["city-acc-02"].due_by == "2027-01-01"
    assert insp["city-agg-01"].status == "overdue"
    assert insp["city-core-01"].status == "due" and insp["city-core-01"].note == "last attempt: unreachable"
    assert insp["north-core-01"].status == "due" and insp["north-core-01"].due_by == "2026-12-01"
    assert insp["east-acc-01"].status == "never"
    back = {b.host: b for b in rep.backups}
    assert back["city-acc-01"].status == "ok" and back["city-acc-02"].status == "due"
    assert back["city-agg-01"].status == "ok" and "connection refused" in back["city-agg-01"].note
    assert back["north-core-01"].status == "due" and back["north-core-01"].interval == "6h"
    assert back["east-acc-01"].status == "never"
    sites = {s["site"]: s for s in rep.sites()}
    assert sites["jc-city"]["status"] == "overdue" and sites["jc-north"]["cadence"] == "monthly"
    assert "city-acc-01" not in rep.inspections_due and "east-acc-01" in rep.backups_due


def test_due_command_table_and_json(sample_workspace):
    ws = Workspace(sample_workspace)
    update_device_records(ws, {"city-acc-01": {"last_backup_success": datetime.now(timezone.utc).isoformat()}})
    res = np(sample_workspace, "due")
    assert res.exit_code == 0, res.output
    assert "Inspection cadence" in res.stdout and "jc-north" in res.stdout
    assert "15 device(s) due for inspection, 14 due for backup." in res.stdout
    assert not (sample_workspace / "backups").exists()  # looking does not create the store
    doc = json.loads(np(sample_workspace, "due", "--json", "--site", "jc-north").stdout)
    assert {s["site"] for s in doc["sites"]} == {"jc-north"}
    assert all(i["status"] == "never" for i in doc["inspections"])


# -- cron / systemd -----------------------------------------------------------------------------
def test_run_plan_and_entries(tmp_path):
    assert run_plan(ScheduleSettings()).cron_time() == "30 2 * * *"
    six = run_plan(ScheduleSettings.model_validate({"groups": {"core": {"backup_interval": "6h"}}}), at="01:15")
    assert six.cron_time() == "15 */6 * * *" and six.on_calendar() == "*-*-* 00/6:15:00"
    root = tmp_path / "my ws"
    argv = run_command("/opt/np/bin/netpatrol", root, 600, root / ".netpatrol/env")
    assert argv[-2:] == ["--env-file", str(root / ".netpatrol/env")]
    entry = cron_entry(run_plan(ScheduleSettings()), argv, root)
    line = entry.splitlines()[1]
    # netpatrol reads the env file itself: the shell never sources it; the log is created 0600.
    assert line.startswith("30 2 * * * umask 077; /opt/np/bin/netpatrol run --due") and f"'{root}'" in entry
    assert "set -a" not in line and " . " not in line
    existing = "MAILTO=ops@example.cn\n0 1 * * * /usr/bin/other-job\n"
    once = replace_cron_entry(existing, entry, root)
    twice = replace_cron_entry(once, entry.replace("30 2", "45 3"), root)
    assert twice.count("netpatrol run --due for") == 1 and "45 3 * * *" in twice and "other-job" in twice
    units = systemd_units(run_plan(ScheduleSettings()), argv, root)
    assert set(units) == {"netpatrol-my-ws.service", "netpatrol-my-ws.timer"}
    assert "OnCalendar=*-*-* 02:30:00" in units["netpatrol-my-ws.timer"]
    service = units["netpatrol-my-ws.service"]
    assert "ExecStart=/opt/np/bin/netpatrol run --due -w" in service and "--env-file" in service
    assert "EnvironmentFile" not in service and "UMask=0077" in service

    # cron ends a command at an unescaped %, systemd expands % and $ in ExecStart=.
    odd = tmp_path / "ws 100%$HOME"
    odd_argv = run_command("/opt/np/bin/netpatrol", odd, 600, odd / ".netpatrol/env")
    assert "100\\%$HOME" in cron_entry(run_plan(ScheduleSettings()), odd_argv, odd).splitlines()[1]
    assert "100%%$$HOME" in systemd_units(run_plan(ScheduleSettings()), odd_argv, odd)["netpatrol-ws-100-HOME.service"]


def test_schedule_install_cron_file_systemd_dir_and_apply(sample_workspace, tmp_path, monkeypatch):
    crontab_file = tmp_path / "crontab"
    crontab_file.write_text("0 1 * * * /usr/bin/other-job\n")
    for _ in range(2):
        res = np(sample_workspace, "schedule", "install", "--cron", "--file", str(crontab_file), "--at", "03:10")
        assert res.exit_code == 0, res.output
    text = crontab_file.read_text()
    assert text.count("run --due -w") == 1 and "10 3 * * *" in text and "other-job" in text
    assert str(sample_workspace.resolve()) in text

    res = np(sample_workspace, "schedule", "install", "--systemd", "--dir", str(tmp_path / "units"))
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "units").iterdir()) == ["netpatrol-ws.service", "netpatrol-ws.timer"]

    # --apply pipes into `crontab -`; a stand-in crontab on PATH keeps the user's real one safe.
    fake = tmp_path / "bin" / "crontab"
    fake.parent.mkdir()
    store = tmp_path / "user-crontab"
    fake.write_text(f'#!/bin/sh\nif [ "$1" = "-l" ]; then cat {store} 2>/dev/null || exit 1; else cat > {store}; fi\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    for _ in range(2):
        res = np(sample_workspace, "schedule", "install", "--cron", "--apply")
        assert res.exit_code == 0, res.output
    assert store.read_text().count("run --due -w") == 1

    res = np(sample_workspace, "schedule", "install", "--cron")
    assert res.exit_code == 2 and "--file PATH" in res.output
    printed = np(sample_workspace, "schedule", "print")
    assert printed.exit_code == 0 and "[Timer]" in printed.stdout and "30 2 * * *" in printed.stdout


# -- run --due against the lab ------------------------------------------------------------------
class _Collector(BaseHTTPRequestHandler):
    bodies: ClassVar[list] = []

    def do_POST(self):  # the name http.server calls
        self.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.lab
def test_run_due_inspects_reports_backs_up_notifies_then_nothing_due(lab_workspace):
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    _Collector.bodies = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        set_settings(lab_workspace, connection={"conn_timeout": 4, "auth_timeout": 4, "read_timeout": 8, "retries": 0},
                     report_formats=["md"],
                     notify={"webhooks": [{"url": f"http://127.0.0.1:{server.server_port}/hook", "retries": 0}]})
        res = np(lab_workspace, "run", "--due", "--host", "north-core-01", "--json")
        assert res.exit_code == 0, res.output
        doc = json.loads(res.stdout)
        assert doc["due"] == {"inspections": ["north-core-01"], "backups": ["north-core-01"]}
        assert doc["inspection"]["tag"].startswith("inspection/") and doc["inspection"]["status"] == {"ok": 1}
        assert doc["report"]["files"]["md"].endswith(".md") and Path(doc["report"]["files"]["md"]).is_file()
        assert doc["backup"]["counts"]["saved"] == 1
        kinds = [b["kind"] for b in _Collector.bodies]
        assert "config_changed" in kinds
        changed = next(b for b in _Collector.bodies if b["kind"] == "config_changed")
        assert changed["hosts"] == ["north-core-01"] and changed["commit"] == doc["backup"]["commit"]
        assert "lab-test-pw" not in json.dumps(_Collector.bodies)

        again = np(lab_workspace, "run", "--due", "--host", "north-core-01")
        assert again.exit_code == 0 and "Nothing due." in again.stdout

        # Another run holds the lock: a clear message and exit 75, after waiting --wait seconds.
        with open_store(Workspace(lab_workspace)).lock():
            busy = np(lab_workspace, "run", "--due", "--host", "north-wan-01", "--wait", "0.3")
        assert busy.exit_code == 75 and "busy" in busy.output and "--wait" in busy.output
        log = subprocess.run(["git", "-C", str(lab_workspace / "backups"), "log", "--format=%s"],
                             capture_output=True, text=True, check=True).stdout
        assert "north-wan-01" not in log
    finally:
        server.shutdown()
        server.server_close()
