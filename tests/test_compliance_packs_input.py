"""Loading compliance packs: built-in packs merged with the platform folders' parts, workspace packs
adding and overriding rules, and every bad input named by file, line, pack, rule and field
(exit 2 through `inventory check`)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import netpatrol.platforms as platforms_pkg
from netpatrol.cli.root import app
from netpatrol.compliance import loader
from netpatrol.compliance.evaluate import evaluate
from netpatrol.compliance.loader import ComplianceError, load_packs
from netpatrol.errors import UsageError, WorkspaceError
from netpatrol.platforms import PLATFORMS

BUILTIN = """\
pack: base
title: {zh-CN: 基线, en: Baseline}
rules:
  - id: vty-idle
    title: {zh-CN: 空闲超时, en: Idle timeout}
    category: identity
    clause: "8.1.4.1 b)"
    severity: major
  - id: no-telnet
    title: {zh-CN: 关闭 telnet, en: No telnet}
    category: access_control
    clause: "8.1.4.2 a)"
    severity: critical
"""
IOS_PART = """\
base:
  vty-idle:
    conditions:
      - under: ['^line vty']
        value: {line: '^exec-timeout (?P<minutes>\\d+)(?: (?P<seconds>\\d+))?', op: le, threshold: 10, unit: minutes, default: 10}
    remediation: ['line vty 0 4', ' exec-timeout 10 0']
  no-telnet:
    conditions: [{under: ['^line vty'], absent: 'telnet'}]
"""
VRP_PART = """\
base:
  vty-idle:
    conditions:
      - under: ['^user-interface vty']
        value: {line: '^idle-timeout (?P<minutes>\\d+)(?: (?P<seconds>\\d+))?', op: le, threshold: 10, unit: minutes, default: 10}
  no-telnet: null
"""


@pytest.fixture
def builtin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """A built-in pack and two platform folders' compliance.yaml, in place of the shipped ones."""
    packs = tmp_path / "builtin"
    packs.mkdir()
    (packs / "base.yaml").write_text(BUILTIN, encoding="utf-8")
    monkeypatch.setattr(loader, "BUILTIN_DIR", packs)
    folders: dict[str, Any] = {}
    parts = {"cisco_ios": IOS_PART, "huawei_vrp": VRP_PART}
    for name in PLATFORMS:
        folder = tmp_path / "platforms" / name
        folder.mkdir(parents=True)
        text = parts.get(name, "")
        (folder / "compliance.yaml").write_text(text, encoding="utf-8")
        folders[name] = SimpleNamespace(folder=folder, compliance=yaml.safe_load(text) or {})
    monkeypatch.setattr(platforms_pkg, "PLATFORMS", folders)
    ws = tmp_path / "ws"
    (ws / "compliance").mkdir(parents=True)
    return SimpleNamespace(ws=SimpleNamespace(compliance_dir=ws / "compliance"), root=tmp_path, folders=folders)


def write(b: SimpleNamespace, text: str, name: str = "site.yaml") -> Path:
    path = b.ws.compliance_dir / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(b: SimpleNamespace) -> str:
    with pytest.raises(ComplianceError) as caught:
        load_packs(b.ws)
    assert isinstance(caught.value, WorkspaceError)
    return str(caught.value)


def test_builtin_pack_gets_its_platform_parts_from_the_platform_folders(builtin: SimpleNamespace) -> None:
    (base,) = load_packs(None)
    rules = {r.id: r for r in base.rules}
    assert set(rules["vty-idle"].platforms) == {"cisco_ios", "huawei_vrp"}
    assert rules["no-telnet"].platforms["huawei_vrp"] is None
    assert rules["vty-idle"].platforms["cisco_ios"].remediation == ["line vty 0 4", " exec-timeout 10 0"]


