"""A CLI error reply is the device refusing the command, and comes before any output; the same
words inside a config (a banner, a description, a comment quoting an error) are config text. A
device whose banner quotes "% Invalid input detected" must still be backed up and inspected."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from netpatrol.cli.root import app
from netpatrol.lab import control
from netpatrol.platforms import PLATFORMS
from netpatrol.workspace.settings import Workspace

pytestmark = pytest.mark.lab
BANNER = "banner motd ^C\n% Invalid input detected at '^' marker.\n% Permission denied\n^C\n"


def np(ws, *args):
    return CliRunner().invoke(app, [*args, "-w", str(ws)])


@pytest.mark.parametrize("host", ["city-acc-02", "city-core-01", "city-core-02"])  # IOS, NX-OS (chained), EOS
def test_a_config_quoting_an_error_line_is_backed_up(lab_workspace, host):
    ws = lab_workspace
    w = Workspace(ws)
    assert np(ws, "backup", "--host", host).exit_code == 0
    running = (w.lab_dir / "configs" / f"{host}.running").read_text()
    head, _, tail = running.partition("\nhostname ")
    planted = f"{head}\n{BANNER}hostname {tail}"
    control.set_config(w.lab_dir, host, planted)
    control.set_config(w.lab_dir, host, planted, kind="saved")
    res = np(ws, "backup", "--json", "--host", host)
    assert res.exit_code == 0, res.output
    dev = json.loads(res.stdout)["devices"][0]
    assert dev["status"] == "saved", dev
    stored = next((ws / "backups" / "configs").rglob(f"{host}.cfg")).read_text()
    assert "% Invalid input detected at '^' marker." in stored


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_error_replies_are_still_recognised(platform):
    """What the device prints when it refuses a command: the error first, nothing before it."""
    profile = PLATFORMS[platform]
    sample = {"cisco_ios": "            ^\n% Invalid input detected at '^' marker.\n",
              "cisco_nxos": "                     ^\n% Invalid command at '^' marker.\n",
              "arista_eos": "% Invalid input\n", "ruijie_os": "% Invalid input detected at '^' marker.\n",
              "juniper_junos": "                   ^\nsyntax error, expecting <command>.\n",
              "huawei_vrp": "                  ^\nError: Unrecognized command found at '^' position.\n",
              "hp_comware": "                  ^\n % Unrecognized command found at '^' position.\n"}[platform]
    assert profile.rejected(sample), (platform, sample)
    config = "\n".join(f"line {i}" for i in range(40))
    assert profile.rejected(config + "\n" + sample), "a refused second command (chained) is still seen"
