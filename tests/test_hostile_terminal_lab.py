"""Device text on the operator's terminal: a version or config line holding terminal escape sequences
(OSC 8 links, clear-screen) or rich markup (`[link=...]`, a stray `[/x]`) prints as inert text in the
`facts`, `inspect`, `backup` and `drift` tables instead of reaching the terminal or crashing rich."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from netpatrol.cli import root as cli
from netpatrol.lab import control
from netpatrol.workspace.settings import Workspace

pytestmark = pytest.mark.lab
runner = CliRunner()
HOST = "north-core-01"
# OSC 8 hyperlink, an 8-bit CSI (0x9b) and CSI clear-screen, then markup a table cell would interpret.
# One token without spaces, so the version parser keeps all of it.
HOSTILE = "V1\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\\x9b2J\x1b[2J[link=http://evil.example/]L[/link][/x]"


def np(ws: Path, *args: str):
    return runner.invoke(cli.app, [*args, "-w", str(ws)])


def _inert(output: str) -> None:
    assert "\x1b" not in output and "\x9b" not in output, repr(output)


def test_hostile_version_prints_as_text_in_facts_and_inspect(lab_workspace):
    doc = yaml.safe_load((lab_workspace / "lab.yaml").read_text(encoding="utf-8"))
    doc["devices"][HOST]["version"] = HOSTILE
    (lab_workspace / "lab.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    assert np(lab_workspace, "lab", "up").exit_code == 0

    for args in (["facts", "--host", HOST], ["inspect", "--host", HOST]):
        res = np(lab_workspace, *args)
        assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
        _inert(res.output)
    facts = np(lab_workspace, "facts", "--host", HOST)
    assert facts.exit_code == 0, facts.output
    assert "[link=http://evil.example/]L[/link][/x]" in facts.output  # the device's text, not a link
    as_json = np(lab_workspace, "facts", "--host", HOST, "--json")
    _inert(as_json.stdout)  # the 8-bit CSI is escaped as \u009b like the C0 controls
    assert "\x9b2J" in json.loads(as_json.stdout)[0]["version"]  # and reads back as the device sent it


def test_hostile_config_line_prints_as_text_in_drift(lab_workspace):
    assert np(lab_workspace, "backup", "--host", HOST).exit_code == 0
    lab_dir = Workspace(lab_workspace).lab_dir
    running = (lab_dir / "configs" / f"{HOST}.running").read_text(encoding="utf-8")
    lines = running.split("\n")
    lines.insert(3, f"interface LoopBack7\n description {HOSTILE}")
    control.set_config(lab_dir, HOST, "\n".join(lines))
    backup = np(lab_workspace, "backup", "--host", HOST)
    assert backup.exit_code == 0, backup.output
    res = np(lab_workspace, "drift", "--host", HOST)
    assert res.exit_code == 0, res.output
    assert "LoopBack7" in res.output
    _inert(res.output)
