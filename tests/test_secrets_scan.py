"""Secrets scan: no known secret value reaches anything netpatrol writes or prints.

Independent of the sanitiser: the lab plants known values, one per secret-bearing config form per
platform (each platform folder's `lab/planted_secrets.yaml`, scenario "planted_secrets"), and this module searches for those
literal values (raw, JSON-, HTML/XML- and URL-encoded) in every object of the backups Git repository
(blobs, commits and tags of every ref, and unreferenced ones), its work tree, the reports, the
`.netpatrol/` logs and run records, and the output of every command. It does its own lab run in a
fixture (backup, pre-change backup, a config change that produces drift, inspect with a job item
that prints the running config, report, archive),
so it depends neither on running last nor on which xdist worker runs it.

Excluded by decision: the lab's devices.json and configs/ are the simulated *device* side, which
holds the secrets by design (devices.json asserted 0600). The lab's server.log is scanned.
"""

from __future__ import annotations

import html
import json
import stat
import subprocess
import urllib.parse
import zipfile
from pathlib import Path

import pytest
import yaml

from fault_world import ENABLE, NETPATROL, PASSWORD, PASSWORD_ENV, cli, env
from netpatrol.inspection import catalogue as jobs
from netpatrol.lab import control
from netpatrol.lab.planted import SCENARIO, plant, planted
from netpatrol.platforms import PLATFORMS as PLATFORM_PROFILES

pytestmark = [pytest.mark.lab, pytest.mark.xdist_group("secrets_scan")]
PLATFORMS = sorted(PLATFORM_PROFILES)
PERIOD = "2026Q2"


def _name(platform: str) -> str:
    return f"sec-{platform.replace('_', '-')}"


def known_secrets() -> dict[str, str]:
    """value -> where it was planted: initial config (#1), changed values (#2), added lines (#3)."""
    values = {PASSWORD: "login password", ENABLE: "enable secret"}
    for platform in PLATFORMS:
        for n in (1, 2, 3):
            values.update({s.value: f"{platform} {s.form} #{n}" for s in planted(platform, n)})
    return values


def encodings(value: str) -> set[str]:
    """The spellings a value takes in the files netpatrol writes."""
    return {value, json.dumps(value)[1:-1], html.escape(value), html.escape(value, quote=False),
            urllib.parse.quote(value, safe=""), json.dumps(value, ensure_ascii=False)[1:-1]}


SECRETS = known_secrets()
NEEDLES = {enc: label for value, label in SECRETS.items() for enc in encodings(value)}


def leaks(text: str) -> list[str]:
    return sorted({label for needle, label in NEEDLES.items() if needle in text})


def _change_config(lab_dir: Path) -> None:
    """In every device's running config (saved stays): each planted value changes (#1 -> #2), which
    sanitised backups cannot show, and the planted lines are added once more (#3), which drift shows."""
    for platform in PLATFORMS:
        path = lab_dir / "configs" / f"{_name(platform)}.running"
        text = path.read_text(encoding="utf-8")
        for old, new in zip(planted(platform, 1), planted(platform, 2), strict=True):
            assert old.value in text, (platform, old.form)
            text = text.replace(old.value, new.value)
        control.set_config(lab_dir, _name(platform), plant(text, platform, 3))


