"""Problem keys: one problem per problem, whichever checks and tiers see it.

On the lab's outputs (recorded, no SSH): the CPU tiers are one problem at the highest severity, a
failed PSU listed by `display device` and `display power` is one problem, so is a failed fan, the
open unused ports of a device are one problem; a previous period stored before schema 1.3 (no
problem keys, one-language details) compares with a current one by problem key.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from netpatrol.checks import components, evidence
from netpatrol.checks.loader import load_packs
from netpatrol.inspection.problems import assign_keys, merge
from netpatrol.inspection.results import Finding
from netpatrol.inspection.service import run_inspection
from netpatrol.workspace.inventory import load_inventory
from netpatrol.workspace.settings import Workspace
from recorded import RecordedCollector, record_workspace

SCENARIOS = {"city-acc-02": ["cpu_high"], "east-core-01": ["psu_failed"], "north-core-01": ["fan_failed"]}


@pytest.fixture
def world(sample_workspace: Path, tmp_path: Path):
    ws = Workspace(sample_workspace)
    hosts = [h for h in load_inventory(sample_workspace).hosts.values() if h.name in SCENARIOS]
    return ws, hosts, RecordedCollector(record_workspace(sample_workspace, tmp_path / "rec", SCENARIOS))


def inspect(world, period: str):
    ws, hosts, collector = world
    run = run_inspection(ws, hosts, period=period, collector=collector, show_progress=False)
    return {r.host: r for r in run.results}, run


def by_key(result) -> dict:
    return {p.key: p for p in merge(result.findings)}


def test_tiers_of_one_metric_are_one_problem_at_the_highest_severity(world):
    results, run = inspect(world, "2026Q3")
    acc = results["city-acc-02"]
    cpu_checks = {f.check for f in acc.findings if f.problem == "cpu"}
    # The sample's early warning (info), cpu_percent (minor) and cpu_critical (major) all fire.
    assert cpu_checks == {"city_cpu_percent", "cpu_percent", "cpu_critical"}
    problem = by_key(acc)["cpu"]
    assert problem.severity == "major" and problem.check == "cpu_critical"
    assert problem.checks[0] == "cpu_critical" and len(problem.evidence) == 3
    # The lower tiers read the same 93 %: the reader gets the one sentence of the strongest tier.
    assert len(problem.evidence_in("zh-CN")) == 1 and "90%" in problem.evidence_in("zh-CN")[0]
    assert sum(run.summary()["problems"].values()) < sum(run.summary()["findings"].values())


def test_a_failed_psu_and_a_failed_fan_seen_by_two_lists_are_one_problem_each(world):
    results, _ = inspect(world, "2026Q3")
    east = results["east-core-01"]
    psu = [f for f in east.findings if f.check in ("board_failed", "power_supply_failed")]
    # Both lists name the same slot: `display device` prints the PSU under the master's slot 0.
    assert sorted((f.check, f.subject) for f in psu) == [("board_failed", "0/PWR2"), ("power_supply_failed", "0/PWR2")]
    assert {f.problem for f in psu} == {"hardware:power:0/2"}
    problem = by_key(east)["hardware:power:0/2"]
    assert problem.severity == "major" and set(problem.checks) == {"board_failed", "power_supply_failed"}
    assert len(problem.evidence_in("zh-CN")) == 2 and all("故障" in s for s in problem.evidence_in("zh-CN"))

    north = results["north-core-01"]
    fan = [f for f in north.findings if f.check in ("board_failed", "fan_failed")]
    assert sorted((f.check, f.subject) for f in fan) == [("board_failed", "0/FAN2"), ("fan_failed", "0/2")]
    assert {f.problem for f in fan} == {"hardware:fan:0/2"}
    assert set(by_key(north)["hardware:fan:0/2"].checks) == {"board_failed", "fan_failed"}


def test_open_unused_ports_of_a_device_are_one_problem(world):
    results, _ = inspect(world, "2026Q3")
    ports = [f for f in results["north-core-01"].findings if f.check == "unused_ports_open"]
    assert len(ports) > 1 and {f.problem for f in ports} == {"unused_ports"}
    problem = by_key(results["north-core-01"])["unused_ports"]
    assert [f.subject for f in problem.evidence] == [f.subject for f in ports]


def test_component_names_keep_the_slot_and_leave_unknown_parts_alone():
    assert components.component("hardware", "board_failed", "1/PWR2") == "power:1/2"
    assert components.component("hardware", "power_supply_failed", "PSU 2") == "power:2"
    assert components.component("hardware", "fan_failed", "0/2") == "fan:0/2"
    # A bare number is a fan only in the fan list: in the board list it is a slot.
    assert components.component("hardware", "board_failed", "2") == "2"
    assert components.component("hardware", "board_failed", "1/LPU3") == "1/LPU3"


def _as_stored_by_1_2(path: Path) -> None:
    """The stored result as schema 1.2 wrote it: no problem keys, one English detail string."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["schema_version"] = "1.2"
    for f in doc["findings"]:
        del f["problem"]
        f["detail"] = f["detail"]["en"]
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def test_a_previous_period_stored_by_1_2_compares_by_problem_key(world):
    ws, _, _ = world
    inspect(world, "2026Q3")
    for host in SCENARIOS:
        _as_stored_by_1_2(next(ws.backups.glob(f"inspections/2026Q3/*/{host}.json")))
    results, _ = inspect(world, "2026Q4")
    # Without assign_keys the 1.2 side would be keyed check[:subject]: everything new and resolved.
    assert "cpu" in results["city-acc-02"].comparison.persisting
    assert "hardware:power:0/2" in results["east-core-01"].comparison.persisting
    assert "hardware:fan:0/2" in results["north-core-01"].comparison.persisting
    assert all(not c.new and not c.resolved for c in (r.comparison for r in results.values()))


