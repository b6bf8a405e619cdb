"""Hostile-input cases that need real SSH sessions: the read-timeout message names the setting that
bounded the wait, and a backfilled inspection is compared by period order, not commit order."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from netpatrol.cli.root import app
from netpatrol.lab import control
from netpatrol.store.periods import current_period, previous_period
from netpatrol.workspace.inventory import load_inventory
from netpatrol.workspace.settings import Workspace

pytestmark = pytest.mark.lab
runner = CliRunner()


def _edit_yaml(path, change) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_read_timeout_message_names_the_setting_and_its_value(lab_workspace):
    ws = lab_workspace
    inv = load_inventory(ws)
    a, b = [h.name for h in inv.hosts.values() if h.platform == "cisco_ios"][:2]
    for name in (a, b):
        # Outputs of 10+ lines come one line per second: any config outlasts the timeouts below.
        control.set_faults(Workspace(ws).lab_dir, name, ["slow"])
    _edit_yaml(ws / "netpatrol.yaml", lambda d: d.setdefault("connection", {}).update(read_timeout=2, retries=0))
    _edit_yaml(ws / "inventory/hosts.yaml",
               lambda d: d[b].setdefault("connection_options", {}).setdefault("netmiko", {}).setdefault("extras", {})
               .update(read_timeout_override=3))
    res = runner.invoke(app, ["backup", "-w", str(ws), "--host", a, "--host", b, "--json"])
    assert res.exit_code == 1, res.output
    by = {d["host"]: d for d in json.loads(res.stdout)["devices"]}
    assert by[a]["status"] == by[b]["status"] == "failed"
    assert "connection.read_timeout = 2 s" in by[a]["reason"], by[a]
    assert "connection_options.netmiko.extras.read_timeout_override = 3 s" in by[b]["reason"], by[b]


def test_backfill_is_compared_by_period_order_not_commit_order(lab_workspace):
    ws = lab_workspace
    host = next(iter(load_inventory(ws).hosts))
    now = current_period()
    last = previous_period(now)
    older = previous_period(previous_period(last))

    def inspect(*args: str) -> dict:
        res = runner.invoke(app, ["inspect", "-w", str(ws), "--host", host, "--json", *args])
        assert res.exit_code in (0, 1), res.output
        return json.loads(res.stdout)["devices"][0]["comparison"] or {}

    assert inspect("--backfill", "--period", last).get("previous_period") is None
    # Committed after `last`, but earlier in the calendar: it has no previous period...
    assert inspect("--backfill", "--period", older).get("previous_period") is None
    # ...and the current quarter compares with `last`, the latest earlier period, not with `older`.
    assert inspect().get("previous_period") == last
