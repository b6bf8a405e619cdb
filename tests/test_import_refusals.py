"""`inventory import` refuses what it cannot map truthfully (issue 15 review): models of lines
netpatrol has no platform for, a vendor word in the platform cell, passwords in the user name or a
free-text cell, and port 23 without a login method. A refusal names the cell, never a secret."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from import_sheets import table, wide
from netpatrol.inventory_import.devices import to_devices
from netpatrol.inventory_import.model import Table
from netpatrol.inventory_import.platform_guess import PlatformGuessError, guess_platform
from netpatrol.platforms import BUILTIN_DIR, ENV_VAR, PlatformError, get_platform

NEXUS_9000 = ["C93108TC-FX", "C93180YC-EX", "C9336C-FX2", "C9332C", "C9364C", "C93240YC-FX2", "C93360YC-FX2",
              "C9348GC-FXP"]
CATALYST_9000 = ["C9200-24P", "C9200L-48P-4X", "C9200CX-12P-2X2G", "C9300-48P", "C9300L-24T-4G", "C9300X-48HX",
                 "C9400", "C9404R", "C9407R", "C9500-48Y4C", "C9500-32C", "C9600", "C9606R"]


@pytest.mark.parametrize("model", NEXUS_9000 + [f"N9K-{m}" for m in NEXUS_9000] + ["N9K-C9508", "C9508", "C92160YC-X"])
def test_nexus_9000_models_are_nx_os(model: str) -> None:
    assert guess_platform("Cisco", model, None) == "cisco_nxos"
    assert guess_platform(None, model, None) == "cisco_nxos"


@pytest.mark.parametrize("model", CATALYST_9000)
def test_catalyst_9000_models_are_ios_xe(model: str) -> None:
    assert guess_platform("Cisco", model, None) == "cisco_ios"
    assert guess_platform(None, model, None) == "cisco_ios"


OTHER_LINES = [
    ("Cisco", "ASR9006", "Cisco IOS-XR"), ("思科", "ASR-9010-AC", "Cisco IOS-XR"), ("Cisco", "ASR 9000", "Cisco IOS-XR"),
    ("Cisco", "ASR9K", "Cisco IOS-XR"), ("Cisco", "NCS-5501-SE", "Cisco IOS-XR"), ("Cisco", "NCS540", "Cisco IOS-XR"),
    ("Cisco", "CRS-3", "Cisco IOS-XR"), ("Cisco", "XRv 9000", "Cisco IOS-XR"),
    ("Cisco", "ASA5525-X", "ASA firewall"), ("Cisco", "ASA 5506-X", "ASA firewall"), ("Cisco", "ASA", "ASA firewall"),
    ("Cisco", "FPR-2110", "Firepower"), ("Cisco", "Firepower 2130", "Firepower"),
    ("Cisco", "AIR-CT5520-K9", "wireless"), ("Cisco", "AIR-AP2802I-H-K9", "wireless"), ("Cisco", "C9800-40-K9", "wireless"),
    ("Cisco", "C9800-L-F-K9", "wireless"), ("Cisco", "Catalyst 9800-CL", "wireless"), ("Cisco", "C9120AXI-H", "wireless"),
    ("Cisco", "MS120-8LP", "Meraki"), ("Cisco", "MX68", "Meraki"), ("Cisco", "MR46", "Meraki"), ("Cisco Meraki", "MS250", "Meraki"),
    ("Cisco", "UCS-C220-M5SX", "UCS server"),
    ("华为", "FusionServer 2288H V5", "Huawei server"), ("Huawei", "2288H V5", "Huawei server"),
    ("华为", "1288H V6", "Huawei server"), ("Huawei", "TaiShan 200", "Huawei server"),
    ("华为", "OceanStor 5500 V5", "Huawei storage"), ("Huawei", "OceanStor Dorado 5000", "Huawei storage"),
    ("H3C", "UniServer R4900 G5", "H3C server"), ("华三", "R4900 G3", "H3C server"), ("H3C", "UniStor X10000", "H3C storage"),
    ("锐捷", "RG-WALL 1600-X", "RG-WALL"), ("Ruijie", "RG-ES205GC-P", "Reyee"), ("锐捷", "RG-EG105G-P", "Reyee"),
]


@pytest.mark.parametrize(("vendor", "model", "what"), OTHER_LINES, ids=[f"{v}|{m}" for v, m, _ in OTHER_LINES])
def test_a_model_of_a_line_netpatrol_has_no_platform_for_is_refused_not_given_the_vendor_default(
        vendor: str, model: str, what: str) -> None:
    with pytest.raises(PlatformGuessError, match=rf"is .*{what}.*, which netpatrol has no platform for") as exc:
        guess_platform(vendor, model, None)
    assert exc.value.field == "model" and model in str(exc.value)


def test_a_line_written_in_the_vendor_cell_is_refused_naming_the_vendor_cell() -> None:
    with pytest.raises(PlatformGuessError, match=r"vendor 'Cisco Meraki' is Cisco Meraki") as exc:
        guess_platform("Cisco Meraki", None, None)
    assert exc.value.field == "vendor"


def test_the_refusal_names_the_model_and_what_it_is() -> None:
    with pytest.raises(PlatformGuessError) as exc:
        guess_platform("Cisco", "ASR9006", None)
    assert str(exc.value).startswith("model 'ASR9006' is Cisco IOS-XR (ASR 9000), which netpatrol has no platform for")


@pytest.mark.parametrize("model", ["ASR9006", "C9800-40-K9", "AIR-CT5520-K9", "2288H V5", "OceanStor 5500 V5"])
def test_a_model_alone_of_another_line_is_refused_too(model: str) -> None:
    with pytest.raises(PlatformGuessError, match="which netpatrol has no platform for"):
        guess_platform(None, model, None)


@pytest.mark.parametrize(("vendor", "model", "platform"), [
    ("华为", "USG6550", "huawei_vrp"), ("Huawei", "AR2220", "huawei_vrp"), ("华为", "NE40E-X8", "huawei_vrp"),
    ("Huawei", "CE6850-48S6Q-HI", "huawei_vrp"), ("Huawei", "S5720-28X-SI-AC", "huawei_vrp"),
    ("H3C", "SecPath F1000-AK", "hp_comware"), ("H3C", "F1000-AK1130", "hp_comware"), ("华三", "MSR3620", "hp_comware"),
    ("锐捷", "RG-EG3000XE", "ruijie_os"), ("Ruijie", "RG-NBR6135-E", "ruijie_os"), ("锐捷", "RG-EG2000", "ruijie_os"),
    ("Cisco", "ASR1001-X", "cisco_ios"), ("Cisco", "ASR-920-24SZ-M", "cisco_ios"), (None, "MX204", "juniper_junos"),
    (None, "MX960", "juniper_junos"),
])
def test_the_lines_that_do_run_the_platform_keep_it(vendor: str | None, model: str, platform: str) -> None:
    assert guess_platform(vendor, model, None) == platform


@pytest.mark.parametrize(("vendor", "model", "platform", "expected"), [
    (None, "N9K-C93180YC-EX", "cisco", "cisco_nxos"), ("Cisco", "N9K-C93180YC-EX", "Cisco", "cisco_nxos"),
    (None, "C9300-48P", "cisco", "cisco_ios"), (None, None, "思科", "cisco_ios"), (None, "C9336C-FX2", "CISCO", "cisco_nxos"),
    (None, "S5720", "Huawei", "huawei_vrp"), (None, None, "arista", "arista_eos"), (None, None, "juniper", "juniper_junos"),
    # a platform's own name or alias still wins over the model
    (None, "N9K-C93180YC-EX", "ios", "cisco_ios"), (None, "C9300-48P", "cisco_nxos", "cisco_nxos"),
])
def test_a_vendor_word_in_the_platform_cell_is_read_as_the_vendor(vendor: str | None, model: str | None, platform: str,
                                                                  expected: str) -> None:
    assert guess_platform(vendor, model, platform) == expected


def test_a_vendor_word_in_the_platform_cell_does_not_escape_the_other_lines() -> None:
    with pytest.raises(PlatformGuessError, match=r"'2288H V5' is a Huawei server") as exc:
        guess_platform(None, "2288H V5", "huawei")
    assert exc.value.field == "model"
    with pytest.raises(PlatformGuessError, match=r"unknown platform 'cisco_xr'") as exc:
        guess_platform(None, None, "cisco_xr")  # not Cisco's default
    assert exc.value.field == "platform"


def test_other_lines_are_validated_by_the_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "acme_os"
    shutil.copytree(BUILTIN_DIR / "juniper_junos", folder, ignore=shutil.ignore_patterns("__pycache__"))
    doc = yaml.safe_load((folder / "platform.yaml").read_text(encoding="utf-8"))
    doc["vendor"], doc["aliases"] = "Acme", []
    doc["inventory_import"] = {"vendors": ["acme"], "other_lines": {"^SRV-": "an Acme server"}}
    (folder / "platform.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    assert guess_platform("Acme", "R-1", None) == "acme_os"
    with pytest.raises(PlatformGuessError, match=r"model 'SRV-2' is an Acme server, which netpatrol has no platform for"):
        guess_platform("Acme", "SRV-2", None)
    doc["inventory_import"]["other_lines"] = {"^SRV-(": "broken"}
    (folder / "platform.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv(ENV_VAR, str(tmp_path) + "/")
    with pytest.raises(PlatformError, match=r"acme_os/platform\.yaml: field 'inventory_import\.other_lines': .*'\^SRV-\(' is not"):
        get_platform("acme_os")


# --- rows: passwords and port 23 -------------------------------------------------------------------

LETTERS = {"name": ("A", "设备名称"), "address": ("B", "管理IP"), "vendor": ("C", "厂商"), "model": ("D", "型号"),
           "site": ("E", "所属单位"), "port": ("F", "端口"), "protocol": ("G", "登录方式"), "username": ("H", "用户名"),
           "location": ("I", "机房"), "role": ("J", "用途"), "notes": ("K", "备注")}


def _table(*rows: dict[str, str], fields: tuple[str, ...] = tuple(LETTERS)) -> Table:
    return table(LETTERS, *rows, fields=fields)


def _row(**cells: str) -> dict[str, str]:
    return {"name": "core-1", "address": "10.1.1.1", "vendor": "华为", "model": "S5720", "site": "北京市公安局", **cells}


def _refused(cells: dict[str, str], fields: tuple[str, ...] = tuple(LETTERS)) -> list:
    devices, problems = to_devices(_table(_row(**cells), _row(name="core-2", address="10.1.1.2"), fields=fields), {})
    assert [d.name for d in devices] == ["core-2"]
    assert problems and all(p.row == 2 for p in problems)
    return problems


@pytest.mark.parametrize(("username", "secret"), [
    ("admin/Huawei@123", "Huawei@123"), ("admin Huawei@123", "Huawei@123"), ("admin:pw9x", "pw9x"),
    ("admin：Pa55word", "Pa55word"), ("admin  S3cret!", "S3cret!"),
])
def test_a_user_name_cell_holding_a_password_refuses_the_row_without_showing_it(username: str, secret: str) -> None:
    [p] = _refused({"username": username})
    assert (p.column, p.header) == ("H", "用户名")
    assert p.message == ("holds more than a user name (a password?): netpatrol stores no passwords; "
                         "write only the user")
    assert secret not in str(p) and "admin" not in str(p)


@pytest.mark.parametrize("username", ["admin", "ops-1", "netops@corp.example", r"CORP\ops", " admin "])
def test_a_plain_user_name_passes(username: str) -> None:
    devices, problems = to_devices(_table(_row(username=username)), {})
    assert problems == [] and devices[0].username == username


@pytest.mark.parametrize(("field", "text", "secret"), [
    ("notes", "密码：Huawei@123", "Huawei@123"), ("notes", "密码 Admin@123", "Admin@123"), ("notes", "登录密码=Xy!9", "Xy!9"),
    ("location", "3楼机房 口令: abc123", "abc123"), ("role", "core, password: S3cret!", "S3cret!"),
    ("notes", "Password=hunter2", "hunter2"), ("notes", "pwd=qwerty7", "qwerty7"), ("notes", "passwd: tiger8", "tiger8"),
    ("notes", wide("PASSWORD:Zz9"), wide("Zz9")),  # full-width, as a Chinese input method types it
])
def test_a_free_text_cell_that_reads_like_a_password_refuses_the_row_without_showing_it(field: str, text: str,
                                                                                      secret: str) -> None:
    [p] = _refused({field: text})
    assert p.column == LETTERS[field][0]
    assert p.message == (f"the {field} cell reads like it holds a password: netpatrol stores no passwords; "
                         "take the password out of the sheet")
    assert secret not in str(p) and text not in str(p)


@pytest.mark.parametrize("text", ["密码已修改", "password changed", "2024年改过密码", "密码 已于3月修改", "bypass: none",
                                  "管理口令已统一", "passive: yes"])
def test_free_text_about_passwords_without_one_passes(text: str) -> None:
    devices, problems = to_devices(_table(_row(notes=text)), {})
    assert problems == [] and devices[0].data["notes"] == text


@pytest.mark.parametrize("fields", [tuple(f for f in LETTERS if f != "protocol"), tuple(LETTERS)])
def test_port_23_without_a_login_method_is_refused(fields: tuple[str, ...]) -> None:
    [p] = _refused({"port": "23"}, fields)
    assert p.column == "F"
    assert p.message == ("port 23 is Telnet's: write Telnet in 登录方式 (it sends the password in clear) "
                         "or give the SSH port")


@pytest.mark.parametrize(("port", "protocol", "telnet"), [("23", "Telnet", True), ("23", "SSH", False),
                                                        ("2222", "", False), ("2323", "", False), ("22", "", False)])
def test_port_23_with_a_login_method_and_other_ports_pass(port: str, protocol: str, telnet: bool) -> None:
    devices, problems = to_devices(_table(_row(port=port, protocol=protocol)), {})
    assert problems == [] and (devices[0].port, devices[0].telnet) == (int(port), telnet)
