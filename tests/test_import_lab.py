# ruff: noqa: RUF001 - the sheet's Chinese text
"""A device sheet becomes a working inventory, not only a valid file: a Chinese ledger of the sample
workspace's lab devices imported into a fresh `netpatrol init` workspace, then backed up from the lab."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook
from typer.testing import CliRunner

from conftest import REPO, _free_port_on, set_inventory_port
from netpatrol.cli.root import app
from netpatrol.workspace.inventory import load_inventory

pytestmark = pytest.mark.lab

# The vendor cell as people fill it in, from the platform the sample gives the device: the Cisco
# vendor alone would be IOS, the Nexus model makes the NX-OS one.
VENDOR_TEXT = {"huawei_vrp": "华为", "hp_comware": "H3C", "ruijie_os": "锐捷", "cisco_ios": "思科",
               "cisco_nxos": "思科", "arista_eos": "Arista", "juniper_junos": "瞻博"}
TITLE = "江川市水务系统网络设备台账（2026年）"


def _sample() -> tuple[dict[str, dict], dict[str, str]]:
    """The sample's hosts, and each site group's unit name (data.site.name)."""
    hosts = yaml.safe_load((REPO / "inventory" / "hosts.yaml").read_text(encoding="utf-8"))
    groups = yaml.safe_load((REPO / "inventory" / "groups.yaml").read_text(encoding="utf-8"))
    units = {key: body["data"]["site"]["name"] for key, body in groups.items()
             if isinstance((body or {}).get("data", {}).get("site"), dict)}
    lab = yaml.safe_load((REPO / "lab.yaml").read_text(encoding="utf-8"))["devices"]
    return {name: h for name, h in hosts.items() if name in lab}, units


def _write_ledger(path: Path, hosts: dict[str, dict], units: dict[str, str]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    ws["A1"] = TITLE
    ws.merge_cells("A1:H1")
    # Two header rows: 设备信息 and 登录信息 over their columns, the others merged down over both.
    for col, text in {"A": "序号", "B": "设备名称", "G": "所属单位", "H": "采购日期"}.items():
        ws[f"{col}2"] = text
        ws.merge_cells(f"{col}2:{col}3")
    ws["C2"], ws["E2"] = "设备信息", "登录信息"
    ws.merge_cells("C2:D2")
    ws.merge_cells("E2:F2")
    ws["C3"], ws["D3"], ws["E3"], ws["F3"] = "厂商", "型号", "管理IP", "登录方式"
    for i, (name, h) in enumerate(hosts.items(), start=1):
        unit = next(units[g] for g in h["groups"] if g in units)
        bought = h["data"]["purchase_date"]
        ws.append([i, name, VENDOR_TEXT[h["platform"]], h["data"]["model"], h["hostname"], "SSH", unit,
                   dt.datetime(bought.year, bought.month, bought.day)])  # a real Excel date cell
    wb.save(path)


def _np(*args: str):
    return CliRunner().invoke(app, list(args))


def test_a_ledger_of_the_lab_devices_backs_them_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETPATROL_PASSWORD", os.environ.get("NETPATROL_PASSWORD", "lab-test-pw-8f3k"))
    hosts, units = _sample()
    assert len({VENDOR_TEXT[h["platform"]] for h in hosts.values()}) >= 5  # the sample still spans vendors
    sheet = tmp_path / "设备台账.xlsx"
    _write_ledger(sheet, hosts, units)

    root = tmp_path / "ws"
    assert _np("init", str(root)).exit_code == 0
    shutil.copy(REPO / "lab.yaml", root / "lab.yaml")
    hosts_file = root / "inventory" / "hosts.yaml"
    # The example device of `init` goes, as a user starting from a sheet removes it; the comments stay.
    hosts_file.write_text("".join(line for line in hosts_file.read_text(encoding="utf-8").splitlines(keepends=True)
                                  if line.startswith("#")), encoding="utf-8")
    # Each device has its own loopback address; a port free on all of them lets parallel runs each have a lab.
    set_inventory_port(root, _free_port_on(sorted({h["hostname"] for h in hosts.values()})))

    res = _np("inventory", "import", str(sheet), "-w", str(root))
    assert res.exit_code == 0, res.output
    inv = load_inventory(root)
    assert {n: (h.hostname, h.platform) for n, h in inv.hosts.items()} == {
        n: (h["hostname"], h["platform"]) for n, h in hosts.items()}
    sites = {h.site for h in inv.hosts.values()}
    assert len(sites) == 3 and {inv.groups[s].data.site.name for s in sites} == set(units.values())
    assert all(str(h.data.purchase_date) == str(hosts[n]["data"]["purchase_date"]) for n, h in inv.hosts.items())
    check = _np("inventory", "check", "-w", str(root))
    assert check.exit_code == 0, check.output

    try:
        up = _np("lab", "up", "-w", str(root))
        assert up.exit_code == 0, up.output
        backup = _np("backup", "-w", str(root))
        assert backup.exit_code == 0, backup.output
    finally:
        down = _np("lab", "down", "-w", str(root))
    assert down.exit_code == 0, down.output
    files = subprocess.run(["git", "-C", str(root / "backups"), "ls-tree", "-r", "--name-only", "HEAD"],
                           capture_output=True, text=True, check=True).stdout.split()
    configs = sorted(Path(f).stem for f in files if f.endswith(".cfg"))
    assert configs == sorted(hosts)
