# ruff: noqa: RUF001 - Chinese headers and notes, full-width punctuation included
"""`read_table`: device sheets as people keep them (tests/import_sheets.py) read into rows with the
sheet's own row numbers; whatever stops the whole import is one ImportInputError naming the file."""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from import_sheets import write_ledger_csv, write_ledger_xlsx
from netpatrol.inventory_import.model import ImportInputError
from netpatrol.inventory_import.table import read_table
from netpatrol.inventory_import.xlsx_rows import MAX_BLANK


def _expected(truth_row: dict[str, Any]) -> dict[str, str]:
    return {k: v for k, v in truth_row.items() if k not in ("row", "expected_platform")}


def _sheet(path: Path, rows: list[list[Any]], title: str = "设备") -> Path:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = title
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def test_the_300_device_ledger_reads_to_exactly_its_truth(tmp_path: Path) -> None:
    path = tmp_path / "台账.xlsx"
    truth = write_ledger_xlsx(path, 300, seed=7)
    table = read_table(path)
    assert table.sheet == "设备台账"  # the cover sheet 说明 passed over
    assert table.header_rows == [3, 4]  # the title rows 1-2 are no header
    assert table.columns["name"].letter == "B" and table.columns["name"].header == "设备信息 / 设备名称*"
    assert table.columns["address"].header == "登录信息 / 管理IP (必填)"
    assert table.columns["site"].header == "所属单位"  # merged down over both header rows: shown once
    assert table.unused == [] and table.encoding is None
    assert [r.number for r in table.rows] == [t["row"] for t in truth]
    assert [r.values for r in table.rows] == [_expected(t) for t in truth]
    assert {r.sheet for r in table.rows} == {"设备台账"}
    last = truth[-1]["row"]
    assert [n for n, _ in table.skipped] == [last + 2, last + 3, last + 4]
    assert "序号" in table.skipped[0][1] and "totals" in table.skipped[1][1] and "notes" in table.skipped[2][1]
    # the unit cell merged down over a run of devices gives every one of them its unit
    assert all(r.values["site"] for r in table.rows)
    assert len({r.values["site"] for r in table.rows}) == 10


@pytest.mark.parametrize(("encoding", "delimiter"), [("gb18030", ","), ("utf-8-sig", ","), ("utf-8", ";"), ("gb18030", "\t")])
def test_gbk_and_utf8_csv_give_the_same_rows(tmp_path: Path, encoding: str, delimiter: str) -> None:
    path = tmp_path / "台账.csv"
    truth = write_ledger_csv(path, encoding=encoding, devices=40, seed=3, delimiter=delimiter)
    if encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):
            path.read_bytes().decode("utf-8")  # what Excel on Chinese Windows writes is no UTF-8
    table = read_table(path)
    assert table.encoding == ("gb18030" if encoding == "gb18030" else "utf-8-sig")
    assert table.sheet == "台账.csv" and table.header_rows == [2]
    assert [(r.number, r.values) for r in table.rows] == [(t["row"], _expected(t)) for t in truth]
    assert [n for n, _ in table.skipped] == [truth[-1]["row"] + 1]


def test_an_unknown_sheet_is_refused_with_the_sheet_names(tmp_path: Path) -> None:
    path = tmp_path / "台账.xlsx"
    write_ledger_xlsx(path, 5)
    with pytest.raises(ImportInputError, match=r"台账\.xlsx: no sheet '设备清单'; its sheets: 说明, 设备台账"):
        read_table(path, sheet="设备清单")
    assert read_table(path, sheet="设备台账").sheet == "设备台账"
    with pytest.raises(ImportInputError, match=r"no header row.*Seen: sheet 说明 row 1: 填表说明"):
        read_table(path, sheet="说明")


