"""Killed and interrupted runs: SIGKILL at random points, Ctrl-C, two runs at once, and
the time bound with hanging devices. After each: the next run succeeds, history is intact.

CI size: 20 kills over 3 devices. `NETPATROL_FULL=1` runs 100 kills over 7 devices.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
from pathlib import Path

import pytest

from fault_world import cli, git, popen, set_env
from netpatrol.backup.service import run_backup
from netpatrol.inspection.results import InspectionResult
from netpatrol.inspection.service import run_inspection
from netpatrol.lab import control
from netpatrol.platforms import PLATFORMS
from netpatrol.workspace.inventory import load_inventory
from netpatrol.workspace.settings import Workspace

pytestmark = pytest.mark.lab

FULL = os.environ.get("NETPATROL_FULL") == "1"
KILLS = 100 if FULL else 20
KILL_DEVICES = 7 if FULL else 3
PLATFORM_CYCLE = sorted(PLATFORMS)
BOUND_DEVICES, BOUND_HANGING = 30, 3


@pytest.fixture(scope="module")
def lab(make_module_lab):
    names = [f"kill-{i}" for i in range(KILL_DEVICES)] + ["hang", "good1", "good2"] + [f"bound-{i:02d}" for i in range(BOUND_DEVICES)]
    platforms = [PLATFORM_CYCLE[i % len(PLATFORM_CYCLE)] for i in range(KILL_DEVICES)] + ["cisco_nxos", "ruijie_os", "arista_eos"] + \
        [PLATFORM_CYCLE[i % len(PLATFORM_CYCLE)] for i in range(BOUND_DEVICES)]
    return make_module_lab(dict(zip(names, platforms, strict=True)))


def assert_store_sound(ws: Path) -> None:
    assert git(ws, "status", "--porcelain") == "", "half-written or uncommitted files left behind"
    subprocess.run(["git", "-C", str(ws / "backups"), "fsck", "--strict", "--no-progress"], check=True, capture_output=True)
    assert [p for p in (ws / "backups").rglob("*.tmp")] == []


def assert_history_intact(ws: Path, platform_of: dict[str, str]) -> int:
    """Every config in every commit ends with its platform's end marker, if it has one; every result parses."""
    checked = 0
    for sha in git(ws, "rev-list", "--all").split():
        for path in git(ws, "ls-tree", "-r", "--name-only", sha).split():
            if path.startswith("configs/") and path.endswith(".cfg"):
                text = git(ws, "show", f"{sha}:{path}")
                markers = PLATFORMS[platform_of[Path(path).stem]].backup.end_markers
                last = text.rstrip().splitlines()[-1]
                # A platform without an end marker (its sentinel judged completeness) ends anyhow.
                assert not markers or any(re.match(m, last) for m in markers), (sha, path, last)
                checked += 1
            elif path.startswith("inspections/") and path.endswith(".json") and not path.endswith("summary.json"):
                InspectionResult.model_validate_json(git(ws, "show", f"{sha}:{path}"))
                checked += 1
    return checked


def test_sigkill_at_random_points_never_damages_history(tmp_path, lab, monkeypatch):
    state, specs = lab.state_dir, lab.devices
    names = [f"kill-{i}" for i in range(KILL_DEVICES)]
    ws = lab.write_workspace(tmp_path / "ws", names)
    set_env(monkeypatch)
    w = Workspace(ws)
    rng = random.Random(int(os.environ.get("NETPATROL_SEED", "7")))
    originals = {n: (state / "configs" / f"{n}.running") for n in names}
    assert cli(ws, "backup").returncode == 0
    base = {n: p.read_text(encoding="utf-8") for n, p in originals.items()}
    killed_at = []
    for i in range(KILLS):
        # A change on one device each round, so killed runs have something to write and commit.
        name = names[i % len(names)]
        text = base[name]
        marker = "hostname" if re.search(r"^hostname", text, re.M) else ("sysname" if "sysname" in text else None)
        if marker:
            lines = text.splitlines()
            at = next(k for k, ln in enumerate(lines) if ln.strip().startswith(marker))
            comment = {"huawei_vrp": "#", "hp_comware": "#", "juniper_junos": "#"}.get(specs[name].platform, "!")
            lines.insert(at + 1, f"{comment} round {i}")
            control.set_config(state, name, "\n".join(lines) + "\n")
        job = ["backup"] if i % 2 == 0 else ["inspect", "--backfill", "--period", f"2025Q{1 + (i // 2) % 4}"]
        proc = popen(ws, *job)
        delay = rng.uniform(0.6, 2.0)
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            killed_at.append(round(delay, 2))
        proc.stdout.close()
        proc.stderr.close()
        # The next run: a killed git child may hold the lock for a few ms, hence the short wait.
        hosts = list(load_inventory(ws).hosts.values())
        if i % 2 == 0:
            run = run_backup(Workspace(ws), hosts, show_progress=False, lock_timeout=10)
            assert not run.failed, [d.reason for d in run.failed]
        else:
            run = run_inspection(Workspace(ws), hosts, period="2026Q1", show_progress=False, lock_timeout=10)
            assert not run.failed, [r.error for r in run.failed]
        assert_store_sound(ws)
    checked = assert_history_intact(ws, {n: s.platform for n, s in specs.items()})
    print(f"SIGKILL {len(killed_at)}/{KILLS} runs killed (at {sorted(killed_at)} s), {checked} stored files checked")
    assert len(killed_at) >= KILLS // 2  # most runs really were killed mid-way
    assert w.backups.exists()


