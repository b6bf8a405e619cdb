"""`netpatrol parse`: a saved capture through the inspection's parse and normalise path, its JSON
contract, the workspace's own templates, and exit codes a script can tell apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from netpatrol.cli.root import app

runner = CliRunner()
REPO = Path(__file__).resolve().parents[1]
# The documented contract (README, "Parsing a capture"): a change here is a change for its users.
KEYS = {"platform", "command", "item", "items", "status", "template", "candidates", "unexplained", "explained", "significant",
        "error", "problem", "rows", "facts", "health"}


def _pair(platform: str, slug: str) -> tuple[Path, list[dict]]:
    raw = sorted((REPO / "tests" / "parsers" / platform / slug).glob("*.raw"))[0]
    return raw, yaml.safe_load(raw.with_suffix(".yml").read_text(encoding="utf-8"))["parsed_sample"]


@pytest.fixture(autouse=True)
def _outside_a_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NETPATROL_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)


def _parse(*args: str, input: str | bytes | None = None):
    return runner.invoke(app, ["parse", *args], input=input)


def test_json_is_the_contract_with_rows_facts_and_health() -> None:
    raw, expected = _pair("huawei_vrp", "display_fan")
    res = _parse("--platform", "huawei_vrp", "--command", "display fan", str(raw), "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert set(doc) == KEYS and doc["item"] == "fans" and doc["unexplained"] is None and doc["error"] is None
    assert (doc["platform"], doc["command"], doc["status"]) == ("huawei_vrp", "display fan", "parsed")
    assert doc["rows"] == expected and doc["template"].endswith(".textfsm")
    assert doc["template"] in [c if isinstance(c, str) else c["template"] for c in doc["candidates"]]
    # health uses the result schema's names
    fans = doc["health"]["fans"]
    assert len(fans) == len(expected) and all({"name", "status"} <= set(f) for f in fans)


def test_stdin_and_the_human_output() -> None:
    raw, expected = _pair("huawei_vrp", "display_fan")
    res = _parse("--platform", "huawei_vrp", "--command", "display fan", "-", input=raw.read_bytes())
    assert res.exit_code == 0, res.output
    assert "huawei_vrp 'display fan' (item fans): parsed with " in res.stdout and "* huawei_vrp_display_fan" in res.stdout
    assert f"{len(expected)} row(s)" in res.stdout and "Health: fans" in res.stdout
    assert all(str(v) in res.stdout for v in expected[0].values() if v)


def test_a_gbk_terminal_log_is_read() -> None:
    raw, expected = _pair("huawei_vrp", "display_fan")
    # As a terminal log saves it: the prompt with the command before, the prompt after.
    text = "<交换机-01>display fan\n" + raw.read_text(encoding="utf-8") + "<交换机-01>\n"
    res = _parse("--platform", "huawei_vrp", "--command", "display fan", "-", "--json", input=text.encode("gbk"))
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["rows"] == expected


def test_unknown_platform_and_unreadable_file_are_usage_errors(tmp_path: Path) -> None:
    res = _parse("--platform", "huawai", "--command", "display fan", "-", input="x\n")
    assert res.exit_code == 2
    assert "--platform: unknown platform 'huawai' (known: arista_eos, cisco_ios" in res.output
    assert "did you mean 'huawei_vrp' (huawei)?" in res.output
    res = _parse("--platform", "huawei_vrp", "--command", "display fan", str(tmp_path / "missing.txt"))
    assert res.exit_code == 2 and "missing.txt: cannot read" in res.output


def test_no_template_exits_2_with_the_status_in_json() -> None:
    res = _parse("--platform", "huawei_vrp", "--command", "display nothing-like-this", "-", "--json", input="abc 1\n")
    assert res.exit_code == 2
    doc = json.loads(res.stdout)
    assert doc["status"] == "no_template" and doc["rows"] == [] and doc["template"] is None


def test_a_parse_problem_exits_1() -> None:
    text = "this is not what display fan prints\nslot nine: on fire 451\n"
    res = _parse("--platform", "huawei_vrp", "--command", "display fan", "-", "--json", input=text)
    doc = json.loads(res.stdout)
    assert doc["status"] in ("parse_error", "unrecognised") and res.exit_code == 1, res.output
    res = _parse("--platform", "huawei_vrp", "--command", "display fan", "-", input=text)
    assert res.exit_code == 1 and doc["status"] in res.stdout


def test_in_a_workspace_its_own_templates_are_used(sample_workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pair = sample_workspace / "parsers" / "tests" / "huawei_vrp" / "display_interface_brief_include_down" / "s5735_access"
    expected = yaml.safe_load(pair.with_suffix(".yml").read_text(encoding="utf-8"))
    args = ("--platform", "huawei_vrp", "--command", "display interface brief | include down", str(pair.with_suffix(".raw")), "--json")
    res = _parse(*args)  # outside the workspace: no template for the workspace's own command
    assert res.exit_code == 2 and json.loads(res.stdout)["status"] == "no_template"
    res = _parse(*args, "-w", str(sample_workspace))
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["template"] == expected["template"] and doc["rows"] == expected["parsed_sample"]
    monkeypatch.chdir(sample_workspace)
    assert json.loads(_parse(*args).stdout)["template"] == expected["template"]


def test_an_unrecognised_output_exits_1_and_names_its_first_line(sample_workspace: Path) -> None:
    args = ("--platform", "huawei_vrp", "--command", "display interface brief | include down", "-", "-w", str(sample_workspace))
    text = "<sw1>display interface brief | include down\nInfo: this layout is new 42\n<sw1>\n"
    res = _parse(*args, "--json", input=text)
    doc = json.loads(res.stdout)
    assert res.exit_code == 1 and (doc["status"], doc["rows"]) == ("unrecognised", [])
    assert doc["unexplained"] == "Info: this layout is new 42"  # the prompt and echo are not content
    res = _parse(*args, input=text)
    assert res.exit_code == 1 and "unrecognised" in res.stdout and "'Info: this layout is new 42'" in res.stdout
