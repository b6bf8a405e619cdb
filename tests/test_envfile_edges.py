"""Env-file lines a first round of hardening let through: a NUL byte (traceback when put into
the environment), a Windows BOM (refused as a bad key), and keys that change how netpatrol and
git run rather than holding a password."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netpatrol.automation.envfile import read_env_file
from netpatrol.cli.root import app


def env_file(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "env"
    path.write_bytes(data)
    path.chmod(0o600)
    return path


@pytest.mark.parametrize("data,fragment", [
    (b"NP_PW=ab\0cd\n", "NUL"),
    (b"LD_PRELOAD=/tmp/x.so\n", "LD_PRELOAD"),
    (b"PATH=/tmp/evil\n", "PATH"),
    (b"GIT_CONFIG_PARAMETERS='core.pager=id'\n", "GIT_CONFIG_PARAMETERS"),
    (b"PYTHONPATH=/tmp\n", "PYTHONPATH"),
])
def test_run_refuses_the_line_naming_it_with_exit_2(tmp_path, monkeypatch, data, fragment):
    path = env_file(tmp_path, b"# passwords\nNP_OK=fine\n" + data)
    before = dict(os.environ)
    res = CliRunner().invoke(app, ["run", "--due", "-w", str(tmp_path / "ws"), "--env-file", str(path)])
    assert res.exit_code == 2 and isinstance(res.exception, SystemExit), res.output
    assert "line 3" in res.output and fragment in res.output
    assert dict(os.environ) == before  # nothing of the file was loaded


def test_a_windows_bom_is_ignored(tmp_path):
    assert read_env_file(env_file(tmp_path, b"\xef\xbb\xbfNP_PW=a b$$;\r\n")) == {"NP_PW": "a b$$;"}


def test_names_merely_containing_a_reserved_word_are_fine(tmp_path):
    data = b"NETPATROL_PASSWORD=x\nMY_PATH_PW=y\nGITLAB_TOKEN=z\n"
    assert read_env_file(env_file(tmp_path, data)) == {"NETPATROL_PASSWORD": "x", "MY_PATH_PW": "y", "GITLAB_TOKEN": "z"}
