"""`inventory import`, site group keys: the organisation prefix that the new units of one sheet
share is left out of their keys (江川市公安局指挥中心 -> zhihuizhongxin), cut only after an
organisation word, never for one unit alone, never into a collision."""

from __future__ import annotations

from pathlib import Path

import pytest

from import_sheets import UNITS, write_ledger_xlsx
from netpatrol.inventory_import.devices import to_devices
from netpatrol.inventory_import.model import Column, SourceRow, Table
from netpatrol.inventory_import.portable import portable_name as portable
from netpatrol.inventory_import.site_keys import short_site_keys
from netpatrol.inventory_import.table import read_table
from netpatrol.workspace.names import name_problem


def _sites(units: list[str], sites: dict[str, str] | None = None, groups: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(key, unit) per row of a sheet with one device per unit."""
    columns = {"name": Column("A", "设备名称"), "address": Column("B", "管理IP"), "vendor": Column("C", "厂商"),
               "site": Column("D", "所属单位")}
    rows = [SourceRow("台账", n, {"name": f"sw-{n}", "address": f"10.0.0.{n}", "vendor": "华为", "site": unit})
            for n, unit in enumerate(units, start=2)]
    devices, problems = to_devices(Table("台账.xlsx", "台账", [1], columns, [], rows), sites or {}, groups)
    assert problems == []
    return [(d.site, d.site_name) for d in devices]


def test_the_300_device_ledger_gives_short_distinct_keys_and_keeps_the_full_unit_names(tmp_path: Path) -> None:
    truth = write_ledger_xlsx(tmp_path / "台账.xlsx", 300)
    devices, problems = to_devices(read_table(tmp_path / "台账.xlsx"), {})
    assert problems == []
    keys = {d.site_name: d.site for d in devices}
    assert keys == {unit: key for unit, key in zip(UNITS, [
        "zhihuizhongxin", "chengguanpaichusuo", "jiangchengpaichusuo", "jiaojingdadui", "xingzhendadui", "kanshousuo",
        "qianweipaichusuo", "lujupaichusuo", "jiuxipaichusuo", "xiongguanpaichusuo"], strict=True)}
    assert len(set(keys.values())) == len({t["site"] for t in truth}) == 10
    assert all(name_problem(key) is None for key in keys.values())


def test_units_sharing_only_part_of_a_word_are_not_cut() -> None:
    assert _sites(["城关派出所", "城北派出所"]) == [("chengguanpaichusuo", "城关派出所"), ("chengbeipaichusuo", "城北派出所")]


def test_a_cut_never_splits_a_longer_organisation_word() -> None:
    # 委 ends a word, but here it is the start of 委员会 in one of the names.
    assert [k for k, _ in _sites(["江川市政法委员会办公室", "江川市政法委信息科"])] == [
        "jiangchuanshizhengfaweiyuanhuibangongshi", "jiangchuanshizhengfaweixinxike"]
    assert [k for k, _ in _sites(["江川市政法委员会办公室", "江川市政法委员会信息科"])] == ["bangongshi", "xinxike"]


def test_a_unit_already_in_groups_yaml_keeps_its_key_and_the_new_ones_are_cut() -> None:
    assert _sites(UNITS[:3], {" 江川市公安局指挥中心": "jc-command"}) == [
        ("jc-command", UNITS[0]), ("chengguanpaichusuo", UNITS[1]), ("jiangchengpaichusuo", UNITS[2])]


def test_a_short_key_never_takes_a_plain_group_of_groups_yaml() -> None:
    # `zhihuizhongxin` as a hand-written group with no data.site (a role group, say): the cut that
    # would give it to a unit is not made, so the unit's rows are not refused as "no site".
    assert _sites(UNITS[:2], groups=("core",)) == [("zhihuizhongxin", UNITS[0]), ("chengguanpaichusuo", UNITS[1])]
    assert _sites(UNITS[:2], groups=("Zhihuizhongxin",)) == [
        ("jiangchuanshigonganjuzhihuizhongxin", UNITS[0]), ("jiangchuanshigonganjuchengguanpaichusuo", UNITS[1])]


def test_a_unit_cell_may_name_a_site_by_its_group_key() -> None:
    assert _sites(["JC-Command", UNITS[1]], {UNITS[0]: "jc-command"}) == [("jc-command", "JC-Command"), (portable(UNITS[1]), UNITS[1])]


def test_one_new_unit_alone_is_not_cut() -> None:
    assert _sites([UNITS[0], UNITS[0]]) == [("jiangchuanshigonganjuzhihuizhongxin", UNITS[0])] * 2
    # The other units are known: the one new unit keeps its whole name.
    assert _sites(UNITS[:2], {UNITS[0]: "zhihuizhongxin"})[1] == ("jiangchuanshigonganjuchengguanpaichusuo", UNITS[1])


def test_a_cut_that_would_make_two_units_collide_is_not_made() -> None:
    # Two spellings the sheet keeps apart would both be chengguanpaichusuo once cut.
    assert [k for k, _ in _sites(["江川市公安局城关派出所", "江川市公安局-城关派出所"])] == [
        "jiangchuanshigonganjuchengguanpaichusuo", "jiangchuanshigonganju-chengguanpaichusuo"]
    # A short key an existing group already has: the cut is not made either.
    assert _sites(UNITS[:2], {"江川市指挥中心": "zhihuizhongxin"})[1][0] == "jiangchuanshigonganjuchengguanpaichusuo"


def test_a_unit_that_is_the_organisation_itself_stops_the_cut_and_a_shorter_one_is_tried() -> None:
    assert [k for k, _ in _sites(["江川市公安局", "江川市公安局指挥中心"])] == [
        "jiangchuanshigonganju", "jiangchuanshigonganjuzhihuizhongxin"]
    assert [k for k, _ in _sites(["省公安厅江川市公安局", "省公安厅江川市公安局指挥中心"])] == [
        "jiangchuanshigonganju", "jiangchuanshigonganjuzhihuizhongxin"]


@pytest.mark.parametrize(("units", "keys"), [
    (["Jiangchuan PSB - Command Centre", "Jiangchuan PSB - Traffic Police"], ["Command-Centre", "Traffic-Police"]),
    (["ABC Co., Ltd. Beijing Branch", "ABC Co., Ltd. Shanghai Branch"], ["Beijing-Branch", "Shanghai-Branch"]),
    (["Jiangchuan PSB Command", "Jiangchuan PSBx Traffic"], None),  # PSBx is no organisation word
    (["Acme Command Centre", "Acme Control Room"], None),  # Co is a whole word only
])
def test_english_unit_names_are_cut_after_a_whole_organisation_word(units: list[str], keys: list[str] | None) -> None:
    assert short_site_keys(units, set()) == (dict(zip(units, keys, strict=True)) if keys else {})
