"""A zone's worker decides the floor of secret removal: unsanitised text never leaves the zone.

The level a worker sanitises at is the stricter of the message's `secrets` and its own
netpatrol.yaml `backup.secrets`, so neither a central `backup.secrets: none` nor a message forged
by anyone who can write to the broker gets a device's secrets over Redis; a worker whose own level
is `none` refuses to start.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
import yaml

import fault_world
from netpatrol.workspace.settings import Workspace

ZONES = {"north": {"description": "county sites"}}


@pytest.mark.parametrize("sent, own, level", [
    ("none", "all", "all"), ("none", "reversible", "reversible"), ("reversible", "all", "all"),
    ("all", "reversible", "all"), ("all", "all", "all"), ("bogus", "reversible", "all"), (None, "reversible", "all"),
])
def test_the_stricter_level_wins(sent, own, level):
    from netpatrol.zones.worker import stricter_secrets

    assert stricter_secrets(sent, own) == level


def test_a_worker_that_keeps_secrets_refuses_to_start(tmp_path: Path):
    from netpatrol.lab.control import LabDeviceSpec

    spec = LabDeviceSpec(name="r1", platform="cisco_ios", address="127.0.0.1", port=1, username="netops",
                         password=fault_world.PASSWORD)
    ws = fault_world.write_workspace(tmp_path / "ws", [spec], backup={"secrets": "none"}, settings={
        "zones": ZONES, "distributed": {"broker": "redis://127.0.0.1:1/0", "connect_timeout": 1}})
    res = fault_world.cli(ws, "worker", "--zone", "north")
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert "netpatrol.yaml" in res.stderr and "backup.secrets" in res.stderr and "cannot be reached" not in res.stderr


@pytest.mark.lab
@pytest.mark.parametrize("sent", ["none", "reversible", "no-such-level"])
def test_a_message_asking_for_less_removal_gets_the_workers_level(make_lab, tmp_path: Path, monkeypatch, sent: str):
    from netpatrol.backup.task import fetch_config
    from netpatrol.lab.planted import SCENARIO, planted
    from netpatrol.workspace.inventory import load_inventory
    from netpatrol.zones.messages import decode_outcome, encode_call
    from netpatrol.zones.worker import WorkerInventory, collect_batch

    root = tmp_path / "ws"
    make_lab(["n1"], platforms=["cisco_ios"], scenarios=[SCENARIO], workspace=root, backup={"secrets": "all"},
             settings={"zones": ZONES, "distributed": {"broker": "redis://127.0.0.1:1/0"}})
    hosts_file = root / "inventory" / "hosts.yaml"
    hosts = yaml.safe_load(hosts_file.read_text(encoding="utf-8"))
    hosts["n1"]["data"] = {"zone": "north"}
    hosts_file.write_text(yaml.safe_dump(hosts), encoding="utf-8")
    fault_world.set_env(monkeypatch)
    inv = load_inventory(root, need_secrets=False)
    kind, args = encode_call(partial(fetch_config, previous=lambda n: None, secrets="none", max_shrink=0.5,
                                     compare_saved=False, packs=None), [inv.hosts["n1"]])
    args["secrets"] = sent  # as a central `backup.secrets: none`, or a message written to the broker by hand
    got = collect_batch(Workspace.locate(root), "north", WorkerInventory(root), "north", kind, ["n1"], args)
    outcome = decode_outcome(kind, got["n1"])
    assert outcome.ok, outcome.error
    secrets = planted("cisco_ios")
    assert secrets and all(s.value not in outcome.value.text for s in secrets), outcome.value.text
    assert fault_world.PASSWORD not in str(got)
