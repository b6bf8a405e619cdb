# ruff: noqa: RUF001, RUF002 - the sheets' Chinese text, full-width punctuation included
"""Realistic device sheets for the `inventory import` tests, written with openpyxl (no tests here).

What is realistic about them, from the 台账 county police IT departments keep:
- a cover sheet ("说明", filling-in notes) before the device sheet, so the first sheet is no table;
- a title row merged across every column ("江川市公安局网络设备台账（2026年）") and a 填报单位/日期 line;
- a two-row header: group cells merged over their columns ("设备信息" over 设备名称 … 序列号, "登录信息"
  over 管理IP … 登录账号), the other headers merged down over both rows; headers with the noise people
  type: "设备名称*", "管理IP\\n(必填)", full-width brackets;
- the unit (所属单位) cell merged down over each unit's run of devices, as people do to "tidy" a sheet;
- blank rows every 25 devices, a pre-numbered row with nothing else, a 合计 row and a 注： row at the end;
- vendors as people write them (华为, HUAWEI, Huawei, 华三, 新华三, H3C, HPE Comware, 锐捷, Ruijie, 思科,
  Cisco, Arista, Juniper) with real model numbers, Chinese and ASCII device names, ports as numbers,
  SSH/Telnet in several spellings, serials some typed as numbers, dates as real Excel dates.
Each writer returns the truth: one dict per device row, in the text the reader should give
(`row` is the sheet's row number; `expected_platform` what the vendor/model should map to; the
other keys are FIELDS names: name, role, vendor, model, serial, address, protocol, port, username,
site, location, os_version, purchase_date, warranty_until (ISO), maintainer, notes; a key is left
out where the cell is empty: port, username, notes). Names and addresses are unique in a sheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from netpatrol.inventory_import.model import Column, SourceRow, Table

TITLE = "江川市公安局网络设备台账（2026年）"
UNITS = ["江川市公安局指挥中心", "江川市公安局城关派出所", "江川市公安局江城派出所", "江川市公安局交警大队",
         "江川市公安局刑侦大队", "江川市公安局看守所", "江川市公安局前卫派出所", "江川市公安局路居派出所",
         "江川市公安局九溪派出所", "江川市公安局雄关派出所"]
ROOMS = ["三楼机房", "一楼弱电间", "指挥中心机房A排03柜", "值班室机柜", "二楼设备间"]
PEOPLE = ["张伟", "李娜", "王强", "刘洋", "陈静"]
# (vendor texts people write, expected platform, [(model, role, version)])
VENDORS: list[tuple[list[str], str, list[tuple[str, str, str]]]] = [
    (["华为", "HUAWEI", "Huawei", "华为技术有限公司"], "huawei_vrp", [
        ("S5720-28X-SI-AC", "接入交换机", "V200R011C10SPC600"), ("S12708", "核心交换机", "V200R019C10SPC500"),
        ("CE6881-48S6CQ", "汇聚交换机", "V200R020C10SPC600"), ("AR6140-16G4XG", "路由器", "V300R021C10SPC100")]),
    (["华三", "新华三", "H3C", "HPE Comware"], "hp_comware", [
        ("S5130S-28S-EI", "接入交换机", "7.1.070 Release 6328"), ("S6520X-30QC-EI", "汇聚交换机", "7.1.070 Release 6615"),
        ("MSR3620", "路由器", "7.1.064 Release 0821P16")]),
    (["锐捷", "Ruijie", "锐捷网络"], "ruijie_os", [
        ("RG-S5750-24GT4XS-L", "接入交换机", "RGOS 11.4(1)B12P7"), ("RG-S2910-24GT4XS-E", "接入交换机", "RGOS 11.4(1)B74P2"),
        ("RG-N18007", "核心交换机", "RGOS 11.0(4)B21")]),
    (["思科", "Cisco", "CISCO"], "cisco_ios", [
        ("WS-C2960X-48TS-L", "接入交换机", "15.2(7)E4"), ("C9300-48P", "汇聚交换机", "17.9.4"), ("ISR4331", "路由器", "16.12.4")]),
    (["思科", "Cisco"], "cisco_nxos", [
        ("N9K-C93180YC-EX", "核心交换机", "9.3(10)"), ("Nexus 7010", "核心交换机", "8.4(7)")]),
    (["Arista"], "arista_eos", [("DCS-7050SX3-48YC8", "数据中心交换机", "4.28.3M")]),
    (["Juniper", "瞻博"], "juniper_junos", [("EX4300-48T", "汇聚交换机", "21.4R3-S5"), ("MX204", "路由器", "22.2R3")]),
]
WEIGHTS = [40, 25, 20, 8, 3, 2, 2]
COLUMNS = ["序号", "设备名称*", "设备类型", "厂商", "设备型号", "序列号", "管理IP\n(必填)", "登录方式", "端口", "登录账号",
           "所属单位", "安装位置", "软件版本", "采购日期", "维保到期", "负责人", "备注"]
FIELD_OF = ["", "name", "role", "vendor", "model", "serial", "address", "protocol", "port", "username",
            "site", "location", "os_version", "purchase_date", "warranty_until", "maintainer", "notes"]
GROUPS = [(2, 6, "设备信息"), (7, 10, "登录信息")]  # (first, last column, group text) over row 4


def make_devices(count: int, seed: int) -> list[dict[str, Any]]:
    """`count` devices as typed values (the sheet's cells) and the reader's expected text."""
    rnd = random.Random(seed)
    out = []
    per_unit = -(-count // len(UNITS))
    for i in range(count):
        unit = UNITS[i // per_unit]
        vendors, platform, models = rnd.choices(VENDORS, WEIGHTS)[0]
        vendor = rnd.choice(vendors)
        model, role, version = rnd.choice(models)
        short = unit.removeprefix("江川市公安局")
        name = f"JC-{i // per_unit + 1:02d}-{model.split('-')[0].replace(' ', '')}-{i + 1:03d}" if rnd.random() < 0.6 \
            else f"{short}-{role}-{i + 1:03d}"
        telnet = rnd.random() < 0.12
        protocol = rnd.choice(["Telnet", "telnet"]) if telnet else rnd.choice(["SSH", "ssh", "SSH2", "SSH"])
        port: int | float | None = rnd.choice([23, 23.0]) if telnet else rnd.choice([22, 22, 22.0, None, 2222])
        serial: str | int = rnd.choice([f"21980{rnd.randrange(10**9, 10**10)}", f"FOC{rnd.randrange(10**7, 10**8)}X",
                                        rnd.randrange(10**11, 10**12)])
        bought = dt.datetime(2016, 1, 1) + dt.timedelta(days=rnd.randrange(3000))
        warranty = bought.replace(year=bought.year + 3) if bought.month != 2 or bought.day != 29 else bought + dt.timedelta(days=1095)
        cells = {"name": name, "role": role, "vendor": vendor, "model": model, "serial": serial,
                 "address": f"10.{20 + i // 250}.{i % 250 // 50}.{i % 50 + 2}", "protocol": protocol, "port": port,
                 "username": rnd.choice(["admin", "netops", None]), "site": unit, "location": rnd.choice(ROOMS),
                 "os_version": version, "purchase_date": bought, "warranty_until": warranty,
                 "maintainer": rnd.choice(PEOPLE), "notes": rnd.choice([None, None, None, "利旧设备", "计划2027年更换"])}
        text = {k: _text(v) for k, v in cells.items() if v is not None}
        out.append({"cells": cells, **text, "expected_platform": platform})
    return out


def _text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, float):
        return str(int(value))
    return str(value)


def write_ledger_xlsx(path: Path, devices: int = 300, seed: int = 15) -> list[dict[str, Any]]:
    """The ledger above as .xlsx; the truth rows (without the typed `cells`), `row` = sheet row."""
    book = Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "说明"
    for r, line in enumerate(["填表说明", "1. 带*为必填项；管理IP填写设备的带外或带内管理地址。", "2. 设备名称请与设备上的 sysname 一致。",
                              "3. 所属单位填写全称，如：江川市公安局城关派出所。", "4. 请勿填写设备密码。"], start=1):
        cover.cell(r, 1, line)
    ws = book.create_sheet("设备台账")
    width = len(COLUMNS)
    ws.cell(1, 1, TITLE).font = Font(size=16, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(2, 1, "填报单位：江川市公安局科技信息化科　　填报日期：2026年3月1日")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    grouped = {c for first, last, _ in GROUPS for c in range(first, last + 1)}
    for col, header in enumerate(COLUMNS, start=1):
        if col in grouped:
            ws.cell(4, col, header)
        else:
            ws.cell(3, col, header)
            ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    for first, last, text in GROUPS:
        ws.cell(3, first, text)
        ws.merge_cells(start_row=3, start_column=first, end_row=3, end_column=last)
    for row in (3, 4):
        for col in range(1, width + 1):
            ws.cell(row, col).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    truth = []
    row = 5
    run_start, run_unit = row, None
    site_col = FIELD_OF.index("site") + 1

    def close_run(end: int) -> None:
        if run_unit is not None and end > run_start:
            ws.merge_cells(start_row=run_start, start_column=site_col, end_row=end, end_column=site_col)

    for i, device in enumerate(make_devices(devices, seed)):
        cells = device["cells"]
        if i and i % 25 == 0:
            close_run(row - 1)
            row += 1  # a blank row
            run_start, run_unit = row, None
        if cells["site"] != run_unit:
            close_run(row - 1)
            run_start, run_unit = row, cells["site"]
        ws.cell(row, 1, i + 1)
        for col, field in enumerate(FIELD_OF[1:], start=2):
            if field == "site" and row != run_start:
                continue  # under the merged unit cell
            value = cells[field]
            cell = ws.cell(row, col, value)
            if isinstance(value, dt.datetime):
                cell.number_format = "yyyy/m/d"
        truth.append({"row": row, **{k: v for k, v in device.items() if k != "cells"}})
        row += 1
    close_run(row - 1)
    row += 1
    ws.cell(row, 1, devices + 1)  # a pre-numbered row nobody filled in
    row += 1
    ws.cell(row, 1, "合计")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
    ws.cell(row, 4, f"共 {devices} 台")
    ws.cell(row + 1, 1, "注：本表由各单位每季度更新一次，设备密码另行保管。")
    ws.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=width)
    book.save(path)
    return truth


def write_ledger_csv(path: Path, encoding: str = "gb18030", devices: int = 60, seed: int = 15,
                     delimiter: str = ",") -> list[dict[str, Any]]:
    """The ledger as Excel saves it as CSV: the title line kept (its merged cell becomes one field and
    empty ones), one header row, dates as Excel shows them ("2021/3/15"; the reader gives ISO dates). `row` = line number."""
    lines: list[list[str]] = [[TITLE] + [""] * (len(COLUMNS) - 1), [h.replace("\n", "") for h in COLUMNS]]
    truth = []
    for i, device in enumerate(make_devices(devices, seed)):
        cells = device["cells"]
        out = [str(i + 1)]
        for field in FIELD_OF[1:]:
            value = cells[field]
            if isinstance(value, dt.datetime):
                out.append(f"{value.year}/{value.month}/{value.day}")
            else:
                out.append(_text(value) if value is not None else "")
        lines.append(out)
        truth.append({"row": len(lines), **{k: v for k, v in device.items() if k != "cells"}})
    lines.append(["合计", "", "", f"共 {devices} 台"])
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(lines)
    return truth


def wide(text: str) -> str:
    """ASCII as full-width letters and digits (U+FF01...), as a Chinese input method types them."""
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


def table(letters: dict[str, tuple[str, str]], *rows: dict[str, str], fields: tuple[str, ...] | None = None) -> Table:
    """A Table as the reader gives it, without a file: `letters` is field -> (column letter, header),
    each row field -> cell text (empty cells and fields outside `fields` left out), rows from 2."""
    chosen = tuple(letters) if fields is None else fields
    columns = {f: Column(*letters[f]) for f in chosen}
    return Table(file="台账.xlsx", sheet="台账", header_rows=[1], columns=columns, unused=[],
                 rows=[SourceRow("台账", n, {k: v for k, v in r.items() if v and k in chosen}) for n, r in enumerate(rows, start=2)])
