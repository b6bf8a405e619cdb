"""End to end over real SSH: the connection layer against the lab, one device of each platform."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from netpatrol.cli.root import app
from netpatrol.collect.hostkeys import HostKeyStore, entry_name
from netpatrol.lab import control
from netpatrol.workspace.inventory import load_inventory
from netpatrol.workspace.settings import Workspace

pytestmark = pytest.mark.lab


def _one_per_platform(ws) -> list[str]:
    inv = load_inventory(ws)
    seen = {}
    for h in inv.hosts.values():
        seen.setdefault(h.platform, h.name)
    return sorted(seen.values())


def test_reads_version_of_each_platform_over_ssh(lab_workspace):
    hosts = _one_per_platform(lab_workspace)
    assert len(hosts) == 7
    args = ["facts", "-w", str(lab_workspace), "--json", *(arg for h in hosts for arg in ("--host", h))]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    doc = {d["host"]: d for d in json.loads(res.stdout)}
    inv = load_inventory(lab_workspace)
    for name in hosts:
        assert doc[name]["status"] == "ok", doc[name]
        # The version parsed from the device's output, not an echo of the command or a prompt.
        line = doc[name]["version"]
        assert line and not line.startswith(("show", "display", "<", inv.hosts[name].name)), line
    # Every device's key was learnt on first use, into the workspace's known_hosts.
    store = HostKeyStore(Workspace(lab_workspace).known_hosts)
    for name in hosts:
        h = inv.hosts[name]
        assert store.lookup(entry_name(h.hostname, h.port)) is not None


def test_changed_host_key_is_refused_until_accepted(lab_workspace):
    ws = Workspace(lab_workspace)
    runner = CliRunner()
    target = "city-acc-02"
    first = runner.invoke(app, ["facts", "-w", str(lab_workspace), "--host", target, "--json"])
    assert first.exit_code == 0, first.output
    control.rotate_hostkey(ws.lab_dir, target)
    refused = runner.invoke(app, ["facts", "-w", str(lab_workspace), "--host", target, "--json"])
    assert refused.exit_code == 1
    doc = json.loads(refused.stdout)[0]
    assert doc["status"] == "hostkey_changed"
    assert "hostkeys accept" in doc["error"] and "SHA256:" in doc["error"]
    accepted = runner.invoke(app, ["hostkeys", "accept", target, "-w", str(lab_workspace)])
    assert accepted.exit_code == 0, accepted.output
    again = runner.invoke(app, ["facts", "-w", str(lab_workspace), "--host", target, "--json"])
    assert again.exit_code == 0, again.output


def test_wrong_password_is_auth_failure_without_leaking(lab_workspace, monkeypatch):
    monkeypatch.setenv("NETPATROL_PASSWORD", "not-the-lab-password-77")
    res = CliRunner().invoke(app, ["facts", "-w", str(lab_workspace), "--host", "north-core-01", "--json"])
    assert res.exit_code == 1
    doc = json.loads(res.stdout)[0]
    assert doc["status"] == "auth_failed"
    assert "not-the-lab-password-77" not in res.output
