"""Config backup against the lab over SSH: a whole backup, and session failures failing closed."""

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


def np(ws, *args):
    return runner.invoke(app, [*args, "-w", str(ws)])


def git(ws, *args) -> str:
    return subprocess.run(["git", "-C", str(ws / "backups"), *args], check=True, capture_output=True, text=True).stdout


def fast_timeouts(ws):
    path = ws / "netpatrol.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["connection"] = {"conn_timeout": 4, "auth_timeout": 4, "read_timeout": 6, "retries": 0}
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


@pytest.fixture
def backed_up(lab_workspace):
    fast_timeouts(lab_workspace)
    res = np(lab_workspace, "backup", "--json")
    assert res.exit_code == 0, res.output
    return lab_workspace, json.loads(res.stdout)


def test_first_backup_over_ssh_stores_every_device_without_secrets(backed_up):
    """End to end over SSH. What a second run, a changed config or a failed device do to the
    store and the records is tested on recorded outputs (test_backup_service.py)."""
    ws, first = backed_up
    assert first["counts"] == {"saved": 15, "unchanged": 0, "failed": 0}
    files = git(ws, "ls-files", "configs").split()
    assert len(files) == 15 and "configs/jc-north/north-core-01.cfg" in files
    assert git(ws, "status", "--porcelain") == ""
    # Secrets are gone from what was stored (the lab's configs carry them).
    lab_cfg = (Workspace(ws).lab_dir / "configs" / "city-acc-02.running").read_text()
    stored = (ws / "backups/configs/jc-city/city-acc-02.cfg").read_text()
    assert "secret 9 $9$" in lab_cfg
    assert "<removed>" in stored and "$9$" not in stored
    # NX-OS: the chained `show hostname` sentinel came back after the config over SSH.
    assert {d["host"]: d for d in first["devices"]}["city-core-01"]["sentinel"] == "checked"


# Failures of the session itself; faults in what a device says (cut-short configs, refused
# commands, the NX-OS sentinel) are tested on recorded outputs in test_backup_service.py.
FAULTS = [
    ("refuse_connection", "east-core-01", "unreachable", "refused"),
    ("reject_password", "north-acc-02", "auth_failed", "authentication"),
    ("hang_after_login", "city-agg-01", "timeout", ""),
    ("drop_mid_output", "north-wan-01", "error", ""),
]


@pytest.mark.parametrize("fault,host,status,reason", FAULTS, ids=[f[0] for f in FAULTS])
def test_fault_fails_closed_and_keeps_last_good(backed_up, fault, host, status, reason):
    ws, _ = backed_up
    w = Workspace(ws)
    stored = next((ws / "backups/configs").rglob(f"{host}.cfg"))
    good = stored.read_bytes()
    head = git(ws, "rev-parse", "HEAD")
    control.set_faults(w.lab_dir, host, [fault])
    res = np(ws, "backup", "--json", "--host", host, "--host", "city-core-01")
    assert res.exit_code == 1, res.output
    doc = {d["host"]: d for d in json.loads(res.stdout)["devices"]}
    assert doc[host]["status"] == "failed"
    assert doc[host]["error_status"] == status, doc[host]
    assert reason.lower() in (doc[host]["reason"] or "").lower(), doc[host]
    assert doc["city-core-01"]["status"] == "unchanged"
    assert stored.read_bytes() == good
    assert git(ws, "rev-parse", "HEAD") == head
    assert git(ws, "status", "--porcelain") == ""
    listing = json.loads(np(ws, "inventory", "list", "--json", "--host", host).stdout)[0]
    assert listing["status"]["last_backup_error"]
    assert listing["status"]["last_backup_success"] < listing["status"]["last_backup_attempt"] or listing["status"]["last_backup_success"]
