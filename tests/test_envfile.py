"""The env file read as data by netpatrol: awkward passwords round-trip exactly, through the
crontab line cron would run and a real SSH login to the lab."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netpatrol.automation.envfile import load_env_file, parse_env_text, read_env_file, write_env_file
from netpatrol.cli import root as cli
from netpatrol.errors import UsageError

AWKWARD = {
    "PW_DOLLARS": "pa$$word$HOME${HOME}",
    "PW_SEMICOLON": "a;touch /tmp/np-pwned;b",
    "PW_BACKTICKS": "`id` $(id)",
    "PW_QUOTES": "it's \"quoted\" 'twice'",
    "PW_SPACES": "  leading and trailing  ",
    "PW_EQUALS_HASH": "a=b#c \\n\\t",
    "PW_UNICODE": "密码-π",
    "PW_EMPTY": "",
}
# The lab device's password: every character a shell or systemd would treat specially.
DEVICE_PW = "x$$y;`z` 'q' \"w\" %h $HOME\\"


def test_awkward_values_round_trip_exactly(tmp_path):
    path = tmp_path / "state" / "env"
    write_env_file(path, AWKWARD)
    assert (path.stat().st_mode & 0o777) == 0o600 and (path.parent.stat().st_mode & 0o777) == 0o700
    assert read_env_file(path) == AWKWARD
    # Written by hand, CRLF line ends and comments: the same values.
    hand = "# passwords\r\n\r\n" + "".join(f"{k}={v}\r\n" for k, v in AWKWARD.items())
    assert parse_env_text(hand, "env") == AWKWARD


@pytest.mark.parametrize("line, problem", [("export A=1", "KEY=VALUE"), ("A = 1", "KEY=VALUE"),
                                           ("just-a-password", "KEY=VALUE"), ("A=1\nA=2", "A is set twice")])
def test_malformed_lines_name_the_line_never_the_value(line, problem):
    with pytest.raises(UsageError, match=problem) as exc:
        parse_env_text(f"# c\n{line}\n", "env file /x")
    assert f"line {2 + line.count(chr(10))}" in str(exc.value) and "password" not in str(exc.value).replace("passwords", "")


def test_group_or_world_readable_env_file_is_refused(tmp_path, sample_workspace):
    path = tmp_path / "env"
    write_env_file(path, {"NETPATROL_PASSWORD": "pw"})
    path.chmod(0o640)
    with pytest.raises(UsageError, match=r"mode 0640.*chmod 600"):
        load_env_file(path)
    res = CliRunner().invoke(cli.app, ["run", "--due", "-w", str(sample_workspace), "--env-file", str(path)])
    assert res.exit_code == 2 and "chmod 600" in res.output
    res = CliRunner().invoke(cli.app, ["schedule", "install", "--cron", "--file", str(tmp_path / "crontab"),
                                       "-w", str(sample_workspace), "--env-file", str(path)])
    assert res.exit_code == 2 and "chmod 600" in res.output and not (tmp_path / "crontab").exists()


def test_schedule_install_creates_a_private_env_file_naming_the_variables(sample_workspace, tmp_path):
    res = CliRunner().invoke(cli.app, ["schedule", "install", "--cron", "--file", str(tmp_path / "crontab"),
                                       "-w", str(sample_workspace)])
    assert res.exit_code == 0, res.output
    env = sample_workspace / ".netpatrol" / "env"
    assert (env.stat().st_mode & 0o777) == 0o600
    assert "# NETPATROL_PASSWORD=" in env.read_text() and read_env_file(env) == {}
    line = (tmp_path / "crontab").read_text().splitlines()[-1]
    assert f"--env-file {shlex.quote(str(env))}" in line and " . " not in line and "set -a" not in line


@pytest.fixture
def sample_workspace(sample_workspace, monkeypatch):
    """The lab accepts only DEVICE_PW: a password mangled on the way fails the login."""
    monkeypatch.setenv("NETPATROL_PASSWORD", DEVICE_PW)
    return sample_workspace


@pytest.mark.lab
def test_cron_line_runs_netpatrol_with_the_env_file_and_the_device_accepts_the_password(lab_workspace, tmp_path):
    ws = lab_workspace
    crontab = tmp_path / "crontab"
    res = CliRunner().invoke(cli.app, ["schedule", "install", "--cron", "--file", str(crontab), "-w", str(ws)])
    assert res.exit_code == 0, res.output
    write_env_file(ws / ".netpatrol" / "env", {"NETPATROL_PASSWORD": DEVICE_PW})
    line = crontab.read_text().splitlines()[-1]
    command = line.split(" ", 5)[5].replace("\\%", "%")  # what cron hands to /bin/sh
    # One device keeps the run short.
    command = command.replace(" --env-file ", " --host north-core-01 --env-file ")
    cron_env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(tmp_path), "SHELL": "/bin/sh"}
    done = subprocess.run(["/bin/sh", "-c", command], env=cron_env, capture_output=True, text=True, timeout=300)
    log = (ws / ".netpatrol" / "run.log").read_text()
    assert done.returncode == 0, log
    assert "Backup: 1 saved" in log and "auth" not in log.lower().replace("author", "")
    assert not Path("/tmp/np-pwned").exists()
    assert (ws / ".netpatrol" / "run.log").stat().st_mode & 0o077 == 0
    assert DEVICE_PW not in log
