"""The device archive (serials, versions, repair records) is owner-only like the reports,
whatever the umask: under 000 every writer would create it world-writable."""

from __future__ import annotations

import os
import stat

import pytest
from typer.testing import CliRunner

from netpatrol.cli.root import app


@pytest.fixture
def open_umask():
    old = os.umask(0)
    yield
    os.umask(old)


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "md"])
def test_archive_is_owner_only_under_umask_000(world, open_umask, fmt):
    ws, _, _ = world
    res = CliRunner().invoke(app, ["archive", "-w", str(ws.root), "--format", fmt])
    assert res.exit_code == 0, res.output
    made = [ws.reports, *ws.reports.rglob("*")]
    assert any(p.suffix == f".{fmt}" for p in made)
    loose = {str(p.relative_to(ws.root)): oct(stat.S_IMODE(p.stat().st_mode)) for p in made if p.stat().st_mode & 0o077}
    assert loose == {}
