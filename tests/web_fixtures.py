"""Fixtures the web tests share (a pytest plugin, tests/conftest.py): argon2 at a test's cost
(`pytestmark = pytest.mark.usefixtures("quick_argon2")`), a workspace with two users, a WebState
over the report world."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher

from netpatrol.web import memo, users
from netpatrol.web.state import WebState
from netpatrol.workspace.settings import Workspace

ALICE, BOB = "alice-password", "bob-password"  # alice is an admin, bob a viewer


@pytest.fixture
def quick_argon2(monkeypatch: pytest.MonkeyPatch):
    """Real argon2id, with the cost of a test: hashes made here verify in a millisecond."""
    monkeypatch.setattr(users, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def ws(sample_workspace: Path) -> Path:
    """The sample workspace with users alice (admin) and bob (viewer)."""
    w = Workspace(sample_workspace)
    users.add_user(w, "alice", ALICE, role="admin")
    users.add_user(w, "bob", BOB)
    return sample_workspace


@pytest.fixture
def state(world):
    """A WebState over report_world's workspace, its caches forgotten afterwards."""
    root, _inv, _store = world
    web = WebState(root)
    yield web
    memo.forget(web)
    if web.store() is not None:
        web.store().close()
