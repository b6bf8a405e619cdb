"""Optical transceivers, stack members and boards: normalisation of real captures (tests/parsers),
the derived status, and a lab device with a weak optic and a stack member gone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fault_world import cli
from netpatrol.inspection.normalise import normalise
from netpatrol.inspection.parsing import parse

PAIRS = Path(__file__).resolve().parent / "parsers"


def health_of(platform: str, command: str, item: str, pair: str):
    raw = PAIRS / platform / command.replace(" ", "_") / f"{pair}.raw"
    outcome = parse(platform, command, raw.read_text(encoding="utf-8"))
    assert outcome.status == "parsed", outcome.error
    return normalise(platform, {item: outcome.rows})[1]


def test_ios_detail_tables_become_one_transceiver_per_port_with_its_thresholds():
    h = health_of("cisco_ios", "show interfaces transceiver detail", "transceivers", "genie_iosxe_golden4")
    by_port = {t.interface: t for t in h.transceivers}
    assert sorted(by_port) == ["Te1/1/1", "Te1/1/2", "Te1/1/3"]
    weak = by_port["Te1/1/2"]
    assert (weak.rx_dbm, weak.tx_dbm, weak.celsius) == (-14.6, -2.6, 49.3)
    assert (weak.rx_low_alarm, weak.rx_low_warning, weak.rx_high_alarm, weak.temp_high_alarm) == (-13.9, -9.9, 2.0, 75.0)
    # -14.6 dBm is below the module's own -13.9 dBm low alarm; -13.3 only below its -9.9 warning.
    assert (weak.status, by_port["Te1/1/1"].status, by_port["Te1/1/3"].status) == ("failed", "warning", "ok")


def test_a_multi_lane_module_keeps_its_weakest_lane():
    ios = health_of("cisco_ios", "show interfaces transceiver detail", "transceivers", "genie_iosxe_rv1_golden1")
    assert [(t.interface, t.rx_dbm, t.tx_dbm) for t in ios.transceivers] == [("Hu2/6/0/15", 0.42, 0.73)]
    junos = health_of("juniper_junos", "show interfaces diagnostics optics", "transceivers", "genie_golden_output_2")
    assert [(t.interface, t.rx_dbm, t.rx_low_alarm) for t in junos.transceivers] == [("et-0/0/0", 0.72, -13.6)]


def test_pivoted_eos_and_flat_nxos_rows_give_the_same_fields():
    eos = health_of("arista_eos", "show interfaces transceiver detail", "transceivers", "ntc_detail")
    et61 = next(t for t in eos.transceivers if t.interface == "Et6/1")
    assert (et61.rx_dbm, et61.rx_low_alarm, et61.rx_low_warning, et61.tx_dbm, et61.celsius) == (-0.9, -11.5, -10.5, -2.39, 27.48)
    nxos = health_of("cisco_nxos", "show interface transceiver details", "transceivers", "ntc_details")
    e31 = next(t for t in nxos.transceivers if t.interface == "Ethernet3/1")
    assert (e31.rx_dbm, e31.rx_low_alarm, e31.rx_low_warning, e31.status) == (-30.45, -13.9, -9.9, "failed")


def test_huawei_ar_layout_and_junos_no_light():
    ar = health_of("huawei_vrp", "display transceiver verbose", "transceivers", "noc_ar_docstring")
    t = ar.transceivers[0]
    assert (t.interface, t.rx_dbm, t.rx_low_alarm, t.tx_low_alarm, t.status) == ("GigabitEthernet0/0/0", -22.03, -33.97, 2.0, "ok")
    assert t.detail == "SFP-WDM57.36 OptiCin"
    # Junos prints "- Inf" when the receiver sees nothing: that is no light, not "unknown".
    rows = [{"interface": "xe-0/0/1", "rx_power": ["- Inf"], "rx_low_alarm": "-17.40"}]
    dark = normalise("juniper_junos", {"transceivers": rows})[1].transceivers[0]
    assert (dark.rx_dbm, dark.status) == (-40.0, "failed")


def test_stack_members_and_their_states():
    ios = health_of("cisco_ios", "show switch detail", "stack", "genie_ios_golden_output_c3850")
    assert [(m.name, m.role, m.priority, m.status) for m in ios.stack_members] == [
        ("1", "Active", 3, "ok"), ("2", "Standby", 2, "ok"), ("3", "Member", 1, "ok")]
    removed = normalise("cisco_ios", {"stack": [{"switch": "2", "role": "Member", "state": "Removed"},
                                                {"switch": "3", "role": "Member", "state": "Version Mismatch"}]})[1]
    assert [m.status for m in removed.stack_members] == ["absent", "failed"]
    irf = health_of("hp_comware", "display device", "device", "s5130_irf")
    assert [(m.name, m.role, m.status) for m in irf.stack_members] == [("1", "Master", "ok"), ("2", "Standby", "ok")]


def test_huawei_chassis_main_boards_are_not_stack_members():
    common = {"online_status": "Present", "alarm_status": "Normal"}
    rows = [{"slot": "9", "card": "-", "pid": "CE-MPUA-S", "ha_status": "Master", **common},
            {"slot": "1", "card": "-", "pid": "S5735-L48T4X-A1", "ha_status": "Master", **common},
            {"slot": "1", "card": "PWR1", "pid": "PAC150S12-R", "ha_status": "NA", **common}]
    h = normalise("huawei_vrp", {"device": rows})[1]
    assert [(m.name, m.role, m.detail) for m in h.stack_members] == [("1", "Master", "S5735-L48T4X-A1")]


def test_boards_from_module_and_fpc_tables():
    nxos = health_of("cisco_nxos", "show module", "modules", "ntc_module3")
    assert {b.name: b.status for b in nxos.boards}["1"] == "warning"  # initializing
    assert {b.name: b.status for b in nxos.boards}["27"] == "ok"  # active *
    failed = normalise("cisco_nxos", {"modules": [{"module": "4", "status": "powered-dn", "model": "N7K-SUP1"}]})[1]
    assert [(b.name, b.status) for b in failed.boards] == [("4", "failed")]
    fpc = health_of("juniper_junos", "show chassis fpc", "modules", "genie_golden_output")
    assert [(b.name, b.status) for b in fpc.boards][:2] == [("0", "ok"), ("1", "absent")]


@pytest.mark.lab
def test_lab_weak_optic_and_missing_stack_member_are_found(tmp_path: Path, make_lab):
    ws = tmp_path / "ws"
    make_lab({"hw-ios": "cisco_ios", "hw-vrp": "huawei_vrp", "hw-h3c": "hp_comware"},
             scenarios={"hw-ios": ["optic_rx_low", "stack_member_down"], "hw-vrp": ["optic_rx_low"], "hw-h3c": ["optic_rx_low"]},
             fields={"hw-ios": {"model": "C9200L-24T-4G"}}, workspace=ws)
    res = cli(ws, "inspect", "--period", "2026Q3", "--backfill", "--json")
    assert res.returncode in (0, 1), res.stdout + res.stderr  # 1: findings were raised
    devices = {d["host"]: d for d in json.loads(res.stdout)["devices"]}
    found = {h: {(f["check"], f["subject"], f["severity"]) for f in d["findings"]} for h, d in devices.items()}
    assert ("transceiver_rx_low_alarm", "Gi0/0", "major") in found["hw-ios"]
    assert ("stack_member_down", "2", "critical") in found["hw-ios"]
    assert ("transceiver_rx_low_alarm", "GigabitEthernet0/0/1", "major") in found["hw-vrp"]
    assert ("transceiver_rx_low_alarm", "GigabitEthernet1/0/1", "major") in found["hw-h3c"]
    for d in devices.values():
        assert d["items"]["transceivers"]["status"] == "parsed", d["items"]["transceivers"]
    # The healthy optic raises nothing; the stack item of the Huawei device is its display device.
    assert not any(f[1] in ("Gi0/1", "GigabitEthernet0/0/2", "GigabitEthernet1/0/2") for h in found for f in found[h])


def test_ios_chassis_cards_take_their_status_from_the_mac_table():
    h = health_of("cisco_ios", "show module", "modules", "genie_cat6k")
    by_slot = {b.name: b for b in h.boards}
    assert (by_slot["1"].status, by_slot["1"].detail) == ("ok", "WS-X6K-S2U-MSFC2")
    assert by_slot["2"].status == "unknown"  # "Supervisor-Other", status "Unknown"
    down = normalise("cisco_ios", {"modules": [{"module": "4", "model": "WS-X4648-RJ45V+E"}, {"module": "4", "status": "PwrDown"}]})[1]
    assert [(b.name, b.status, b.detail) for b in down.boards] == [("4", "failed", "WS-X4648-RJ45V+E")]
