"""The Git store against real repositories in tmp_path, real subprocesses for locking and SIGKILL."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

import pytest

from netpatrol.errors import LockedError, StoreError
from netpatrol.store.refs import format_commit_message
from netpatrol.store.repo import Store

CFG = "hostname {h}\n!\ninterface GigabitEthernet0/{n}\n description uplink\n!\nend\n"


@pytest.fixture(autouse=True)
def no_git_identity(bare_git_home: Path) -> Path:
    return bare_git_home


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "backups").open_or_init()
    yield s
    s.close()


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def test_first_open_creates_repo_with_initial_commit_without_touching_home(store, no_git_identity):
    assert git(store.path, "log", "--format=%an <%ae>|%s").strip() == \
        "netpatrol <netpatrol@localhost>|netpatrol: initialise backup store"
    assert set(store.list_files("", ref="HEAD")) == {".gitignore", "README.md"}
    assert list(no_git_identity.iterdir()) == []  # no ~/.gitconfig written
    again = Store(store.path).open_or_init()
    assert again.head() == store.head()  # reopening adds no commit


def test_write_commit_only_when_changed_and_one_file_commit_names_host(store):
    for n, host in enumerate(["core-sw1", "core-sw2", "dist-1"]):
        assert store.write_file(f"configs/hq/{host}.cfg", CFG.format(h=host, n=n)) is True
    first = store.commit(format_commit_message(["core-sw1", "core-sw2", "dist-1"]))
    assert first and git(store.path, "show", "--name-only", "--format=", first).split() == \
        ["configs/hq/core-sw1.cfg", "configs/hq/core-sw2.cfg", "configs/hq/dist-1.cfg"]

    assert store.write_file("configs/hq/core-sw1.cfg", CFG.format(h="core-sw1", n=0)) is False
    assert store.commit("backup: nothing") is None
    assert store.head() == first

    store.write_file("configs/hq/core-sw2.cfg", CFG.format(h="core-sw2", n=9))
    second = store.commit(format_commit_message(["core-sw2"]))
    assert git(store.path, "show", "--name-only", "--format=", second).split() == ["configs/hq/core-sw2.cfg"]
    assert git(store.path, "log", "-1", "--format=%s", second).strip() == "backup: 1 changed (core-sw2)"
    assert store.read_file("configs/hq/core-sw2.cfg", ref=first) == CFG.format(h="core-sw2", n=1)
    assert store.read_file("configs/hq/core-sw2.cfg") == CFG.format(h="core-sw2", n=9)
    assert not list(store.path.rglob(".*.tmp"))


def test_commit_with_paths_leaves_other_changes_and_stages_deletions(store):
    store.write_file("configs/a/r1.cfg", "one\n")
    store.write_file("configs/a/r2.cfg", "two\n")
    store.commit("both")
    store.write_file("configs/a/r1.cfg", "one changed\n")
    store.write_file("inspections/2026Q4/r2.json", "{}\n")
    git(store.path, "add", "inspections")  # staged by someone else: must not ride along
    sha = store.commit("r1 only", paths=["configs/a/r1.cfg"])
    assert git(store.path, "show", "--name-only", "--format=", sha).split() == ["configs/a/r1.cfg"]
    assert store.remove_file("configs/a/r2.cfg") is True
    sha = store.commit("remove r2", paths=["configs/a/r2.cfg"])
    assert git(store.path, "show", "--name-status", "--format=", sha).split() == ["D", "configs/a/r2.cfg"]
    assert store.commit("rest") is not None  # default scope: the managed dirs
    assert store.list_files("inspections", ref="HEAD") == ["inspections/2026Q4/r2.json"]
    assert store.commit("nothing left", paths=["configs/gone/never.cfg"]) is None


def test_commit_message_helper_lists_every_host_and_truncates_subject():
    msg = format_commit_message([f"sw{i}" for i in range(7)], failed=["bad-1"], reason="CHG-1")
    subject, body = msg.split("\n\n", 1)
    assert subject == "backup: 7 changed (sw0, sw1, sw2, sw3, sw4, ...)"
    assert "  sw6" in body and "reason: CHG-1" in body and "  bad-1" in body


def test_annotated_tags_move_only_with_force(store):
    store.write_file("configs/a/r1.cfg", "v1\n")
    first = store.commit("v1")
    store.write_file("configs/a/r1.cfg", "v2\n")
    second = store.commit("v2")
    store.tag("inspection/2026Q4", "quarterly inspection 2026Q4", ref=first)
    assert git(store.path, "cat-file", "-t", "inspection/2026Q4").strip() == "tag"
    with pytest.raises(StoreError, match="already exists"):
        store.tag("inspection/2026Q4", "again")
    store.tag("inspection/2026Q4", "re-inspected", force=True)
    assert store.tags()["inspection/2026Q4"] == second
    with pytest.raises(StoreError, match="bad tag name"):
        store.tag("bad..name", "x")


def test_errors_are_store_errors_with_clear_messages(store):
    with pytest.raises(StoreError, match=r"no file configs/x\.cfg at 'HEAD'"):
        store.read_file("configs/x.cfg", ref="HEAD")
    with pytest.raises(StoreError, match="bad store path"):
        store.write_file("../escape.cfg", "x")
    with pytest.raises(StoreError, match="unknown revision"):
        store.list_files("configs", ref="no-such-ref")
    with pytest.raises(StoreError, match="not opened"):
        Store(store.path).commit("x")


def test_push_reports_failure_without_credentials_and_succeeds_to_bare_remote(store, tmp_path):
    store.write_file("configs/a/r1.cfg", "v1\n")
    store.commit("v1")
    store.tag("inspection/2026Q4", "t")
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    assert store.push(str(bare)).ok
    assert git(bare, "rev-parse", "main").strip() == store.head()
    assert "inspection/2026Q4" in git(bare, "tag")
    failed = store.push("https://alice:s3cret@127.0.0.1:9/backups.git", timeout=20)
    assert not failed.ok and "s3cret" not in failed.message and "127.0.0.1" in failed.message


# -- locking -------------------------------------------------------------------------------------

HOLD = """
import sys
from netpatrol.store.repo import Store
with Store(sys.argv[1]).lock(timeout=0):
    print("locked", flush=True)
    sys.stdin.read()  # holds the lock until the test closes our stdin