def test_workspace_overrides_a_rule_by_id_and_adds_rules_and_packs(builtin: SimpleNamespace) -> None:
    write(builtin, """\
        pack: base
        rules:
          - id: vty-idle
            severity: critical
            platforms:
              cisco_ios:
                conditions:
                  - under: ['^line vty']
                    value: {line: '^exec-timeout (?P<minutes>\\d+)', op: le, threshold: 5, unit: minutes, default: 10}
          - id: site-ntp
            title: {zh-CN: 本单位 NTP, en: Site NTP}
            category: ntp
            clause: "8.1.4.3 b)"
            severity: minor
            platforms:
              cisco_ios: {conditions: [{present: '^ntp server 192\\.0\\.2\\.1$'}]}
        """)
    write(builtin, """\
        pack: own
        title: {zh-CN: 自有, en: Own}
        rules: []
        """, "own.yaml")
    packs = {p.pack: p for p in load_packs(builtin.ws)}
    assert set(packs) == {"base", "own"}
    rules = {r.id: r for r in packs["base"].rules}
    vty = rules["vty-idle"]
    assert vty.severity == "critical" and vty.title.en == "Idle timeout" and vty.clause == "8.1.4.1 b)"
    assert vty.platforms["cisco_ios"].conditions[0].value.threshold == 5
    assert vty.platforms["huawei_vrp"] is not None  # the other platform keeps the built-in part
    assert list(rules) == ["vty-idle", "no-telnet", "site-ntp"]
    res = {r.rule: r.status for r in evaluate([packs["base"]], host="h", site="s", platform="cisco_ios",
                                               config="line vty 0 4\n exec-timeout 8 0\nntp server 192.0.2.1\n", backup=None)}
    assert res == {"vty-idle": "fail", "no-telnet": "pass", "site-ntp": "pass"}
    assert [p.pack for p in load_packs(builtin.ws, ["own"])] == ["own"]


def test_an_unknown_pack_name_is_a_usage_error_listing_the_known(builtin: SimpleNamespace) -> None:
    with pytest.raises(UsageError) as caught:
        load_packs(builtin.ws, ["bsae"])
    assert "unknown compliance pack 'bsae'" in str(caught.value) and "did you mean 'base'" in str(caught.value)
    assert "known: base" in str(caught.value)


NEW_RULE = """\
pack: base
rules:
  - id: r1
    title: {{zh-CN: 规则, en: Rule}}
    category: other
    clause: "x"
    severity: minor
{extra}    platforms:
      cisco_ios:
{part}"""


def bad(b: SimpleNamespace, part: str, extra: str = "") -> str:
    write(b, NEW_RULE.format(part=textwrap.indent(textwrap.dedent(part), " " * 8), extra=extra))
    return problems(b)


def assert_names(msg: str, line: int | None, field: str, *words: str, rule: str = "r1") -> None:
    assert msg.count("\n") == 0, msg  # one problem, one line
    assert msg.startswith("compliance/site.yaml: "), msg
    if line is not None:
        assert f": line {line}: " in msg, msg
    assert "pack 'base'" in msg and f"rule '{rule}'" in msg and f"field '{field}'" in msg, msg
    for w in words:
        assert w in msg, msg


def test_unknown_platform_names_the_registered_ones_and_the_closest(builtin: SimpleNamespace) -> None:
    write(builtin, NEW_RULE.format(extra="", part="        conditions: [{present: x}]\n").replace("cisco_ios:", "cisco_iso:"))
    assert_names(problems(builtin), 9, "platforms.cisco_iso", "unknown platform 'cisco_iso'",
                 "did you mean 'cisco_ios'", ", ".join(sorted(PLATFORMS)))


@pytest.mark.parametrize(("part", "line", "field"), [
    ("applies_if: '(('\nconditions: [{present: x}]\n", 10, "platforms.cisco_ios.applies_if"),
    ("conditions:\n  - under: ['^line vty[']\n    present: x\n", 11, "platforms.cisco_ios.conditions.0.under.0"),
    ("conditions:\n  - present: x\n  - present: 'a(b'\n", 12, "platforms.cisco_ios.conditions.1.present"),
    ("conditions:\n  - absent: '*x'\n", 11, "platforms.cisco_ios.conditions.0.absent"),
    ("conditions:\n  - value: {line: '^x (?P<value>\\d+', op: le, threshold: 1}\n", 11,
     "platforms.cisco_ios.conditions.0.value.line"),
])
def test_every_regex_field_that_does_not_compile_is_named(builtin: SimpleNamespace, part: str, line: int, field: str) -> None:
    assert_names(bad(builtin, part), line, field, "bad regex")


