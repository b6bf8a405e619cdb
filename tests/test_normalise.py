"""normalise(): real corpus captures and netpatrol's own parser pairs -> Facts + Health.

Expected values are read off the captures by eye (file named in each test)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import corpus_dir
from netpatrol.inspection.normalise import NormaliseError, normalise, platform_spec
from netpatrol.inspection.normalise import _common as c
from netpatrol.inspection.parsing import parse

PAIRS = Path(__file__).resolve().parent / "parsers"


def from_corpus(platform: str, items: dict[str, str]):
    """items: catalogue item -> '<command_slug>/<file>.raw' under the corpus."""
    root = corpus_dir() / platform
    parsed, raw = {}, {}
    for item, rel in items.items():
        path = root / rel
        text = path.read_text(encoding="utf-8")
        outcome = parse(platform, path.parent.name.replace("_", " "), text)
        assert outcome.status == "parsed", (rel, outcome.error)
        parsed[item], raw[item] = outcome.rows, text
    return normalise(platform, parsed, raw)


def by_name(components):
    return {x.name: x for x in components}


# -- corpus ---------------------------------------------------------------------------------------

@pytest.mark.corpus
def test_cisco_ios_catalyst_3850():
    facts, h = from_corpus("cisco_ios", {
        "version": "show_version/cisco_ios_show_version1.raw",
        "cpu": "show_processes_cpu/cisco_ios_show_processes_cpu.raw",
        "environment": "show_environment_all/genie_iosxe_golden_output.raw",
        "power": "show_environment_power_all/cisco_ios_show_environment_power_all-3850-not-pres.raw",
        "ntp": "show_ntp_status/genie_ios_golden_output_1.raw",
        "interfaces": "show_interfaces/cisco_ios_show_interfaces.raw",
    })
    assert (facts.vendor, facts.model, facts.serial) == ("Cisco", "WS-C3850-48U", "FOC11111111")
    assert facts.os_version == "03.06.05E" and facts.last_reboot_reason == "Reload Command"
    assert facts.uptime_seconds == 17049240
    # "five seconds: 4%/0%; one minute: 6%; five minutes: 5%"
    assert (h.cpu_percent, h.cpu_peak_percent) == (5.0, 4.0)
    power = by_name(h.power_supplies)
    assert power["1A"].status == "failed"  # "No Input Power  Bad"
    assert power["2A"].status == "absent"  # power capture: "2A  Not Present"
    assert by_name(h.fans)["PS-1"].status == "absent"  # "FAN PS-1 is NOT PRESENT"
    assert by_name(h.temperatures)["Inlet"].celsius == 29.0
    assert by_name(h.temperatures)["Inlet"].critical == 56.0
    assert h.ntp_synced is True and h.ntp_stratum == 4
    gi01 = by_name(h.interfaces)["GigabitEthernet0/1"]
    assert (gi01.admin_up, gi01.oper_up, gi01.crc, gi01.description) == (True, True, 0, "to iosvl2-2")


@pytest.mark.corpus
def test_huawei_ce_and_ne():
    facts, h = from_corpus("huawei_vrp", {
        "version": "display_version/huawei_vrp_display_version.raw",
        "cpu": "display_cpu/napalm_ce.raw",
        "memory": "display_memory/napalm_ce.raw",
        "fans": "display_device_fan/napalm_ce.raw",
        "power": "display_device_power/napalm_ce.raw",
        "inventory": "display_esn/napalm_vrp_facts_ne40e.raw",
    })
    assert facts.vendor == "Huawei" and facts.model == "NE40E-X2-M8A"
    assert facts.os_version == "V800R011C00SPC200"
    assert facts.serial == "2102550AFWP0H6000080"
    assert facts.uptime_seconds == 13911600
    # "five seconds: 11%, one minute: 10%, five minutes: 10%"
    assert (h.cpu_percent, h.cpu_peak_percent) == (10.0, 11.0)
    assert h.memory_percent == 20.0 and h.memory_total_kb == 3884224
    assert by_name(h.power_supplies)["1/PWR2"].status == "failed"  # NotSupply
    assert by_name(h.fans)["1/FAN1"].status == "ok"
    assert by_name(h.fans)["1/FAN1"].detail == "40%(7125)"


@pytest.mark.corpus
def test_cisco_nxos_idle_cpu_and_environment():
    facts, h = from_corpus("cisco_nxos", {
        "version": "show_version/cisco_nxos_show_version1.raw",
        "cpu": "show_system_resources/genie_nxos_golden_output.raw",
        "memory": "show_system_resources/genie_nxos_golden_output.raw",
        "environment": "show_environment/cisco_nxos_show_environment.raw",
    })
    assert (facts.model, facts.serial, facts.hostname) == ("C9396PX", "SAL1909A8CT", "Leaf-101")
    assert h.cpu_percent == pytest.approx(100 - 86.24, abs=0.1)  # "86.24% idle"
    assert h.memory_total_kb == 5873172 and h.memory_percent == pytest.approx(71.3, abs=0.1)
    assert by_name(h.temperatures)["1/Inlet"].celsius == 25.0
    assert {p.status for p in h.power_supplies} == {"ok"}


@pytest.mark.corpus
def test_juniper_uptime_from_boot_time_and_idle_cpu():
    facts, h = from_corpus("juniper_junos", {
        "version": "show_version/juniper_junos_show_version.raw",
        "cpu": "show_chassis_routing-engine/genie_junos_golden_output.raw",
        "environment": "show_chassis_environment/genie_junos_golden_output.raw",
        "clock": "show_system_uptime/juniper_junos_show_system_uptime.raw",
    })
    assert (facts.vendor, facts.model, facts.os_version) == ("Juniper", "mx240", "13.3R1.4")
    assert facts.uptime_seconds == 13374966  # current time minus "System booted"
    assert h.cpu_percent == 2.0
    assert by_name(h.fans)["Fan Tray 0 Fan 1"].detail == "2760 RPM"
    assert h.clock == "2021-08-31 08:48:11 MSK"


# -- own parser pairs (no corpus needed) -----------------------------------------------------------

def from_pairs(platform: str, items: dict[str, str]):
    parsed = {}
    for item, slug in items.items():
        # "display_fan/s5720_v200r011" names one pair of a folder that holds several families
        yml = PAIRS / platform / f"{slug}.yml" if "/" in slug else next((PAIRS / platform / slug).glob("*.yml"))
        parsed[item] = yaml.safe_load(yml.read_text(encoding="utf-8"))["parsed_sample"]
    return normalise(platform, parsed, {})


def test_comware_pairs():
    _, h = from_pairs("hp_comware", {"fans": "display_fan", "power": "display_power/s5130_cmw7", "cpu": "display_cpu-usage",
                                     "memory": "display_memory", "ntp": "display_ntp-service_status"})
    assert {f.status for f in h.fans} <= {"ok", "failed", "absent"}
    assert by_name(h.power_supplies)["1/2"].status == "absent"  # " 2  Absent  --"
    assert h.cpu_percent is not None and h.memory_percent is not None
    assert h.ntp_synced is not None


def test_huawei_s_pairs():
    _, h = from_pairs("huawei_vrp", {"fans": "display_fan/s5720_v200r011", "alarms": "display_alarm_active",
                                     "logs": "display_logbuffer"})
    fans = by_name(h.fans)
    assert fans["1/1"].status == "failed"  # "Register NO"
    assert fans["0/1"].status == "ok"
    assert h.alarms and all(a.severity is not None for a in h.alarms)
    assert h.logs and all(e.severity is not None for e in h.logs)


# -- hand-written rows ----------------------------------------------------------------------------

def test_missing_items_stay_unknown():
    facts, h = normalise("huawei_vrp", {}, {})
    assert facts.vendor == "Huawei" and facts.serial is None
    assert h.cpu_percent is None and h.ntp_synced is None and h.fans == [] and h.storage_percent is None


def test_unknown_platform_is_a_clear_error():
    with pytest.raises(NormaliseError, match="no field map for platform 'foo_os'"):
        normalise("foo_os", {}, {})


def test_every_platform_has_a_map():
    from netpatrol.platforms import PLATFORMS

    assert all(platform_spec(platform)[0].facts.fields for platform in PLATFORMS)


def test_ntp_words_and_stratum_16():
    rows = {"ntp": [{"clock_status": "synchronized", "clock_stratum": "16"}]}
    assert normalise("cisco_ios", rows, {})[1].ntp_synced is False
    assert normalise("arista_eos", {"ntp": [{"clock_status": "unsynchronised"}]}, {})[1].ntp_synced is False
    assert normalise("juniper_junos", {"ntp": [{"sync_source": "sync_unspec"}]}, {})[1].ntp_synced is False
    peers = {"ntp": [{"remote": "10.0.0.1", "selected": "*", "stratum": "2"}]}
    assert normalise("cisco_nxos", peers, {})[1].ntp_synced is True


def test_logs_keep_newest_200_and_read_severity_from_message():
    rows = [{"timestamp": f"t{i}", "message": [f"%DAEMON-{i % 8}-X: m{i}"]} for i in range(250)]
    _, h = normalise("juniper_junos", {"logs": rows}, {})
    assert len(h.logs) == 200 and h.logs[-1].message.endswith("m249") and h.logs[0].when == "t50"
    assert h.logs[-1].severity == 249 % 8
    newest_first = [{"timestamp": "2", "severity": "4", "message": ["b"]}, {"timestamp": "1", "severity": "3",
                                                                             "message": ["a"]}]
    _, h = normalise("huawei_vrp", {"logs": newest_first}, {})
    assert [e.message for e in h.logs] == ["a", "b"]


def test_storage_and_memory_from_totals():
    _, h = normalise("cisco_ios", {"storage": [{"total_size": "1073741824", "total_free": "268435456"}],
                                   "memory": [{"memory_total": "2048000", "memory_free": "512000"}]}, {})
    assert (h.storage_total_kb, h.storage_free_kb, h.storage_percent) == (1048576, 262144, 75.0)
    assert h.memory_percent == 75.0


@pytest.mark.parametrize("text,seconds", [
    ("1 year, 21 weeks, 3 days, 4 hours, 5 minutes", 365 * 86400 + 21 * 604800 + 3 * 86400 + 4 * 3600 + 300),
    ("12 weeks, 3 days, 2 hours, 10 minutes", 12 * 604800 + 3 * 86400 + 2 * 3600 + 600),
    ("391 day(s), 7 hour(s), 39 minute(s), 20 second(s)", 391 * 86400 + 7 * 3600 + 39 * 60 + 20),
    ("391:07:39:20", 391 * 86400 + 7 * 3600 + 39 * 60 + 20),
    ("5w2d", 37 * 86400),
    ("NA", None),
])
def test_uptime_text(text, seconds):
    assert c.uptime_seconds(text) == seconds


@pytest.mark.parametrize("word,status", [
    ("Normal", "ok"), ("OK", "ok"), ("Fail", "failed"), ("Abnormal", "failed"), ("Absent", "absent"),
    ("Not Present", "absent"), ("NotSupply", "failed"), ("Faulty", "failed"), ("Ok (70%)", "ok"), ("--", "unknown"),
])
def test_status_words(word, status):
    assert c.status_of(word) == status


def test_numbers():
    assert c.num("40%(7125)") == 40.0
    assert c.num("NA") is None and c.num("--") is None
    assert c.kb("1.2G") == int(1.2 * 1024 * 1024)
    assert c.kb("1,048,576", "KB") == 1048576
