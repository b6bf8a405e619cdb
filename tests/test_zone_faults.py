"""Zones under faults, with the real parts: a Redis broker, `netpatrol worker` processes, lab SSH.

A worker SIGKILLed mid-batch (its whole process group, or one pool child) loses nothing: its batch
is delivered again, every device is saved once in one commit and `git fsck` stays clean. A broker
that is down before or during a run ends it clearly with nothing half-written. No secret (device
passwords, the planted secrets of the lab configs, the broker password) is ever on the broker.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import time
from pathlib import Path

import pytest

from broker_watch import BrokerWatch
from netpatrol.platforms import PLATFORMS
from redis_server import RedisServer
from zone_world import ZoneWorld

pytestmark = pytest.mark.lab

RUN_TIMEOUT = 150


def finished(world: ZoneWorld, proc: subprocess.Popen, timeout: float = RUN_TIMEOUT) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"the run did not end within {timeout:g} s\n{out[-2000:]}\n{err[-3000:]}") from None
    return proc.returncode, out, err


def json_doc(rc: int, out: str, err: str) -> dict:
    try:
        return json.loads(out)
    except ValueError:
        raise AssertionError(f"not JSON (rc {rc}): {out[-1500:]}\n{err[-3000:]}") from None


def git(ws: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(ws / "backups"), *args], check=True, capture_output=True, text=True).stdout


def commits(ws: Path) -> list[str]:
    return git(ws, "rev-list", "HEAD").split() if (ws / "backups" / ".git").exists() else []


def assert_store_sound(ws: Path) -> None:
    assert git(ws, "status", "--porcelain") == "", "half-written or uncommitted files in backups/"
    subprocess.run(["git", "-C", str(ws / "backups"), "fsck", "--strict", "--no-progress"], check=True, capture_output=True)
    assert list((ws / "backups").rglob("*.tmp")) == []


def assert_configs_whole(world: ZoneWorld) -> None:
    """Every config in every commit ends as its platform's configs end (nothing cut short)."""
    platform_of = world.platform_of()
    for sha in commits(world.ws):
        for path in git(world.ws, "ls-tree", "-r", "--name-only", sha).split():
            if path.startswith("configs/") and path.endswith(".cfg"):
                lines = git(world.ws, "show", f"{sha}:{path}").rstrip().splitlines()
                markers = PLATFORMS[platform_of[Path(path).stem]].backup.end_markers
                assert lines and (not markers or any(re.search(m, lines[-1]) for m in markers)), (sha, path, lines[-3:])


def assert_all_saved_once(world: ZoneWorld, doc: dict, before: list[str]) -> None:
    """Every device saved, each once, in exactly one new commit; one run record for the run."""
    hosts = [d["host"] for d in doc["devices"]]
    assert sorted(hosts) == sorted(world.platform_of()), "a device missing or listed twice"
    assert {d["host"]: d["status"] for d in doc["devices"] if d["status"] != "saved"} == {}
    assert doc["counts"] == {"saved": len(hosts), "unchanged": 0, "failed": 0}
    after = commits(world.ws)
    # The first run also makes the store's initial commit.
    assert after[0] == doc["commit"] and after[1:] == (before or after[-1:]), "not exactly one commit for the run"
    changed = git(world.ws, "show", "--name-only", "--format=", doc["commit"]).split()
    configs = [p for p in changed if p.startswith("configs/")]
    assert sorted(configs) == sorted(d["path"] for d in doc["devices"])
    runs = [json.loads(line) for line in (world.ws / ".netpatrol" / "runs.jsonl").read_text().splitlines()]
    assert [r["commit"] for r in runs].count(doc["commit"]) == 1 and runs[-1]["devices"] == len(hosts)


def collected_after(world: ZoneWorld, mark: int, hosts: list[str]) -> list[str]:
    """Which of `hosts` the lab saw log in after `mark`."""
    log = world.lab.log()[mark:]
    return [h for h in hosts if f"auth {h} accepted" in log]


