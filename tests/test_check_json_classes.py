"""`inventory check --json` for every class of problem: one JSON document, exit 2, each problem
naming its file exactly once at its start."""

from __future__ import annotations

import json

import pytest

from test_hostile_input import _env, invoke, workspace  # noqa: F401

CASES = {
    "netpatrol.yaml": {"netpatrol.yaml": "client: [x]\n"},
    "netpatrol.yaml ": {"netpatrol.yaml": "client: 'x\n"},
    "inventory/hosts.yaml": {"inventory/hosts.yaml": "a: [\n"},
    "tasks/quarterly.yaml": {"tasks/quarterly.yaml": "name: [\n"},
    "tasks/quarterly.yaml ": {"tasks/quarterly.yaml": "name: quarterly\nplatforms: {cisco_ios: {version: ['write memory']}}\n"},
    "checks/x.yaml": {"checks/x.yaml": "- id: BAD\n"},
    "lab.yaml": {"lab.yaml": "devices: 5\n"},
    "reports/templates/report.md.j2": {"reports/templates/report.md.j2": "{{ x\n"},
    "inventory/defaults.yaml": {"inventory/defaults.yaml": "username: u\npassword: ${NP_UNSET_VAR_RED2}\n"},
}


@pytest.mark.parametrize("file", list(CASES))
def test_every_problem_class_is_json_naming_its_file_once(tmp_path, file):
    ws = workspace(tmp_path, raw=CASES[file])
    res = invoke("inventory", "check", "--json", "-w", str(ws))
    assert res.exit_code == 2, res.output
    doc = json.loads(res.output)
    assert doc["valid"] is False and doc["problems"]
    for problem in doc["problems"]:
        text = problem if isinstance(problem, str) else json.dumps(problem, ensure_ascii=False)
        assert text.startswith(file.strip()) or file.strip() in text
        assert text.count(f"{file.strip()}:") <= 1, text
