"""`lab up` under umask 000 leaves .netpatrol/ (host keys, device records, the env file) owner-only:
it was made by mkdir with the shell's umask, world-writable, before any other command tightened it."""

from __future__ import annotations

import os
import socket
import stat

import pytest
import yaml
from typer.testing import CliRunner

from conftest import _free_port_on, set_inventory_port
from netpatrol.cli.root import app
from netpatrol.lab import control
from netpatrol.workspace.settings import Workspace

pytestmark = pytest.mark.lab


@pytest.fixture
def open_umask():
    old = os.umask(0)
    yield
    os.umask(old)


def test_lab_up_keeps_the_state_directory_owner_only(sample_workspace, open_umask):
    ws = sample_workspace
    hosts = yaml.safe_load((ws / "inventory" / "hosts.yaml").read_text(encoding="utf-8"))
    address = sorted(h["hostname"] for h in hosts.values())[0]
    port = _free_port_on([h["hostname"] for h in hosts.values()])
    set_inventory_port(ws, port)
    # Another process holds one address:port: `lab up` stops after making its state directory.
    holder = socket.socket()
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    holder.bind((address, port))
    holder.listen()
    try:
        res = CliRunner().invoke(app, ["lab", "up", "-w", str(ws)])
        if res.exit_code == 0:
            control.down(Workspace(ws).lab_dir)
        assert res.exit_code == 2, res.output
    finally:
        holder.close()
    made = [ws / ".netpatrol", *(ws / ".netpatrol").rglob("*")]
    assert Workspace(ws).lab_dir in made
    loose = {str(p.relative_to(ws)): oct(stat.S_IMODE(p.stat().st_mode)) for p in made
             if p.is_dir() and p.stat().st_mode & 0o077}
    assert loose == {}