@pytest.mark.parametrize(("value", "field", "words"), [
    ("{line: '^exec-timeout (\\d+)', op: le, threshold: 10}", "value.line", "needs a named group"),
    ("{line: '^t (?P<minutes>\\d+)', op: le, threshold: 10}", "value.unit", "say which unit"),
    ("{line: '^c (?P<value>\\S+)', op: not_in, threshold: public}", "value.threshold", "needs a list"),
    ("{line: '^c (?P<value>\\S+)', op: le, threshold: [a, b]}", "value.threshold", "a list goes with op 'in' or 'not_in'"),
    ("{line: '^c (?P<value>\\S+)', op: ge, threshold: abc}", "value.threshold", "is not a number"),
    ("{line: '^c (?P<value>\\S+)', op: le, threshold: {a: 1}}", "value.threshold", "expected a number or a string"),
    ("{line: '^c (?P<value>\\S+)', op: below, threshold: 1}", "value.op", "'le'"),
    ("{line: '^c (?P<value>\\S+)', op: le, threshold: 1, unit: weeks}", "value.unit", "'minutes'"),
])
def test_value_tests_that_cannot_work_are_named(builtin: SimpleNamespace, value: str, field: str, words: str) -> None:
    assert_names(bad(builtin, f"conditions:\n  - value: {value}\n"), 11,
                 f"platforms.cisco_ios.conditions.0.{field}", words)


def test_saved_needs_at_backup_and_conditions_need_one_kind(builtin: SimpleNamespace) -> None:
    assert_names(bad(builtin, "conditions: [{saved: true}]\n"), None, "platforms.cisco_ios.conditions.0.saved",
                 "at_backup: true")
    write(builtin, NEW_RULE.format(extra="    at_backup: true\n", part="        conditions: [{saved: true}]\n"))
    assert load_packs(builtin.ws)  # the same condition in a backup-time rule is fine
    assert_names(bad(builtin, "conditions: [{present: a, absent: b}]\n"), None, "platforms.cisco_ios.conditions.0",
                 "exactly one of present, absent, value, saved, any_of, all_of (has present, absent)")


@pytest.mark.parametrize(("part", "line", "field", "words"), [
    ("conditions:\n  - any_of:\n      - present: a\n      - all_of: [{absent: '(('}]\n", 13,
     "platforms.cisco_ios.conditions.0.any_of.1.all_of.0.absent", "bad regex"),
    ("conditions:\n  - all_of: [{present: a, frob: 1}]\n", 11,
     "platforms.cisco_ios.conditions.0.all_of.0.frob", "unknown field (known here: under, present, absent"),
    ("conditions:\n  - any_of: [{present: a}]\n    under: ['^line']\n", None,
     "platforms.cisco_ios.conditions.0.under", "goes on the conditions inside any_of"),
    ("conditions:\n  - any_of: []\n", 11, "platforms.cisco_ios.conditions.0.any_of", "at least 1"),
    ("conditions:\n  - {present: a, sections: any}\n", None, "platforms.cisco_ios.conditions.0.sections",
     "needs `under`"),
    ("conditions:\n  - {under: ['^x'], present: a, sections: some}\n", 11,
     "platforms.cisco_ios.conditions.0.sections", "'every' or 'any'"),
])
def test_nested_conditions_and_sections_problems_are_named(builtin: SimpleNamespace, part: str, line: int | None,
                                                           field: str, words: str) -> None:
    assert_names(bad(builtin, part), line, field, words)


