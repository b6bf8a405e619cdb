"""SSH through a jump host: a lab device serves as the bastion for another one."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from netpatrol.cli.root import app
from netpatrol.collect.hostkeys import HostKeyStore, entry_name
from netpatrol.collect.jump import parse_jump
from netpatrol.lab import control
from netpatrol.workspace.settings import Workspace

pytestmark = pytest.mark.lab
PASSWORD = "jump-test-pw-5519"


@pytest.fixture
def jump_ws(tmp_path, monkeypatch, make_lab):
    monkeypatch.setenv("NP_JUMP_PW", PASSWORD)
    lab = make_lab({"bastion": "ruijie_os", "core-1": "cisco_ios"}, password=PASSWORD,
                   fields={"bastion": {"username": "jumper", "enable_secret": None}, "core-1": {"enable_secret": PASSWORD}})
    bastion_port, target_port = lab["bastion"].port, lab["core-1"].port
    ws = tmp_path / "ws"
    (ws / "inventory").mkdir(parents=True)
    (ws / "netpatrol.yaml").write_text("client: Jump test\nconnection: {conn_timeout: 4, auth_timeout: 4, read_timeout: 10, retries: 0}\n")
    inv = {
        "core-1": {
            "hostname": "127.0.0.1", "port": target_port, "platform": "cisco_ios", "groups": ["site"],
            "connection_options": {"netmiko": {"extras": {
                "secret": "${NP_JUMP_PW}", "jump_host": f"jumper@127.0.0.1:{bastion_port}", "jump_password": "${NP_JUMP_PW}",
            }}},
        }
    }
    (ws / "inventory" / "hosts.yaml").write_text(yaml.safe_dump(inv))
    (ws / "inventory" / "groups.yaml").write_text(yaml.safe_dump({"site": {"data": {"site": {"name": "Site"}}}}))
    (ws / "inventory" / "defaults.yaml").write_text(yaml.safe_dump({"username": "netops", "password": "${NP_JUMP_PW}"}))
    return ws, lab.state_dir, bastion_port


def test_parse_jump_forms():
    assert str(parse_jump("netops@bastion.example.com")) == "netops@bastion.example.com:22"
    assert parse_jump("10.0.0.1:2222").port == 2222 and parse_jump("10.0.0.1:2222").user is None
    with pytest.raises(Exception, match="user@host"):
        parse_jump("a b@c")


def test_session_goes_through_the_jump_host(jump_ws):
    ws, lab_dir, bastion_port = jump_ws
    res = CliRunner().invoke(app, ["backup", "-w", str(ws), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["counts"]["saved"] == 1
    log = (lab_dir / "server.log").read_text()
    assert "auth bastion accepted" in log and "forward bastion -> 127.0.0.1" in log
    # Both the bastion's and the device's keys were checked and learnt.
    store = HostKeyStore(Workspace(ws).known_hosts)
    assert store.lookup(entry_name("127.0.0.1", bastion_port)) is not None
    assert PASSWORD not in res.output


def test_unreachable_jump_host_names_it(jump_ws):
    ws, lab_dir, bastion_port = jump_ws
    control.set_faults(lab_dir, "bastion", ["refuse_connection"])
    res = CliRunner().invoke(app, ["backup", "-w", str(ws), "--json"])
    assert res.exit_code == 1
    dev = json.loads(res.stdout)["devices"][0]
    assert dev["error_status"] == "unreachable"
    assert f"jump host jumper@127.0.0.1:{bastion_port}" in dev["reason"]