def baseline(world: ZoneWorld) -> list[str]:
    """One good run first, so a later fault has history to damage."""
    rc, out, err = finished(world, world.popen("backup", "--json"))
    assert rc == 0, err[-3000:]
    assert_all_saved_once(world, json_doc(rc, out, err), [])
    return commits(world.ws)


# -- workers killed --------------------------------------------------------------------------------


def test_sigkill_of_a_whole_worker_mid_batch_loses_nothing(zone_world: ZoneWorld) -> None:
    world = zone_world
    north = world.hosts("north")
    world.start_workers(north=2, east=2)
    world.slow(north)
    run = world.popen("backup", "--json")
    victim, task = world.wait_busy("north")
    batch = task["args"][2]
    survivor = next(w for w in world.workers if w.zone == "north" and w is not victim)
    victim.kill()
    mark = world.lab.log_mark()
    started = time.monotonic()
    rc, out, err = finished(world, run)
    doc = json_doc(rc, out, err)
    assert rc == 0, err[-3000:]
    assert_all_saved_once(world, doc, [])
    assert_store_sound(world.ws)
    assert_configs_whole(world)
    assert victim.group() == [] and survivor.alive
    # Only a redelivery can have logged these in again: their worker was dead by then.
    assert collected_after(world, mark, batch) == batch, f"batch {batch} not collected again after the kill"
    assert time.monotonic() - started < 90


def test_sigkill_of_a_pool_child_requeues_its_batch_at_once(zone_world: ZoneWorld) -> None:
    world = zone_world
    north = world.hosts("north")
    # Two pool children: the batch of the child killed is redone while the other batch runs on.
    worker = world.start_worker("north", concurrency=2, wait=False)
    world.wait_live([worker, world.start_worker("east", wait=False)])
    world.slow(north)
    run = world.popen("backup", "--json")
    busy, task = world.wait_busy("north")
    assert busy is worker
    child = worker.kill_pool_child(task["worker_pid"])
    mark = world.lab.log_mark()
    rc, out, err = finished(world, run)
    doc = json_doc(rc, out, err)
    assert rc == 0, err[-3000:]
    assert_all_saved_once(world, doc, [])
    assert_store_sound(world.ws)
    assert_configs_whole(world)
    assert worker.alive, "the worker's main process died with its pool child"
    assert child not in worker.pool_children() and worker.pool_children(), "the pool did not replace its child"
    batch = task["args"][2]
    assert collected_after(world, mark, batch) == batch


# -- the broker goes away ----------------------------------------------------------------------------


def masked(redis: RedisServer) -> str:
    return f"redis://:**@127.0.0.1:{redis.port}/0"


def test_broker_down_before_a_run_writes_nothing(zone_world: ZoneWorld) -> None:
    world = zone_world
    world.redis.stop()
    for command in (["backup", "--json"], ["inspect", "--json"]):
        started = time.monotonic()
        result = world.cli(*command, timeout=60)
        assert result.returncode == 2, (command, result.stdout[-1000:], result.stderr[-2000:])
        assert masked(world.redis) in result.stderr, result.stderr[-2000:]
        assert world.redis.password not in result.stdout + result.stderr
        assert time.monotonic() - started < 30, "the broker check is not bounded by connect_timeout"
    assert not (world.ws / "backups").exists()
    assert not (world.ws / ".netpatrol" / "runs.jsonl").exists()


