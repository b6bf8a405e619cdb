"""Workspace paths end up in line-based files (crontab entries, systemd units): a line break in
one would end the entry and start another line of the path's choosing."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from netpatrol.cli.root import app

INJECTED = "ws\n* * * * * touch injected #"


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def assert_clean_exit2(res, *fragments: str) -> None:
    assert res.exit_code == 2 and isinstance(res.exception, SystemExit), res.output
    assert res.output.count("error:") == 1, res.output
    for fragment in fragments:
        assert fragment in res.output, res.output


@pytest.fixture
def odd_workspace(tmp_path, monkeypatch) -> Path:
    """A workspace made normally, then moved to a directory whose name holds a line break."""
    monkeypatch.setenv("NETPATROL_PASSWORD", "x")
    assert invoke("init", str(tmp_path / "plain")).exit_code == 0
    return (tmp_path / "plain").rename(tmp_path / INJECTED)


@pytest.mark.parametrize("args", [
    ("install", "--cron", "--file", "CRONTAB"),
    ("install", "--systemd", "--dir", "UNITS"),
    ("print",),
])
def test_schedule_refuses_a_workspace_path_with_a_line_break(odd_workspace, tmp_path, args):
    args = tuple(a.replace("CRONTAB", str(tmp_path / "crontab")).replace("UNITS", str(tmp_path / "units")) for a in args)
    res = invoke("schedule", *args, "-w", str(odd_workspace))
    assert_clean_exit2(res, "line break")
    assert "* * * * * touch" not in res.output.replace(repr(str(odd_workspace))[1:-1], "")
    assert not (tmp_path / "crontab").exists() and not (tmp_path / "units").exists()


def test_init_refuses_a_path_with_a_line_break(tmp_path):
    res = invoke("init", str(tmp_path / INJECTED))
    assert_clean_exit2(res, "line break")
    assert list(tmp_path.iterdir()) == []


def test_init_names_a_path_the_file_system_refuses(tmp_path):
    res = invoke("init", str(tmp_path / ("a" * 300)))
    assert_clean_exit2(res, "cannot create a workspace", "too long")
    assert list(tmp_path.iterdir()) == []
