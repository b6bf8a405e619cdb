"""What the store must never do, against real repositories and real git children: commit off its
branch, write through a symbolic link, run repository hooks, hand secrets to git, leave files
readable by others, or fail a committed run on a taken tag name."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from netpatrol.childenv import declare_secret_vars
from netpatrol.errors import StoreError
from netpatrol.store.refs import resolve
from netpatrol.store.repo import Store

pytestmark = pytest.mark.usefixtures("bare_git_home")


@pytest.fixture
def loose_umask():
    """The common default umask 022, under which files are created world-readable."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "ws" / "backups").open_or_init()
    yield s
    s.close()


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and ".git" not in p.relative_to(root).parts}


# -- 1. only on its own branch -------------------------------------------------------------------
@pytest.mark.parametrize("move", [["checkout", "-q", "--detach"], ["switch", "-q", "-c", "experiment"]])
def test_store_refuses_to_write_or_commit_off_its_branch(store, move):
    store.write_file("configs/a/r1.cfg", "v1\n")
    first = store.commit("v1")
    git(store.path, *move)
    before = snapshot(store.path)
    reopened = Store(store.path).open_or_init()
    for attempt in (lambda: reopened.write_file("configs/a/r1.cfg", "v2\n"),
                    lambda: reopened.remove_file("configs/a/r1.cfg"),
                    lambda: reopened.commit("v2"),
                    lambda: reopened.tag_unique("pre-change/CHG-1/20261204T101500Z", "t")):
        with pytest.raises(StoreError) as exc:
            attempt()
        msg = str(exc.value)
        assert "backups" in msg and "not on the store's branch 'main'" in msg
        assert ("detached at" in msg) if "--detach" in move else ("on branch 'experiment'" in msg)
        assert f"git -C {store.path} switch main" in msg and exc.value.exit_code == 2
    assert snapshot(store.path) == before  # nothing written to the working tree
    assert git(store.path, "rev-parse", "HEAD").strip() == first and reopened.tags() == {}

    git(store.path, "switch", "-q", "main")
    assert reopened.write_file("configs/a/r1.cfg", "v2\n") and reopened.commit("v2")


def test_branch_is_recorded_at_creation_and_kept_for_older_stores(tmp_path):
    repo = tmp_path / "old"
    subprocess.run(["git", "init", "-q", "--initial-branch=trunk", str(repo)], check=True)
    s = Store(repo).open_or_init()  # a store made before the branch was recorded, on 'trunk'
    assert s.branch() == "trunk" and git(repo, "config", "netpatrol.branch").strip() == "trunk"
    s.write_file("configs/a/r1.cfg", "v1\n")
    assert s.commit("v1")
    git(repo, "switch", "-q", "-c", "main")  # a later 'main' does not move the recorded branch
    with pytest.raises(StoreError, match="switch trunk"):
        Store(repo).open_or_init().write_file("configs/a/r1.cfg", "v2\n")


