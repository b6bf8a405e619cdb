"""The normaliser says what it could not use: a part without a name keeps its row (named by slot or
position), a row it cannot use is reported with the reason, and an item whose rows give none of
the facts the field map reads from it is reported as such (the service makes it a parse problem)."""

from __future__ import annotations

from pathlib import Path

import yaml

from netpatrol.inspection.normalise import normalise, normalise_items
from netpatrol.inspection.parsing import parse

PAIRS = Path(__file__).resolve().parent / "parsers"


def names(parts):
    return {p.name: p.status for p in parts}


def test_s_series_temperature_with_na_card_and_sensor_keeps_both_slots():
    # A real S5720 capture: Card and Sensor read NA on every row; both rows were dropped before.
    raw = (PAIRS / "huawei_vrp/display_temperature_all/s5720_v200r011.raw").read_text(encoding="utf-8")
    rows = parse("huawei_vrp", "display temperature all", raw).rows
    assert len(rows) == 2
    result = normalise_items("huawei_vrp", {"temperature": rows}, {"temperature": raw})
    temps = {s.name: s.celsius for s in result.health.temperatures}
    assert temps == {"slot 0 sensor 1": 37.0, "slot 1 sensor 1": 41.0}
    assert result.unused == {}


def test_nameless_fans_fall_back_to_slot_and_position():
    rows = [{"slot": "1", "fan": "", "status": "Normal"}, {"slot": "1", "fan": "N/A", "status": "Abnormal"},
            {"slot": "2", "fan": "--", "status": "Normal"}, {"slot": "2", "fan": "FAN1", "status": "Normal"}]
    _, h = normalise("huawei_vrp", {"fans": rows})
    assert names(h.fans) == {"slot 1 fan 1": "ok", "slot 1 fan 2": "failed", "slot 2 fan 1": "ok", "2/FAN1": "ok"}
    _, h = normalise("huawei_vrp", {"power": [{"power_supply": "NA", "status": "Supply"},
                                              {"power_supply": "", "status": "NotSupply"}]})
    assert names(h.power_supplies) == {"#1": "ok", "#2": "failed"}


def test_a_row_another_map_names_gets_no_positional_name():
    # Comware 5 prints one reading per slot without a sensor column; the second map names it by slot.
    rows = [{"slot": "1", "sensor": "", "temperature": "33", "upper_limit": "60"},
            {"slot": "2", "sensor": "hotspot 1", "temperature": "41", "upper_limit": "70"}]
    _, h = normalise("hp_comware", {"temperature": rows})
    assert sorted((s.name, s.celsius) for s in h.temperatures) == [("1", 33.0), ("2/hotspot 1", 41.0)]


def test_a_shared_table_gives_each_map_only_rows_of_its_kind():
    # Cisco `show environment`: every row fills only its own kind's fields. "FAN is OK" names no fan.
    rows = [{"fan": "", "fan_status": "OK"},
            {"power_supply": "PS1", "power_supply_status": "Good"},
            {"slot": "1", "temperature_status": "OK"},
            {"temperature_sensor": "Inlet", "temperature_current": "29", "temperature_status": "GREEN"}]
    result = normalise_items("cisco_ios", {"environment": rows})
    h = result.health
    assert names(h.fans) == {"#1": "ok"}
    assert names(h.power_supplies) == {"PS1": "ok"}
    # "Switch 1: SYSTEM TEMPERATURE is OK" has a state but no reading: a sensor all the same.
    assert [(s.name, s.celsius, s.status) for s in h.temperatures] == [("#1", None, "ok"),
                                                                         ("Inlet", 29.0, "ok")]
    assert result.unused == {}


def test_a_row_without_a_value_or_state_is_reported_with_the_reason():
    rows = [{"slot": "0", "sensor": "CPU", "temperature": "45"}, {"slot": "0", "sensor": "PSU", "temperature": "NA"},
            {"slot": "0", "sensor": "FAN", "temperature": "NA", "status": "Abnormal"}]
    result = normalise_items("huawei_vrp", {"temperature": rows})
    assert [(s.name, s.status) for s in result.health.temperatures] == [("0/CPU", "unknown"), ("0/FAN", "failed")]
    gap = result.unused["temperature"]
    assert not gap.no_facts and gap.skipped == ("row 2: no temperature value 'NA'",)
    assert gap.reason == "rows skipped: row 2: no temperature value 'NA'"


def test_rows_that_give_none_of_the_items_facts_are_a_gap():
    every_na = [{"slot": "0", "sensor": "A", "temperature": "NA"}, {"slot": "1", "sensor": "B", "temperature": "--"}]
    result = normalise_items("huawei_vrp", {"temperature": every_na})
    assert result.health.temperatures == []
    gap = result.unused["temperature"]
    assert gap.no_facts and gap.rows == 2
    assert gap.reason == ("2 row(s) gave none of the item's facts: row 1: no temperature value 'NA'; "
                          "row 2: no temperature value '--'")
    # Columns the map does not read (another family's template): the reason names both sides.
    result = normalise_items("huawei_vrp", {"cpu": [{"cpu_name": "main", "load": "12%"}]})
    assert result.health.cpu_percent is None
    gap = result.unused["cpu"]
    assert gap.no_facts and not gap.skipped
    assert "the field map reads cpu_usage_5_min, " in gap.reason
    assert gap.reason.endswith("the rows fill cpu_name, load")


def test_items_that_gave_facts_or_no_rows_or_feed_only_checks_are_not_gaps():
    result = normalise_items("huawei_vrp", {
        "cpu": [{"cpu_usage_5_min": "12%"}],
        "alarms": [],  # no active alarms
        "unused_ports": [{"interface": "GE0/0/3", "protocol": "down"}],  # a workspace item a check counts
        "version": [{"model": "S5720-28X-SI-AC", "product_version": "V200R011C10SPC600"}],
    })
    assert result.unused == {}
    assert result.health.cpu_percent == 12.0 and result.facts.model == "S5720-28X-SI-AC"


def test_normalise_and_normalise_items_agree():
    pair = PAIRS / "huawei_vrp/display_fan"
    raw_path = next(pair.glob("*.raw"))
    raw = raw_path.read_text(encoding="utf-8")
    rows = parse("huawei_vrp", "display fan", raw).rows
    assert rows == yaml.safe_load(raw_path.with_suffix(".yml").read_text(encoding="utf-8"))["parsed_sample"]
    facts, health = normalise("huawei_vrp", {"fans": rows}, {"fans": raw})
    result = normalise_items("huawei_vrp", {"fans": rows}, {"fans": raw})
    assert (result.facts, result.health) == (facts, health) and health.fans
