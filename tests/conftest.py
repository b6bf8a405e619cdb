"""Shared fixtures. `corpus_dir()` finds ../shared/corpus (absent on a user's fresh clone)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = (REPO / ".." / "shared" / "corpus").resolve()
SKIP_NO_CORPUS = "needs the real-device corpus in ../shared/corpus, which only the project's own machines have"


def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(SKIP_NO_CORPUS)
    return CORPUS


@pytest.fixture
def corpus() -> Path:
    return corpus_dir()


@pytest.fixture
def bare_git_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty HOME and no system or user git config: the store must not rely on any of them."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for var in ("XDG_CONFIG_HOME", "GIT_CONFIG_GLOBAL", "EMAIL", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL",
                "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_DIR", "GIT_WORK_TREE", "GIT_SSH_COMMAND"):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture
def sample_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the repository's sample workspace (inventory, lab.yaml, settings) in tmp_path."""
    ws = tmp_path / "ws"
    ws.mkdir()
    for name in ("netpatrol.yaml", "lab.yaml"):
        shutil.copy(REPO / name, ws / name)
    for name in ("inventory", "tasks", "checks", "parsers"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, ws / name)
    monkeypatch.setenv("NETPATROL_PASSWORD", os.environ.get("NETPATROL_PASSWORD", "lab-test-pw-8f3k"))
    return ws


def _free_port_on(addresses: list[str]) -> int:
    """A port free on every given loopback address (the sample lab gives each device its own)."""
    import random
    import socket

    for _ in range(200):
        port = random.randint(20000, 60000)
        socks = []
        try:
            for addr in addresses:
                s = socket.socket()
                socks.append(s)
                s.bind((addr, port))
            return port
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free port")


def set_inventory_port(ws: Path, port: int) -> None:
    import yaml

    path = ws / "inventory" / "defaults.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["port"] = port
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


@pytest.fixture
def lab_workspace(sample_workspace: Path):
    """The sample workspace with its whole lab running on a port of its own."""
    from netpatrol.workspace.inventory import load_inventory
    from netpatrol.lab import control
    from netpatrol.lab.labfile import build_specs
    from netpatrol.workspace.settings import Workspace

    inv = load_inventory(sample_workspace)
    set_inventory_port(sample_workspace, _free_port_on(sorted({h.hostname for h in inv.hosts.values()})))
    ws = Workspace(sample_workspace)
    inv = load_inventory(sample_workspace)
    control.up(ws.lab_dir, build_specs(inv), timeout=60)
    try:
        yield sample_workspace
    finally:
        control.down(ws.lab_dir)


@pytest.fixture
def faults(lab):
    """set(name, [faults]) on the requesting module's `lab` fixture; cleared after the test."""
    state, _ = lab
    touched: list[str] = []

    def set_(name: str, modes: list[str]) -> None:
        touched.append(name)
        _control().set_faults(state, name, modes)

    yield set_
    for name in touched:
        _control().set_faults(state, name, [])


def _control():
    from netpatrol.lab import control

    return control