def test_unknown_fields_are_named_with_the_known_ones(builtin: SimpleNamespace) -> None:
    assert_names(bad(builtin, "conditions: [{present: a, undr: ['^x']}]\n"), 10,
                 "platforms.cisco_ios.conditions.0.undr", "unknown field", "under, present, absent")
    assert_names(bad(builtin, "conditions: [{present: a}]\nfix: [x]\n"), 11, "platforms.cisco_ios.fix",
                 "unknown field", "applies_if, match, conditions, remediation")
    assert_names(bad(builtin, "conditions: [{present: a}]\n", extra="    clasue: x\n"), 8, "clasue",
                 "unknown field", "clause")


def test_missing_titles_are_named(builtin: SimpleNamespace) -> None:
    write(builtin, NEW_RULE.format(extra="", part="        conditions: [{present: a}]\n").replace(
        "    title: {zh-CN: 规则, en: Rule}\n", "    title: {en: Rule}\n"))
    assert_names(problems(builtin), 4, "title.zh-CN", "missing")
    write(builtin, NEW_RULE.format(extra="", part="        conditions: [{present: a}]\n").replace(
        "    title: {zh-CN: 规则, en: Rule}\n", ""))
    assert_names(problems(builtin), 3, "title", "missing")
    write(builtin, "pack: fresh\nrules: []\n")
    msg = problems(builtin)
    assert msg.startswith("compliance/site.yaml: line 1: pack 'fresh': field 'title': missing"), msg


def test_a_mistyped_override_or_pack_name_says_what_was_probably_meant(builtin: SimpleNamespace) -> None:
    write(builtin, "pack: base\nrules:\n  - {id: vty-idel, severity: critical}\n")
    msg = problems(builtin)
    assert "compliance/site.yaml: line 3: pack 'base': rule 'vty-idel': field 'title': missing (a new rule needs it; " \
           "to override a rule of 'base' use its id; did you mean 'vty-idle'?)" in msg, msg
    write(builtin, "pack: bsae\nrules: []\n")
    assert problems(builtin) == ("compliance/site.yaml: line 1: pack 'bsae': field 'title': "
                                 "missing (a new pack needs it; did you mean 'base'?)")


def test_duplicate_rule_ids_in_one_file_and_across_files(builtin: SimpleNamespace) -> None:
    rule = NEW_RULE.format(extra="", part="        conditions: [{present: a}]\n")
    write(builtin, rule + rule.split("rules:\n", 1)[1])
    assert_names(problems(builtin), 11, "id", "duplicate rule id (first at line 3)")
    write(builtin, rule)
    write(builtin, "pack: base\nrules:\n  - {id: r1, severity: info}\n", "zz.yaml")
    msg = problems(builtin)
    assert msg.startswith("compliance/zz.yaml: line 3: pack 'base': rule 'r1': field 'id': also defined in compliance/site.yaml"), msg


def test_a_platform_folder_entry_for_a_rule_or_pack_the_packs_lack(builtin: SimpleNamespace) -> None:
    path = builtin.folders["cisco_ios"].folder / "compliance.yaml"
    text = IOS_PART + "  vty-idel:\n    conditions: [{present: a}]\nnopack:\n  x: null\n"
    path.write_text(text, encoding="utf-8")
    builtin.folders["cisco_ios"].compliance = yaml.safe_load(text)
    msg = problems(builtin)
    assert ("platforms/cisco_ios/compliance.yaml: line 9: pack 'base': rule 'vty-idel': "
            "the pack has no rule 'vty-idel'; did you mean 'vty-idle'?") in msg, msg
    assert "platforms/cisco_ios/compliance.yaml: line 11: pack 'nopack': no built-in pack of that name (built-in: base)" in msg, msg


def test_a_bad_platform_folder_part_names_its_file_and_field(builtin: SimpleNamespace) -> None:
    path = builtin.folders["huawei_vrp"].folder / "compliance.yaml"
    text = VRP_PART.replace("op: le", "op: le, frob: 1")
    path.write_text(text, encoding="utf-8")
    builtin.folders["huawei_vrp"].compliance = yaml.safe_load(text)
    msg = problems(builtin)
    assert msg.startswith("platforms/huawei_vrp/compliance.yaml: line 5: pack 'base': rule 'vty-idle': "
                          "field 'conditions.0.value.frob': unknown field"), msg


