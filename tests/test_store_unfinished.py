"""The store's repository as a person may leave it: a merge, rebase or cherry-pick half done, or
`.git` replaced by a link to another repository. netpatrol refuses before writing anything,
and never concludes someone else's operation with its own commit."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from netpatrol.errors import StoreError
from netpatrol.store.repo import Store


@pytest.fixture(autouse=True)
def git_identity(bare_git_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test's own git commands (merges, rebases) need an author; the store needs none."""
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "someone")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "someone@example.org")


def git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)


def diverged(tmp_path: Path) -> Path:
    """A store whose `main` and a branch `side` changed the same config line."""
    repo = tmp_path / "backups"
    with Store(repo) as s:
        s.write_file("configs/a/r1.cfg", "hostname r1\nv1\n")
        s.commit("v1")
    git(repo, "switch", "-q", "-c", "side")
    (repo / "configs/a/r1.cfg").write_text("hostname r1\nside\n")
    git(repo, "commit", "-qam", "side")
    git(repo, "switch", "-q", "main")
    (repo / "configs/a/r1.cfg").write_text("hostname r1\nmain\n")
    git(repo, "commit", "-qam", "main")
    return repo


@pytest.mark.parametrize("start,what,abort", [
    (("merge", "side"), "a merge", "merge --abort"),
    (("cherry-pick", "side"), "a cherry-pick", "cherry-pick --abort"),
    (("rebase", "side"), "a rebase", "rebase --abort"),
])
def test_an_unfinished_operation_is_refused_before_writing(tmp_path, start, what, abort):
    repo = diverged(tmp_path)
    assert git(repo, *start).returncode != 0  # stopped on the conflict
    head = git(repo, "rev-parse", "HEAD").stdout
    conflicted = (repo / "configs/a/r1.cfg").read_bytes()
    store = Store(repo)
    with pytest.raises(StoreError) as caught:
        store.open_or_init()
        with store.lock():
            store.write_file("configs/a/r2.cfg", "hostname r2\n")
            store.commit("backup")
    assert what in str(caught.value) and abort in str(caught.value)
    assert git(repo, "rev-parse", "HEAD").stdout == head
    assert not (repo / "configs/a/r2.cfg").exists()
    assert (repo / "configs/a/r1.cfg").read_bytes() == conflicted
    store.close()


@pytest.mark.parametrize("kind", ["gitdir file", "symlink"])
def test_a_git_link_to_another_repository_is_refused(tmp_path, kind):
    repo = tmp_path / "backups"
    with Store(repo) as s:
        s.write_file("configs/a/r1.cfg", "hostname r1\n")
        s.commit("v1")
    elsewhere = tmp_path / "elsewhere.git"
    (repo / ".git").rename(elsewhere)
    if kind == "symlink":
        (repo / ".git").symlink_to(elsewhere)
    else:
        (repo / ".git").write_text(f"gitdir: {elsewhere}\n")
    config = (elsewhere / "config").read_bytes()
    with pytest.raises(StoreError, match="not the store's own repository"):
        Store(repo).open_or_init()
    assert (elsewhere / "config").read_bytes() == config


@pytest.mark.parametrize("link", ["inspections/2026Q1", "inspections/2026Q1/site-a/r1.json", "configs"])
def test_a_planted_link_is_never_committed_in_place_of_stored_history(tmp_path, link):
    repo = tmp_path / "backups"
    store = Store(repo).open_or_init()
    store.write_file("inspections/2026Q1/site-a/r1.json", "{}\n")
    store.write_file("configs/site-a/r1.cfg", "hostname r1\n")
    first = store.commit("q1", paths=["inspections", "configs"])
    target = repo / link
    if target.is_dir():
        shutil.rmtree(target)
    else:
        target.unlink()
    target.symlink_to(tmp_path)
    # The next inspection writes its own period (through real directories) and commits inspections/.
    if not link.startswith("configs"):
        store.write_file("inspections/2026Q2/site-a/r1.json", "{}\n")
    with pytest.raises(StoreError, match="symbolic link"):
        store.commit("q2", paths=["inspections" if not link.startswith("configs") else "configs"])
    assert store.head() == first
    assert git(repo, "ls-tree", "-r", "--name-only", "HEAD").stdout.split() == [
        ".gitignore", "README.md", "configs/site-a/r1.cfg", "inspections/2026Q1/site-a/r1.json"]
    store.close()