def test_xls_and_other_suffixes_are_refused_naming_what_is_read(tmp_path: Path) -> None:
    old = tmp_path / "台账.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + os.urandom(500))
    with pytest.raises(ImportInputError, match=r"台账\.xls: .*save it as \.xlsx \(Excel: 另存为 → Excel 工作簿\)"):
        read_table(old)
    with pytest.raises(ImportInputError, match=r"devices\.ods: .*accepted: \.xlsx, \.xlsm, \.csv, \.txt"):
        read_table(tmp_path / "devices.ods")
    with pytest.raises(ImportInputError, match=r"missing\.xlsx: no such file"):
        read_table(tmp_path / "missing.xlsx")


def test_a_corrupt_workbook_is_an_input_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(os.urandom(4096))
    with pytest.raises(ImportInputError, match=r"broken\.xlsx: not a readable Excel workbook"):
        read_table(path)
    half = tmp_path / "half.xlsx"
    write_ledger_xlsx(half, 20)
    half.write_bytes(half.read_bytes()[:3000])  # cut short, as a copy from a pulled USB stick
    with pytest.raises(ImportInputError, match=r"half\.xlsx: not a readable Excel workbook"):
        read_table(half)


def test_a_sheet_without_a_recognisable_header_lists_what_was_seen(tmp_path: Path) -> None:
    # (资产名称 would be a device name: real asset sheets use it, tests/import_headers/jw3_13_4a_ssh.yaml)
    path = _sheet(tmp_path / "x.xlsx", [["物品清单"], ["物品编号", "物品名称", "数量"], ["A-001", "显示器", 3]])
    with pytest.raises(ImportInputError, match=r"x\.xlsx: no header row .* sheet 设备 row 2: 物品编号 \| 物品名称 \| 数量"):
        read_table(path)
    # vendor and model alone name no device
    path = _sheet(tmp_path / "y.xlsx", [["厂商", "型号"], ["华为", "S5720"]])
    with pytest.raises(ImportInputError, match=r"name only vendor \(A 厂商\), model \(B 型号\)"):
        read_table(path)


def test_a_password_column_is_refused_unless_mapped_to_ignore(tmp_path: Path) -> None:
    secret = "Huawei@12345"
    path = _sheet(tmp_path / "d.xlsx", [["序号", "设备名称", "管理IP", "用户名", "登录密码（必填）"],
                                        [1, "sw-01", "10.0.0.1", "admin", secret]])
    with pytest.raises(ImportInputError) as caught:
        read_table(path)
    message = str(caught.value)
    assert "d.xlsx: sheet 设备, column E (登录密码（必填）) holds passwords" in message
    assert "${ENV}" in message and "--map 'E=ignore'" in message and secret not in message
    for key in ("登录密码（必填）", "登录密码", "E"):
        table = read_table(path, maps={key: "ignore"})
        assert table.rows[0].values == {"name": "sw-01", "address": "10.0.0.1", "username": "admin"}
        assert [c.letter for c in table.unused] == ["E"]
    with pytest.raises(ImportInputError, match=r"'password' is no field .*never stores passwords.*fields: name, address"):
        read_table(path, maps={"E": "password"})
    # a header merely containing 密码 is one too
    path = _sheet(tmp_path / "e.xlsx", [["设备名称", "管理IP", "SSH 登录口令"], ["sw-01", "10.0.0.1", secret]])
    with pytest.raises(ImportInputError, match=r"column C \(SSH 登录口令\) holds passwords"):
        read_table(path)


def test_map_by_header_and_by_letter_and_site_column(tmp_path: Path) -> None:
    path = _sheet(tmp_path / "d.xlsx", [["主机", "地址", "厂商", "派出所", "楼层"],
                                        ["城关所-核心", "10.1.1.1", "华三", "城关派出所", "3F"]])
    with pytest.raises(ImportInputError, match="no header row"):
        read_table(path)  # 主机 / 地址 are no header netpatrol knows
    table = read_table(path, maps={"主机": "name", "B": "address"}, site_column="派出所")
    assert table.rows[0].values == {"name": "城关所-核心", "address": "10.1.1.1", "vendor": "华三", "site": "城关派出所"}
    assert table.columns["site"].letter == "D" and [c.header for c in table.unused] == ["楼层"]
    assert read_table(path, maps={"主机": "name", "地址": "address", "e": "location"}, site_column="D").rows[0].values["location"] == "3F"
    with pytest.raises(ImportInputError, match=r"--map 机房: no column has this header or letter; headers: A 主机, B 地址, C 厂商"):
        read_table(path, maps={"主机": "name", "地址": "address", "机房": "location"})
    with pytest.raises(ImportInputError, match=r"'hostname' is no field; fields: name, address, vendor"):
        read_table(path, maps={"主机": "hostname"})