"""

TRY = """
import sys
from netpatrol.store.repo import Store
from netpatrol.errors import LockedError
s = Store(sys.argv[1])
try:
    with s.lock(timeout=0):
        print("acquired")
except LockedError as exc:
    print(f"LockedError {exc}")
"""


def hold_lock(path: Path) -> subprocess.Popen:
    """A process holding the store's lock until its stdin is closed."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def release(holder: subprocess.Popen) -> None:
    holder.stdin.close()
    assert holder.wait(timeout=30) == 0


def test_second_locker_in_subprocess_fails_fast_naming_holder(store):
    with store.lock(timeout=0):
        out = subprocess.run([sys.executable, "-c", TRY, str(store.path)], capture_output=True,
                             text=True, check=True).stdout
    kind, message = out.split(" ", 1)
    assert kind == "LockedError"
    assert f"pid {os.getpid()}" in message and "started 20" in message
    out = subprocess.run([sys.executable, "-c", TRY, str(store.path)], capture_output=True, text=True)
    assert out.stdout.strip() == "acquired"


def test_lock_timeout_waits_for_holder_then_gives_up(store, monkeypatch):
    from netpatrol.store import lock as lock_mod

    holder = hold_lock(store.path)
    waiting = threading.Event()

    def sleep(seconds: float) -> None:  # the lock is busy and the waiter goes on waiting
        waiting.set()
        time.sleep(seconds)

    monkeypatch.setattr(lock_mod, "time", types.SimpleNamespace(monotonic=time.monotonic, sleep=sleep))
    acquired: list[bool] = []

    def take() -> None:
        with store.lock(timeout=60):
            acquired.append(True)

    waiter = threading.Thread(target=take, daemon=True)
    waiter.start()
    try:
        assert waiting.wait(timeout=30) and not acquired  # found the lock held, did not give up
    finally:
        release(holder)
    waiter.join(timeout=60)
    assert acquired == [True]
    holder = hold_lock(store.path)
    try:
        with pytest.raises(LockedError, match=rf"pid {holder.pid} .*after waiting 0.3s"), store.lock(timeout=0.3):
            pass
    finally:
        release(holder)


def test_stale_lock_of_dead_process_does_not_block(store):
    dead = subprocess.Popen(["true"])
    dead.wait()
    (store.git_dir / "netpatrol.lock").write_text(f'{{"pid": {dead.pid}, "started": "2026-01-01"}}')
    with store.lock(timeout=0):
        assert str(os.getpid()) in (store.git_dir / "netpatrol.lock").read_text()


