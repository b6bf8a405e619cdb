"""The generic row condition: a check over any catalogue item's parsed rows (`rows: <item>`),
validated when the pack is read, evaluated on results the inspection service made from the
lab's recorded outputs."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
import yaml

from netpatrol.checks.engine import CheckContext, evaluate, item_rows
from netpatrol.checks.loader import load_packs, validate_pack_file
from netpatrol.errors import CheckFileError
from netpatrol.inspection.results import InspectionResult
from netpatrol.inspection.service import run_inspection
from netpatrol.workspace.inventory import load_inventory
from netpatrol.workspace.settings import Workspace
from recorded import RecordedCollector, record_workspace

HUAWEI, COMWARE = "east-core-01", "north-acc-02"
TEXT = {"title": {"zh-CN": "行检查", "en": "Row check"}, "recommendation": {"zh-CN": "处理。", "en": "Act."}}
OSPF_NOT_FULL = {
    "id": "ospf_row_not_full", "severity": "major", **TEXT,
    "condition": {"rows": "ospf", "where": [{"path": "state", "op": "not_regex", "value": "^(?i:full)"}],
                  "subject": "neighbor_id"},
    "detail": "{subject}: {value}",
}


def _pack(path: Path, checks: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"checks": checks}, allow_unicode=True), encoding="utf-8")
    return path


def _inspect(ws_root: Path, scratch: Path, edit=None) -> dict[str, InspectionResult]:
    """Results of the Huawei and Comware hosts, inspected from recorded lab outputs."""
    ws = Workspace(ws_root)
    hosts = [h for h in load_inventory(ws_root).hosts.values() if h.name in (HUAWEI, COMWARE)]
    recordings = record_workspace(ws_root, scratch)
    if edit:
        edit(recordings)
    run_inspection(ws, hosts, period="2026Q3", collector=RecordedCollector(recordings), show_progress=False)
    return {h.name: InspectionResult.model_validate(json.loads(next(ws.backups.glob(
        f"inspections/2026Q3/*/{h.name}.json")).read_text(encoding="utf-8"))) for h in hosts}


def _huawei_peer_in_init(recordings) -> None:
    rec = recordings[HUAWEI]
    text = rec.outputs["display ospf peer brief"]
    assert text.count(" Full\n") == 1, text
    rec.outputs["display ospf peer brief"] = text.replace(" Full\n", " Init\n")


def test_a_row_check_fires_once_per_matching_row_with_the_rows_subject(sample_workspace: Path, tmp_path: Path) -> None:
    _pack(sample_workspace / "checks" / "rows.yaml", [OSPF_NOT_FULL])
    results = _inspect(sample_workspace, tmp_path / "rec", _huawei_peer_in_init)
    huawei, comware = results[HUAWEI], results[COMWARE]
    peer = item_rows(huawei, "ospf")[0]
    assert peer["state"] == "Init"
    found = [f for f in huawei.findings if f.check == "ospf_row_not_full"]
    assert [(f.subject, f.value, f.detail_in("en"), f.severity) for f in found] == [
        (peer["neighbor_id"], "Init", f"{peer['neighbor_id']}: Init", "major")]
    # The Comware peer is "Full/DR": the same check, another platform's template, no finding.
    assert item_rows(comware, "ospf")[0]["state"] == "Full/DR"
    assert not [f for f in comware.findings if f.check == "ospf_row_not_full"]


@pytest.fixture
def healthy(sample_workspace: Path, tmp_path: Path) -> dict[str, InspectionResult]:
    return _inspect(sample_workspace, tmp_path / "rec")


def _run(result: InspectionResult, check: dict, previous: InspectionResult | None = None):
    with tempfile.TemporaryDirectory() as d:
        checks = load_packs([], _pack(Path(d) / "checks" / "x.yaml", [check]).parent)
    return evaluate(checks, CheckContext(result=result, previous=previous))


def test_path_and_op_test_each_row_and_the_subject_defaults_to_the_first_column(healthy) -> None:
    huawei = healthy[HUAWEI]
    rows = item_rows(huawei, "unused_ports")  # the sample workspace's own item and template
    assert len(rows) >= 2 and next(iter(rows[0])) == "interface"
    check = {"id": "port_down", "severity": "minor", **TEXT,
             "condition": {"rows": "unused_ports", "path": "protocol", "op": "eq", "value": "down"}}
    found = _run(huawei, check)
    assert [f.subject for f in found] == [r["interface"] for r in rows]
    assert {f.value for f in found} == {"down"}
    check["condition"]["where"] = [{"path": "interface", "op": "regex", "value": r"/0/5$"}]
    assert [f.subject for f in _run(huawei, check)] == [r["interface"] for r in rows if r["interface"].endswith("/0/5")]


def test_aggregate_counts_the_rows_passing_where(healthy) -> None:
    huawei = healthy[HUAWEI]
    n = len(item_rows(huawei, "unused_ports"))
    check = {"id": "many_unused", "severity": "info", **TEXT, "threshold": n,
             "condition": {"rows": "unused_ports", "aggregate": "count", "op": "ge"}}
    assert [(f.value, f.threshold, f.subject) for f in _run(huawei, check)] == [(n, n, None)]
    check["threshold"] = n + 1
    assert _run(huawei, check) == []


def test_new_only_compares_rows_with_the_previous_inspection_by_key(healthy) -> None:
    huawei = healthy[HUAWEI]
    previous = huawei.model_copy(deep=True)
    command = huawei.items["unused_ports"].command
    previous.parsed[command] = previous.parsed[command][1:]  # the first port was not down last quarter
    check = {"id": "newly_unused", "severity": "info", **TEXT,
             "condition": {"rows": "unused_ports", "new_only": True, "subject": "interface"}}
    assert [f.subject for f in _run(huawei, check, previous)] == [item_rows(huawei, "unused_ports")[0]["interface"]]


def test_an_item_not_collected_or_not_parsed_raises_nothing(healthy) -> None:
    comware = healthy[COMWARE]
    assert "unused_ports" not in comware.items  # a Huawei-only item of the sample job
    check = {**OSPF_NOT_FULL, "condition": {**OSPF_NOT_FULL["condition"], "rows": "unused_ports"}}
    assert _run(comware, check) == []


@pytest.mark.parametrize(("condition", "message"), [
    ({"rows": "ospf", "where": [{"path": "state", "op": "not_match", "value": "^Full"}]},
     "field 'condition.where.0.op': Input should be 'gt', 'ge'"),
    ({"rows": "ospf", "where": [{"path": "state", "op": "regex", "value": "(Full"}]},
     "field 'condition.where.0': value: bad regex '(Full'"),
    ({"rows": "ospf", "where": [{"path": "peer.state", "op": "regex", "value": "x"}]},
     "field 'condition': where.0.path: 'peer.state' is not a row column"),
    ({"rows": "ospf", "each": "health.ospf", "path": "state", "op": "eq", "value": "x"},
     "field 'condition': give 'rows' (a catalogue item's parsed rows) or 'each'"),
    ({"rows": "ospf", "path": "state"},
     "field 'condition': give 'path' and 'op' together"),
    ({"rows": "a.b"}, "field 'condition': rows: 'a.b' is not a catalogue item name"),
    ({"rows": "ospf", "subject": "Neighbor"}, "field 'condition': subject: 'Neighbor' is not a row column"),
    ({"rows": "ospf", "path": "state", "op": "regex"}, "operator 'regex' needs 'threshold'"),
])
def test_a_bad_row_condition_is_named_with_file_check_and_field(tmp_path: Path, condition: dict, message: str) -> None:
    path = _pack(tmp_path / "checks" / "rows.yaml", [{**OSPF_NOT_FULL, "condition": condition}])
    problems = validate_pack_file(path)
    assert len(problems) == 1 and problems[0].startswith("checks/rows.yaml: check 'ospf_row_not_full': "), problems
    assert message in problems[0], problems
    with pytest.raises(CheckFileError):
        load_packs([], path.parent)


def _check_problems(ws: Path) -> list[str]:
    from typer.testing import CliRunner

    from netpatrol.cli.root import app

    res = CliRunner().invoke(app, ["inventory", "check", "-w", str(ws), "--json"])
    return json.loads(res.stdout)["problems"]


def test_inventory_check_names_row_columns_no_template_gives(sample_workspace: Path) -> None:
    good = {**OSPF_NOT_FULL, "scope": {"platforms": ["huawei_vrp", "hp_comware"]}}
    _pack(sample_workspace / "checks" / "rows.yaml", [good])
    assert _check_problems(sample_workspace) == []
    typo = {**good, "condition": {**good["condition"], "subject": "neighbour_id"}}
    unknown = {**good, "id": "stack_down", "condition": {"rows": "no_such_item", "path": "state", "op": "eq", "value": "down"}}
    own = {**good, "id": "own_item", "scope": {},
           "condition": {"rows": "unused_ports", "where": [{"path": "speed", "op": "eq", "value": "1"}]}}
    _pack(sample_workspace / "checks" / "rows.yaml", [typo, unknown, own])
    problems = _check_problems(sample_workspace)
    assert len(problems) == 3, problems
    assert problems[0].startswith("checks/rows.yaml: check 'ospf_row_not_full': field 'condition.subject': "
                                  "no template of item 'ospf' gives a column 'neighbour_id' (on huawei_vrp, hp_comware: ")
    assert "neighbor_id" in problems[0] and "state" in problems[0]
    assert problems[1] == ("checks/rows.yaml: check 'stack_down': field 'condition.rows': "
                           "job 'quarterly' collects no item 'no_such_item' on huawei_vrp, hp_comware")
    # The workspace's own item, parsed by its own template (parsers/): its columns are known too.
    assert problems[2] == ("checks/rows.yaml: check 'own_item': field 'condition.where.0.path': no template of item "
                           "'unused_ports' gives a column 'speed' (on huawei_vrp: interface, protocol)")
