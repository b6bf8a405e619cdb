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
