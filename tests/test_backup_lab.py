"""Config backup against the lab: commits, no-change runs, drift, and every fault mode failing closed."""

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


def test_first_backup_then_no_change_then_one_change(backed_up):
    ws, first = backed_up
    assert first["counts"] == {"saved": 15, "unchanged": 0, "failed": 0}
    files = git(ws, "ls-files", "configs").split()
    assert len(files) == 15 and "configs/jc-north/north-core-01.cfg" in files
    # Secrets are gone from what was stored (the lab's configs carry them).
    lab_cfg = (Workspace(ws).lab_dir / "configs" / "city-acc-02.running").read_text()
    stored = (ws / "backups/configs/jc-city/city-acc-02.cfg").read_text()
    assert "secret 9 $9$" in lab_cfg or "secret" in lab_cfg
    assert "<removed>" in stored
    commits_before = git(ws, "rev-list", "--count", "HEAD")

    again = json.loads(np(ws, "backup", "--json").stdout)
    assert again["counts"]["unchanged"] == 15 and again["commit"] is None
    assert git(ws, "rev-list", "--count", "HEAD") == commits_before

    # Change one device over SSH-visible state, back up again: a one-file commit naming it.
    cfg = lab_cfg.replace("hostname city-acc-02", "hostname city-acc-02\nbanner motd ^C Authorised access only ^C", 1)
    control.set_config(Workspace(ws).lab_dir, "city-acc-02", cfg)
    third = np(ws, "backup", "--json", "--reason", "CHG-1234 add login banner")
    doc = json.loads(third.stdout)
    assert doc["counts"]["saved"] == 1, third.output
    changed = git(ws, "show", "--name-only", "--format=%s", "HEAD").split("\n")
    assert "city-acc-02" in changed[0]
    assert [f for f in changed[1:] if f] == ["configs/jc-city/city-acc-02.cfg"]
    assert doc["tag"].startswith("pre-change/CHG-1234/")

    drift = json.loads(np(ws, "drift", "--json").stdout)
    assert [d["host"] for d in drift["devices"]] == ["city-acc-02"]
    assert "+banner motd" in drift["devices"][0]["diff"]
    patch = np(ws, "drift", "--format", "patch", "--since", "HEAD~1").stdout
    assert patch.startswith("diff --git") or patch.startswith("---")
    hist = json.loads(np(ws, "history", "city-acc-02", "--json").stdout)
    assert len(hist) == 2 and hist[0]["added"] >= 1


FAULTS = [
    ("refuse_connection", "east-core-01", "unreachable", "refused"),
    ("reject_password", "north-acc-02", "auth_failed", "authentication"),
    ("hang_after_login", "city-agg-01", "timeout", ""),
    ("drop_mid_output", "north-wan-01", "error", ""),
    ("truncate_config", "east-acc-02", "error", "end marker"),
    ("error_all", "city-acc-01", "error", "refused"),
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


def test_truncated_nxos_config_is_caught_by_the_sentinel(backed_up):
    """NX-OS has no end marker: `show hostname` chained after the config must follow it."""
    ws, _ = backed_up
    w = Workspace(ws)
    stored = ws / "backups/configs/jc-city/city-core-01.cfg"
    good = stored.read_bytes()
    assert not good.rstrip().endswith(b"city-core-01")  # the sentinel's line is not stored
    control.set_faults(w.lab_dir, "city-core-01", ["truncate_config"])
    res = np(ws, "backup", "--json", "--host", "city-core-01")
    assert res.exit_code == 1, res.output
    dev = json.loads(res.stdout)["devices"][0]
    assert dev["status"] == "failed" and "did not follow the config" in dev["reason"]
    assert stored.read_bytes() == good


def test_nxos_refusing_chained_commands_falls_back_to_the_plain_command(backed_up):
    """A device that refuses `show running-config ; show hostname` is still backed up, by the plain
    command and the other completeness checks, and the missing sentinel is recorded."""
    ws, first = backed_up
    w = Workspace(ws)
    assert {d["host"]: d for d in first["devices"]}["city-core-01"]["sentinel"] == "checked"
    stored = ws / "backups/configs/jc-city/city-core-01.cfg"
    good = stored.read_bytes()
    control.set_faults(w.lab_dir, "city-core-01", ["refuse_chained"])
    cfg = (w.lab_dir / "configs" / "city-core-01.running").read_text()
    control.set_config(w.lab_dir, "city-core-01", cfg.rstrip("\n") + "\nbanner motd #authorised access only#\n")
    control.set_config(w.lab_dir, "city-core-01", cfg.rstrip("\n") + "\nbanner motd #authorised access only#\n", kind="saved")
    res = np(ws, "backup", "--json", "--host", "city-core-01")
    assert res.exit_code == 0, res.output
    dev = json.loads(res.stdout)["devices"][0]
    assert dev["status"] == "saved", dev
    assert dev["sentinel"] == "unavailable" and "refused" in dev["warning"], dev
    now = stored.read_text()
    assert "banner motd #authorised access only#" in now
    assert now.startswith(good.decode().split("\n", 1)[0]) and not now.rstrip().endswith("city-core-01")
    record = json.loads(np(ws, "inventory", "list", "--json", "--host", "city-core-01").stdout)[0]["status"]
    assert record["last_backup_sentinel"] == "unavailable" and "refused" in record["last_backup_warning"]


def test_without_the_sentinel_a_truncated_nxos_config_still_fails(backed_up):
    """The fallback keeps failing closed: a cut-short plain reply is a prefix of the saved config."""
    ws, _ = backed_up
    w = Workspace(ws)
    stored = ws / "backups/configs/jc-city/city-core-01.cfg"
    good = stored.read_bytes()
    control.set_faults(w.lab_dir, "city-core-01", ["refuse_chained", "truncate_config"])
    res = np(ws, "backup", "--json", "--host", "city-core-01")
    assert res.exit_code == 1, res.output
    dev = json.loads(res.stdout)["devices"][0]
    assert dev["status"] == "failed" and "truncated" in dev["reason"], dev
    assert stored.read_bytes() == good