def test_two_columns_of_one_field_the_first_wins_the_other_is_shown_unused(tmp_path: Path) -> None:
    path = _sheet(tmp_path / "d.xlsx", [["设备名称", "管理IP", "IP地址", "备注"], ["sw-01", "10.0.0.1", "192.168.1.1", ""]])
    table = read_table(path)
    assert table.columns["address"].letter == "B" and [c.letter for c in table.unused] == ["C"]
    assert read_table(path, maps={"C": "address"}).rows[0].values["address"] == "192.168.1.1"  # a --map wins


def test_cells_typed_as_numbers_dates_and_formulas_read_as_the_sheet_shows_them(tmp_path: Path) -> None:
    path = _sheet(tmp_path / "d.xlsx", [
        ["Device Name", "Management IP", "Port", "SN", "Purchase Date", "序号"],
        ["ＳＷ－01\u3000", "１０.0.0.1", 22.0, 210235812345678, dt.datetime(2021, 3, 15), "=ROW()-1"],
        ["sw-02", "10.0.0.2", "=20+2", 3.5, dt.date(2020, 1, 2), 2],
    ])
    # openpyxl saves a formula without its value; Excel saves both: put the value in as Excel would
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet = sheet.replace("<f>20+2</f><v></v>", "<f>20+2</f><v>22</v>").replace("<f>ROW()-1</f><v></v>", "<f>ROW()-1</f><v>1</v>")
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    rows = read_table(path).rows
    assert rows[0].values == {"name": "ＳＷ－01", "address": "10.0.0.1", "port": "22", "serial": "210235812345678",
                              "purchase_date": "2021-03-15"}  # the name keeps its spelling, the address is folded
    assert rows[1].values == {"name": "sw-02", "address": "10.0.0.2", "port": "22", "serial": "3.5", "purchase_date": "2020-01-02"}


def test_a_sheet_formatted_to_its_last_row_is_read_only_to_the_end_of_its_data(tmp_path: Path) -> None:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["设备名称", "管理IP"])
    ws.append(["sw-01", "10.0.0.1"])
    ws.cell(1_048_576, 30).number_format = "@"  # formatting only, as "format whole column" leaves behind
    ws.cell(2, 3, "城关派出所")
    ws.merge_cells("C2:C50000")  # a unit cell merged far down over rows nobody filled
    ws.cell(1, 3, "所属单位")
    path = tmp_path / "d.xlsx"
    book.save(path)
    table = read_table(path)
    assert [r.values for r in table.rows] == [{"name": "sw-01", "address": "10.0.0.1", "site": "城关派出所"}]
    assert table.skipped == []
    assert table.rows_read <= 2 + MAX_BLANK


