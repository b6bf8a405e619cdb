"""Process sharding (shard.py): same outcomes as one process, errors pickled, no orphans, no lost keys.

One small lab (20 devices, a mix of good and faulty ones) serves the module; every test builds its
own workspace (own backups repo, own known_hosts).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import paramiko
import pytest

from fault_world import set_env
from netpatrol import errors
from netpatrol.backup.service import run_backup
from netpatrol.collect.hostkeys import HostKeyStore
from netpatrol.collect.runner import SshCollector
from netpatrol.collect.shard import parse_processes, resolve_processes
from netpatrol.workspace.inventory import load_inventory
from netpatrol.workspace.settings import Workspace

# device index -> fault; the rest (13 of 20) are good.
FAULTY = {1: "refuse_connection", 4: "reject_password", 7: "hang_after_login", 10: "truncate_config",
          13: "error_all", 16: "drop_mid_output", 19: "hang_after_login"}
HANGING = [i for i, f in FAULTY.items() if f == "hang_after_login"]


# -- no lab ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("cls", [errors.DeviceError, errors.Unreachable, errors.AuthFailed, errors.DeviceTimeout,
                                 errors.SessionDropped, errors.HostKeyMismatch, errors.CommandRejected,
                                 errors.IncompleteOutput])
def test_device_errors_round_trip_through_pickle(cls):
    err = cls("core-sw1", "connection refused")
    # with_retries rewrites reason and args in place: that must survive too.
    err.reason = "connection refused (after 2 attempts)"
    err.args = ("core-sw1: connection refused (after 2 attempts)",)
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is cls
    assert (back.host, back.reason, back.status, back.transient) == ("core-sw1", err.reason, cls.status, cls.transient)
    assert str(back) == str(err)


def test_resolve_processes():
    assert resolve_processes("auto", 99, cpus=2) == 1
    assert resolve_processes("auto", 100, cpus=2) == 2
    assert resolve_processes("auto", 500, cpus=16) == 4
    assert resolve_processes(None, 500, cpus=1) == 1
    assert resolve_processes(3, 2) == 2  # never more processes than hosts
    assert resolve_processes(2, 1) == 1
    assert parse_processes(" Auto ") == "auto" and parse_processes("3") == 3 and parse_processes(None) is None
    for bad in ("0", "-1", "two"):
        with pytest.raises(errors.UsageError, match="--processes"):
            parse_processes(bad)


def test_a_procedure_that_cannot_pickle_is_refused_by_name_before_any_process_starts():
    import functools
    import threading

    from netpatrol.backup.task import fetch_config
    from netpatrol.collect.shard import ShardJob, run_sharded

    job = ShardJob(None, [], 1, functools.partial(fetch_config, previous=threading.Lock()))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="procedure 'fetch_config' or its arguments cannot be sent to shard processes"):
        run_sharded(job, 2, run_local=None, on_outcome=None)  # type: ignore[arg-type]


def _learn(path: str, prefix: str, count: int, start: multiprocessing.synchronize.Barrier) -> None:
    key = paramiko.RSAKey.from_private_key_file(str(Path(path).parent / "key"))
    store = HostKeyStore(Path(path))
    start.wait(timeout=60)  # both processes loaded and ready: they learn at the same moment
    for i in range(count):
        store.learn(f"[10.{prefix}.{i // 250}.{i % 250}]:22", key)


def test_processes_learning_keys_at_once_lose_none(tmp_path):
    """2 processes learn 200 new hosts in all at the same moment: every key is in the file."""
    paramiko.RSAKey.generate(1024).write_private_key_file(str(tmp_path / "key"))
    path = tmp_path / "known_hosts"
    mp = multiprocessing.get_context("spawn")
    start = mp.Barrier(2)
    procs = [mp.Process(target=_learn, args=(str(path), str(n), 100, start)) for n in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    names = {line.split()[0] for line in path.read_text().splitlines()}
    assert len(names) == 200
    assert len(HostKeyStore(path)._index) == 200


# -- lab ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def lab(make_module_lab):
    names = [f"dev-{i:02d}" for i in range(20)]
    return make_module_lab(names, faults={names[i]: [fault] for i, fault in FAULTY.items()})


@pytest.fixture
def make_ws(tmp_path, lab, monkeypatch):
    set_env(monkeypatch)

    def make(name: str, processes: int | str = "auto") -> Workspace:
        return Workspace(lab.write_workspace(tmp_path / name, workers=8, connection={"retries": 1},
                                             settings={"processes": processes}))

    return make


def _hosts(ws: Workspace):
    return list(load_inventory(ws.root).hosts.values())


def _summary(run) -> dict[str, tuple[str, str | None]]:
    return {d.host: (d.status, d.error_status) for d in run.devices}


class CountingProgress:
    """A ProgressReporter that records every host the bar was advanced for."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def start(self) -> None: ...
    def stop(self) -> None: ...

    def advance(self, host: str, ok: bool) -> None:
        self.seen.append(host)


