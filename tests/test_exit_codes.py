"""Every exit code of the README's table, each provoked for real through the command line.

The table's rows arrange a workspace (a copy of the sample one, with its lab where a device must
answer) and give the command; the test checks the code and the one line that explains it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from netpatrol.backup.service import open_store
from netpatrol.cli.boundary import redact
from netpatrol.cli.root import app
from netpatrol.errors import ExitCode
from netpatrol.workspace.settings import Workspace

NETPATROL = [sys.executable, "-c", "from netpatrol.cli.root import main; main()"]


def _edit_host(ws: Path, host: str, **fields) -> None:
    path = ws / "inventory" / "hosts.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc[host].update(fields)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


@contextmanager
def _just(*argv: str) -> Iterator[list[str]]:
    yield list(argv)


@contextmanager
def _bad_jump_host(ws: Path) -> Iterator[list[str]]:
    _edit_host(ws, "city-core-01", connection_options={"netmiko": {"extras": {
        "jump_host": "ops@bastion:99999", "jump_password": "${NETPATROL_PASSWORD}"}}})
    yield ["inventory", "check"]


@contextmanager
def _reports_is_a_file(ws: Path) -> Iterator[list[str]]:
    (ws / "reports").write_text("not a folder\n", encoding="utf-8")
    yield ["archive", "--format", "csv"]


@contextmanager
def _records_corrupted(ws: Path) -> Iterator[list[str]]:
    # Valid JSON of the wrong shape: nothing checks it, so listing trips over it (a real bug path).
    Workspace(ws).ensure_state_dir()
    (ws / ".netpatrol" / "devices.json").write_text("[]", encoding="utf-8")
    yield ["inventory", "list"]


@contextmanager
def _down_device(ws: Path) -> Iterator[list[str]]:
    assert CliRunner().invoke(app, ["lab", "fault", "city-core-02", "refuse_connection", "-w", str(ws)]).exit_code == 0
    yield ["backup", "--host", "city-core-01", "--host", "city-core-02"]


def _locked(*argv: str) -> Callable[[Path], object]:
    @contextmanager
    def arrange(ws: Path) -> Iterator[list[str]]:
        with open_store(Workspace(ws)).lock():
            yield list(argv)

    return arrange


@dataclass
class Case:
    id: str
    arrange: Callable[[Path], object]  # ws -> context manager yielding the argv (without -w)
    code: ExitCode
    says: str  # in the command's last stderr line
    lab: bool = False


CASES = [
    Case("ok", lambda ws: _just("backup", "--host", "city-core-01"), ExitCode.OK, "1 saved", lab=True),
    Case("device-down", _down_device, ExitCode.DEVICES_FAILED, "1 failed", lab=True),
    Case("bad-inventory-field", _bad_jump_host, ExitCode.USAGE, "field 'connection_options.netmiko.extras.jump_host'"),
    Case("unwritable-output", _reports_is_a_file, ExitCode.USAGE, "reports/archive: Not a directory"),
    Case("schedule-file-folder-missing", lambda ws: _just("schedule", "install", "--cron", "--file", "/nonexistent/x"),
         ExitCode.USAGE, "error: /nonexistent/x: No such file or directory (its folder does not exist; nothing was written)"),
    Case("internal", _records_corrupted, ExitCode.INTERNAL, "internal error: AttributeError: 'list' object has no attribute 'get'"),
    Case("locked-backup", _locked("backup"), ExitCode.LOCKED, "busy:"),
    Case("locked-inspect", _locked("inspect"), ExitCode.LOCKED, "busy:"),
    Case("locked-report", _locked("report", "--period", "2026Q1", "--format", "md"), ExitCode.LOCKED, "busy:"),
    Case("locked-run-due", _locked("run", "--due"), ExitCode.LOCKED, "busy:"),
]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=[pytest.mark.lab] if c.lab else []) for c in CASES])
def test_exit_code(case: Case, request, sample_workspace):
    ws = request.getfixturevalue("lab_workspace") if case.lab else sample_workspace
    with case.arrange(ws) as argv:
        res = CliRunner().invoke(app, [*argv, "-w", str(ws)])
    assert res.exit_code == case.code, res.output
    last = res.stderr.strip().splitlines()[-1] if res.stderr.strip() else res.stdout.strip().splitlines()[-1]
    assert case.says in last, res.output
    assert "Traceback" not in res.output


def test_interrupted_run_exits_130(sample_workspace):
    """SIGINT once the backup is inside a device session: the test's socket accepting is the signal."""
    with socket.create_server(("127.0.0.1", 0)) as device:
        device.settimeout(60)
        _edit_host(sample_workspace, "city-core-01", hostname="127.0.0.1", port=device.getsockname()[1])
        proc = subprocess.Popen([*NETPATROL, "backup", "--host", "city-core-01", "-w", str(sample_workspace)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                # a test runner may ignore SIGINT, and children inherit that
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        try:
            conn, _ = device.accept()
        except BaseException:
            proc.kill()
            raise
        with conn:
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=60)
    assert proc.returncode == ExitCode.INTERRUPTED, err
    assert err.strip().splitlines()[-1] == "interrupted: nothing half-written was kept"


def _log_named_in(line: str) -> Path:
    assert "(traceback in " in line, line
    return Path(line.rsplit("(traceback in ", 1)[1].rstrip(")"))


def test_internal_error_keeps_the_traceback_in_the_workspace_logs(sample_workspace):
    with _records_corrupted(sample_workspace) as argv:
        quiet = CliRunner().invoke(app, [*argv, "-w", str(sample_workspace)])
        loud = CliRunner().invoke(app, ["--debug", *argv, "-w", str(sample_workspace)])
    assert quiet.exit_code == loud.exit_code == ExitCode.INTERNAL
    # Without --debug: one line on the terminal, naming the file that holds the traceback.
    assert len(quiet.stderr.strip().splitlines()) == 1, quiet.stderr
    log = _log_named_in(quiet.stderr.strip())
    assert log.parent == sample_workspace.resolve() / ".netpatrol" / "logs"
    text = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "AttributeError" in text
    assert log.stat().st_mode & 0o777 == 0o600
    assert os.environ["NETPATROL_PASSWORD"] not in text
    # With --debug the traceback is on the terminal too, and still kept in a file of its own.
    assert "Traceback (most recent call last)" in loud.stderr
    assert _log_named_in(loud.stderr.strip().splitlines()[-1]) != log


def test_internal_error_outside_a_workspace_goes_to_the_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    from netpatrol.cli import boundary

    logs = boundary.log_dirs(tmp_path / "not-a-workspace")
    assert logs[0] == tmp_path / "cache" / "netpatrol" / "logs"


def test_traceback_text_is_redacted(monkeypatch):
    monkeypatch.setenv("NP_JUMP_PASSWORD", "hunter2-jump")
    monkeypatch.setenv("HOME_COLOUR", "hunter2-not-secret")
    text = redact("x = 'hunter2-jump' https://ops:tok3n@git.example/r.git hunter2-not-secret")
    assert "hunter2-jump" not in text and "${NP_JUMP_PASSWORD}" in text
    assert "tok3n" not in text
    assert "hunter2-not-secret" in text  # only variables that may hold secrets are hidden


def test_no_exit_code_literals_outside_the_enum():
    """Exit statuses are spelt through ExitCode (errors.py) everywhere in the package."""
    import re

    src = Path(__file__).resolve().parents[1] / "src" / "netpatrol"
    pattern = re.compile(r"(Exit|sys\.exit|os\._exit|SystemExit)\(\d|exit_code\s*=\s*\d")
    found = [f"{p.relative_to(src)}:{n}: {line.strip()}" for p in src.rglob("*.py")
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert found == []


def test_a_fault_outside_the_session_fails_that_device_only():
    """An unexpected exception in one device's task is that device's "error" (exit 1), never 70."""
    from types import SimpleNamespace

    from netpatrol.collect.runner import with_retries
    from netpatrol.errors import DeviceError

    def task(t):
        raise KeyError("model")

    with pytest.raises(DeviceError) as info:
        with_retries(task, retries=2, backoff=0)(SimpleNamespace(host=SimpleNamespace(name="sw1")))
    assert (info.value.status, info.value.reason, info.value.exit_code) == ("error", "KeyError: 'model'", ExitCode.DEVICES_FAILED)


def test_schedule_install_into_a_missing_folder_creates_nothing(sample_workspace):
    """The crontab file's folder is checked before the env file is created, so a refused install
    leaves the workspace as it was."""
    res = CliRunner().invoke(app, ["schedule", "install", "--cron", "--file", str(sample_workspace / "missing" / "crontab"),
                                   "-w", str(sample_workspace)])
    assert res.exit_code == ExitCode.USAGE, res.output
    assert "its folder does not exist" in res.output
    assert not (sample_workspace / ".netpatrol" / "env").exists()