def test_a_title_row_and_a_group_row_in_a_csv_saved_from_excel(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("网络设备台账,,,,\n,设备信息,,登录信息,\n序号,设备名称,型号,IP,端口\n1,sw-01,S5720,10.0.0.1,22\n,,,,\n2,sw-02,S5735,10.0.0.2,\n",
                    encoding="utf-8-sig")
    table = read_table(path)
    assert table.header_rows == [3]
    assert [(r.number, r.values) for r in table.rows] == [
        (4, {"name": "sw-01", "model": "S5720", "address": "10.0.0.1", "port": "22"}),
        (6, {"name": "sw-02", "model": "S5735", "address": "10.0.0.2"})]
    with pytest.raises(ImportInputError, match="a CSV file has no sheets"):
        read_table(path, sheet="Sheet1")


@pytest.mark.parametrize("header", ["管理IP(必填)", "* 管理 IP：", "ＩＰ地址", "IP Address", "mgmt_ip", "管理ＩＰ\n（选填）"])
def test_header_variants_people_type(tmp_path: Path, header: str) -> None:
    path = _sheet(tmp_path / "d.xlsx", [["Hostname", header], ["sw-01", "10.0.0.1"]])
    table = read_table(path)
    assert table.columns["address"].letter == "B", table.columns
    assert re.sub(r"\s+", " ", header.strip()) == table.columns["address"].header


def test_dates_typed_as_text_read_as_iso_dates_and_a_tab_separated_txt(tmp_path: Path) -> None:
    path = tmp_path / "d.txt"
    path.write_text("主机名\tIP\t采购日期\t维保到期\n"
                    "sw-01\t10.0.0.1\t2021年3月5日\t2024.3.5\n"
                    "sw-02\t10.0.0.2\t2021-03-05 00:00:00\t2021/2/30\n", encoding="gb18030")
    rows = read_table(path).rows
    assert [r.values.get("purchase_date") for r in rows] == ["2021-03-05", "2021-03-05"]
    assert [r.values.get("warranty_until") for r in rows] == ["2024-03-05", "2021/2/30"]  # no such day: as written


def test_an_xlsm_workbook_is_read_like_an_xlsx(tmp_path: Path) -> None:
    xlsx = _sheet(tmp_path / "d.xlsx", [["设备名称", "管理IP"], ["sw-01", "10.0.0.1"]])
    xlsm = xlsx.rename(tmp_path / "d.xlsm")
    assert [r.values for r in read_table(xlsm).rows] == [{"name": "sw-01", "address": "10.0.0.1"}]


def test_a_chart_sheet_before_the_table_is_passed_over(tmp_path: Path) -> None:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "清单"
    ws.append(["设备名称", "管理IP"])
    ws.append(["sw-01", "10.0.0.1"])
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=1, min_row=1, max_row=2))
    book.create_chartsheet("图表", 0).add_chart(chart)
    book.save(tmp_path / "d.xlsx")
    table = read_table(tmp_path / "d.xlsx")
    assert table.sheet == "清单" and table.rows[0].number == 2


def test_excel_unicode_text_and_an_empty_csv(tmp_path: Path) -> None:
    path = tmp_path / "d.txt"  # Excel: 另存为 → Unicode 文本
    path.write_text("设备名称\t管理IP\r\n城关-核心\t10.0.0.1\r\n", encoding="utf-16")
    table = read_table(path)
    assert table.encoding == "utf-16" and table.rows[0].values == {"name": "城关-核心", "address": "10.0.0.1"}
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ImportInputError, match=r"empty\.csv: no header row .*Seen: sheet empty\.csv is empty"):
        read_table(empty)


def test_a_netbox_device_export_reads_type_as_the_model(tmp_path: Path) -> None:
    # NetBox's "Type" is the device type, i.e. the hardware model; a Chinese 设备类型 stays the role.
    path = tmp_path / "netbox.csv"
    path.write_text("Name,Status,Site,Role,Manufacturer,Type,Platform,Serial number,IP Address\n"
                    "core1,Active,HQ,core,Cisco,Nexus 9336C-FX2,,FDO123,10.1.1.1/24\n", encoding="utf-8")
    table = read_table(path)
    assert {f: c.header for f, c in table.columns.items() if f in ("model", "role", "platform", "vendor")} == {
        "model": "Type", "role": "Role", "platform": "Platform", "vendor": "Manufacturer"}
    assert table.rows[0].values["model"] == "Nexus 9336C-FX2"
    zh = _sheet(tmp_path / "zh.xlsx", [["设备名称", "管理IP", "设备类型", "型号"], ["sw1", "10.0.0.1", "接入交换机", "S5735"]])
    assert read_table(zh).columns["role"].header == "设备类型"