# -- 2. never through a symbolic link ------------------------------------------------------------
def test_links_inside_the_store_are_refused_and_nothing_is_written_outside(store, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.cfg").write_text("untouched\n")
    (store.path / "configs").mkdir()
    (store.path / "configs" / "site-a").symlink_to(outside, target_is_directory=True)
    (store.path / "configs" / "site-b").mkdir()
    (store.path / "configs" / "site-b" / "r2.cfg").symlink_to(outside / "victim.cfg")
    (store.path / "inspections").symlink_to(outside, target_is_directory=True)

    cases = [("configs/site-a/r1.cfg", "configs/site-a"), ("configs/site-a/new/r9.cfg", "configs/site-a"),
             ("configs/site-b/r2.cfg", "configs/site-b/r2.cfg"), ("inspections/2026Q4/x.json", "inspections")]
    for rel, link in cases:
        with pytest.raises(StoreError, match=f"{link} is a symbolic link"):
            store.write_file(rel, "hostname evil\n")
    with pytest.raises(StoreError, match="symbolic link"):
        store.read_file("configs/site-b/r2.cfg")
    assert not store.exists("configs/site-b/r2.cfg")
    assert sorted(p.name for p in outside.rglob("*")) == ["victim.cfg"]
    assert (outside / "victim.cfg").read_text() == "untouched\n"
    assert store.write_file("configs/site-c/r3.cfg", "ok\n")  # real directories still work


# -- 3 and 4. no hooks, no secrets in git's environment -----------------------------------------
HOOK = "#!/bin/sh\nenv > \"{out}.$(basename \"$0\")\"\n"


def test_repository_hooks_never_run(store, tmp_path):
    out = tmp_path / "hook-ran"
    hooks = store.path / ".git" / "hooks"
    other = tmp_path / "other-hooks"  # also a hooksPath set in the repository's own config
    other.mkdir()
    for folder in (hooks, other):
        for name in ("pre-commit", "commit-msg", "post-commit", "reference-transaction", "pre-push"):
            (folder / name).write_text(HOOK.format(out=out))
            (folder / name).chmod(0o700)
    store.write_file("configs/a/r1.cfg", "v1\n")
    assert store.commit("v1")
    git(store.path, "config", "core.hooksPath", str(other))
    store.write_file("configs/a/r1.cfg", "v2\n")
    assert store.commit("v2")
    store.tag("pre-change/CHG-1/20261204T101500Z", "t")
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    assert store.push(str(bare)).ok
    assert list(tmp_path.glob("hook-ran*")) == []


def test_git_children_get_no_secrets(store, tmp_path, monkeypatch):
    """A `git` earlier on PATH records the environment each git child of the store receives."""
    real_git = subprocess.run(["which", "git"], capture_output=True, text=True, check=True).stdout.strip()
    bindir, dumps = tmp_path / "bin", tmp_path / "envs"
    bindir.mkdir()
    dumps.mkdir()
    (bindir / "git").write_text(f"#!/bin/sh\nenv -0 > \"{dumps}/$$\"\nexec {real_git} \"$@\"\n")
    (bindir / "git").chmod(0o700)
    secrets = {"NETPATROL_PASSWORD": "dev$$pw;`id`", "SITE_B_DEVICE_PW": "inventory-declared",
               "NETPATROL_JUMP_PASSWORD": "jump-pw", "NETPATROL_SMTP_PASSWORD": "smtp-pw", "HOOK_API_TOKEN": "tok"}
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    declare_secret_vars(["SITE_B_DEVICE_PW"])
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")

    reopened = Store(store.path).open_or_init()
    reopened.write_file("configs/a/r1.cfg", "v1\n")
    reopened.commit("v1")
    reopened.tag("pre-change/CHG-1/20261204T101500Z", "t")
    reopened.read_file("configs/a/r1.cfg", ref="HEAD")  # the long-lived cat-file child
    reopened.close()
    envs = [dict(kv.split("=", 1) for kv in p.read_text().split("\0") if "=" in kv) for p in dumps.iterdir()]
    assert len(envs) >= 5
    for env in envs:
        assert not set(secrets) & set(env)
        assert not any(v in env.values() for v in secrets.values())
        assert env["GIT_AUTHOR_NAME"] == "netpatrol"


# -- 5. owner-only, whatever the umask ------------------------------------------------------------
def loose_paths(root: Path) -> list[str]:
    found = []
    for base, dirs, files in os.walk(root):
        for name in [".", *dirs, *files]:
            st = os.lstat(Path(base) / name)
            if not stat.S_ISLNK(st.st_mode) and st.st_mode & 0o077:
                found.append(f"{Path(base, name).relative_to(root)} {stat.filemode(st.st_mode)}")
    return found


def test_store_is_owner_only_under_umask_022(tmp_path, loose_umask):
    s = Store(tmp_path / "ws" / "backups").open_or_init()
    s.write_file("configs/site-a/r1.cfg", "enable secret 5 $1$abc\n")
    s.commit("v1")
    s.tag_unique("pre-change/CHG-1/20261204T101500Z", "t")
    s.tag("inspection/2026Q4", "q", force=True)
    with s.lock():
        s.write_file("state/x.json", "{}\n")
        s.commit("state")
    s.close()
    assert loose_paths(s.path) == []


def test_existing_world_readable_store_is_tightened_on_open(tmp_path, loose_umask):
    repo = tmp_path / "backups"
    subprocess.run(["git", "init", "-q", "--initial-branch=main", str(repo)], check=True)
    (repo / "configs").mkdir()
    (repo / "configs" / "r1.cfg").write_text("secret\n")
    assert loose_paths(repo)
    Store(repo).open_or_init().close()
    assert loose_paths(repo) == []


# -- 6. a taken tag name never fails a committed run ---------------------------------------------
def test_tag_unique_suffixes_a_taken_name_and_newest_resolves(store):
    name = "pre-change/CHG-7/20261204T101500Z"
    store.write_file("configs/a/r1.cfg", "v1\n")
    first = store.commit("v1")
    assert store.tag_unique(name, "first run") == name
    store.write_file("configs/a/r1.cfg", "v2\n")
    second = store.commit("v2")
    assert store.tag_unique(name, "second run, same second") == f"{name}-02"
    assert store.tag_unique(name, "third") == f"{name}-03"
    tags = store.tags()
    assert tags[name] == first and tags[f"{name}-02"] == second
    assert resolve(store, "CHG-7") == second


@pytest.mark.lab
def test_two_backups_with_one_change_id_in_the_same_second_both_succeed(lab_workspace, monkeypatch):
    """pre_change_tag() stamps to the second; two runs in one second are forced by fixing it."""
    from netpatrol.automation.notify import backup_events
    from netpatrol.backup import service as backup
    from netpatrol.workspace.inventory import load_inventory
    from netpatrol.workspace.records import load_device_records
    from netpatrol.workspace.settings import Workspace

    monkeypatch.setattr(backup, "pre_change_tag", lambda change, when=None: f"pre-change/{change}/20261204T101500Z")
    ws = Workspace(lab_workspace)
    [host] = [h for h in load_inventory(lab_workspace).hosts.values() if h.name == "north-core-01"]
    first = backup.run_backup(ws, [host], reason="CHG-9 uplink", show_progress=False)
    with Store(lab_workspace / "backups").open_or_init() as s:  # an older config, so the next run commits
        s.write_file(f"configs/{host.site}/{host.name}.cfg", "hostname north-core-01\n")
        s.commit("older")
    stamp = load_device_records(ws)[host.name]["last_backup_success"]
    second = backup.run_backup(ws, [host], reason="CHG-9 uplink", show_progress=False)
    assert first.tag == "pre-change/CHG-9/20261204T101500Z" and second.tag == f"{first.tag}-02"
    assert second.commit and second.counts["saved"] == 1
    assert [e.kind for e in backup_events(second)] == ["config_changed"]
    assert load_device_records(ws)[host.name]["last_backup_success"] >= stamp


# -- the CLI: exit 2 and one clear line ------------------------------------------------------------
def test_cli_backup_off_branch_exits_2_before_contacting_devices(sample_workspace):
    ws = sample_workspace  # its lab is not running: a device contacted would fail, exit 1
    (ws / "netpatrol.yaml").write_text("connection: {conn_timeout: 1, retries: 0}\n")
    s = Store(ws / "backups").open_or_init()
    git(s.path, "checkout", "-q", "--detach")
    exe = Path(sys.executable).parent / "netpatrol"
    res = subprocess.run([str(exe), "backup", "-w", str(ws), "--host", "city-core-01"], capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 2, res.stdout + res.stderr
    assert "backups" in res.stderr and "detached" in res.stderr and "switch main" in res.stderr
    assert not (ws / ".netpatrol" / "devices.json").exists()  # no device was contacted


def test_report_outputs_are_owner_only_under_umask_022(world, loose_umask):
    from netpatrol.report import ReportRequest, write_report
    from report_world import Q3

    ws, inv, store = world
    out = write_report(ws, inv, store, ReportRequest(period=Q3, lang="en"), ["html", "md", "xlsx"])
    assert set(out.files) == {"html", "md", "xlsx"}
    assert loose_paths(ws.reports) == [] and loose_paths(ws.backups) == []
