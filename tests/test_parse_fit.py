"""Several templates per command: the one that accounts for the output wins, and nothing is silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from netpatrol.inspection.capture import catalogue_item, parse_capture
from netpatrol.inspection.fit import significant_lines
from netpatrol.inspection.parsing import candidates, parse

PAIRS = Path(__file__).resolve().parent / "parsers"

# Two layouts of one command, as two families print it.
SLOT_TABLE = """\
Value SLOT (\\d+)
Value FAN (\\d+)
Value STATUS (\\S+)

Start
  ^Slot\\s+FanID\\s+Status\\s*$$
  ^${SLOT}\\s+${FAN}\\s+${STATUS}\\s*$$ -> Record
"""
KEY_VALUE = """\
Value Filldown SLOT (\\d+)
Value Required FAN (\\d+)
Value STATUS (\\S+)

Start
  ^Slot\\s*:\\s*${SLOT}\\s*$$
  ^\\s*FAN\\s+${FAN}\\s+State\\s*:\\s*${STATUS}\\s*$$ -> Record
  ^No fan is present\\s*$$
"""
STRICT = """\
Value FAN (\\d+)

Start
  ^FAN ${FAN}\\s*$$ -> Record
  ^. -> Error
"""
SLOT_OUTPUT = "Slot  FanID  Status\n----------------------\n1     1      Normal\n1     2      Abnormal\n"
KV_OUTPUT = "Slot : 1\n  FAN 1  State : Normal\n  FAN 2  State : Fault\n"


@pytest.fixture
def parsers(tmp_path: Path) -> Path:
    d = tmp_path / "parsers"
    d.mkdir()
    (d / "t_slot.textfsm").write_text(SLOT_TABLE, encoding="utf-8")
    (d / "t_kv.textfsm").write_text(KEY_VALUE, encoding="utf-8")
    (d / "t_strict.textfsm").write_text(STRICT, encoding="utf-8")
    (d / "index").write_text(
        "Template, Hostname, Platform, Command\n\n"
        "t_strict.textfsm, .*, huawei_vrp, di[[splay]] fan$\n"
        "t_slot.textfsm, .*, huawei_vrp, di[[splay]] fan$\n"
        "t_kv.textfsm, .*, huawei_vrp, di[[splay]] fan$\n", encoding="utf-8")
    return d


def test_every_matching_row_is_a_candidate_workspace_first(parsers: Path):
    names = [p.name for p in candidates("huawei_vrp", "display fan", [parsers])]
    assert names[:3] == ["t_strict.textfsm", "t_slot.textfsm", "t_kv.textfsm"]
    assert "huawei_vrp_display_fan.textfsm" in names  # the platform's own come after


@pytest.mark.parametrize(("text", "winner", "rows"), [
    (SLOT_OUTPUT, "t_slot.textfsm", [{"slot": "1", "fan": "1", "status": "Normal"}, {"slot": "1", "fan": "2", "status": "Abnormal"}]),
    (KV_OUTPUT, "t_kv.textfsm", [{"slot": "1", "fan": "1", "status": "Normal"}, {"slot": "1", "fan": "2", "status": "Fault"}]),
])
def test_the_candidate_that_explains_the_layout_wins(parsers: Path, text: str, winner: str, rows: list[dict]):
    outcome = parse("huawei_vrp", "display fan", text, [parsers])
    assert (outcome.status, Path(outcome.template).name, outcome.rows) == ("parsed", winner, rows)
    assert outcome.unexplained is None
    assert outcome.explained == outcome.significant


def test_most_lines_explained_wins_when_none_explains_all(parsers: Path):
    text = KV_OUTPUT + "  FAN 3  Speed : 40%\n"
    outcome = parse("huawei_vrp", "display fan", text, [parsers])
    assert Path(outcome.template).name == "t_kv.textfsm"
    assert (outcome.status, outcome.unexplained) == ("parsed", "FAN 3  Speed : 40%")


def test_prefer_is_tried_first_but_a_better_fit_still_wins(parsers: Path):
    kv = parse("huawei_vrp", "display fan", KV_OUTPUT, [parsers], prefer="t_kv.textfsm")
    assert kv.candidates[0] == "t_kv.textfsm"
    assert Path(kv.template).name == "t_kv.textfsm"
    changed = parse("huawei_vrp", "display fan", SLOT_OUTPUT, [parsers], prefer="t_kv.textfsm")
    assert Path(changed.template).name == "t_slot.textfsm"


def test_content_no_template_reads_is_unrecognised_with_its_first_line(parsers: Path):
    text = "Fan tray status is unknown to every layout\nrotor 1 speed 3000\n"
    outcome = parse("huawei_vrp", "display fan", text, [parsers])
    assert outcome.status == "unrecognised"
    assert outcome.unexplained == "Fan tray status is unknown to every layout"
    assert outcome.rows == []


def test_a_known_none_message_is_empty_not_unrecognised(parsers: Path):
    outcome = parse("huawei_vrp", "display fan", "No fan is present\n", [parsers])
    assert (outcome.status, Path(outcome.template).name) == ("empty", "t_kv.textfsm")
    assert parse("huawei_vrp", "display fan", "\n  \n----\n", [parsers]).status == "empty"


def test_every_candidate_failing_is_a_parse_error(tmp_path: Path):
    (tmp_path / "t_strict.textfsm").write_text(STRICT, encoding="utf-8")
    (tmp_path / "index").write_text("Template, Hostname, Platform, Command\n\n"
                                    "t_strict.textfsm, .*, huawei_vrp, di[[splay]] stp b[[rief]]$\n", encoding="utf-8")
    outcome = parse("huawei_vrp", "display stp brief", "garbage line\n", [tmp_path])
    assert outcome.status == "parse_error"
    assert outcome.unexplained == "garbage line"


def test_output_no_builtin_layout_knows_is_unrecognised():
    # The built-in templates leave an unknown line unexplained instead of aborting on it.
    outcome = parse("huawei_vrp", "display cpu-usage", "garbage line\n")
    assert (outcome.status, outcome.unexplained) == ("unrecognised", "garbage line")


def test_echo_prompts_and_separators_need_no_explaining():
    text = "<HUAWEI>display fan\n[HUAWEI]\nrouter1# dis fan\n{master}\n-----\n\nSlot 1\n"
    lines = text.splitlines()
    assert [lines[i] for i in significant_lines(text, "display fan")] == ["Slot 1"]


def test_parse_capture_runs_the_items_normaliser(parsers: Path):
    assert catalogue_item("huawei_vrp", "display  fan") == "fans"
    assert catalogue_item("huawei_vrp", "display stp brief") is None
    got = parse_capture("huawei_vrp", "display fan", KV_OUTPUT, [parsers])
    assert (got["item"], got["status"], got["template"]) == ("fans", "parsed", "t_kv.textfsm")
    assert [f["status"] for f in got["health"]["fans"]] == ["ok", "failed"]
    assert set(got) >= {"platform", "command", "status", "template", "rows", "facts", "health"}


def test_exec_prompt_timestamp_lines_do_not_hide_the_layout():
    pair = PAIRS / "cisco_ios" / "show_processes_cpu_sorted" / "genie_iosxe_cores.raw"
    text = pair.read_text(encoding="utf-8")
    plain = parse("cisco_ios", "show processes cpu sorted", text)
    stamped = ("Load for five secs: 3%/0%; one minute: 2%; five minutes: 2%\n"
               "Time source is NTP, *14:31:46.123 UTC Tue Mar 1 2022\n\n" + text)
    got = parse("cisco_ios", "show processes cpu sorted", stamped)
    assert plain.status == "parsed"
    assert (got.status, got.rows, got.template) == (plain.status, plain.rows, plain.template)
    # Only the top of an output is the timestamp; the same words further down are content.
    tail = text.rstrip("\n") + "\nTime source is NTP, 14:31:46 UTC Tue Mar 1 2022\n"
    assert parse("cisco_ios", "show processes cpu sorted", tail).unexplained == "Time source is NTP, 14:31:46 UTC Tue Mar 1 2022"
