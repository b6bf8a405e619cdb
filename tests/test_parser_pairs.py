"""A workspace's own templates and their raw + expected pairs (parsers/tests/, ntc layout), checked
by `netpatrol inventory check`: a pair that parses to other rows names its file and the first
differing row and field; a template no pair parses with is named."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from netpatrol.cli.root import app
from netpatrol.inspection.pairs import pair_problems
from netpatrol.workspace.skeleton import create_workspace

runner = CliRunner()
REPO = Path(__file__).resolve().parents[1]
PAIR = Path("parsers/tests/huawei_vrp/display_interface_brief_include_down/s5735_access")
TEMPLATE = "huawei_vrp_display_interface_brief_include_down.textfsm"


def _problems(ws: Path) -> list[str]:
    res = runner.invoke(app, ["inventory", "check", "-w", str(ws), "--json"])
    problems = json.loads(res.stdout)["problems"]
    assert res.exit_code == (2 if problems else 0), res.output
    return problems


def test_the_sample_workspace_pair_passes(sample_workspace: Path) -> None:
    assert (sample_workspace / PAIR.with_suffix(".raw")).is_file()
    assert _problems(sample_workspace) == []


def test_a_differing_row_is_named_with_file_row_and_field(sample_workspace: Path) -> None:
    yml = sample_workspace / PAIR.with_suffix(".yml")
    yml.write_text(yml.read_text(encoding="utf-8").replace("GigabitEthernet0/0/7", "GigabitEthernet0/0/9"), encoding="utf-8")
    assert _problems(sample_workspace) == [
        f"{PAIR.with_suffix('.yml')}: {TEMPLATE} gives other rows than parsed_sample: row 2 field 'interface': "
        "expected 'GigabitEthernet0/0/9', got 'GigabitEthernet0/0/7'"]


def test_missing_and_extra_rows_and_fields(sample_workspace: Path) -> None:
    raw, yml = sample_workspace / PAIR.with_suffix(".raw"), sample_workspace / PAIR.with_suffix(".yml")
    text = raw.read_text(encoding="utf-8")
    raw.write_text(text.replace("XGigabitEthernet0/0/2       down", "XGigabitEthernet0/0/2       *down"), encoding="utf-8")
    label = f"{PAIR.with_suffix('.yml')}: {TEMPLATE} gives other rows than parsed_sample: "
    assert _problems(sample_workspace) == [
        label + "expected 3 row(s), got 2; row 3 missing: {'interface': 'XGigabitEthernet0/0/2', 'protocol': 'down'}"]
    raw.write_text(text, encoding="utf-8")
    doc = yml.read_text(encoding="utf-8")
    yml.write_text(doc.replace("  protocol: down\n", "  protocol: down\n  speed: '1000'\n", 1), encoding="utf-8")
    assert _problems(sample_workspace) == [label + "row 1: field 'speed' is expected but the template gives no such field"]


def test_a_template_without_a_pair_and_a_pair_won_by_another_template(sample_workspace: Path) -> None:
    parsers = sample_workspace / "parsers"
    shutil.rmtree(parsers / "tests")
    assert _problems(sample_workspace) == [
        f"parsers/{TEMPLATE}: no test pair parses with it (add a real output and its expected rows as "
        "parsers/tests/<platform>/<command_slug>/<name>.raw + .yml)"]
    # A pair for a built-in command tests the built-in template on the workspace's own capture.
    own = parsers / "tests" / "huawei_vrp" / "display_interface_brief_include_down"
    shutil.copytree(REPO / PAIR.parent, own)
    (own / "wrong.raw").write_text("", encoding="utf-8")
    (own / "wrong.yml").write_text(f"command: display clock\nparsed_sample: []\ntemplate: {TEMPLATE}\n", encoding="utf-8")
    problems = pair_problems(parsers, sample_workspace)
    assert len(problems) == 1 and problems[0].startswith(
        f"{PAIR.parent}/wrong.yml: field 'template': {TEMPLATE} should parse it, but "), problems


def test_unreadable_pairs_are_named(sample_workspace: Path) -> None:
    tests = sample_workspace / "parsers" / "tests"
    (tests / "acme_os" / "show_x").mkdir(parents=True)
    (tests / "acme_os" / "show_x" / "a.raw").write_text("x\n", encoding="utf-8")
    lone = tests / "huawei_vrp" / "display_clock"
    lone.mkdir()
    (lone / "a.raw").write_text("x\n", encoding="utf-8")
    (lone / "b.raw").write_text("x\n", encoding="utf-8")
    (lone / "b.yml").write_text("parsed_sample: {interface: x}\n", encoding="utf-8")
    (tests / "stray.raw").write_text("x\n", encoding="utf-8")
    problems = _problems(sample_workspace)
    assert sorted(problems) == sorted([
        "parsers/tests/acme_os/show_x/a.raw: unknown platform 'acme_os' (known: arista_eos, cisco_ios, "
        "cisco_nxos, hp_comware, huawei_vrp, juniper_junos, ruijie_os)",
        "parsers/tests/huawei_vrp/display_clock/a.raw: no a.yml beside it (a pair is <name>.raw + <name>.yml)",
        "parsers/tests/huawei_vrp/display_clock/b.yml: field 'parsed_sample': give the expected rows, "
        "a list of mappings ([] for none)",
        "parsers/tests/stray.raw: a pair belongs in parsers/tests/<platform>/<command_slug>/<name>.raw + .yml",
    ])


def test_init_skeleton_explains_the_pairs(tmp_path: Path) -> None:
    create_workspace(tmp_path / "ws")
    readme = (tmp_path / "ws" / "parsers" / "README.md").read_text(encoding="utf-8")
    assert "parsers/tests/<platform>/<command_slug>/<name>.raw" in readme and "parsed_sample:" in readme
    assert pair_problems(tmp_path / "ws" / "parsers", tmp_path / "ws") == []
    # Its example index and template, as written there, pass the sample workspace's pair.
    blocks = [b for b in readme.split("\n\n") if b.startswith("    ")]
    index = next(b for b in blocks if "Template, Hostname" in b)
    rows = next(b for b in blocks if ".textfsm, .*" in b)
    template = "\n\n".join(b for b in blocks if b.lstrip().startswith(("Value ", "Start")))
    parsers = tmp_path / "ws" / "parsers"
    (parsers / "index").write_text(_dedent(index) + "\n\n" + _dedent(rows) + "\n", encoding="utf-8")
    (parsers / "huawei_unused_ports.textfsm").write_text(_dedent(template) + "\n", encoding="utf-8")
    shutil.copytree(REPO / PAIR.parent, parsers / "tests" / PAIR.parent.relative_to("parsers/tests"))
    yml = parsers / "tests" / PAIR.parent.relative_to("parsers/tests") / "s5735_access.yml"
    yml.write_text(yml.read_text(encoding="utf-8").replace(TEMPLATE, "huawei_unused_ports.textfsm"), encoding="utf-8")
    assert pair_problems(parsers, tmp_path / "ws") == []


def _dedent(block: str) -> str:
    return "\n".join(line[4:] for line in block.splitlines())


def test_a_line_the_own_template_leaves_unexplained_is_named(sample_workspace: Path) -> None:
    raw = sample_workspace / PAIR.with_suffix(".raw")
    raw.write_text("(x9): a legend line nobody wrote a rule for\n" + raw.read_text(encoding="utf-8"), encoding="utf-8")
    assert _problems(sample_workspace) == [
        f"{PAIR.with_suffix('.yml')}: {TEMPLATE} leaves the line '(x9): a legend line nobody wrote a rule for' "
        "unexplained (give it a rule with a literal word or a value)"]
