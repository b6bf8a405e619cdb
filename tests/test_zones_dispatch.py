"""Runs across zones, end to end: a real Redis (tests/redis_server.py), real `netpatrol worker`
processes, lab devices, and the real CLI in child processes.

The central run's contract holds whoever collects: one commit per run, the same `--json` and exit
codes, results equal to a local run's. A broker that is down stops the run (exit 2, the URL with
its password masked) before anything is written; a zone without workers ends its devices as
`no_collector` after `distributed.no_worker_wait`, and the rest of the run completes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

import fault_world
from netpatrol.collect.progress import RichProgress
from netpatrol.lab.control import LabDeviceSpec
from zone_workers import ZoneWorkers

BROKER_ENV = "NP_BROKER_PASSWORD"


def zone_settings(port: int, **dist) -> dict:
    return {"zones": {"county-a": {"description": "County A site network"}, "county-b": {"description": "County B"}},
            "distributed": {"broker": f"redis://:${{{BROKER_ENV}}}@127.0.0.1:{port}/0", "batch_size": 2,
                            "no_worker_wait": 10, "connect_timeout": 2, **dist}}


def put_in_zones(root: Path, zones: dict[str, str]) -> None:
    """`data.zone` on the named hosts of a fault_world inventory (the others stay local)."""
    path = root / "inventory" / "hosts.yaml"
    hosts = yaml.safe_load(path.read_text(encoding="utf-8"))
    for name, zone in zones.items():
        hosts[name].setdefault("data", {})["zone"] = zone
    path.write_text(yaml.safe_dump(hosts, sort_keys=False), encoding="utf-8")


def run_json(ws: Path, *args: str, timeout: float = 240) -> tuple[int, dict | None, str]:
    res = fault_world.cli(ws, *args, "--json", timeout=timeout)
    try:
        doc = json.loads(res.stdout)
    except ValueError:
        doc = None
    return res.returncode, doc, res.stdout + res.stderr


@pytest.fixture
def workers(tmp_path: Path, broker_env) -> Iterator[ZoneWorkers]:
    """Zone workers of the workspace at tmp_path/ws, with the lab's and the broker's passwords."""
    w = ZoneWorkers(tmp_path / "ws", tmp_path, broker_env.url, {**fault_world.env(), BROKER_ENV: broker_env.password})
    yield w
    w.close()


@pytest.fixture
def broker_env(redis_server, monkeypatch):
    fault_world.set_env(monkeypatch)
    monkeypatch.setenv(BROKER_ENV, redis_server.password)
    return redis_server


def configs(ws: Path) -> dict[str, str]:
    root = ws / "backups" / "configs"
    return {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*")) if p.is_file()}


def commits(ws: Path) -> int:
    """Commits made by runs (the store's first commit, `initialise backup store`, left out)."""
    return int(fault_world.git(ws, "rev-list", "--count", "HEAD").strip()) - 1


def shape(doc) -> object:
    """The keys of a --json document, recursively (lists by their first element)."""
    if isinstance(doc, dict):
        return {k: shape(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [shape(doc[0])] if doc else []
    return None


def inspected(doc: dict) -> dict[str, tuple]:
    return {d["host"]: (d["status"], d["error"], json.dumps(d.get("facts"), sort_keys=True),
                        sorted(json.dumps(f, sort_keys=True) for f in d.get("findings") or []))
            for d in doc["devices"]}


# -- the progress bar -----------------------------------------------------------------------------

def test_the_bar_counts_each_zone_and_stays_as_it_was_without_zones():
    bar = RichProgress(5, "Backing up", enabled=False,
                       zones={"a1": "local", "a2": "local", "b1": "county-b", "c1": "county-a", "c2": "county-a"})
    assert bar.zone_counts() == "local 0/2 · county-a 0/2 · county-b 0/1"
    for host in ("a1", "c1", "c2"):
        bar.advance(host, True)
    assert bar.zone_counts() == "local 1/2 · county-a 2/2 · county-b 0/1"
    assert RichProgress(2, "Backing up", enabled=False, zones={"a1": "local", "a2": "local"}).zone_counts() == ""
    assert RichProgress(1, "Backing up", enabled=False, zones={"x": "county-a"}).zone_counts() == "county-a 0/1"


def test_a_local_run_never_loads_celery(sample_workspace):
    code = ("import sys\nfrom netpatrol.workspace.settings import Workspace\nfrom netpatrol.workspace.inventory import "
            "load_inventory\nfrom netpatrol.collect.runner import default_collector, SshCollector\n"
            "from pathlib import Path\n"
            f"ws = Workspace(Path({str(sample_workspace)!r}))\nhosts = list(load_inventory(ws.root).hosts.values())\n"
            "assert isinstance(default_collector(ws, hosts), SshCollector)\nprint('celery' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


# -- a broker that is down ------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["backup", "inspect"])
def test_broker_down_exits_2_naming_the_masked_url_and_writes_nothing(tmp_path, redis_server, monkeypatch, command):
    port = redis_server.port
    redis_server.stop()  # the port of a broker that went away
    fault_world.set_env(monkeypatch)
    monkeypatch.setenv(BROKER_ENV, redis_server.password)
    specs = [LabDeviceSpec(name=f"dev-{i}", platform=p, address="127.0.0.1", port=9 + i, username="netops", password="x")
             for i, p in enumerate(["cisco_ios", "huawei_vrp", "hp_comware"])]
    ws = fault_world.write_workspace(tmp_path / "ws", specs, settings=zone_settings(port))
    put_in_zones(ws, {"dev-1": "county-a"})
    started = time.monotonic()
    code, _, out = run_json(ws, command, *(["--period", "2026Q3", "--backfill"] if command == "inspect" else []))
    assert code == 2, out
    assert f"redis://:**@127.0.0.1:{port}/0" in out, out
    assert redis_server.password not in out
    assert time.monotonic() - started < 30
    assert not (ws / "backups").exists()
    assert not (ws / ".netpatrol" / "runs.jsonl").exists()
    assert not (ws / ".netpatrol" / "devices.json").exists()


# -- with the lab ---------------------------------------------------------------------------------

@pytest.mark.lab
def test_a_zone_without_workers_ends_as_no_collector_and_the_rest_is_saved(tmp_path, make_lab, broker_env, workers):
    root = tmp_path / "ws"
    lab = make_lab(5, platforms=["cisco_ios", "huawei_vrp"], workspace=root,
                   settings=zone_settings(broker_env.port))
    names = list(lab.devices)
    put_in_zones(root, {names[1]: "county-a", names[2]: "county-b", names[3]: "county-b"})
    workers.start_worker("county-a")
    started = time.monotonic()
    code, doc, out = run_json(root, "backup")
    took = time.monotonic() - started
    assert code == 1, out
    by_host = {d["host"]: d for d in doc["devices"]}
    assert {h for h, d in by_host.items() if d["status"] == "saved"} == {names[0], names[1], names[4]}
    for name in names[2:4]:
        d = by_host[name]
        assert (d["status"], d["error_status"]) == ("failed", "no_collector"), d
        assert "county-b" in d["reason"] and "netpatrol worker --zone county-b" in d["reason"]
    assert doc["counts"] == {"saved": 3, "unchanged": 0, "failed": 2}
    assert took < 60, took  # bounded by no_worker_wait, not by the tasks left in the queue
    assert commits(root) == 1
    assert fault_world.git(root, "fsck", "--strict", check=False) == ""
    # The run read and forgot its results, and emptied the queue of the zone it gave up: a worker
    # starting there later finds nothing of this run. (The other zone's live worker may have written
    # the revocations as task states.)
    kv = broker_env.keys_and_values()
    left = {k: json.loads(v) for k, v in kv.items() if k.startswith("celery-task-meta-")}
    assert {m["status"] for m in left.values()} <= {"REVOKED"}, left
    assert not kv.get("netpatrol.county-b"), kv.get("netpatrol.county-b")


@pytest.mark.lab
def test_two_zones_of_two_workers_back_up_and_inspect_as_a_local_run_does(tmp_path, make_lab, broker_env, workers):
    root = tmp_path / "ws"
    lab = make_lab(8, workspace=root, settings=zone_settings(broker_env.port))
    names = list(lab.devices)
    put_in_zones(root, {**dict.fromkeys(names[2:5], "county-a"), **dict.fromkeys(names[5:], "county-b")})
    twin = fault_world.write_workspace(tmp_path / "twin", lab.specs)  # the same devices, all local
    workers.start_workers(concurrency=2, **{"county-a": 2, "county-b": 2})

    code, doc, out = run_json(root, "backup")
    local_code, local_doc, local_out = run_json(twin, "backup")
    assert (code, local_code) == (0, 0), out + local_out
    assert doc["counts"] == local_doc["counts"] == {"saved": 8, "unchanged": 0, "failed": 0}
    assert shape(doc) == shape(local_doc)
    assert configs(root) == configs(twin) and len(configs(root)) == 8
    assert commits(root) == 1

    code, doc, out = run_json(root, "inspect", "--period", "2026Q3", "--backfill")
    local_code, local_doc, local_out = run_json(twin, "inspect", "--period", "2026Q3", "--backfill")
    assert code == local_code, out + local_out
    assert shape(doc) == shape(local_doc)
    assert inspected(doc) == inspected(local_doc)
    assert commits(root) == 2
    tags = fault_world.git(root, "tag", "-l").split()
    assert tags == ["inspection/2026Q3"]

    # `facts` reads versions with the inspection's procedure: through the zones as well.
    code, doc, out = run_json(root, "facts")
    local_code, local_doc, local_out = run_json(twin, "facts")
    assert (code, local_code) == (0, 0), out + local_out
    assert doc == local_doc and len(doc) == 8

    # Again: unchanged everywhere, and still one commit per run (none for a backup that changed nothing).
    code, doc, out = run_json(root, "backup")
    assert code == 0 and doc["counts"] == {"saved": 0, "unchanged": 8, "failed": 0}, out
    assert commits(root) == 2
    assert fault_world.git(root, "fsck", "--strict", check=False) == ""
    # No result stays: read ones are forgotten. A worker handling a read batch's revocation late
    # (after the forget) may leave a REVOKED marker, which holds nothing of the run.
    leftover = {k: json.loads(v) for k, v in broker_env.keys_and_values().items() if k.startswith("celery-task-meta-")}
    assert {m["status"] for m in leftover.values()} <= {"REVOKED"}, leftover
