"""Secrets scan (issue 7), named to run last: no password, key or community leaks into Git history,
logs, reports or --json output — of this module's own runs and of every backups repo the suite's
earlier tests left in pytest's temp dir. Files that must hold secrets are 0600, their dirs 0700.

Excluded by decision: the lab's devices.json and configs/ are the simulated *device* side, which
holds the secrets by design; they live in .netpatrol/lab, outside backups/ (devices.json asserted
0600). The lab's server.log is 0644, so it is NOT excluded: it is scanned like every other log.
"""

from __future__ import annotations

import re
import stat
import subprocess
from pathlib import Path

import pytest

from netpatrol.lab import control
from netpatrol.lab.control import LabDeviceSpec
from netpatrol.lab.testing import free_ports
from netpatrol.sanitize import find_secrets

from conftest import CORPUS
from fault_world import ENABLE, PASSWORD, PASSWORD_ENV, cli, env, write_workspace

pytestmark = pytest.mark.lab
MIN_LEN = 6  # shorter values ("cisco", "1234") match ordinary text by chance; none of ours is that short
# Secret values that are also ordinary words in messages ("username or password rejected") or
# check titles; the weak_security configs use them on purpose. They are checked in context below.
WORDS = {"password", "public", "private", "secret", "community", "secure"}
PLATFORMS = ["cisco_ios", "huawei_vrp", "hp_comware", "juniper_junos", "arista_eos", "cisco_nxos", "ruijie_os"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("secrets")
    names = [f"sec-{p.replace('_', '-')}" for p in PLATFORMS] + ["sec-badpw"]
    specs = [LabDeviceSpec(name=n, platform=p, address="127.0.0.1", port=port, username="netops", password=PASSWORD,
                           enable_secret=ENABLE, scenarios=["weak_security"], faults=["reject_password"] if n == "sec-badpw" else [])
             for n, p, port in zip(names, PLATFORMS + ["cisco_ios"], free_ports(len(names)))]
    ws = write_workspace(root / "ws", specs)
    lab_dir = ws / ".netpatrol" / "lab"
    control.up(lab_dir, specs, timeout=60)
    outputs: dict[str, str] = {}
    try:
        for label, args in {
            "backup": ("backup", "--json"),
            "backup-table": ("backup",),
            "inspect": ("inspect", "--json", "--backfill", "--period", "2026Q2"),
            "report": ("report", "--period", "2026Q2", "--format", "html,md", "--json"),
            "list": ("inventory", "list", "--json"),
            "check": ("inventory", "check"),
            "drift": ("drift", "--json"),
        }.items():
            p = cli(ws, *args)
            outputs[label] = p.stdout + p.stderr
        # Missing env var: the error must name the variable, never a value.
        e = {k: v for k, v in env().items() if k != PASSWORD_ENV}
        p = subprocess.run([*__import__("fault_world").NETPATROL, "backup", "-w", str(ws)], env=e, capture_output=True, text=True)
        outputs["missing-env"] = p.stdout + p.stderr
        assert p.returncode == 2 and PASSWORD_ENV in outputs["missing-env"]
        yield ws, lab_dir, outputs
    finally:
        control.down(lab_dir)


def secrets(lab_dir: Path) -> set[str]:
    values = {PASSWORD, ENABLE}
    for cfg in (lab_dir / "configs").glob("*.running"):
        platform = next(p for p in PLATFORMS if p.replace("_", "-") in cfg.stem or cfg.stem == "sec-badpw" and p == "cisco_ios")
        values.update(find_secrets(cfg.read_text(encoding="utf-8"), platform))
    if CORPUS.is_dir():
        for cfg in CORPUS.glob("*/configs/*.cfg"):
            values.update(find_secrets(cfg.read_text(encoding="utf-8", errors="replace"), cfg.parent.parent.name))
    found = {v for v in values if len(v) >= MIN_LEN and v.lower() not in WORDS}
    assert PASSWORD in found and len(found) > 3, found
    return found


def leaks(text: str, values: set[str]) -> list[str]:
    return sorted(v for v in values if v in text)


def test_outputs_and_errors_hold_no_secret(world):
    ws, lab_dir, outputs = world
    values = secrets(lab_dir)
    assert "authentication" in outputs["backup"].lower()  # the sec-badpw failure was reported ...
    for label, text in outputs.items():
        assert leaks(text, values) == [], label  # ... without the password it tried


def _all_backup_repos(ws: Path) -> list[Path]:
    base = ws.parents[1]  # this session's pytest basetemp: every test of this session made its workspace under it
    # Only workspaces' stores: the ones netpatrol's own commands wrote. Store/drift unit tests
    # commit raw corpus configs on purpose to test the Git layer, which never sanitises.
    repos = {p.parent for p in base.rglob("backups/.git") if p.is_dir() and (p.parent.parent / "netpatrol.yaml").exists()}
    assert ws / "backups" in repos
    return sorted(repos)


def test_git_history_of_every_backups_repo_holds_no_secret(world):
    ws, lab_dir, _ = world
    values = secrets(lab_dir)
    repos = _all_backup_repos(ws)
    for repo in repos:
        history = subprocess.run(["git", "-C", str(repo), "log", "-p", "--all", "--format=%H %s%n%b"],
                                 capture_output=True, text=True, errors="replace", check=True).stdout
        assert leaks(history, values) == [], repo
        configs = subprocess.run(["git", "-C", str(repo), "log", "-p", "--all", "--format=", "--", "configs"],
                                 capture_output=True, text=True, errors="replace", check=True).stdout
        for word in WORDS:  # a dictionary-word secret is a leak only as a value on a config line
            assert not re.search(rf"^\+.*(community|password|secret|key)\s+(\d\s+)?{word}\b", configs, re.M | re.I), (repo, word)
    stored = (ws / "backups" / "configs").rglob("*.cfg")
    assert any("<removed>" in p.read_text(encoding="utf-8") for p in stored)  # there was something to remove
    print(f"SECRETS scanned {len(repos)} backups repos for {len(values)} secret values")


def test_logs_state_and_reports_hold_no_secret(world):
    ws, lab_dir, _ = world
    values = secrets(lab_dir)
    scanned = 0
    for path in [*(ws / ".netpatrol").rglob("*"), *(ws / "reports").rglob("*")]:
        # The lab's device side holds the secrets by design (asserted 0600 below); its server.log
        # is not 0600, so it is scanned like any other log.
        if not path.is_file() or (lab_dir in path.parents and path.name != "server.log"):
            continue
        assert leaks(path.read_text(encoding="utf-8", errors="replace"), values) == [], path
        scanned += 1
    assert scanned >= 2 and any((ws / "reports").rglob("*.md"))


def test_secret_bearing_files_are_private(world):
    ws, lab_dir, _ = world
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
    assert mode(lab_dir / "devices.json") == 0o600
    assert mode(ws / ".netpatrol") == 0o700
    for name in ("devices.json", "known_hosts"):
        p = ws / ".netpatrol" / name
        assert p.exists() and mode(p) & 0o077 == 0, (p, oct(mode(p)))
    assert ws / "backups" not in (lab_dir / "server.log").parents
