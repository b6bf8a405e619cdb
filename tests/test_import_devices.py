"""`inventory import`, rows -> devices: platform from vendor/model/platform cells, portable names,
addresses, ports, login methods, dates, sites and in-sheet duplicates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from import_sheets import table, wide, write_ledger_csv, write_ledger_xlsx
from netpatrol.inventory_import.devices import to_devices
from netpatrol.inventory_import.model import Table
from netpatrol.inventory_import.platform_guess import PlatformGuessError, guess_platform
from netpatrol.inventory_import.portable import portable_name
from netpatrol.inventory_import.table import read_table
from netpatrol.platforms import BUILTIN_DIR, ENV_VAR, PLATFORMS, PlatformError, get_platform
from netpatrol.workspace.models import HostData
from netpatrol.workspace.names import MAX_NAME, name_problem

# --- platform from vendor, model and platform cells -----------------------------------------------

SPELLINGS = [
    # (vendor, model, platform) -> expected
    (("华为", "S5720-28X-SI-AC", None), "huawei_vrp"),
    (("HUAWEI", None, None), "huawei_vrp"),
    (("华为技术有限公司", "CE6850-48S6Q-HI", None), "huawei_vrp"),
    ((wide("HUAWEI"), wide("AR2220"), None), "huawei_vrp"),  # as a Chinese input method may type them
    (("华三", "S5130S-28S-EI", None), "hp_comware"),
    (("新华三", None, None), "hp_comware"),
    (("H3C", "S6520X-30QC-EI", None), "hp_comware"),
    (("HPE Comware", "5130-48G", None), "hp_comware"),
    (("HPE FlexNetwork", "5510", None), "hp_comware"),
    (("Huawei-3Com", "Quidway S3900", None), "hp_comware"),  # H3C's old name, not Huawei
    (("华为3Com", None, None), "hp_comware"),
    (("锐捷", "RG-S2910-24GT4XS-E", None), "ruijie_os"),
    (("Ruijie", "S5750-28GT4XS-H", None), "ruijie_os"),
    (("星网锐捷", None, None), "ruijie_os"),
    (("思科", "WS-C2960X-48TS-L", None), "cisco_ios"),
    (("Cisco", "C9300-48P", None), "cisco_ios"),
    (("Cisco Catalyst", None, None), "cisco_ios"),
    (("cisco", "ISR4331/K9", None), "cisco_ios"),
    (("Cisco", None, None), "cisco_ios"),  # the vendor's default
    (("Cisco", "Nexus 9300", None), "cisco_nxos"),
    (("Cisco", "N9K-C93180YC-EX", None), "cisco_nxos"),
    (("思科", "N5K-C5548UP", None), "cisco_nxos"),
    (("Cisco", "C93180YC-FX", None), "cisco_nxos"),  # five digits: a Nexus part, not a Catalyst
    (("Cisco Nexus", "9336", None), "cisco_nxos"),  # the line written in the vendor cell
    (("Arista", "DCS-7050SX-64", None), "arista_eos"),
    (("Arista Networks", None, None), "arista_eos"),
    (("Juniper", "EX4300-48T", None), "juniper_junos"),
    (("瞻博", "QFX5100", None), "juniper_junos"),
    # the model alone, where only one platform has such models
    ((None, "CE12808", None), "huawei_vrp"),
    ((None, "AR2220E", None), "huawei_vrp"),
    ((None, "MSR3620", None), "hp_comware"),
    ((None, "RG-S5750-28GT4XS-H", None), "ruijie_os"),
    ((None, "WS-C3850-24T", None), "cisco_ios"),
    ((None, "N9K-C9504", None), "cisco_nxos"),
    ((None, "DCS-7280SR-48C6", None), "arista_eos"),
    ((None, "MX204", None), "juniper_junos"),
    ((None, "SRX340", None), "juniper_junos"),
    # the platform cell wins over vendor and model, canonical name or alias
    (("华为", "S5720", "hp_comware"), "hp_comware"),
    ((None, None, "Cisco_NXOS"), "cisco_nxos"),
    (("Cisco", "N9K-C93180YC-EX", "ios"), "cisco_ios"),
    ((None, "S5720", "huawei"), "huawei_vrp"),
    ((None, None, "VRP"), "huawei_vrp"),
    ((None, None, "h3c"), "hp_comware"),
    ((None, None, "comware"), "hp_comware"),
    ((None, None, "rgos"), "ruijie_os"),
    ((None, None, "nxos"), "cisco_nxos"),
    ((None, None, "eos"), "arista_eos"),
    ((None, None, "junos"), "juniper_junos"),
]


@pytest.mark.parametrize(("cells", "expected"), SPELLINGS, ids=[f"{c[0]}|{c[1]}|{c[2]}" for c, _ in SPELLINGS])
def test_vendor_and_model_spellings_name_their_platform(cells: tuple, expected: str) -> None:
    assert guess_platform(*cells) == expected


@pytest.mark.parametrize("model", ["S5720-28X-SI-AC", "S5130S-28S-EI", "S5750-28GT4XS-H"])
def test_an_s_series_model_without_a_vendor_names_the_platforms_it_could_be(model: str) -> None:
    with pytest.raises(PlatformGuessError, match=r"could be .*hp_comware.*huawei_vrp.*ruijie_os.*vendor \(厂商\) is empty") as exc:
        guess_platform(None, model, None)
    assert exc.value.field == "model"


@pytest.mark.parametrize("vendor", ["HPE", "HP", "Hewlett Packard Enterprise", "Dell", "某集成商"])
def test_an_unknown_vendor_is_refused_even_when_the_model_looks_known(vendor: str) -> None:
    # HPE alone also sold ProCurve/Aruba; a Dell S4048 is no Huawei S-series switch.
    with pytest.raises(PlatformGuessError, match=rf"vendor '{vendor}' names no platform .*Huawei.*platform column") as exc:
        guess_platform(vendor, "S4048", None)
    assert exc.value.field == "vendor"


def test_an_unknown_model_or_platform_and_an_empty_row_say_what_was_tried() -> None:
    with pytest.raises(PlatformGuessError, match=r"model 'XYZ-1' names no platform") as exc:
        guess_platform(None, "XYZ-1", None)
    assert exc.value.field == "model"
    with pytest.raises(PlatformGuessError, match=r"unknown platform 'vrpp' \(known: arista_eos.*did you mean 'huawei_vrp'") as exc:
        guess_platform("华为", None, "vrpp")
    assert exc.value.field == "platform"
    with pytest.raises(ValueError, match=r"no vendor .*, model .* or platform"):
        guess_platform("", " ", None)


def test_a_platform_added_as_a_folder_is_recognised_by_its_own_hints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "acme_os"
    shutil.copytree(BUILTIN_DIR / "juniper_junos", folder, ignore=shutil.ignore_patterns("__pycache__"))
    doc = yaml.safe_load((folder / "platform.yaml").read_text(encoding="utf-8"))
    doc["vendor"], doc["aliases"] = "Acme", []  # a copy may not claim the original's aliases
    doc["inventory_import"] = {"vendors": ["acme"], "models": ["^ACM-"]}
    (folder / "platform.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    assert guess_platform("ACME Networks", None, None) == "acme_os"
    assert guess_platform(None, "ACM-100", None) == "acme_os"
    doc["inventory_import"]["models"] = ["^ACM-(unclosed"]
    (folder / "platform.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv(ENV_VAR, str(tmp_path) + "/")  # another text: the registry reads the folders again
    with pytest.raises(PlatformError, match=r"acme_os/platform\.yaml: field 'inventory_import\.models': .*'\^ACM-\(unclosed' is not"):
        get_platform("acme_os")


def test_every_built_in_platform_has_vendor_hints() -> None:
    assert all(p.inventory_import.vendors for p in PLATFORMS.values())


# --- portable names --------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("core-sw1", "core-sw1"),  # already valid: kept exactly, case too
    ("CORE_SW.01", "CORE_SW.01"),
    ("北京市公安局", "beijingshigonganju"),
    ("重庆 分局", "chongqing-fenju"),  # pypinyin's phrase reading (重庆: chong, not zhong)
    ("核心交换机S5720", "hexinjiaohuanji-S5720"),  # ASCII kept as typed, runs kept apart
    ("1号楼-核心", "1-haolou-hexin"),
    ("交换机\uff08一\uff09", "jiaohuanji-yi"),  # full-width brackets
    ("SW 01 / 机房", "SW-01-jifang"),
    ("Zürich Büro", "Zurich-Buro"),
    ("a..b", "a.b"),
    ("-lead", "lead"),
    ("x.lock", "x-lock"),
    ("CON", "CON_"),  # Windows device names, with any extension
    ("nul.txt", "nul_.txt"),
    (wide("SW01"), "SW01"),
])
def test_portable_names(text: str, expected: str) -> None:
    assert portable_name(text) == expected
    assert name_problem(expected) is None


def test_a_long_name_is_cut_with_a_stable_hash_that_keeps_two_apart() -> None:
    a, b = "某某市公安局" * 8 + "一号", "某某市公安局" * 8 + "二号"
    assert len(portable_name(a)) == MAX_NAME and name_problem(portable_name(a)) is None
    assert portable_name(a) == portable_name(a) != portable_name(b)
    assert portable_name(a).startswith("moumoushigonganju")


@pytest.mark.parametrize("text", ["", "   ", "---", "\uff08\uff09", "☎☎"])
def test_a_name_without_letters_or_digits_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="no letters or digits"):
        portable_name(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.one_of(st.characters(), st.sampled_from("核心交换机北京.-_ ")), max_size=90))
def test_portable_name_is_always_a_valid_name_or_a_value_error(text: str) -> None:
    try:
        name = portable_name(text)
    except ValueError:
        return
    assert name_problem(name) is None, (text, name)


# --- rows -> devices -------------------------------------------------------------------------------

LETTERS = {"name": ("A", "设备名称"), "address": ("B", "管理IP"), "vendor": ("C", "厂商"), "model": ("D", "型号"),
           "site": ("E", "所属单位"), "port": ("F", "端口"), "protocol": ("G", "登录方式"), "purchase_date": ("H", "采购日期"),
           "serial": ("I", "序列号"), "location": ("J", "机房"), "warranty_until": ("K", "维保到期"), "platform": ("L", "平台"),
           "username": ("M", "用户名"), "os_version": ("N", "软件版本"), "notes": ("O", "备注")}


def _table(*rows: dict[str, str], fields: tuple[str, ...] = tuple(LETTERS)) -> Table:
    return table(LETTERS, *rows, fields=fields)


def _row(**cells: str) -> dict[str, str]:
    return {"name": "core-1", "address": "10.1.1.1", "vendor": "华为", "model": "S5720", "site": "北京市公安局", **cells}


def test_a_good_row_becomes_a_device_whose_data_the_inventory_accepts() -> None:
    devices, problems = to_devices(_table(_row(
        name="核心交换机-1", port="2222", protocol="STelnet", purchase_date="2024/3/5", warranty_until="2027年3月4日",
        serial="21980105", location="3楼机房", username="ops", os_version="V200R019", notes="主用")), {})
    assert problems == []
    [d] = devices
    assert (d.name, d.source_name, d.hostname, d.platform, d.port, d.telnet) == (
        "hexinjiaohuanji-1", "核心交换机-1", "10.1.1.1", "huawei_vrp", 2222, False)
    assert (d.site, d.site_name, d.username, d.row.number) == ("beijingshigonganju", "北京市公安局", "ops", 2)
    assert d.data == {"model": "S5720", "serial": "21980105", "location": "3楼机房", "os_version": "V200R019",
                      "notes": "主用", "purchase_date": "2024-03-05", "warranty_until": "2027-03-04"}
    assert HostData.model_validate(d.data).purchase_date is not None


def test_a_known_unit_reuses_its_group_and_a_valid_name_has_no_source_name() -> None:
    devices, problems = to_devices(_table(_row(site="北京市 公安局"), _row(name="core-2", address="10.1.1.2", site="朝阳区")),
                                   {"北京市 公安局": "bj-police"})
    assert problems == []
    assert [(d.site, d.source_name) for d in devices] == [("bj-police", None), ("chaoyangqu", None)]


@pytest.mark.parametrize(("cells", "column", "message"), [
    ({"address": "10.1.1.300"}, "B", "not an IPv4 address"),
    ({"address": "10.1.1.1/33"}, "B", "not an IP address or DNS name"),
    ({"address": ""}, "B", "no management address"),
    ({"port": "22x"}, "F", "not a number 1-65535"),
    ({"port": "70000"}, "F", "not a number 1-65535"),
    ({"protocol": "HTTP"}, "G", "login method 'HTTP' is not SSH or Telnet"),
    ({"purchase_date": "2024-02-30"}, "H", "not a date"),
    ({"warranty_until": "三年"}, "K", "not a date"),
    ({"vendor": "HPE", "model": "5130"}, "C", "vendor 'HPE' names no platform"),
    ({"vendor": "", "model": "S5720"}, "D", "could be"),
    ({"platform": "vrpp"}, "L", "unknown platform 'vrpp'"),
    ({"site": ""}, "E", "no unit"),
    ({"name": "---"}, "A", "no letters or digits"),
])
def test_a_bad_cell_refuses_its_row_naming_sheet_row_and_column(cells: dict, column: str, message: str) -> None:
    devices, problems = to_devices(_table(_row(**cells), _row(name="core-2", address="10.1.1.2")), {})
    assert [d.name for d in devices] == ["core-2"]
    [p] = problems
    assert (p.sheet, p.row, p.column) == ("台账", 2, column) and message in p.message
    assert str(p).startswith(f"台账 row 2, column {column} ({dict(LETTERS.values())[column]}): ")


def test_every_bad_cell_of_a_row_is_reported() -> None:
    devices, problems = to_devices(_table(_row(address="x y", port="0", protocol="rdp", purchase_date="soon")), {})
    assert devices == [] and [p.column for p in problems] == ["B", "F", "G", "H"]


@pytest.mark.parametrize(("text", "telnet"), [("SSH", False), ("ssh", False), ("SSH2", False), ("SSHv2", False),
                                              ("STelnet", False), ("SSH/Telnet", False), ("Telnet", True), ("telnet", True)])
def test_login_methods(text: str, telnet: bool) -> None:
    [d], _ = to_devices(_table(_row(protocol=text)), {})
    assert d.telnet is telnet


@pytest.mark.parametrize(("text", "iso"), [("2024-03-05", "2024-03-05"), ("2024/3/5", "2024-03-05"), ("2024.3.5", "2024-03-05"),
                                           ("2024年3月5日", "2024-03-05"), ("2024-03-05 00:00:00", "2024-03-05")])
def test_date_spellings(text: str, iso: str) -> None:
    [d], _ = to_devices(_table(_row(purchase_date=text)), {})
    assert d.data["purchase_date"] == iso


def test_addresses_ipv6_dns_and_full_width() -> None:
    rows = [_row(name=f"d{i}", address=a) for i, a in enumerate(["2001:DB8::1", "core.example.org", wide("10") + ".2.2.2"])]
    devices, problems = to_devices(_table(*rows), {})
    assert problems == [] and [d.hostname for d in devices] == ["2001:db8::1", "core.example.org", "10.2.2.2"]


def test_an_address_with_its_prefix_length_is_the_address_and_a_bad_one_still_refused() -> None:
    rows = [_row(name="d1", address="10.1.1.1/24"), _row(name="d2", address="2001:db8::7/64"), _row(name="d3", address="10.1.1.2/33")]
    devices, problems = to_devices(_table(*rows), {})
    assert [d.hostname for d in devices] == ["10.1.1.1", "2001:db8::7"]
    assert [(p.column, "10.1.1.2/33" in p.message) for p in problems] == [("B", True)]


def test_without_a_name_column_the_address_names_the_host() -> None:
    fields = tuple(f for f in LETTERS if f != "name")
    devices, problems = to_devices(_table({"address": "10.1.2.3", "vendor": "H3C", "site": "A局"},
                                          {"address": "2001:db8::5", "vendor": "H3C", "site": "A局"}, fields=fields), {})
    assert problems == [] and [(d.name, d.source_name) for d in devices] == [("10-1-2-3", None), ("2001-db8-5", None)]


def test_without_a_unit_column_every_row_says_how_to_name_one() -> None:
    fields = tuple(f for f in LETTERS if f != "site")
    devices, problems = to_devices(_table(_row(), fields=fields), {})
    assert devices == [] and problems[0].column is None and "--site-column" in problems[0].message


def test_duplicates_within_the_sheet_refuse_the_later_row_naming_the_earlier() -> None:
    devices, problems = to_devices(_table(
        _row(name="核心交换机", address="10.0.0.1"),
        _row(name="核心交换机", address="10.0.0.2"),  # same name
        _row(name="HeXinJiaoHuanJi", address="10.0.0.3"),  # the same host name apart from case
        _row(name="核心 交换机", address="10.0.0.4"),  # a space: another host name (hexin-jiaohuanji)
        _row(name="other", address="10.0.0.1"),  # same address and port
        _row(name="other2", address="10.0.0.1", port="2222"),  # same address, another port: a second device
    ), {})
    assert [d.name for d in devices] == ["hexinjiaohuanji", "hexin-jiaohuanji", "other2"]
    assert [(p.row, p.column) for p in problems] == [(3, "A"), (4, "A"), (6, "B")]
    assert "is already row 2's" in problems[0].message
    assert ("gives host name 'HeXinJiaoHuanJi', the same as '核心交换机' of row 2 ('hexinjiaohuanji', apart from letter case)"
            in problems[1].message)
    assert "10.0.0.1:22 is already row 2's (a stack member?" in problems[2].message


def test_two_units_that_read_alike_are_not_merged_into_one_group() -> None:
    devices, problems = to_devices(_table(_row(site="北京-分局"), _row(name="b", address="10.9.9.9", site="北京 分局"),
                                          _row(name="c", address="10.9.9.8", site="Beijing-Fenju")), {"Beijing-Fenju": "bj"})
    assert [d.site for d in devices] == ["beijing-fenju", "bj"]
    [p] = problems
    assert p.row == 3 and p.column == "E" and "as would unit '北京-分局' of an earlier row" in p.message
    devices, problems = to_devices(_table(_row(site="北京分局")), {"北京市局": "beijingfenju"})
    assert devices == [] and "which is unit '北京市局' in groups.yaml" in problems[0].message


# --- the reader's realistic sheets, end to end ------------------------------------------------------

def test_a_realistic_300_device_ledger_maps_every_row_to_its_platform_and_unit(tmp_path: Path) -> None:
    truth = write_ledger_xlsx(tmp_path / "台账.xlsx", 300)
    devices, problems = to_devices(read_table(tmp_path / "台账.xlsx"), {})
    assert problems == []
    assert [(d.row.number, d.platform) for d in devices] == [(t["row"], t["expected_platform"]) for t in truth]
    for d, t in zip(devices, truth, strict=True):
        assert (d.hostname, d.site_name, d.data["model"], d.data["purchase_date"]) == (
            t["address"], t["site"], t["model"], t["purchase_date"])
        assert d.telnet is (t["protocol"].lower() == "telnet")
        assert name_problem(d.name) is None and name_problem(d.site) is None
        assert d.source_name == (t["name"] if d.name != t["name"] else None)
        HostData.model_validate(d.data)
    assert len({d.site for d in devices}) == len({t["site"] for t in truth}) == 10


def test_a_gbk_csv_ledger_with_excel_dates_maps_the_same(tmp_path: Path) -> None:
    truth = write_ledger_csv(tmp_path / "台账.csv", devices=60)
    devices, problems = to_devices(read_table(tmp_path / "台账.csv"), {})
    assert problems == []
    assert [(d.platform, d.data["warranty_until"]) for d in devices] == [(t["expected_platform"], t["warranty_until"]) for t in truth]