@pytest.mark.parametrize("key", ["F", "f", "密码"])
def test_a_password_column_can_be_mapped_only_to_ignore(tmp_path: Path, key: str) -> None:
    secret = "Huawei@123"
    path = _sheet(tmp_path / "a.xlsx", [["设备名称", "管理IP", "厂商", "型号", "备注", "密码"],
                                        ["sw-01", "10.0.0.1", "华为", "S5735", "", secret]])
    for maps, site, option in (({key: "notes"}, None, f"--map {key}=notes"), ({key: "username"}, None, f"--map {key}=username"),
                               (None, key, f"--site-column {key}")):
        with pytest.raises(ImportInputError) as caught:
            read_table(path, maps=maps, site_column=site)
        message = str(caught.value)
        assert f"a.xlsx: sheet 设备: {option}: column F (密码) holds passwords: netpatrol never stores passwords" in message
        assert "${ENV}" in message and "--map 'F=ignore'" in message and secret not in message
    assert [c.letter for c in read_table(path, maps={key: "ignore"}).unused] == ["F"]
    # a header recognised as a password by a part of it (口令) is held to the same, named by its text too
    path = _sheet(tmp_path / "b.xlsx", [["设备名称", "管理IP", "用户名", "SSH 登录口令"], ["sw-01", "10.0.0.1", "admin", secret]])
    with pytest.raises(ImportInputError, match=r"--map SSH 登录口令=notes: column D \(SSH 登录口令\) holds passwords"):
        read_table(path, maps={"SSH 登录口令": "notes"})


@pytest.mark.parametrize("order", [("IP", "管理IP"), ("管理IP", "IP"), ("IP地址", "带外IP"), ("address", "mgmt ip")])
def test_a_specific_address_header_beats_a_generic_one_in_any_column_order(tmp_path: Path, order: tuple[str, str]) -> None:
    generic, specific = (order[0], order[1]) if order[0] in ("IP", "IP地址", "address") else (order[1], order[0])
    values = {generic: "192.168.1.1", specific: "10.0.0.1"}
    path = _sheet(tmp_path / "d.xlsx", [["设备名称", *order], ["sw-01", *(values[h] for h in order)]])
    table = read_table(path)
    assert table.rows[0].values["address"] == "10.0.0.1"
    assert table.columns["address"].header == specific and [c.header for c in table.unused] == [generic]


def test_two_equally_strong_address_columns_that_differ_are_refused(tmp_path: Path) -> None:
    path = _sheet(tmp_path / "d.xlsx", [["设备名称", "IP", "IP地址"], ["sw-01", "10.0.0.1", "10.0.0.1"],
                                        ["sw-02", "10.0.0.2", "192.168.1.2"]])
    with pytest.raises(ImportInputError) as caught:
        read_table(path)
    message = str(caught.value)
    assert "d.xlsx: sheet 设备: columns B (IP) and C (IP地址) both name the management address" in message
    assert "row 3" in message and "--map 'B=address'" in message and "--map 'C=ignore'" in message
    assert read_table(path, maps={"C": "address"}).rows[1].values["address"] == "192.168.1.2"
    assert read_table(path, maps={"C": "ignore"}).rows[1].values["address"] == "10.0.0.2"
    # the same addresses twice, or one column empty, are no question: the first is read
    path = _sheet(tmp_path / "e.xlsx", [["设备名称", "管理IP", "管理地址"], ["sw-01", "10.0.0.1", "10.0.0.1"], ["sw-02", "10.0.0.2", ""]])
    table = read_table(path)
    assert [r.values["address"] for r in table.rows] == ["10.0.0.1", "10.0.0.2"] and [c.letter for c in table.unused] == ["C"]


@pytest.mark.parametrize(("header", "field", "winner"), [(["名称", "设备名称", "管理IP"], "name", "设备名称"),
                                                         (["名称", "主机名", "管理IP"], "name", "主机名"),
                                                         (["设备名称", "管理IP", "部门", "所属单位"], "site", "所属单位")])
def test_a_specific_name_or_site_header_beats_a_generic_one(tmp_path: Path, header: list[str], field: str, winner: str) -> None:
    path = _sheet(tmp_path / "d.xlsx", [header, [f"v{i}" for i in range(len(header))]])
    table = read_table(path)
    assert table.columns[field].header == winner
    assert table.rows[0].values[field] == f"v{header.index(winner)}"