def test_recovery_removes_stale_git_locks_and_temp_files_only_without_live_holder(store):
    store.write_file("configs/a/r1.cfg", "v1\n")
    store.commit("v1")
    (store.git_dir / "index.lock").write_text("")
    (store.path / "configs/a/.r2.cfg.tmp").write_text("half")
    holder = hold_lock(store.path)
    try:
        Store(store.path).open_or_init()
        assert (store.git_dir / "index.lock").exists()  # a live run owns it
    finally:
        release(holder)
    fresh = Store(store.path).open_or_init()
    assert not (store.git_dir / "index.lock").exists()
    assert not (store.path / "configs/a/.r2.cfg.tmp").exists()
    fresh.write_file("configs/a/r1.cfg", "v2\n")
    assert fresh.commit("after recovery") is not None


# -- SIGKILL at random points ----------------------------------------------------------------------

WORKER = """
import hashlib, random, sys
from netpatrol.store.repo import Store
path, seed = sys.argv[1], int(sys.argv[2])
rnd = random.Random(seed)
s = Store(path)
with s.lock(timeout=60):
    s.open_or_init()
    print("ready", flush=True)
    for r in range(1, 10**6):
        for i in range(150):
            body = f"hostname r{i}\\n! run {seed}.{r}\\n" + "x" * rnd.randint(4000, 12000) + "\\n"
            s.write_file(f"configs/s{i % 5}/r{i}.cfg", body + f"! sum {hashlib.sha1(body.encode()).hexdigest()}\\n")
        print("commit", flush=True)
        s.commit(f"run {seed} round {r}")
        if r % 2 == 0:
            s.tag(f"round/{seed}-{r}", "m")
"""


def intact(text: str) -> bool:
    body, _, tail = text.rpartition("! sum ")
    return tail.strip() == hashlib.sha1(body.encode()).hexdigest()


def test_sigkill_at_random_points_leaves_a_usable_intact_repository(tmp_path):
    path = tmp_path / "backups"
    rnd = random.Random(int(os.environ.get("NETPATROL_KILL_SEED", "20261127")))
    previous: dict[str, str] = {}  # commit sha -> checked earlier
    for seed in range(12):
        proc = subprocess.Popen([sys.executable, "-c", WORKER, str(path), str(seed)], stdout=subprocess.PIPE,
                                text=True, start_new_session=True)
        assert proc.stdout.readline().strip() == "ready"
        if seed % 2:  # aim inside git add/commit/tag, which the write loop otherwise dwarfs
            for _ in range(rnd.randint(1, 2)):
                assert proc.stdout.readline().strip() == "commit"
            time.sleep(rnd.uniform(0.0, 0.3))
        else:
            time.sleep(rnd.uniform(0.0, 1.2))
        if seed % 4 == 3:  # the whole process group, git children too (a cgroup/OOM-style kill)
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # only the worker: its git child, if any, is orphaned and must finish first
            proc.send_signal(signal.SIGKILL)
        proc.wait()

        s = Store(path)
        with s.lock(timeout=60):  # waits for an orphaned git child still holding the lock
            s.open_or_init()
            s.write_file(f"configs/after/kill{seed}.cfg", f"survived kill {seed}\n")
            head = s.commit(f"after kill {seed}")
            assert head is not None
            fsck = subprocess.run(["git", "fsck", "--full", "--no-dangling"], cwd=path, capture_output=True,
                                  text=True)
            assert fsck.returncode == 0 and not fsck.stdout.strip(), fsck.stdout + fsck.stderr
            for old in previous:
                assert subprocess.run(["git", "merge-base", "--is-ancestor", old, head], cwd=path).returncode == 0
            for old in [*list(previous)[-2:], head]:
                for rel in s.list_files("configs/s0", ref=old) + s.list_files("configs/s4", ref=old):
                    assert intact(s.read_file(rel, ref=old)), f"{rel} at {old}"
            for rel in s.list_files("configs"):  # atomic writes: no half file in the working tree
                assert rel.startswith("configs/after/") or intact(s.read_file(rel)), rel
            assert s.read_file(f"configs/after/kill{seed}.cfg", ref="HEAD") == f"survived kill {seed}\n"
            previous[head] = "ok"
        s.close()
    commits = int(git(path, "rev-list", "--count", "HEAD"))
    assert commits > 12  # the workers committed between kills, not only the recovery commits


def test_list_files_in_working_tree_skips_git_dir_and_temp_files(store):
    store.write_file("configs/a/r1.cfg", "x\n")
    (store.path / "configs/a/.r2.cfg.tmp").write_text("half")
    assert store.list_files("configs") == ["configs/a/r1.cfg"]
    assert store.list_files("") == [".gitignore", "README.md", "configs/a/r1.cfg"]
    assert store.list_files("configs/a/r1.cfg") == ["configs/a/r1.cfg"]
    assert store.exists("configs/a/r1.cfg") and not store.exists("configs/a/r1.cfg", ref="HEAD")