def _job_printing_the_config(ws: Path) -> None:
    """The built-in catalogue plus an item that prints the running config: a read-only command a
    client may add, whose raw output is stored as evidence in backups/inspections/."""
    job = jobs.load_job(None, "quarterly").model_dump()
    for platform in PLATFORMS:
        job["platforms"][platform]["config_copy"] = [PLATFORM_PROFILES[platform].backup.running]
    (ws / "tasks").mkdir(exist_ok=True)
    (ws / "tasks" / "quarterly.yaml").write_text(yaml.safe_dump(job, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def world(tmp_path_factory, make_module_lab):
    ws = tmp_path_factory.mktemp("secrets") / "ws"
    devices = {**{_name(p): p for p in PLATFORMS}, "sec-badpw": "cisco_ios"}
    lab_dir = make_module_lab(devices, scenarios=["weak_security", SCENARIO], faults={"sec-badpw": ["reject_password"]},
                              workspace=ws).state_dir
    _job_printing_the_config(ws)
    outputs: dict[str, str] = {}

    def run(label: str, *args: str) -> None:
        p = cli(ws, *args)
        outputs[label] = p.stdout + p.stderr

    run("backup", "backup", "--json")
    run("backup-table", "backup")
    _change_config(lab_dir)
    run("backup-pre-change", "backup", "--reason", "pre-change NpReason", "--json")
    run("drift", "drift", "--json")
    run("drift-table", "drift")
    run("inspect", "inspect", "--json", "--backfill", "--period", PERIOD)
    run("inspect-table", "inspect", "--backfill", "--period", PERIOD)
    run("report", "report", "--period", PERIOD, "--format", "html,md,xlsx", "--json")
    run("archive", "archive", "--format", "xlsx")
    run("archive-md", "archive", "--format", "md")
    run("archive-json", "archive", "--json")
    run("list", "inventory", "list", "--json")
    run("check", "inventory", "check")
    # Missing env var: the error must name the variable, never a value.
    e = {k: v for k, v in env().items() if k != PASSWORD_ENV}
    p = subprocess.run([*NETPATROL, "backup", "-w", str(ws)], env=e, capture_output=True, text=True)
    outputs["missing-env"] = p.stdout + p.stderr
    assert p.returncode == 2 and PASSWORD_ENV in outputs["missing-env"]
    return ws, lab_dir, outputs


def test_the_lab_run_reached_every_stage(world):
    ws, _, outputs = world
    assert "authentication" in outputs["backup"].lower()  # the sec-badpw failure was reported
    drift = {d["host"]: d for d in json.loads(outputs["drift"])["devices"]}
    for platform in PLATFORMS:  # every device's change is in the drift, secret-bearing lines included
        assert drift[_name(platform)]["status"] == "modified" and drift[_name(platform)]["added"] >= len(planted(platform)), platform
    assert any((ws / "reports").rglob("*.html")) and any((ws / "reports").rglob("*.xlsx"))
    assert any(ws.rglob("*archive*")) or "archive" in outputs["archive"].lower()


def test_outputs_and_errors_hold_no_secret(world):
    _, _, outputs = world
    for label, text in outputs.items():
        assert leaks(text) == [], label


def _git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True).stdout


def test_every_git_object_of_the_backups_repo_holds_no_secret(world):
    ws, _, _ = world
    repo = ws / "backups"
    # Every object in the store (blobs, trees, commits, annotated tags; reachable or not), so a
    # secret written once and overwritten later, or only in a tag message, is still found.
    objects = _git(repo, "cat-file", "--batch-all-objects", "--batch").decode("utf-8", "replace")
    assert leaks(objects) == []
    assert _git(repo, "tag", "--list").strip(), "the pre-change backup and the inspection make tags"
    assert len(_git(repo, "rev-list", "--all").split()) >= 3
    assert "<removed>" in objects  # there was something to remove
    evidence = _git(repo, "ls-tree", "-r", "--name-only", "HEAD", "inspections").decode()
    assert "show_running-config.txt" in evidence  # the config-printing job item's output was stored
    other = [p for p in repo.rglob("*") if p.is_file() and "objects" not in p.relative_to(repo).parts]
    for path in other:  # work tree, refs, reflogs, COMMIT_EDITMSG, packed-refs
        assert leaks(path.read_text(encoding="utf-8", errors="replace")) == [], path
    print(f"SECRETS: {len(SECRETS)} planted values, {len(objects)} characters of Git objects")


def _text_of(path: Path) -> str:
    if path.suffix == ".xlsx":  # a zip of XML parts: read every part
        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return path.read_text(encoding="utf-8", errors="replace")


def test_reports_logs_and_run_records_hold_no_secret(world):
    ws, lab_dir, _ = world
    scanned = []
    lab_side = {lab_dir / "devices.json", lab_dir / "configs"}
    for path in [*(ws / ".netpatrol").rglob("*"), *(ws / "reports").rglob("*"), *ws.glob("*.xlsx"), *ws.glob("*.md")]:
        if not path.is_file() or any(p == path or p in path.parents for p in lab_side):
            continue
        assert leaks(_text_of(path)) == [], path
        scanned.append(path)
    assert any(p.suffix == ".xlsx" for p in scanned) and any(p.suffix == ".md" for p in scanned)
    assert any("logs" in p.parts or p.name.endswith(".log") for p in scanned), scanned


def test_secret_bearing_files_are_private(world):
    ws, lab_dir, _ = world
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
    assert mode(lab_dir / "devices.json") == 0o600
    assert mode(ws / ".netpatrol") == 0o700
    for name in ("devices.json", "known_hosts"):
        p = ws / ".netpatrol" / name
        assert p.exists() and mode(p) & 0o077 == 0, (p, oct(mode(p)))
    assert ws / "backups" not in (lab_dir / "server.log").parents
