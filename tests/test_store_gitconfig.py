"""A store's own .git/config (from an archive, a copied workspace) must not make git run programs:
real repositories, real git children, and a marker file each attack would create if it ran."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netpatrol.cli.root import app
from netpatrol.errors import StoreError
from netpatrol.store.repo import Store

pytestmark = pytest.mark.usefixtures("bare_git_home")


def made_store(path: Path) -> Path:
    with Store(path) as s:
        s.write_file("configs/a/r1.cfg", "hostname r1\n")
        s.commit("v1")
    return path


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


# Each plants a program that would create `marker`; the listed operation is where git runs it.
ATTACKS = {
    "filter.evil.process": ("filter.evil.process", "touch {m}"),  # git add
    "filter.evil.clean": ("filter.evil.clean", "touch {m}"),  # git add
    "diff.evil.textconv": ("diff.evil.textconv", "touch {m}"),
    "diff.external": ("diff.external", "touch {m}"),
    "remote.origin.receivepack": ("remote.origin.receivepack", "touch {m}; git-receive-pack"),  # git push
    "credential.helper": ("credential.helper", "!touch {m}"),
    "core.sshCommand": ("core.sshCommand", "touch {m}"),
}


@pytest.mark.parametrize("name", list(ATTACKS))
@pytest.mark.parametrize("via_include", [False, True])
def test_store_refuses_a_repository_config_that_runs_programs(tmp_path, name, via_include):
    repo = made_store(tmp_path / "backups")
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    git(repo, "remote", "add", "origin", str(bare))
    marker = tmp_path / "ran"
    key, value = ATTACKS[name]
    target = ["--file", str(tmp_path / "included")] if via_include else []
    git(repo, "config", *target, key, value.format(m=marker))
    if via_include:  # a key in an included file counts as the repository's own
        git(repo, "config", "include.path", str(tmp_path / "included"))
    (repo / ".git" / "info").mkdir(exist_ok=True)
    (repo / ".git" / "info" / "attributes").write_text("* filter=evil diff=evil\n")

    store = Store(repo)
    with pytest.raises(StoreError) as caught:
        store.open_or_init()
    message = str(caught.value)
    assert key.lower() in message.lower()
    assert "makes git run a program" in message and "\n" not in message
    # The operations that would have run it, had the store opened.
    (repo / "configs" / "a" / "r1.cfg").write_text("hostname r1-changed\n")
    assert not marker.exists()


def test_cli_refuses_with_exit_2_and_stores_nothing(tmp_path):
    ws = tmp_path / "ws"
    assert CliRunner().invoke(app, ["init", str(ws)]).exit_code == 0
    repo = made_store(ws / "backups")
    marker = tmp_path / "ran"
    git(repo, "config", "filter.evil.process", f"touch {marker}")
    (repo / ".git" / "info").mkdir(exist_ok=True)
    (repo / ".git" / "info" / "attributes").write_text("* filter=evil\n")
    head = (repo / ".git" / "refs" / "heads" / "main").read_text()
    res = CliRunner().invoke(app, ["drift", "-w", str(ws)])
    assert res.exit_code == 2 and isinstance(res.exception, SystemExit), res.output
    assert "filter.evil.process" in res.output
    assert not marker.exists()
    assert (repo / ".git" / "refs" / "heads" / "main").read_text() == head


def test_push_never_runs_an_ext_transport(tmp_path):
    """`ext::` URLs run a shell command; a repository config may have allowed them."""
    repo = made_store(tmp_path / "backups")
    marker = tmp_path / "ran"
    git(repo, "config", "protocol.ext.allow", "always")
    git(repo, "remote", "add", "evil", f"ext::sh -c touch% {marker}")
    with Store(repo) as store:
        result = store.push("evil")
    assert not result.ok
    assert not marker.exists()


def test_programs_in_the_users_own_config_are_not_refused(tmp_path, monkeypatch):
    """~/.gitconfig is the user's: a credential helper there is theirs to use."""
    repo = made_store(tmp_path / "backups")
    subprocess.run(["git", "config", "--global", "credential.helper", "cache"], check=True)
    with Store(repo) as store:
        assert store.head()
