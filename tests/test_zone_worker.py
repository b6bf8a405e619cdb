"""`netpatrol worker` and `netpatrol workers` against a real Redis and real worker processes on the lab.

A batch is sent by hand (`send_task`, as zones/dispatch.py sends it) and must come back as the
same sanitised outcomes a local run computes; hosts outside the worker's zone, unknown to it or
without their password in its environment come back as that host's failure, never as a crash.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from functools import partial
from pathlib import Path

import pytest
import yaml

import fault_world
from netpatrol.workspace.settings import Workspace
from redis_server import RedisServer

ZONES = {"north": {"description": "county sites"}, "south": {"description": "video network"}}


def zone_workspace(make_lab, tmp_path: Path, redis: RedisServer, names: list[str], zone_of: dict[str, str],
                   faults: dict[str, list[str]] | None = None, **lab_kw):
    ws = tmp_path / "ws"
    settings = {"zones": ZONES, "distributed": {
        "broker": f"redis://:${{NP_TEST_BROKER_PW}}@127.0.0.1:{redis.port}/0", "visibility_timeout": 30,
        "batch_time_limit": 25, "connect_timeout": 2}}
    lab = make_lab(names, platforms=["cisco_ios"], workspace=ws, settings=settings, faults=faults, **lab_kw)
    hosts_file = ws / "inventory" / "hosts.yaml"
    hosts = yaml.safe_load(hosts_file.read_text(encoding="utf-8"))
    for name, zone in zone_of.items():
        hosts[name]["data"] = {"zone": zone}
    hosts_file.write_text(yaml.safe_dump(hosts, sort_keys=False), encoding="utf-8")
    return ws, lab


def worker_env(redis: RedisServer, **extra: str) -> dict[str, str]:
    return {**fault_world.env(), "NP_TEST_BROKER_PW": redis.password, **extra}


def start_worker(ws: Path, zone: str, env: dict[str, str], concurrency: int = 1) -> subprocess.Popen:
    return subprocess.Popen([*fault_world.NETPATROL, "worker", "-w", str(ws), "--zone", zone, "--concurrency", str(concurrency)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def workers_json(ws: Path, env: dict[str, str], timeout: float = 1.0) -> dict:
    res = subprocess.run([*fault_world.NETPATROL, "workers", "-w", str(ws), "--json", "--timeout", str(timeout)],
                         env=env, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def wait_live(ws: Path, env: dict[str, str], zone: str, count: int, procs: list[subprocess.Popen],
              timeout: float = 60) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        for p in procs:
            assert p.poll() is None, f"worker exited {p.returncode}: {p.communicate()[1]}"
        doc = workers_json(ws, env)
        found = next((z["workers"] for z in doc["zones"] if z["zone"] == zone), [])
        if len(found) >= count:
            return found
        assert time.monotonic() < deadline, f"{count} workers of zone {zone} not live within {timeout}s: {doc}"
        time.sleep(0.2)


def stop(procs: list[subprocess.Popen]) -> list[tuple[str, str]]:
    """SIGTERM (a warm shutdown), then the outputs; SIGKILL of the group if it hangs."""
    outputs = []
    for p in procs:
        if p.poll() is None:  # the main process only: it stops its pool (a SIGTERMed child is a lost task)
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            outputs.append(p.communicate(timeout=30))
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            outputs.append(p.communicate())
    return outputs


def send_backup(ws_path: Path, env: dict[str, str], monkeypatch, zone: str, names: list[str]):
    """The batch as the central run sends it: encode_call of the backup procedure -> send_task."""
    from netpatrol.backup.task import fetch_config
    from netpatrol.workspace.inventory import load_inventory
    from netpatrol.zones.app import COLLECT_TASK, distributed_settings, make_app, queue_name
    from netpatrol.zones.messages import encode_call

    for k, v in env.items():
        monkeypatch.setenv(k, v)
    ws = Workspace.locate(ws_path)
    inv = load_inventory(ws.root)
    settings = ws.settings.backup
    procedure = partial(fetch_config, previous=lambda name: None, secrets=settings.secrets,
                        max_shrink=settings.max_shrink, compare_saved=settings.save_saved_config, packs=None)
    hosts = [inv.hosts[n] for n in names if n in inv.hosts]
    kind, args = encode_call(procedure, hosts)
    app = make_app(ws)
    result = app.send_task(COLLECT_TASK, args=[zone, kind, names, args], queue=queue_name(distributed_settings(ws), zone))
    return ws, inv, procedure, result


def local_outcomes(ws: Workspace, inv, procedure, names: list[str]) -> dict:
    from netpatrol.collect.runner import SshCollector
    from netpatrol.zones.messages import encode_outcome
    from netpatrol.zones.worker import SilentProgress

    outcomes = SshCollector(ws, processes=1)([inv.hosts[n] for n in names], procedure, SilentProgress())
    return {n: encode_outcome(o) for n, o in outcomes.items()}


# -- without a lab --------------------------------------------------------------------------------

def write_plain_workspace(root: Path, broker: str) -> Path:
    from netpatrol.lab.control import LabDeviceSpec

    spec = LabDeviceSpec(name="r1", platform="cisco_ios", address="127.0.0.1", port=1, username="netops",
                         password=fault_world.PASSWORD)
    fault_world.write_workspace(root, [spec], settings={"zones": ZONES, "distributed": {"broker": broker, "connect_timeout": 1}})
    return root


@pytest.mark.parametrize("zone, needle", [("nowhere", "not declared"), ("local", "central run itself")])
def test_worker_refuses_a_zone_it_cannot_serve(tmp_path: Path, zone: str, needle: str):
    ws = write_plain_workspace(tmp_path / "ws", "redis://127.0.0.1:1/0")
    res = fault_world.cli(ws, "worker", "--zone", zone)
    assert res.returncode == 2, res.stderr
    assert needle in res.stderr
    if zone != "local":
        assert "netpatrol.yaml" in res.stderr


@pytest.mark.parametrize("command", [["worker", "--zone", "north"], ["workers"], ["workers", "--json"]])
def test_broker_down_is_exit_2_with_the_url_masked(tmp_path: Path, redis_server: RedisServer, command: list[str]):
    port = redis_server.port
    redis_server.stop()
    ws = write_plain_workspace(tmp_path / "ws", f"redis://:${{NP_TEST_BROKER_PW}}@127.0.0.1:{port}/0")
    res = subprocess.run([*fault_world.NETPATROL, *command, "-w", str(ws)], env=worker_env(redis_server),
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert f"127.0.0.1:{port}" in res.stderr and redis_server.password not in res.stderr + res.stdout
    assert "**" in res.stderr


def test_missing_password_variable_is_that_hosts_auth_failure(tmp_path: Path, monkeypatch):
    """The worker holds only its own zone's passwords: an unset ${ENV} fails that device, naming the variable."""
    from netpatrol.zones.worker import WorkerInventory, collect_batch

    ws = write_plain_workspace(tmp_path / "ws", "redis://127.0.0.1:1/0")
    hosts_file = ws / "inventory" / "hosts.yaml"
    hosts = yaml.safe_load(hosts_file.read_text(encoding="utf-8"))
    hosts["r1"]["data"] = {"zone": "north"}
    hosts_file.write_text(yaml.safe_dump(hosts), encoding="utf-8")
    monkeypatch.delenv(fault_world.PASSWORD_ENV, raising=False)
    monkeypatch.setenv(fault_world.ENABLE_ENV, fault_world.ENABLE)
    from netpatrol.backup.task import fetch_config
    from netpatrol.workspace.inventory import load_inventory
    from netpatrol.zones.messages import decode_outcome, encode_call

    w = Workspace.locate(ws)
    inv = load_inventory(ws, need_secrets=False)
    kind, args = encode_call(partial(fetch_config, previous=lambda n: None, secrets="all", max_shrink=0.5,
                                     compare_saved=False, packs=None), [inv.hosts["r1"]])
    got = collect_batch(w, "north", WorkerInventory(ws), "north", kind, ["r1"], args)
    outcome = decode_outcome(kind, got["r1"])
    assert not outcome.ok and outcome.error is not None and outcome.error.status == "auth_failed"
    assert fault_world.PASSWORD_ENV in outcome.error.reason


