"""Template choice and parsing: own pairs in tests/parsers, and the real-device corpus when present."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from netpatrol.inspection import parsing
from netpatrol.inspection.catalogue import load_job
from netpatrol.inspection.parsing import parse, resolve_template, validate_template_dir
from netpatrol.platforms import PLATFORMS

ROOT = Path(__file__).resolve().parents[1]
PAIRS = Path(__file__).resolve().parent / "parsers"


def _corpus() -> Path | None:
    # Decided at collection time, so no pytest.skip() here (that would skip the whole module).
    found = (ROOT / ".." / "shared" / "corpus").resolve()
    return found if found.is_dir() else None


CORPUS = _corpus()
needs_corpus = pytest.mark.skipif(CORPUS is None, reason="../shared/corpus (real device outputs) is absent")

# Corpus outputs that the mapped ntc template cannot parse: upstream template gaps, kept visible.
CORPUS_PARSE_EXCEPTIONS = {
}
# ntc .yml files known to disagree with the installed template version (ntc's own skew).
CORPUS_YML_EXCEPTIONS = {("arista_eos", "show inventory", "arista_eos_show_inventory1.yml")}
# Family templates no public, permissively licensed capture was found for (TEXTFSM.md says so per
# command); their layouts are covered by tests/test_comware_eos_layouts.py and
# tests/test_huawei_layouts.py until a capture is found.
NO_REAL_CAPTURE_YET = {
    # Only a pair the team reconstructed from the documented layout (source: reconstructed ...):
    "arista_eos_show_logging.textfsm", "arista_eos_show_ntp_status.textfsm", "hp_comware_dir.textfsm",
    "hp_comware_display_alarm.textfsm", "hp_comware_display_device.textfsm", "hp_comware_display_environment.textfsm",
    "hp_comware_display_fan.textfsm", "hp_comware_display_license.textfsm", "hp_comware_display_logbuffer.textfsm",
    "huawei_vrp_display_alarm_active.textfsm", "huawei_vrp_display_license.textfsm", "huawei_vrp_display_logbuffer.textfsm",
    "huawei_vrp_display_temperature_all.textfsm", "juniper_junos_show_interfaces_extensive.textfsm",
    "ruijie_os_dir.textfsm", "ruijie_os_show_clock.textfsm", "ruijie_os_show_fan.textfsm",
    "ruijie_os_show_interfaces_status.textfsm", "ruijie_os_show_ip_bgp_summary.textfsm",
    "ruijie_os_show_ip_ospf_neighbor.textfsm", "ruijie_os_show_lldp_neighbors.textfsm", "ruijie_os_show_logging.textfsm",
    "ruijie_os_show_memory_statistic.textfsm", "ruijie_os_show_ntp_status.textfsm", "ruijie_os_show_power.textfsm",
    "ruijie_os_show_temperature.textfsm", "ruijie_os_show_version.textfsm",
    # Written from the layout the issue or the documentation describes, tested by labelled fragments:
    "huawei_vrp_display_cpu-usage_ar.textfsm", "huawei_vrp_display_fan_ar.textfsm",
    "huawei_vrp_display_fan_chassis.textfsm", "huawei_vrp_display_power_ne.textfsm",
    "huawei_vrp_display_power_ne_kv.textfsm",
    "huawei_vrp_display_temperature_all_ar.textfsm",
    # older-release layouts whose only public capture known is in an evaluation set:
    # tests/test_huawei_layouts_siblings.py
    "huawei_vrp_display_cpu-usage_busy.textfsm", "huawei_vrp_display_fan_sentence.textfsm",
    # RGOS 11 chassis layouts whose only public capture known is in the held-out evaluation set:
    # tests/test_ruijie_layouts.py
    "ruijie_os_show_cpu_slots.textfsm", "ruijie_os_show_fan_chassis.textfsm",
    # the ASR 901 / ISR sentence layout and Comware's verbose VRRP layout: the only public captures
    # known are in an evaluation set or from the same device; fragments in tests/test_layout_families.py
    "cisco_ios_show_environment_router.textfsm", "hp_comware_display_vrrp_verbose.textfsm",
    # Comware transceiver diagnosis: layout fragments in tests/test_hardware_layouts.py
    "hp_comware_display_transceiver_diagnosis_interface.textfsm", "juniper_junos_show_virtual-chassis.textfsm",
    # Protocol items (spanning tree, VRRP, RGOS ARP/MAC): exercised by the lab outputs
    # (tests/test_protocol_items.py) until a capture is found.
    "arista_eos_show_spanning-tree_detail.textfsm", "arista_eos_show_vrrp_brief.textfsm",
    "hp_comware_display_stp.textfsm", "hp_comware_display_vrrp.textfsm",
    "huawei_vrp_display_stp.textfsm", "huawei_vrp_display_vrrp_brief.textfsm",
    "juniper_junos_show_spanning-tree_bridge.textfsm", "juniper_junos_show_vrrp_summary.textfsm",
    "ruijie_os_show_arp.textfsm", "ruijie_os_show_mac-address-table.textfsm",
    "ruijie_os_show_spanning-tree.textfsm", "ruijie_os_show_vrrp_brief.textfsm",
    # Comware fan tables ("Index Status Speedlevel", "FanID Status Direction"): the only public
    # capture known is in an evaluation set; tests/test_comware_table_layouts.py
    "hp_comware_display_fan_table.textfsm",
}
# Corpus slugs that are another spelling of a catalogue command.
CORPUS_ALIASES = {("huawei_vrp", "display ntp status"): "display ntp-service status",
                  ("cisco_ios", "show processes cpu"): "show processes cpu sorted"}


def catalogue_commands() -> list[tuple[str, str]]:
    out = set()
    for platform, items in load_job(None, "quarterly").platforms.items():
        for alternatives in items.values():
            out.update((platform, c) for c in alternatives)
    return sorted(out)


def pair_cases() -> list[Path]:
    return sorted(PAIRS.glob("*/*/*.raw"))


def _command_of(raw: Path) -> tuple[str, str]:
    # A pair for a command its folder name cannot spell (a pipe) names the command in its .yml.
    yml = raw.with_suffix(".yml")
    doc = yaml.safe_load(yml.read_text(encoding="utf-8")) if yml.is_file() else None
    return raw.parent.parent.name, (doc or {}).get("command") or raw.parent.name.replace("_", " ")


def test_every_catalogue_command_has_a_template():
    missing = [pc for pc in catalogue_commands() if resolve_template(*pc) is None]
    assert missing == []


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_platform_template_dir_is_valid(platform: str):
    assert validate_template_dir(PLATFORMS[platform].textfsm_dir, platform_column=False) == []


@pytest.mark.parametrize("raw", pair_cases(), ids=lambda p: str(p.relative_to(PAIRS)))
def test_pair(raw: Path):
    platform, command = _command_of(raw)
    expected = yaml.safe_load(raw.with_suffix(".yml").read_text(encoding="utf-8"))["parsed_sample"]
    # The sample workspace's own templates (parsers/) are looked up as a workspace's are.
    outcome = parse(platform, command, raw.read_text(encoding="utf-8"), [ROOT / "parsers"])
    assert outcome.status == ("parsed" if expected else "empty"), outcome.error
    assert outcome.rows == expected
    doc = yaml.safe_load(raw.with_suffix(".yml").read_text(encoding="utf-8"))
    if "template" in doc:  # the family's own candidate must win, not merely some candidate
        assert Path(outcome.template).name == doc["template"], outcome.candidates


def _corpus_cases() -> list[tuple[str, str, Path]]:
    if CORPUS is None:
        return []
    wanted = set(catalogue_commands())
    cases = []
    for raw in sorted(CORPUS.glob("*/*/*.raw")):
        platform, command = _command_of(raw)
        command = CORPUS_ALIASES.get((platform, command), command)
        if (platform, command) in wanted:
            cases.append((platform, command, raw))
    return cases


def _doc(raw: Path) -> dict:
    return yaml.safe_load(raw.with_suffix(".yml").read_text(encoding="utf-8")) or {}


def reconstructed(raw: Path) -> bool:
    """A pair written by the team from a documented layout: it pins the template, but it is no
    evidence that the template reads what devices print."""
    return str(_doc(raw).get("source", "")).startswith("reconstructed")


def _winner(platform: str, command: str, raw: Path, extra: list[Path]) -> str:
    return Path(parse(platform, command, raw.read_text(encoding="utf-8"), extra).template or "").name


def test_every_pair_names_its_source_and_licence():
    allowed = ("Apache-2.0", "MIT", "BSD-", "CC-BY", "CC0", "Unlicense")
    bad = [str(r.relative_to(PAIRS)) for r in pair_cases()
           if not _doc(r).get("source") or not str(_doc(r).get("licence", "")).startswith(allowed)]
    assert bad == []


@needs_corpus
@pytest.mark.corpus
def test_every_own_template_has_a_case():
    # Covered = it wins on a real capture (a sourced pair or a corpus file), not merely comes first.
    used = {_winner(*_command_of(r), r, [ROOT / "parsers"]) for r in pair_cases() if not reconstructed(r)}
    used |= {_winner(p, c, r, []) for p, c, r in _corpus_cases()}
    own = {p.name for platform in PLATFORMS.values() for p in platform.textfsm_dir.glob("*.textfsm")}
    assert sorted(own - used - NO_REAL_CAPTURE_YET) == []
    assert sorted(NO_REAL_CAPTURE_YET & used) == []  # a template that gained a real capture leaves the list


@needs_corpus
@pytest.mark.corpus
@pytest.mark.parametrize("case", _corpus_cases(), ids=lambda c: f"{c[0]}/{c[2].parent.name}/{c[2].name}")
def test_corpus_output_parses(case):
    platform, command, raw = case
    outcome = parse(platform, command, raw.read_text(encoding="utf-8"))
    if (platform, command, raw.name) in CORPUS_PARSE_EXCEPTIONS:
        assert outcome.status == "parse_error"  # if upstream fixes it, drop the exception
        return
    assert outcome.status == "parsed", outcome.error
    yml = raw.with_suffix(".yml")
    # ntc's expected parse is comparable only when the map uses that same ntc template.
    if yml.exists() and Path(outcome.template).parent == parsing.ntc_template_dir():
        if (platform, command, yml.name) in CORPUS_YML_EXCEPTIONS:
            return
        assert outcome.rows == yaml.safe_load(yml.read_text(encoding="utf-8"))["parsed_sample"]


def test_distinct_outcomes():
    assert parse("huawei_vrp", "display stp brief", "x").status == "no_template"
    assert parse("huawei_vrp", "display cpu-usage", "garbage line\n").status == "unrecognised"
    empty = parse("juniper_junos", "show chassis alarms", "No alarms currently active\n")
    assert (empty.status, empty.rows) == ("empty", [])


def test_prefix_commands_do_not_borrow_templates():
    # ntc's index would send these to huawei_vrp_dir / hp_comware_display_arp.
    assert resolve_template("huawei_vrp", "display cpu-usage slot 1") is None
    assert resolve_template("hp_comware", "display alarm").name == "hp_comware_display_alarm.textfsm"
    assert resolve_template("huawei_vrp", "dis cpu").name == "huawei_vrp_display_cpu-usage.textfsm"
    assert resolve_template("huawei_vrp", "display  ntp-service   status") is not None


def test_workspace_dir_overrides_builtin(tmp_path: Path):
    (tmp_path / "index").write_text(
        "Template, Hostname, Platform, Command\n\nmine.textfsm, .*, huawei_vrp, di[[splay]] cl[[ock]]$\n")
    (tmp_path / "mine.textfsm").write_text("Value T (\\S+)\n\nStart\n  ^${T} -> Record\n")
    out = parse("huawei_vrp", "display clock", "abc\n", extra_dirs=[tmp_path])
    assert out.template == str(tmp_path / "mine.textfsm") and out.rows == [{"t": "abc"}]
    assert validate_template_dir(tmp_path) == []


def test_validate_template_dir_names_file_and_line(tmp_path: Path):
    assert "missing" in validate_template_dir(tmp_path)[0]
    (tmp_path / "index").write_text(
        "Template, Hostname, Platform, Command\nbad.textfsm, .*, x, show x\ngone.textfsm, .*, x, show y$\n")
    (tmp_path / "bad.textfsm").write_text("Value X (\\S+)\n\nStart\n  ^${Y} -> Record\n")
    problems = "\n".join(validate_template_dir(tmp_path))
    assert "index:2" in problems and "must end with '$'" in problems
    assert "index:3" in problems and "gone.textfsm does not exist" in problems
    assert "bad.textfsm" in problems and "does not compile" in problems


def test_repeated_parses_read_the_index_and_the_template_once():
    from netpatrol.inspection import parsing

    text = "\n".join(f" ESN of slot {i}: 2102{i:016d}" for i in range(50)) + "\n"
    parsing._index_cached.cache_clear()
    parsing._template_text.cache_clear()
    parsing._compiled.__dict__.clear()
    for _ in range(300):
        assert parse("huawei_vrp", "display esn", text).status == "parsed"
    assert parsing._template_text.cache_info().misses == 1
    assert parsing._index_cached.cache_info().misses <= 1  # the built-in index; the template may come from ntc