def test_ctrl_c_exits_130_and_leaves_nothing_half_written(tmp_path, lab, faults):
    # A login budget far beyond the wait below: the run must still be inside it when the signal
    # comes, however slowly a loaded machine notices the login, and Ctrl-C must not wait it out.
    ws = lab.write_workspace(tmp_path / "ws", ["hang", "good1", "good2"], connection={"read_timeout": 300})
    faults("hang", ["hang_after_login"])
    mark = lab.log_mark()
    proc = popen(ws, "backup")
    lab.wait_for_log(" auth hang accepted", after=mark)  # the run is stuck on the hanging device
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=15)  # it used to wait out the hanging session (over 20 s); now at once
    assert proc.returncode == 130
    if (ws / "backups" / ".git").exists():
        assert_store_sound(ws)
    faults("hang", [])
    proc = cli(ws, "backup", "--json")
    assert proc.returncode == 0, proc.stderr[-1000:]
    assert_store_sound(ws)


def test_two_runs_at_once_never_interleave(tmp_path, lab, faults):
    ws = lab.write_workspace(tmp_path / "ws", ["hang", "good1", "good2"])
    faults("hang", ["hang_after_login"])
    mark = lab.log_mark()
    first = popen(ws, "backup", "--json")
    lab.wait_for_log(" auth hang accepted", after=mark)  # first holds the lock while it waits out the hanging device
    second = cli(ws, "backup", "--json")
    waiter = popen(ws, "backup", "--json", "--wait", "60")
    _out1, err1 = first.communicate(timeout=60)
    _out3, err3 = waiter.communicate(timeout=60)
    assert second.returncode == 75 and "locked" in second.stderr.lower(), second.stderr
    assert first.returncode == 1 and waiter.returncode == 1, (err1[-500:], err3[-500:])
    log = git(ws, "log", "--format=%s").splitlines()
    assert len([s for s in log if s.startswith("backup:")]) == 1, log  # the waiter found nothing new
    assert_store_sound(ws)


def test_hanging_devices_fail_alone_and_the_others_are_saved(tmp_path, lab, faults):
    """How long such a run takes against a clean one is measured by bench/faults.py."""
    names = [f"bound-{i:02d}" for i in range(BOUND_DEVICES)]
    ws = lab.write_workspace(tmp_path / "ws", names, backup={"save_saved_config": False})
    assert cli(ws, "backup", "--json").returncode == 0
    for n in names[:BOUND_HANGING]:
        faults(n, ["hang_after_login"])
    proc = cli(ws, "backup", "--json")
    doc = json.loads(proc.stdout)
    assert proc.returncode == 1 and doc["counts"]["failed"] == BOUND_HANGING
    by = {d["host"]: d for d in doc["devices"]}
    assert {n for n, d in by.items() if d["status"] == "failed"} == set(names[:BOUND_HANGING])
    assert all(by[n]["error_status"] == "timeout" for n in names[:BOUND_HANGING])


def test_config_written_but_not_committed_by_a_killed_run_is_committed_next(tmp_path, lab, monkeypatch):
    """The window SIGKILL can hit between writing configs and committing them, made deterministic."""
    state = lab.state_dir
    ws = lab.write_workspace(tmp_path / "ws", ["good1", "good2"])
    set_env(monkeypatch)
    hosts = list(load_inventory(ws).hosts.values())
    run_backup(Workspace(ws), hosts, show_progress=False)
    cfg = (state / "configs" / "good1.running").read_text(encoding="utf-8")
    control.set_config(state, "good1", cfg.replace("!", "! changed before the kill\n!", 1))
    from netpatrol.store import repo as store_mod

    class Killed(BaseException):
        pass

    def die(*a, **k):
        raise Killed
    monkeypatch.setattr(store_mod.Store, "commit", die)
    with pytest.raises(Killed):
        run_backup(Workspace(ws), hosts, show_progress=False)
    monkeypatch.undo()
    set_env(monkeypatch)
    assert git(ws, "status", "--porcelain").strip()  # the killed run left good1 written, uncommitted
    run = run_backup(Workspace(ws), hosts, show_progress=False)
    assert {d.host: d.status for d in run.devices} == {"good1": "saved", "good2": "unchanged"}
    assert "good1" in git(ws, "log", "-1", "--format=%s")
    assert_store_sound(ws)
