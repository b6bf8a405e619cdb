"""`lab up` binds loopback only, and says exactly how to move when another process holds a port."""

from __future__ import annotations

import asyncio
import socket

import pytest
import yaml
from typer.testing import CliRunner

from conftest import _free_port_on, set_inventory_port
from netpatrol.cli.root import app
from netpatrol.errors import LabError
from netpatrol.lab import control
from netpatrol.lab.control import LabDeviceSpec
from netpatrol.lab.server import Lab
from netpatrol.workspace.settings import Workspace

pytestmark = pytest.mark.lab
runner = CliRunner()


def _hostnames(ws) -> list[str]:
    hosts = yaml.safe_load((ws / "inventory" / "hosts.yaml").read_text(encoding="utf-8"))
    return sorted(h["hostname"] for h in hosts.values())


def _set_hostname(ws, host: str, address: str) -> None:
    path = ws / "inventory" / "hosts.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc[host]["hostname"] = address
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize("address", ["0.0.0.0", "::", "192.0.2.10"])
def test_lab_up_refuses_a_non_loopback_address(sample_workspace, address):
    ws = sample_workspace
    set_inventory_port(ws, _free_port_on(_hostnames(ws)))
    _set_hostname(ws, "city-agg-01", address)
    try:
        res = runner.invoke(app, ["lab", "up", "-w", str(ws)])
        assert res.exit_code == 2, res.output
        assert "city-agg-01" in res.output and repr(address) in res.output and "loopback" in res.output
        assert not control.status(Workspace(ws).lab_dir).running
    finally:
        control.down(Workspace(ws).lab_dir)


def test_lab_server_never_binds_a_non_loopback_address(tmp_path):
    """Defence in depth: a devices.json written by hand cannot make the server listen off loopback."""
    lab = Lab(tmp_path)
    doc = {"devices": [{"name": "r1", "platform": "cisco_ios", "address": "0.0.0.0", "port": 1,
                        "username": "u", "password": "p"}]}

    async def run():
        try:
            return await lab.apply(doc)
        finally:
            await lab.close()

    errors = asyncio.run(run())
    assert "not a loopback address" in errors["r1"] and not lab.listeners
    with pytest.raises(LabError, match=r"'r1'.*'0\.0\.0\.0'"):
        LabDeviceSpec(name="r1", platform="cisco_ios", address="0.0.0.0", port=10022, username="u", password="p")


def test_lab_up_names_the_taken_address_and_the_field_to_change(sample_workspace):
    ws = sample_workspace
    addresses = _hostnames(ws)
    port = _free_port_on(addresses)
    set_inventory_port(ws, port)
    holder = socket.socket()
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    holder.bind(("127.31.2.1", port))
    holder.listen()
    try:
        res = runner.invoke(app, ["lab", "up", "-w", str(ws)])
        if res.exit_code == 0:
            control.down(Workspace(ws).lab_dir)
        assert res.exit_code == 2, res.output
        message = " ".join(res.output.split())
        assert f"127.31.2.1:{port}" in message and "north-core-01" in message, message
        assert "'port' in inventory/defaults.yaml" in message, message
        assert not control.status(Workspace(ws).lab_dir).running
        suggested = int(message.rsplit("such as ", 1)[1].split()[0].rstrip("."))
    finally:
        holder.close()
    # Following the advice works, and a second `lab up` does not mistake the lab's own ports for another's.
    set_inventory_port(ws, suggested)
    try:
        for _ in range(2):
            res = runner.invoke(app, ["lab", "up", "-w", str(ws)])
            assert res.exit_code == 0, res.output
    finally:
        control.down(Workspace(ws).lab_dir)


def test_port_set_on_a_host_is_named_as_the_hosts_field(sample_workspace):
    ws = sample_workspace
    port = _free_port_on(_hostnames(ws))
    set_inventory_port(ws, port)
    path = ws / "inventory" / "hosts.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    own = _free_port_on([doc["east-wan-01"]["hostname"]])
    doc["east-wan-01"]["port"] = own
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    holder = socket.socket()
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    holder.bind((doc["east-wan-01"]["hostname"], own))
    holder.listen()
    try:
        res = runner.invoke(app, ["lab", "up", "-w", str(ws)])
    finally:
        holder.close()
        control.down(Workspace(ws).lab_dir)
    assert res.exit_code == 2, res.output
    assert "'port' of host east-wan-01 in inventory/hosts.yaml" in " ".join(res.output.split())