def test_assign_keys_fills_only_missing_keys_from_the_check_definitions():
    checks = load_packs(["health"], None)
    old = [Finding(check="cpu_critical", severity="major", title={}, detail="CPU 93% ≥ 90%"),
           Finding(check="gone_check", severity="minor", title={}, detail="x", subject="a"),
           Finding(check="fan_failed", severity="major", title={}, detail="x", subject="0/2", problem="kept")]
    assert [f.problem for f in assign_keys(old, checks)] == ["cpu", None, "kept"]
    assert [p.key for p in merge(assign_keys(old, checks))] == ["cpu", "gone_check:a", "kept"]


# --- evidence sentences ------------------------------------------------------------------------

# Latin words a zh-CN sentence may carry: technical tokens, units and the configuration commands
# a baseline sentence names (service password-encryption, ip ssh version 2, shutdown).
TOKENS = {"CPU", "NTP", "SNMP", "ARP", "MAC", "OSPF", "BGP", "CRC", "dBm",
          "service", "password-encryption", "ip", "ssh", "version", "shutdown"}


def _sentences():
    checks = load_packs(["health", "security"], Path(__file__).parents[1] / "checks")
    for c in checks:
        value = [" telnet server enable", "snmp-agent community read public"] if c.condition.config else 11820
        yield c, evidence.render(c.detail, value, 86400 if c.threshold is None else c.threshold, "GE0/0/1")


def test_every_built_in_detail_has_both_languages():
    for c, _ in _sentences():
        assert isinstance(c.detail, dict) and set(c.detail) == {"zh-CN", "en"}, c.id


def test_both_languages_render_without_placeholders_and_zh_without_other_latin_words():
    import re

    for c, text in _sentences():
        for lang in ("zh-CN", "en"):
            assert "{" not in text[lang] and "}" not in text[lang], (c.id, lang, text[lang])
            assert "True" not in text[lang] and "False" not in text[lang], (c.id, text[lang])
        zh = text["zh-CN"]
        # Values (numbers, the subject, quoted config lines) are allowed; words must be tokens.
        rest = zh.replace("GE0/0/1", "").replace("telnet server enable", "").replace("snmp-agent community read public", "")
        words = set(re.findall(r"[A-Za-z][A-Za-z-]*", rest))
        assert words <= TOKENS, (c.id, words - TOKENS, zh)
        assert re.search(r"[\u4e00-\u9fff]", zh), (c.id, zh)


def test_values_are_written_per_language():
    text = evidence.render({"zh-CN": "运行时间 {value:duration}", "en": "up {value:duration}"}, 11820, None, None)
    assert text == {"zh-CN": "运行时间 3 小时 17 分", "en": "up 3 h 17 min"}
    assert evidence.render(None, ["a", "b"], None, "x") == {"zh-CN": "x：a、b", "en": "x: a, b"}
    assert evidence.render(None, 93.0, 90, "x")["zh-CN"] == "x：93（阈值 90）"  # noqa: RUF001
    assert evidence.render("{value:status}", "failed", None, None) == {"zh-CN": "故障", "en": "failed"}
    with pytest.raises(ValueError, match="unknown format 'percent'"):
        evidence.check_template("{value:percent}")


def test_inspect_prints_problem_counts_by_the_contracts_level_names(world, monkeypatch):
    from typer.testing import CliRunner

    from netpatrol.cli.root import app

    ws, _, collector = world
    monkeypatch.setattr("netpatrol.inspection.service.default_collector", lambda *a, **k: collector)
    res = CliRunner().invoke(app, ["inspect", "-w", str(ws.root), "--backfill", "--period", "2026Q2",
                                   "--host", "city-acc-02", "--host", "east-core-01", "--host", "north-core-01"],
                             env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    line = next(x for x in res.output.splitlines() if "problems:" in x)
    summary = json.loads((ws.backups / "inspections/2026Q2/summary.json").read_text(encoding="utf-8"))
    counts = summary["problems"]
    contract = ws.settings.contract
    expected = ", ".join(f"{contract.name(s, 'zh-CN')} {n}" for s, n in counts.items() if n)
    assert f"3 devices; problems: {expected};" in line, res.output
    # cpu (major) and one PSU and one fan problem (major) each, not their several findings.
    assert counts["major"] < summary["findings"]["major"]
    assert "critical" not in line and "major" not in line
