"""Huawei VRP: what each family's layout gives the health model, through the inspection's own
parse and normalise path (inspection/capture.py). Captures are the real test pairs in
tests/parsers/huawei_vrp; the layouts no public capture shows yet are in test_huawei_layouts.py."""

from __future__ import annotations

from pathlib import Path

from netpatrol.inspection.capture import parse_capture

PAIRS = Path(__file__).resolve().parent / "parsers" / "huawei_vrp"


def run(pair: str, command: str, item: str | None = None) -> dict:
    return parse_capture("huawei_vrp", command, (PAIRS / pair).read_text(encoding="utf-8"), item=item)


def names_status(components: list[dict]) -> list[tuple[str, str]]:
    return [(c["name"], c["status"]) for c in components]


def test_ne_chassis_temperature_blocks_per_slot():
    got = run("display_temperature/ne_chassis_slotid.raw", "display temperature", item="temperature")
    temps = got["health"]["temperatures"]
    assert len(temps) == 9 and temps[-1] == {"name": "27/FAN", "celsius": 25.0, "status": "ok", "warn": 80.0,
                                             "critical": 95.0}


def test_ne_fan_key_value_block_is_one_fan_per_slot():
    got = run("display_fan/ne_vrp8_key_value.raw", "display fan")
    assert got["template"] == "huawei_vrp_display_fan_ne.textfsm"
    assert names_status(got["health"]["fans"]) == [("10", "ok")]


def test_s_chassis_power_table_without_slot_column():
    got = run("display_power/s_chassis_no_slot.raw", "display power")
    assert got["template"] == "huawei_vrp_display_power_chassis.textfsm"
    assert names_status(got["health"]["power_supplies"]) == [(f"PWR{i}", "ok") for i in (1, 2, 3, 4)]


def test_s_box_absent_power_supply_is_absent_not_failed():
    got = run("display_power/s_box_absent.raw", "display power")
    assert names_status(got["health"]["power_supplies"]) == [("0/PWR1", "ok"), ("0/PWR2", "absent")]


def test_vrp8_cpu_reads_the_semicolon_separated_averages():
    got = run("display_cpu-usage/ne_vrp8_services.raw", "display cpu-usage")
    assert got["template"] == "huawei_vrp_display_cpu-usage_vrp8.textfsm" and got["unexplained"] is None
    assert (got["health"]["cpu_percent"], got["health"]["cpu_peak_percent"]) == (93.0, 15.0)


def test_vrp8_memory_with_process_table():
    got = run("display_memory-usage/vrp8_processes.raw", "display memory-usage")
    assert got["unexplained"] is None
    assert (got["health"]["memory_percent"], got["health"]["memory_total_kb"]) == (39.0, 2025148)


def test_ne40e_interfaces_link_quality_and_eth_trunk():
    got = run("display_interface/ne40e_vrp8_eth_trunk.raw", "display interface")
    ifs = {i["name"]: i for i in got["health"]["interfaces"]}
    assert len(ifs) == 10 and got["unexplained"] is None
    assert sum(i["oper_up"] for i in ifs.values()) == 7
    assert ifs["Eth-Trunk10"]["oper_up"] is False and ifs["GigabitEthernet1/0/0"]["crc"] == 0


def test_ce_interface_errors_are_read_per_direction():
    got = run("display_interface/ce6850_vrp8.raw", "display interface")
    ifs = {i["name"]: i for i in got["health"]["interfaces"]}
    assert (ifs["10GE1/0/1"]["in_errors"], ifs["10GE1/0/1"].get("out_errors")) == (4252, None)
    assert (ifs["Eth-Trunk0"]["in_errors"], ifs["Eth-Trunk0"]["out_errors"]) == (542, 875)


def test_chassis_boards_without_card_are_named_by_slot():
    got = run("display_device/ce12808s_chassis.raw", "display device")
    boards = dict(names_status(got["health"]["boards"]))
    assert len(boards) == 23 and boards["9"] == "ok" and boards["PWR1"] == "ok"


def test_chassis_model_drops_its_description():
    got = run("display_version/s7706_vrp5.raw", "display version")
    assert got["facts"]["model"] == "S7706" and got["facts"]["os_version"] == "V200R010C00SPC600"