def test_broker_stopped_mid_run_ends_clearly_and_writes_nothing_half(zone_world: ZoneWorld) -> None:
    world = zone_world
    world.start_workers(north=1, east=1)
    before = baseline(world)
    world.slow(world.hosts("north") + world.hosts("east"))
    runs_before = (world.ws / ".netpatrol" / "runs.jsonl").read_text()
    run = world.popen("backup", "--json")
    world.wait_busy("north")
    world.redis.stop()
    started = time.monotonic()
    rc, out, err = finished(world, run, timeout=120)
    took = time.monotonic() - started
    assert world.redis.password not in out + err
    assert rc in (1, 2), f"rc {rc}\n{out[-1500:]}\n{err[-2000:]}"
    assert "Traceback" not in err, f"not one clear message:\n{err[-3000:]}"
    if rc == 2:
        # The run stopped as a whole: it says why, and the store is as it was.
        assert masked(world.redis) in err, err[-2000:]
        assert commits(world.ws) == before
    else:
        # The run finished without the zones: their devices failed naming the broker, the rest saved.
        doc = json_doc(rc, out, err)
        status = {d["host"]: d for d in doc["devices"]}
        for host in world.hosts("north") + world.hosts("east"):
            assert status[host]["status"] == "failed" and "broker" in (status[host]["reason"] or ""), status[host]
        assert {status[h]["status"] for h in world.hosts("local")} <= {"saved", "unchanged"}
    assert_store_sound(world.ws)
    assert_configs_whole(world)
    assert took < 100, f"the run took {took:.0f} s to notice the broker was gone"
    new_runs = (world.ws / ".netpatrol" / "runs.jsonl").read_text()[len(runs_before):].splitlines()
    assert len(new_runs) <= 1

    # The broker comes back (empty: nothing persisted): the workers reconnect and the next run is whole.
    for host in world.hosts("north") + world.hosts("east"):
        world.lab.set_faults(host, [])
    world.redis.start()
    for w in world.workers:
        w.node = None
    world.wait_live(world.workers, timeout=90)
    rc, out, err = finished(world, world.popen("backup", "--json"))
    doc = json_doc(rc, out, err)
    assert rc == 0, err[-3000:]
    assert {d["status"] for d in doc["devices"]} <= {"saved", "unchanged"}
    assert_store_sound(world.ws)


# -- secrets never on the broker -----------------------------------------------------------------------


def test_the_broker_watch_finds_a_planted_canary(redis_server: RedisServer) -> None:
    """The scan below can see: a value sent plainly or base64-encoded is found in MONITOR and in the keys."""
    canary = b"canary-Zq81-not-a-secret"
    with BrokerWatch(redis_server) as watch:
        redis_server.client().lpush("np.canary", b'{"body": "' + base64.b64encode(b'[["x", "' + canary + b'"]]') + b'"}')
        redis_server.client().set("np.plain", b"x" + canary)
        time.sleep(0.3)
    hits = watch.find({"canary": canary})
    assert any(h.startswith("canary in MONITOR") for h in hits), hits
    assert any("np.canary" in h for h in hits) and any("np.plain" in h for h in hits), hits


def test_no_secret_on_the_broker_during_and_after_runs(zone_world: ZoneWorld) -> None:
    world = zone_world
    world.start_workers(north=1, east=1)
    secrets = world.secrets()
    with BrokerWatch(world.redis) as watch:
        backup = world.cli("backup", "--json")
        inspect = world.cli("inspect", "--json")
    for result in (backup, inspect):
        doc = json_doc(result.returncode, result.stdout, result.stderr)
        failed = [d for d in doc["devices"] if d.get("status") in ("failed", "no_collector", "auth_failed", "unreachable", "timeout")]
        assert failed == [], failed
    # The watch saw the traffic: tasks sent to both zones' queues, results stored.
    monitor = bytes(watch.monitor)
    assert re.search(rb'"LPUSH" "netpatrol\.north"', monitor) and re.search(rb'"LPUSH" "netpatrol\.east"', monitor)
    assert b"celery-task-meta-" in monitor and watch.samples > 10
    assert watch.find(secrets) == []
    logs = {w.log.name: w.log_text().encode() for w in world.workers}
    assert [f"{label} in {name}" for name, text in logs.items() for label, value in secrets.items() if value in text] == []
