"""How a run across zones ends when things go wrong: a run stopped early leaves nothing on the
broker, an answer this netpatrol cannot read is one device's failure, a batch past
`distributed.batch_time_limit` is stopped (timeout), and `run --due` checks the broker before
it writes anything.

Where no real worker is needed, the test itself plays the zone's worker: it takes the message
off the real Redis queue and stores a result through the real Celery backend.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from functools import partial
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

import fault_world
from netpatrol.backup.task import fetch_config
from netpatrol.collect.collector import Outcome
from netpatrol.collect.runner import SshCollector
from netpatrol.compliance.records import backup_packs
from netpatrol.errors import AuthFailed
from netpatrol.lab.control import LabDeviceSpec
from netpatrol.workspace.distributed import DistributedSettings
from netpatrol.workspace.inventory import load_inventory
from netpatrol.workspace.settings import Workspace
from netpatrol.zones.app import make_app
from netpatrol.zones.dispatch import ZoneCollector
from netpatrol.zones.messages import encode_outcome
from netpatrol.zones.worker import SilentProgress
from redis_server import RedisServer
from zone_world import ZoneWorld

BROKER_ENV = "NP_BROKER_PASSWORD"
QUEUE = "netpatrol.county-a"


def zone_workspace(tmp_path: Path, redis: RedisServer, monkeypatch, devices: int = 2, **dist) -> Path:
    fault_world.set_env(monkeypatch)
    monkeypatch.setenv(BROKER_ENV, redis.password)
    specs = [LabDeviceSpec(name=f"dev-{i}", platform="cisco_ios", address="127.0.0.1", port=9 + i, username="netops",
                           password="x") for i in range(devices)]
    settings = {"zones": {"county-a": {"description": "County A"}},
                "distributed": {"broker": f"redis://:${{{BROKER_ENV}}}@127.0.0.1:{redis.port}/0",
                                "connect_timeout": 2, "no_worker_wait": 30, **dist}}
    ws = fault_world.write_workspace(tmp_path / "ws", specs, settings=settings)
    path = ws / "inventory" / "hosts.yaml"
    hosts = yaml.safe_load(path.read_text(encoding="utf-8"))
    for name in hosts:
        hosts[name].setdefault("data", {})["zone"] = "county-a"
    path.write_text(yaml.safe_dump(hosts, sort_keys=False), encoding="utf-8")
    return ws


def backup_call(ws: Path):
    w = Workspace(ws)
    packs, _ = backup_packs(w)
    procedure = partial(fetch_config, previous=lambda name: None, secrets="all", max_shrink=0.4,
                        compare_saved=True, packs=packs)
    return w, list(load_inventory(ws).hosts.values()), procedure


def hand_worker(redis: RedisServer, w: Workspace, answer, batches: int) -> threading.Thread:
    """Answers the first `batches` messages of county-a's queue with `answer(hosts)`, as a worker would."""
    app = make_app(w)

    def run() -> None:
        c = redis.client()
        done = 0
        deadline = time.monotonic() + 30
        while done < batches and time.monotonic() < deadline:
            raw = c.rpop(QUEUE)
            if raw is None:
                time.sleep(0.05)
                continue
            msg = json.loads(raw)
            args = json.loads(base64.b64decode(msg["body"]))[0]
            app.backend.store_result(msg["headers"]["id"], answer(args[2]), "SUCCESS")
            done += 1
        app.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_an_answer_this_netpatrol_cannot_read_is_that_devices_failure(tmp_path, redis_server, monkeypatch):
    ws = zone_workspace(tmp_path, redis_server, monkeypatch)
    w, hosts, procedure = backup_call(ws)
    bad, good = hosts[0].name, hosts[1].name
    answer = {bad: {"host": bad, "ok": True, "value": {"from": "a newer netpatrol"}},
              good: encode_outcome(Outcome(good, False, error=AuthFailed(good, "refused")))}
    worker = hand_worker(redis_server, w, lambda names: {n: answer[n] for n in names}, 1)
    outcomes = ZoneCollector(w, SshCollector(w))(hosts, procedure, SilentProgress())
    worker.join(5)
    assert not outcomes[bad].ok and "cannot read" in outcomes[bad].error.reason, outcomes[bad]
    assert "county-a" in outcomes[bad].error.reason
    assert isinstance(outcomes[good].error, AuthFailed)


class StopAtFirstDevice(SilentProgress):
    def advance(self, host: str, ok: bool) -> None:
        raise KeyboardInterrupt  # Ctrl-C as the first device comes back


def test_a_run_stopped_early_leaves_no_task_nor_result_on_the_broker(tmp_path, redis_server, monkeypatch):
    ws = zone_workspace(tmp_path, redis_server, monkeypatch, devices=3, batch_size=1)
    w, hosts, procedure = backup_call(ws)
    worker = hand_worker(redis_server, w, lambda names: {
        n: encode_outcome(Outcome(n, False, error=AuthFailed(n, "refused"))) for n in names}, 1)
    with pytest.raises(KeyboardInterrupt):
        ZoneCollector(w, SshCollector(w))(hosts, procedure, StopAtFirstDevice())
    worker.join(5)
    kv = redis_server.keys_and_values()
    assert not kv.get(QUEUE), "the run's unread batches stay queued for a worker to collect for nobody"
    assert not [k for k in kv if k.startswith("celery-task-meta-")], sorted(kv)


@pytest.mark.parametrize(("values", "needles"), [
    ({"visibility_timeout": 60, "batch_time_limit": 60}, ["batch_time_limit", "visibility_timeout"]),
    ({"no_worker_wait": 0}, ["no_worker_wait", "greater than or equal to 1"]),
])
def test_limits_that_cannot_work_are_refused(values, needles):
    with pytest.raises(ValidationError) as info:
        DistributedSettings(broker="redis://127.0.0.1:6379/0", **values)
    for needle in needles:
        assert needle in str(info.value)


def test_run_due_with_the_broker_down_exits_2_and_writes_nothing(tmp_path, redis_server, monkeypatch):
    ws = zone_workspace(tmp_path, redis_server, monkeypatch)
    redis_server.stop()
    res = fault_world.cli(ws, "run", "--due", "--json", timeout=60)
    assert res.returncode == 2, res.stdout[-2000:] + res.stderr[-2000:]
    assert f"redis://:**@127.0.0.1:{redis_server.port}/0" in res.stderr
    assert redis_server.password not in res.stdout + res.stderr
    assert not (ws / "backups").exists()
    assert not (ws / ".netpatrol" / "runs.jsonl").exists()


@pytest.mark.lab
def test_a_batch_past_batch_time_limit_is_stopped_and_its_devices_time_out(make_zone_world) -> None:
    world: ZoneWorld = make_zone_world(distributed={"batch_time_limit": 2})
    world.start_workers(north=1)
    north = world.hosts("north")
    world.slow(north)  # a batch of two takes ~6 s
    started = time.monotonic()
    res = world.cli("backup", "--json", "--group", "jc-north", timeout=120)
    took = time.monotonic() - started
    assert res.returncode == 1, res.stderr[-3000:]
    doc = json.loads(res.stdout)
    by_host = {d["host"]: d for d in doc["devices"]}
    assert set(by_host) == set(north)
    for host in north:
        d = by_host[host]
        assert (d["status"], d["error_status"]) == ("failed", "timeout"), d
        assert "batch_time_limit" in d["reason"] and "north" in d["reason"], d
    assert took < 60, took
    assert world.workers[0].alive, world.worker_logs()
