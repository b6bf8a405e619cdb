"""`netpatrol inventory import` end to end: a real CSV sheet into a workspace from `netpatrol init`."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netpatrol.cli.root import app
from netpatrol.store.open import open_store
from netpatrol.workspace.inventory import load_inventory
from netpatrol.workspace.settings import Workspace

HEADER = "设备名称,管理IP,厂商,型号,序列号,所属单位\n"
ROWS = [
    "bj-core-1,10.1.0.1,华为,S6730-H24X6C,2102351234,北京分局\n",
    "bj-acc-1,10.1.0.2,H3C,S5130S-28S-EI,219801A0,北京分局\n",
    "sh-core-1,10.2.0.1,Cisco,N9K-C93180YC-FX,FDO2301,上海分局\n",
]


def _workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    assert CliRunner().invoke(app, ["init", str(root)]).exit_code == 0
    return root


def _sheet(tmp_path: Path, rows: list[str] = ROWS) -> Path:
    path = tmp_path / "设备台账.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def _digests(root: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((root / "inventory").glob("*.yaml"))}


def _run(*args: str):
    return CliRunner().invoke(app, ["inventory", "import", *args])


@pytest.mark.parametrize(("value", "says"), [
    ("serial", "expected COLUMN=FIELD"),
    ("=serial", "expected COLUMN=FIELD"),
    ("资产编号=serials", "unknown field 'serials' (fields: name, address, vendor"),
])
def test_a_bad_map_is_a_usage_error(tmp_path: Path, value: str, says: str) -> None:
    root = _workspace(tmp_path)
    res = _run(str(tmp_path / "none.csv"), "-w", str(root), "--map", value)
    assert res.exit_code == 2
    assert says in res.output


def test_import_then_inventory_check(tmp_path: Path, monkeypatch) -> None:
    root = _workspace(tmp_path)
    res = _run(str(_sheet(tmp_path)), "-w", str(root))
    assert res.exit_code == 0, res.output
    assert "added 3, changed 0, unchanged 0, sites added 2, refused 0" in res.output
    assert re.search(r"sites added: \S+ \(北京分局\), \S+ \(上海分局\)", res.output)
    assert "Next: netpatrol inventory check" in res.output
    hosts = load_inventory(root, need_secrets=False).hosts
    assert {n: h.platform for n, h in hosts.items() if n != "core-sw1"} == {
        "bj-core-1": "huawei_vrp", "bj-acc-1": "hp_comware", "sh-core-1": "cisco_nxos"}
    assert hosts["bj-core-1"].site == hosts["bj-acc-1"].site != hosts["sh-core-1"].site
    monkeypatch.setenv("NETPATROL_PASSWORD", "x")
    assert CliRunner().invoke(app, ["inventory", "check", "-w", str(root)]).exit_code == 0
    before = _digests(root)
    again = _run(str(_sheet(tmp_path)), "-w", str(root))
    assert again.exit_code == 0 and "added 0, changed 0, unchanged 3" in again.output
    assert "left as they are: bj-core-1, bj-acc-1, sh-core-1\n" in again.output
    assert _digests(root) == before


def test_dry_run_writes_nothing_and_json_has_the_plan(tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    before = _digests(root)
    res = _run(str(_sheet(tmp_path)), "-w", str(root), "--dry-run")
    assert res.exit_code == 0 and "dry run: nothing written" in res.output
    doc = json.loads(_run(str(_sheet(tmp_path)), "-w", str(root), "--dry-run", "--json").stdout)
    assert _digests(root) == before
    assert {"added", "changed", "unchanged", "sites_added", "refused", "file", "sheet", "dry_run", "written"} <= set(doc)
    assert (doc["dry_run"], doc["written"]) == (True, False)
    assert [(a["name"], a["row"]) for a in doc["added"]] == [("bj-core-1", 2), ("bj-acc-1", 3), ("sh-core-1", 4)]
    assert not (root / ".netpatrol" / "import-backup").exists()


def test_refused_rows_exit_1_the_rest_imported(tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    rows = [*ROWS, "odd-1,10.3.0.1,Acme Networks,X-1,,北京分局\n"]
    res = _run(str(_sheet(tmp_path, rows)), "-w", str(root), "--json")
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    assert doc["written"] is True and len(doc["added"]) == 3
    assert [(p["row"], p["column"]) for p in doc["refused"]] == [(5, "C")]
    assert "odd-1" not in load_inventory(root, need_secrets=False).hosts


def test_a_result_that_would_fail_check_exits_2_naming_it(tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    defaults = root / "inventory" / "defaults.yaml"
    defaults.write_text(defaults.read_text(encoding="utf-8").replace("password: ${NETPATROL_PASSWORD}\n", ""), encoding="utf-8")
    groups = root / "inventory" / "groups.yaml"
    groups.write_text(groups.read_text(encoding="utf-8").replace("site-main:\n", "site-main:\n  password: ${NETPATROL_PASSWORD}\n"),
                      encoding="utf-8")
    before = _digests(root)
    res = _run(str(_sheet(tmp_path)), "-w", str(root))
    assert res.exit_code == 2
    assert "host bj-core-1: field 'password' missing credentials" in res.output
    assert _digests(root) == before


def test_busy_while_a_backup_holds_the_lock(tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    before = _digests(root)
    with open_store(Workspace(root)).lock(writing=False):
        res = _run(str(_sheet(tmp_path)), "-w", str(root))
    assert res.exit_code == 75
    assert _digests(root) == before


def test_cell_text_reaches_the_terminal_inert(tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    rows = ["bj-core-1,10.1.0.1,华为,S6730\x1b[2J\u202eXC,2102351234,北京分局\n"]
    res = _run(str(_sheet(tmp_path, rows)), "-w", str(root))
    assert res.exit_code in (0, 1), res.output
    assert "\x1b" not in res.output and "\u202e" not in res.output
    text = (root / "inventory" / "hosts.yaml").read_text(encoding="utf-8")
    assert "password" not in text.split("# imported from")[-1]


def test_a_password_column_refuses_the_import_and_ignore_passes_it_over(tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    path = tmp_path / "with-passwords.csv"
    path.write_text(HEADER.replace("\n", ",登录密码\n") + "".join(r.replace("\n", ",Secr3t!\n") for r in ROWS), encoding="utf-8")
    before = _digests(root)
    res = _run(str(path), "-w", str(root))
    assert res.exit_code == 2 and "never stores passwords" in res.output
    assert _digests(root) == before
    res = _run(str(path), "-w", str(root), "--map", "登录密码=ignore")
    assert res.exit_code == 0, res.output
    assert all("Secr3t!" not in p.read_text(encoding="utf-8") for p in (root / "inventory").glob("*.yaml"))
    assert "Secr3t!" not in res.output


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    res = _run(str(tmp_path / "nope.csv"), "-w", str(root))
    assert res.exit_code == 2 and "nope.csv" in res.output


def test_a_realistic_300_device_ledger(tmp_path: Path, monkeypatch) -> None:
    """The issue's acceptance sheet: title row, merged two-row header, merged unit cells, blank rows,
    totals and notes rows, vendors in Chinese and English; into a fresh workspace, then again."""
    from import_sheets import write_ledger_xlsx

    root = _workspace(tmp_path)
    path = tmp_path / "江川台账.xlsx"
    truth = write_ledger_xlsx(path)
    res = _run(str(path), "-w", str(root), "--json")
    assert res.exit_code == 0, res.output[-2000:]
    doc = json.loads(res.stdout)
    assert doc["sheet"] == "设备台账" and doc["written"] is True and doc["refused"] == []
    assert {a["row"]: a["platform"] for a in doc["added"]} == {t["row"]: t["expected_platform"] for t in truth}
    assert len(doc["sites_added"]) == 10
    monkeypatch.setenv("NETPATROL_PASSWORD", "x")
    check = CliRunner().invoke(app, ["inventory", "check", "-w", str(root)])
    assert check.exit_code == 0, check.output
    hosts = load_inventory(root).hosts
    assert len(hosts) == 301  # and init's example host
    at = {h.hostname: h for h in hosts.values()}
    telnet = [at[t["address"]] for t in truth if t["protocol"].lower() == "telnet"]
    # their 23 is the Telnet port: SSH, tried first, stays on 22
    assert telnet and {(h.port, h.extras.get("telnet_fallback"), h.extras.get("telnet_port")) for h in telnet} == {(22, True, None)}
    before = _digests(root)
    again = json.loads(_run(str(path), "-w", str(root), "--json").stdout)
    assert (len(again["unchanged"]), again["added"], again["changed"], again["written"]) == (300, [], [], False)
    assert _digests(root) == before


def test_a_telnet_row_shows_its_telnet_port(tmp_path: Path, monkeypatch) -> None:
    root = _workspace(tmp_path)
    path = tmp_path / "telnet.csv"
    path.write_text("设备名称,管理IP,厂商,型号,所属单位,登录方式,端口\n"
                    "old-sw,10.9.0.1,H3C,S5130S-28S-EI,北京分局,Telnet,2323\n"
                    "new-sw,10.9.0.2,H3C,S5130S-28S-EI,北京分局,SSH,2222\n", encoding="utf-8")
    res = _run(str(path), "-w", str(root))
    assert res.exit_code == 0, res.output
    assert "10.9.0.1 (Telnet :2323)" in res.output and "10.9.0.2:2222" in res.output
    monkeypatch.setenv("NETPATROL_PASSWORD", "x")
    hosts = load_inventory(root).hosts
    assert (hosts["old-sw"].port, hosts["old-sw"].extras["telnet_port"]) == (22, 2323)
    assert hosts["new-sw"].port == 2222


def test_a_workspace_without_an_inventory_folder_is_told_how_to_make_one(tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    shutil.rmtree(root / "inventory")
    res = _run(str(_sheet(tmp_path)), "-w", str(root))
    assert res.exit_code == 2 and "no inventory/ folder" in res.output and "netpatrol init" in res.output
    assert not (root / "inventory").exists()
