"""The repository root is a sample workspace: its own job (tasks/), template (parsers/) with its
test pair (parsers/tests/), and the check that uses them, all in use by the demo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from netpatrol.cli.root import app
from netpatrol.errors import WorkspaceError
from netpatrol.inspection.catalogue import load_job
from netpatrol.inspection.pairs import pair_problems, read_pairs
from netpatrol.inspection.parsing import resolve_template, validate_template_dir

REPO = Path(__file__).resolve().parents[1]
SAMPLE_ITEM = ("huawei_vrp", "unused_ports")
SAMPLE_CHECK = "unused_ports_open"
runner = CliRunner()


def _own_items() -> list[tuple[str, str, str]]:
    """(platform, item, command) the sample's tasks/quarterly.yaml names itself."""
    doc = yaml.safe_load((REPO / "tasks" / "quarterly.yaml").read_text(encoding="utf-8"))
    return [(p, item, c) for p, items in doc["platforms"].items() for item, cmds in items.items() for c in cmds]


def test_sample_job_extends_the_builtin_one() -> None:
    builtin, sample = load_job(None, "quarterly"), load_job(REPO, "quarterly")
    assert sample.extends == "quarterly" and sample.check_packs == builtin.check_packs
    platform, item = SAMPLE_ITEM
    assert sample.platforms[platform] == {**builtin.platforms[platform], item: ["display interface brief | include down"]}
    assert {p: i for p, i in sample.platforms.items() if p != platform} == {
        p: i for p, i in builtin.platforms.items() if p != platform}


def test_sample_templates_are_valid_used_by_the_job_and_pass_their_pairs() -> None:
    parsers = REPO / "parsers"
    assert validate_template_dir(parsers) == []
    templates = {t.name for t in parsers.glob("*.textfsm")}
    used = {resolve_template(p, c, [parsers]).name for p, _, c in _own_items()}
    assert used == templates  # every own item has an own template, and no template is idle
    pairs, problems = read_pairs(parsers, REPO)
    assert problems == [] and {p.template for p in pairs} == templates  # each pair names its template
    assert pair_problems(parsers, REPO) == []  # and each parses to its parsed_sample


def test_sample_workspace_validates(sample_workspace: Path) -> None:
    res = runner.invoke(app, ["inventory", "check", "-w", str(sample_workspace)])
    assert res.exit_code == 0, res.output


def test_extends_names_a_builtin_job_and_items_replace_by_name(tmp_path: Path) -> None:
    (tmp_path / "tasks").mkdir()
    job = tmp_path / "tasks" / "quarterly.yaml"
    job.write_text("name: quarterly\nextends: quarterly\ncollect_config: false\n"
                   "platforms: {cisco_ios: {clock: [show clock detail]}}\n", encoding="utf-8")
    loaded = load_job(tmp_path, "quarterly")
    assert loaded.platforms["cisco_ios"]["clock"] == ["show clock detail"] and not loaded.collect_config
    assert loaded.platforms["cisco_ios"]["version"] == ["show version"]
    job.write_text("name: quarterly\nextends: ../../etc/x\nplatforms: {}\n", encoding="utf-8")
    unknown = r"tasks/quarterly\.yaml: field 'extends': no built-in job '\.\./\.\./etc/x' \(built-in: quarterly\)"
    with pytest.raises(WorkspaceError, match=unknown):
        load_job(tmp_path, "quarterly")
    job.write_text("name: quarterly\nextends: quarterly\nplatforms: {huawei_vrp: {x: [save]}}\n", encoding="utf-8")
    with pytest.raises(WorkspaceError, match="refused"):
        load_job(tmp_path, "quarterly")


@pytest.mark.lab
def test_demo_report_shows_the_sample_jobs_item(lab_workspace: Path) -> None:
    """The demo's inspection collects the sample job's own item, parses it with the sample's own
    template, and the report carries the finding of the check that reads it."""
    res = runner.invoke(app, ["inspect", "-w", str(lab_workspace), "--json",
                              "--host", "north-core-01", "--host", "city-core-01"])
    assert res.exit_code == 0, res.output
    by_host = {d["host"]: d for d in json.loads(res.stdout)["devices"]}
    item = by_host["north-core-01"]["items"][SAMPLE_ITEM[1]]
    assert item["status"] == "parsed" and item["template"] == "huawei_vrp_display_interface_brief_include_down.textfsm"
    assert item["rows"] >= 1
    assert SAMPLE_CHECK in {f["check"] for f in by_host["north-core-01"]["findings"]}
    assert SAMPLE_ITEM[1] not in by_host["city-core-01"]["items"]  # a Huawei item only
    period = json.loads(res.stdout)["summary"]["period"]
    res = runner.invoke(app, ["report", "-w", str(lab_workspace), "--period", period, "--format", "md", "--json"])
    assert res.exit_code == 0, res.output
    md = Path(json.loads(res.stdout)["files"]["md"]).read_text(encoding="utf-8")
    ports = [f["subject"] for f in by_host["north-core-01"]["findings"] if f["check"] == SAMPLE_CHECK]
    assert len(ports) == item["rows"] and all(p.startswith(("GigabitEthernet", "XGigabitEthernet")) for p in ports)
    assert "存在未关闭的空闲端口" in md
    # The zh-CN report quotes the check's zh-CN evidence sentence, one per port.
    assert all(f"{p}：未使用但未关闭（未执行 shutdown）" in md for p in ports), md  # noqa: RUF001

