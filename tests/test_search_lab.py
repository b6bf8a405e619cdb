"""`search` and `show` on a store the lab's backups wrote: REFs of every kind, sections, filters, JSON.

The history: a pre-change backup of the whole sample lab (`--reason CHG-77`, committed in July
2026 through git's date variables, as a migration would), then east-acc-02 (IOS) gets telnet on
its vty lines and city-agg-01 (Huawei) `protocol inbound all`, and a second backup in November.
north-wan-01 (IOS, weak_security) has allowed telnet all along.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import REPO, LabFactory
from netpatrol.cli.root import app

pytestmark = pytest.mark.lab
runner = CliRunner()

JULY = "2026-07-15T10:00:00+00:00"
NOVEMBER = "2026-11-02T10:00:00+00:00"


def np(ws: Path, *args: str):
    return runner.invoke(app, [*args, "-w", str(ws)])


def git(ws: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(ws / "backups"), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, make_module_lab: LabFactory):
    ws = tmp_path_factory.mktemp("search") / "ws"
    ws.mkdir()
    for name in ("netpatrol.yaml", "lab.yaml"):
        shutil.copy(REPO / name, ws / name)
    for name in ("inventory", "tasks", "checks", "parsers"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, ws / name)
    settings = yaml.safe_load((ws / "netpatrol.yaml").read_text(encoding="utf-8"))
    settings["connection"] = {"conn_timeout": 4, "auth_timeout": 4, "read_timeout": 6, "retries": 0}
    (ws / "netpatrol.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NETPATROL_PASSWORD", os.environ.get("NETPATROL_PASSWORD", "lab-test-pw-8f3k"))
        lab = make_module_lab.from_workspace(ws)
        mp.setenv("GIT_AUTHOR_DATE", JULY)
        mp.setenv("GIT_COMMITTER_DATE", JULY)
        first = np(ws, "backup", "--reason", "CHG-77 telnet on the access layer")
        assert first.exit_code == 0, first.output
        july = git(ws, "rev-parse", "HEAD").strip()
        ios = lab.config("east-acc-02")
        assert "line vty 0 4\n access-class VTY-ACCESS in vrf-also\n exec-timeout 10 0\n transport input ssh\n" in ios
        lab.set_config("east-acc-02", ios.replace(" exec-timeout 10 0\n transport input ssh\nline vty 5 15",
                                                  " exec-timeout 10 0\n transport input telnet ssh\nline vty 5 15", 1))
        vrp = lab.config("city-agg-01")
        assert " protocol inbound ssh\n" in vrp
        lab.set_config("city-agg-01", vrp.replace(" protocol inbound ssh\n", " protocol inbound all\n", 1))
        mp.setenv("GIT_AUTHOR_DATE", NOVEMBER)
        mp.setenv("GIT_COMMITTER_DATE", NOVEMBER)
        second = np(ws, "backup")
        assert second.exit_code == 0, second.output
        yield ws, july, git(ws, "rev-parse", "HEAD").strip()


def hits(ws: Path, *args: str) -> list[dict]:
    res = np(ws, "search", *args, "--json")
    assert res.exit_code in (0, 1), res.output
    return json.loads(res.stdout)


def telnet_vty(ws: Path, *at: str) -> set[str]:
    return {h["host"] for h in hits(ws, r"transport input .*telnet", "--under", "^line vty", *at)}


def test_which_devices_allow_telnet_now_and_at_every_kind_of_ref(world):
    ws, july, november = world
    assert telnet_vty(ws) == {"north-wan-01", "east-acc-02"}
    for ref in (july, july[:8], "2026Q3", "2026-08-01", "CHG-77"):
        assert telnet_vty(ws, "--at", ref) == {"north-wan-01"}, ref
    assert telnet_vty(ws, "--at", november) == telnet_vty(ws, "--at", "2026Q4") == {"north-wan-01", "east-acc-02"}


def test_json_is_a_list_of_the_five_fields_with_the_stored_line(world):
    ws, _july, _november = world
    rows = hits(ws, r"transport input telnet", "--host", "east-acc-02")
    assert rows and all(set(r) == {"host", "site", "platform", "line_no", "line"} for r in rows)
    row = rows[0]
    assert (row["host"], row["site"], row["platform"]) == ("east-acc-02", "jc-east", "cisco_ios")
    stored = (ws / "backups/configs/jc-east/east-acc-02.cfg").read_text(encoding="utf-8").split("\n")
    assert stored[row["line_no"] - 1] == row["line"] == " transport input telnet ssh"


def test_under_huawei_user_interface_vty(world):
    ws, july, _november = world
    now = hits(ws, "^ protocol inbound", "--under", "^user-interface vty", "--platform", "huawei_vrp")
    assert {h["host"]: h["line"] for h in now} == {"city-agg-01": " protocol inbound all",
                                                  "north-core-01": " protocol inbound ssh",
                                                  "east-core-01": " protocol inbound ssh"}
    # `authentication-mode` is under the console too: --under keeps only the vty's.
    every = hits(ws, "authentication-mode", "--host", "city-agg-01")
    vty = hits(ws, "authentication-mode", "--host", "city-agg-01", "--under", "^user-interface vty")
    assert len(every) > len(vty) == 1
    assert hits(ws, "protocol inbound all", "--at", july) == []


def test_under_nested_and_case_insensitive_on_junos(world):
    ws, _july, _november = world
    rows = hits(ws, "^ +ssh", "--under", r"^\s+SERVICES", "-i", "--platform", "juniper_junos")
    assert {r["host"] for r in rows} == {"city-wan-01", "east-wan-01"}
    assert hits(ws, "^ +ssh", "--under", r"^\s+SERVICES", "--platform", "juniper_junos") == []


def test_text_output_groups_by_device_with_grep_marks_and_context(world):
    ws, _july, _november = world
    res = np(ws, "search", "transport input telnet", "-C", "1", "--site", "jc-east")
    assert res.exit_code == 0, res.output
    text = res.stdout
    assert "east-acc-02  jc-east  cisco_ios  configs/jc-east/east-acc-02.cfg" in text
    assert "north-wan-01" not in text  # --site
    stored = (ws / "backups/configs/jc-east/east-acc-02.cfg").read_text(encoding="utf-8").split("\n")
    n = stored.index(" transport input telnet ssh") + 1
    assert f"{n - 1}-  exec-timeout 10 0\n{n}:  transport input telnet ssh\n{n + 1}- line vty 5 15\n" in text
    assert "1 matching line on 1 of the 5 stored configs of the 5 selected devices" in res.stderr


def test_no_match_is_exit_1_and_filters_select(world):
    ws, _july, _november = world
    res = np(ws, "search", "no-such-line-anywhere")
    assert res.exit_code == 1 and res.stdout == ""
    assert hits(ws, "no-such-line-anywhere") == []
    assert {h["host"] for h in hits(ws, "^hostname ", "--group", "jc-north")} == {"north-wan-01", "north-acc-01"}
    res = np(ws, "search", "x", "--host", "nosuch")
    assert res.exit_code == 2 and "unknown host(s): nosuch" in res.output


def test_bad_regex_and_bad_ref_exit_2(world):
    ws, _july, _november = world
    res = np(ws, "search", "transport (input")
    assert res.exit_code == 2
    assert "REGEX 'transport (input' is not a valid Python regular expression: missing ), unterminated subpattern" \
        in " ".join(res.output.split())
    res = np(ws, "search", "x", "--under", "[vty")
    assert res.exit_code == 2 and "--under '[vty' is not a valid" in res.output
    res = np(ws, "search", "x", "--at", "2019-01-01")
    assert res.exit_code == 2 and "no backup at or before '2019-01-01'" in res.output


def test_show_as_of_a_ref(world):
    ws, july, _november = world
    now = np(ws, "show", "east-acc-02")
    assert now.exit_code == 0
    assert now.stdout == (ws / "backups/configs/jc-east/east-acc-02.cfg").read_text(encoding="utf-8")
    for ref in ("CHG-77", "2026Q3", july):
        before = np(ws, "show", "east-acc-02", "--at", ref)
        assert before.exit_code == 0, before.output
        assert before.stdout == git(ws, "show", f"{july}:configs/jc-east/east-acc-02.cfg")
        assert "transport input telnet" not in before.stdout and "transport input telnet" in now.stdout


def test_show_a_host_with_nothing_stored_at_the_ref_names_it(world):
    ws, _july, _november = world
    first = git(ws, "rev-list", "--max-parents=0", "HEAD").strip()  # the store's initial commit
    res = np(ws, "show", "east-acc-02", "--at", first)
    assert res.exit_code == 2
    assert f"east-acc-02: no stored config at '{first}' ({first[:10]})" in " ".join(res.output.split())
