"""A job item with a long filter (`show running-config | include ^ntp|^logging|...`) is an ordinary
read-only command; its evidence file name must fit the file system, or the whole inspection fails
at its first write, after every device was collected."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from netpatrol.cli.root import app
from netpatrol.inspection.catalogue import load_job
from netpatrol.store.layout import slug

LONG = "show running-config | include " + "|".join(f"^(no )?service-{i:03d}" for i in range(40))


def test_long_commands_get_short_distinct_file_names():
    other = LONG.replace("service-039", "service-040")
    assert len(LONG) > 255 and len(slug(LONG).encode()) <= 130
    assert slug(LONG) != slug(other) and slug(LONG).startswith("show_running-config_include")
    assert slug("show version") == "show_version"  # short names unchanged: stored evidence keeps its paths


@pytest.mark.lab
def test_inspection_with_a_long_job_command_is_stored(lab_workspace):
    ws = lab_workspace
    job_file = ws / "tasks" / "quarterly.yaml"
    job = load_job(ws, "quarterly").model_dump()
    job["platforms"]["cisco_ios"]["services"] = [LONG]
    job_file.parent.mkdir(exist_ok=True)
    job_file.write_text(yaml.safe_dump(job, sort_keys=False, allow_unicode=True), encoding="utf-8")
    res = CliRunner().invoke(app, ["inspect", "-w", str(ws), "--host", "city-acc-02", "--json"])
    assert res.exit_code == 0, res.output
    device = json.loads(res.stdout)["devices"][0]
    assert device["status"] == "ok"
    evidence = list((ws / "backups" / "inspections").rglob(f"{slug(LONG)}.txt"))
    assert len(evidence) == 1