# -- real workers on the lab ----------------------------------------------------------------------

@pytest.mark.lab
def test_a_batch_sent_by_hand_comes_back_sanitised(make_lab, tmp_path: Path, redis_server: RedisServer, monkeypatch):
    names = ["n1", "n2", "n3", "s1"]
    ws, _ = zone_workspace(make_lab, tmp_path, redis_server, names, {"n1": "north", "n2": "north", "n3": "north", "s1": "south"})
    env = worker_env(redis_server)
    procs = [start_worker(ws, "north", env), start_worker(ws, "north", env, concurrency=2)]
    try:
        live = wait_live(ws, env, "north", 2, procs)
        pids = {str(p.pid) for p in procs}
        assert {w["name"].split("@")[0] for w in live} == {f"north.{pid}" for pid in pids}
        doc = workers_json(ws, env)
        south = next(z for z in doc["zones"] if z["zone"] == "south")
        assert south["declared"] and south["workers"] == [] and redis_server.password not in json.dumps(doc)

        w, inv, procedure, result = send_backup(ws, env, monkeypatch, "north", ["n1", "n2", "s1", "ghost"])
        got = result.get(timeout=120)
        result.forget()
        assert set(got) == {"n1", "n2", "s1", "ghost"}
        assert got["s1"]["ok"] is False and "'south'" in json.dumps(got["s1"]) and "'north'" in json.dumps(got["s1"])
        assert got["ghost"]["ok"] is False and "ghost" in json.dumps(got["ghost"])
        assert got["n1"]["ok"] and got["n2"]["ok"]
        # The same sanitised values a local run computes; no password or enable secret anywhere.
        assert {n: got[n] for n in ("n1", "n2")} == local_outcomes(w, inv, procedure, ["n1", "n2"])
        text = json.dumps(got) + json.dumps(redis_server.keys_and_values(), default=repr)
        for secret in (fault_world.PASSWORD, fault_world.ENABLE, redis_server.password):
            assert secret not in text

        # `workers` as a table names both workers of the zone and the zone without one.
        res = subprocess.run([*fault_world.NETPATROL, "workers", "-w", str(ws)], env=env, capture_output=True, text=True, timeout=60)
        assert res.returncode == 0 and "no live worker" in res.stdout and all(f"north.{pid}" in res.stdout for pid in pids)
    finally:
        outputs = stop(procs)
    for out, err in outputs:
        # A quiet worker: no banner, nothing but (at most) the root warning; no secrets in its log.
        assert "celery@" not in out and "[tasks]" not in out
        assert [line for line in err.splitlines() if "running as root" not in line] == [], err
        for secret in (fault_world.PASSWORD, fault_world.ENABLE, redis_server.password):
            assert secret not in out + err