def test_yaml_errors_name_file_and_line(builtin: SimpleNamespace) -> None:
    write(builtin, "pack: base\nrules:\n  - id: r1\n    id: r2\n")
    assert problems(builtin) == "compliance/site.yaml: line 4: duplicate key 'id' (first at line 3)"
    write(builtin, "pack: base\nrules: [\n")
    assert problems(builtin).startswith("compliance/site.yaml: line 3: not valid YAML")


# --- the workspace template --------------------------------------------------------------------------


def test_init_gives_an_example_that_inventory_check_accepts_and_a_broken_one_exit_2(tmp_path: Path,
                                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETPATROL_PASSWORD", "x")
    ws = tmp_path / "ws"
    assert CliRunner().invoke(app, ["init", str(ws)]).exit_code == 0
    example = ws / "compliance" / "site-baseline.yaml"
    assert example.is_file() and example.read_text(encoding="utf-8").startswith("# ")
    if not (loader.BUILTIN_DIR / "dengbao-l3.yaml").is_file():
        pytest.skip("the example overrides the built-in dengbao-l3 pack, which this checkout does not ship yet")
    res = CliRunner().invoke(app, ["inventory", "check", "-w", str(ws)])
    assert res.exit_code == 0, res.output
    packs = {p.pack: p for p in load_packs(SimpleNamespace(compliance_dir=ws / "compliance"))}
    rules = {r.id: r for r in packs["dengbao-l3"].rules}
    assert "site-log-server" in rules and rules["vty-idle-timeout"].title.en.endswith("5 minutes")
    text = example.read_text(encoding="utf-8").replace("'^user-interface vty'", "'^user-interface vty['")
    example.write_text(text, encoding="utf-8")
    line = text[: text.index("vty['")].count("\n") + 1
    res = CliRunner().invoke(app, ["inventory", "check", "-w", str(ws)])
    assert res.exit_code == 2, res.output
    assert f"compliance/site-baseline.yaml: line {line}: pack 'dengbao-l3': rule 'vty-idle-timeout': field " \
           "'platforms.huawei_vrp.conditions.0.under.0': bad regex" in res.output, res.output


def test_inventory_check_reports_a_bad_workspace_pack_with_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETPATROL_PASSWORD", "x")
    ws = tmp_path / "ws"
    assert CliRunner().invoke(app, ["init", str(ws)]).exit_code == 0
    (ws / "compliance" / "site-baseline.yaml").unlink()
    (ws / "compliance" / "mine.yaml").write_text(
        "pack: mine\ntitle: {zh-CN: 我的, en: Mine}\nrules:\n  - id: r\n    title: {zh-CN: 规则, en: Rule}\n"
        "    category: other\n    clause: x\n    severity: minor\n    platforms:\n      huawei_vrp:\n"
        "        conditions: [{present: '(('}]\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["inventory", "check", "-w", str(ws)])
    assert res.exit_code == 2, res.output
    assert "compliance/mine.yaml: line 11: pack 'mine': rule 'r': field 'platforms.huawei_vrp.conditions.0.present': " \
           "bad regex '((':" in res.output, res.output


def test_a_rule_without_a_clause_must_be_an_inspection_sheet_item(builtin: SimpleNamespace) -> None:
    no_clause = NEW_RULE.format(extra="", part="        conditions: [{present: a}]\n").replace('    clause: "x"\n', "")
    write(builtin, no_clause)
    assert_names(problems(builtin), 3, "clause", "missing", "checklist: true")
    write(builtin, no_clause.replace("    severity: minor\n", "    severity: minor\n    checklist: true\n"))
    (base,) = load_packs(builtin.ws)
    r1 = next(r for r in base.rules if r.id == "r1")
    assert r1.clause is None and r1.checklist