def _cli(ws: Workspace, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "from netpatrol.cli.root import main; main()", *args, "-w", str(ws.root)],
                            env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.lab
def test_two_processes_give_the_same_outcomes_as_one(make_ws, lab):
    one, two = make_ws("one", processes=1), make_ws("two", processes=2)
    # The one-process run goes on beside the sharded one (a CLI subprocess): the hanging device
    # costs its full login budget twice (one retry) in each.
    baseline = _cli(one, "backup", "--json")
    ssh, bar = SshCollector(two), CountingProgress()
    first_two = run_backup(two, _hosts(two), show_progress=False, collector=lambda hosts, procedure, _: ssh(hosts, procedure, bar))
    out, err = baseline.communicate(timeout=120)
    assert baseline.returncode == 1, err
    first_one = {d["host"]: (d["status"], d["error_status"]) for d in json.loads(out)["devices"]}

    expected = {s.name: "failed" if i in FAULTY else "saved" for i, s in enumerate(lab.specs)}
    assert {h: st for h, (st, _) in _summary(first_two).items()} == expected
    assert _summary(first_two) == first_one
    assert first_two.counts == {"saved": 13, "unchanged": 0, "failed": 7}
    for i in HANGING:  # the login time limit held in whichever process ran them
        assert _summary(first_two)[lab.specs[i].name] == ("failed", "timeout")
    # Progress: every host once, though about half finished in the other process.
    assert sorted(bar.seen) == sorted(s.name for s in lab.specs)
    # Retries ran inside the children and the rewritten reason crossed the process boundary.
    refused = next(d for d in first_two.devices if d.host == lab.specs[1].name)
    assert refused.error_status == "unreachable" and "after 2 attempts" in refused.reason
    # Same config text either way (the task's return values came back intact).
    for i, s in enumerate(lab.specs):
        if i not in FAULTY:
            a = next(one.backups.rglob(f"{s.name}.cfg")).read_text()
            b = next(two.backups.rglob(f"{s.name}.cfg")).read_text()
            assert a == b and len(b) > 200
    # Every reachable device's key was learnt into the one known_hosts, none lost.
    learnt = {line.split()[0] for line in two.known_hosts.read_text().splitlines()}
    assert learnt == {f"[{s.address}]:{s.port}" for i, s in enumerate(lab.specs) if FAULTY.get(i) != "refuse_connection"}
    assert _children_of(os.getpid()) == []

    hosts = [h for h in _hosts(two) if h.name not in {lab.specs[i].name for i in HANGING}]
    again = run_backup(two, hosts, show_progress=False)
    assert again.counts == {"saved": 0, "unchanged": 13, "failed": 5} and again.commit is None
    assert {d.host for d in again.failed} == {lab.specs[i].name for i in FAULTY if i not in HANGING}
    assert _children_of(os.getpid()) == []


def _children_of(pid: int) -> list[int]:
    """Shard processes (not multiprocessing's resource tracker) whose parent is `pid`."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmd = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z" and b"spawn_main" in cmd:
            out.append(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.lab
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["sigkill", "ctrl-c"])
def test_children_die_with_the_parent_and_nothing_is_written(make_ws, lab, sig):
    ws = make_ws("killed", processes=2)
    # Two hanging devices, one thread per process: the child is stuck on one of them when the
    # signal comes (the parent's thread holds the other for its whole login budget).
    names = [lab.specs[i].name for i in HANGING]
    args = [sys.executable, "-c", "from netpatrol.cli.root import main; main()", "backup", "-w", str(ws.root),
            "--processes", "2", "--workers", "2"]
    for n in names:
        args += ["--host", n]
    mark = lab.log_mark()
    proc = subprocess.Popen(args, env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60  # spawning and importing can be slow on a loaded CI machine
        while not (children := _children_of(proc.pid)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert children, f"no shard process was started: {proc.poll()=} {proc.stderr.read() if proc.poll() is not None else b''}"
        # Each process has logged in to its hanging device and waits on it.
        lab.wait_for_log(*(f" auth {n} accepted" for n in names), after=mark)
        assert all(_alive(c) for c in children) and proc.poll() is None
        proc.send_signal(sig)
        proc.wait(timeout=15)
        deadline = time.monotonic() + 10
        while any(_alive(c) for c in children) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(c) for c in children), "orphaned shard process"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    # The parent writes only after every result is in: a run cut short stores nothing.
    assert not (ws.backups / "configs").exists() or not list((ws.backups / "configs").rglob("*"))