@pytest.mark.lab
def test_a_killed_pool_child_has_its_batch_run_again(make_lab, tmp_path: Path, redis_server: RedisServer, monkeypatch):
    """acks_late + reject_on_worker_lost: the batch of a SIGKILLed pool child is requeued, not lost."""
    ws, lab = zone_workspace(make_lab, tmp_path, redis_server, ["slow1"], {"slow1": "north"},
                             faults={"slow1": ["slow"]}, options={"slow_line_delay": 0.05, "slow_min_lines": 5},
                             connection={"read_timeout": 30})
    env = worker_env(redis_server)
    procs = [start_worker(ws, "north", env)]
    try:
        wait_live(ws, env, "north", 1, procs)
        mark = lab.log_mark()
        result = send_backup(ws, env, monkeypatch, "north", ["slow1"])[-1]
        lab.wait_for_log("auth slow1 accepted", after=mark)
        children = subprocess.run(["pgrep", "-P", str(procs[0].pid)], capture_output=True, text=True).stdout.split()
        assert len(children) == 1, children
        os.kill(int(children[0]), signal.SIGKILL)
        got = result.get(timeout=120)
        result.forget()
        assert got["slow1"]["ok"], got
        assert lab.log()[mark:].count("auth slow1 accepted") >= 2  # collected again after the kill
    finally:
        stop(procs)
