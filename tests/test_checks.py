"""The check engine and the built-in packs: every check fires on a violating result and stays
silent on a healthy one; thresholds, scopes, period comparisons, pack errors, corpus configs."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from conftest import REPO, corpus_dir  # tests/ is on sys.path (rootdir conftest, no __init__)
from netpatrol.backup.sanitize import sanitize
from netpatrol.checks.engine import CheckContext, config_patterns, evaluate, match_config
from netpatrol.checks.loader import load_packs, validate_pack_file
from netpatrol.checks.model import Check
from netpatrol.errors import CheckFileError, InventoryError
from netpatrol.inspection.results import (
    Component,
    Facts,
    Health,
    InspectionResult,
    InterfaceHealth,
    LogEntry,
    Peer,
    RedundancyGroup,
    Sensor,
    StackMember,
    StpInstance,
    Transceiver,
)
from netpatrol.workspace.models import InspectionScope

CASES = yaml.safe_load((Path(__file__).parent / "checks_cases.yaml").read_text(encoding="utf-8"))
CHECKS = load_packs(["health", "security"], None)
BY_ID = {c.id: c for c in CHECKS}
CONFIG_CHECKS = {c.id: c for c in CHECKS if c.condition.config is not None}
DAY = 86400


def healthy(platform: str = "cisco_ios", period: str = "2026Q3") -> InspectionResult:
    return InspectionResult(
        host="acc-01",
        site="jc-city",
        platform=platform,
        period=period,
        collected_at="2026-09-20T02:00:00+00:00",
        status="ok",
        facts=Facts(hostname="acc-01", os_version="15.2(7)E3", uptime_seconds=200 * DAY),
        health=Health(
            cpu_percent=12.0,
            memory_percent=41.5,
            temperatures=[Sensor(name="Inlet", celsius=31.0, status="ok", warn=56.0, critical=65.0)],
            fans=[Component(name="Fan 1", status="ok"), Component(name="Fan 2", status="ok")],
            power_supplies=[Component(name="PSU 1", status="ok"), Component(name="PSU 2", status="absent")],
            boards=[Component(name="Slot 1", status="ok")],
            interfaces=[
                InterfaceHealth(name="GigabitEthernet0/1", admin_up=True, oper_up=True, in_errors=5, crc=1, out_errors=0),
                InterfaceHealth(name="GigabitEthernet0/2", admin_up=True, oper_up=True, in_errors=0, crc=0, out_errors=0),
                InterfaceHealth(name="GigabitEthernet0/3", admin_up=False, oper_up=False, in_errors=0, crc=0, out_errors=0),
            ],
            ntp_synced=True,
            ntp_stratum=3,
            clock_skew_seconds=-0.4,
            logs=[
                LogEntry(when="Sep 1 10:00:00", severity=5, source="SYS-5-CONFIG_I", message="Configured from console"),
                LogEntry(when="Jun 2 08:00:00", severity=3, source="LINK-3-UPDOWN", message="Gi0/3 changed state to down"),
            ],
            alarms=[],
            storage_percent=35.0,
            config_saved=True,
            ospf=[Peer(neighbor="10.0.0.2", state="FULL/DR"), Peer(neighbor="10.0.0.3", state="2WAY/DROTHER")],
            bgp=[Peer(neighbor="192.0.2.1", state="Established"), Peer(neighbor="192.0.2.9", state="1520")],
            licenses=[Component(name="ipbasek9", status="ok", detail="Permanent")],
            transceivers=[
                Transceiver(interface="TenGigabitEthernet1/1/1", rx_dbm=-4.1, rx_low_alarm=-18.0, rx_low_warning=-14.0, status="ok"),
                Transceiver(interface="TenGigabitEthernet1/1/2", rx_dbm=-3.2, status="unknown"),  # no thresholds printed
            ],
            stack_members=[StackMember(name="1", status="ok", role="Master", state="Ready"),
                           StackMember(name="2", status="ok", role="Member", state="Ready")],
            stp=[StpInstance(instance="0", root_id="4096.4c1f-cc44-4163", is_root=False, topology_changes=180,
                             last_change_seconds=40 * DAY),
                 StpInstance(instance="1", root_id="4096.4c1f-cc44-4163", topology_changes=12, last_change_seconds=3600)],
            vrrp=[RedundancyGroup(name="Vlanif10 vrrp 1", state="Master", up=True, state_changes=2),
                  RedundancyGroup(name="Vlanif20 vrrp 2", state="Backup", up=True)],
            arp_entries=900, arp_capacity=16384, arp_percent=5.5,
            mac_entries=1200, mac_capacity=None, mac_percent=None,
        ),
    )


def previous_of(result: InspectionResult) -> InspectionResult:
    prev = result.model_copy(deep=True)
    prev.period = "2026Q2"
    prev.health.logs = [prev.health.logs[1]]  # the old level-3 entry was already there last quarter
    return prev


def with_config(ctx: CheckContext, config: str | None, checks: list[Check] | None = None) -> CheckContext:
    """`ctx` with the config checks matched on `config` as the inspection procedure matches them."""
    if config is None:
        ctx.config_matches, ctx.config_overrun = None, []
    else:
        ctx.config_matches, ctx.config_overrun = match_config(config_patterns(CHECKS if checks is None else checks),
                                                              ctx.result.platform, config)
    return ctx


def ctx_for(platform: str = "cisco_ios", checks: list[Check] | None = None, **over) -> CheckContext:
    """`running_config`: the config the checks' patterns are matched on (of `checks`, default CHECKS)."""
    config = over.pop("running_config", CASES["good"][platform])
    result = healthy(platform)
    base = dict(
        result=result,
        previous=previous_of(result),
        seconds_since_previous=91.0 * DAY,
        host_scope=InspectionScope(critical_ports=["Gi0/1"], approved_versions=["15.2(7)E3", "15.2(7)E4"]),
        groups=["jc-city", "access"],
        role="access",
    )
    base.update(over)
    return with_config(CheckContext(**base), config, checks)


def ids(findings) -> list[str]:
    return [f.check for f in findings]


# --- every non-config check: how to violate it, and the subject the finding must carry -----------

Mutator = Callable[[CheckContext], None]


def _set(path: str, value) -> Mutator:
    def apply(ctx: CheckContext) -> None:
        *parents, last = path.split(".")
        obj = ctx.result
        for p in parents:
            obj = getattr(obj, p)
        setattr(obj, last, value)

    return apply


def _iface(i: int, **fields) -> Mutator:
    def apply(ctx: CheckContext) -> None:
        for k, v in fields.items():
            setattr(ctx.result.health.interfaces[i], k, v)

    return apply


def _no_previous(then: Mutator) -> Mutator:
    def apply(ctx: CheckContext) -> None:
        ctx.previous = None
        ctx.seconds_since_previous = None
        then(ctx)

    return apply


def _unreachable(ctx: CheckContext) -> None:
    ctx.result = InspectionResult(**{**ctx.result.model_dump(include={"host", "site", "platform", "period", "collected_at"}),
                                     "status": "unreachable", "error": "no route to host"})
    with_config(ctx, None)


def _new_log(ctx: CheckContext) -> None:
    ctx.result.health.logs.append(LogEntry(when="Sep 9 01:02:03", severity=2, source="PLATFORM-2-PS_FAIL", message="PSU 2 failed"))


VIOLATIONS: dict[str, tuple[Mutator, str | None]] = {
    "device_unreachable": (_unreachable, None),
    "unexpected_reboot": (_set("facts.uptime_seconds", 30 * DAY), None),
    "recently_rebooted": (_set("facts.uptime_seconds", 3600), None),
    "cpu_percent": (_set("health.cpu_percent", 78.0), None),
    "cpu_critical": (_set("health.cpu_percent", 95.0), None),
    "memory_percent": (_set("health.memory_percent", 85.0), None),
    "memory_critical": (_set("health.memory_percent", 93.0), None),
    "storage_percent": (_set("health.storage_percent", 88.0), None),
    "temperature_status": (lambda c: setattr(c.result.health.temperatures[0], "status", "warning"), "Inlet"),
    "temperature_over_limit": (lambda c: setattr(c.result.health.temperatures[0], "celsius", 57.0), "Inlet"),
    "temperature_high": (lambda c: c.result.health.temperatures.append(Sensor(name="CPU", celsius=72.0, status="ok")), "CPU"),
    "fan_failed": (lambda c: setattr(c.result.health.fans[1], "status", "failed"), "Fan 2"),
    "power_supply_failed": (lambda c: setattr(c.result.health.power_supplies[0], "status", "failed"), "PSU 1"),
    "board_failed": (lambda c: setattr(c.result.health.boards[0], "status", "failed"), "Slot 1"),
    "license_expired": (lambda c: setattr(c.result.health.licenses[0], "status", "failed"), "ipbasek9"),
    "license_demo": (lambda c: setattr(c.result.health.licenses[0], "detail", "License state: Demo"), "ipbasek9"),
    "critical_port_down": (_iface(0, oper_up=False), "GigabitEthernet0/1"),
    "interface_errors_grown": (_iface(1, in_errors=500), "GigabitEthernet0/2"),
    "interface_out_errors_grown": (_iface(1, out_errors=250), "GigabitEthernet0/2"),
    "interface_crc_grown": (_iface(0, crc=40), "GigabitEthernet0/1"),
    "interface_errors_high": (_no_previous(_iface(1, in_errors=5000)), "GigabitEthernet0/2"),
    "interface_crc_high": (_no_previous(_iface(1, crc=700)), "GigabitEthernet0/2"),
    "ntp_unsynchronised": (_set("health.ntp_synced", False), None),
    "ntp_stratum_16": (_set("health.ntp_stratum", 16), None),
    "clock_skew": (_set("health.clock_skew_seconds", -300.0), None),
    "version_not_approved": (_set("facts.os_version", "12.2(55)SE"), None),
    "config_not_saved": (_set("health.config_saved", False), None),
    "ospf_neighbor_not_full": (lambda c: setattr(c.result.health.ospf[0], "state", "EXSTART/DR"), "10.0.0.2"),
    "bgp_peer_not_established": (lambda c: setattr(c.result.health.bgp[1], "state", "Active"), "192.0.2.9"),
    "log_high_severity": (_new_log, None),
    "transceiver_rx_low_alarm": (lambda c: setattr(c.result.health.transceivers[0], "rx_dbm", -21.5), "TenGigabitEthernet1/1/1"),
    "transceiver_rx_low_warning": (lambda c: setattr(c.result.health.transceivers[0], "rx_dbm", -15.2), "TenGigabitEthernet1/1/1"),
    "stack_member_down": (lambda c: setattr(c.result.health.stack_members[1], "status", "failed"), "2"),
    "alarms_active": (lambda c: c.result.health.alarms.append(LogEntry(severity=1, message="Board 2 offline")), None),
    "vrrp_group_not_ready": (lambda c: setattr(c.result.health.vrrp[1], "state", "Initialize"), "Vlanif20 vrrp 2"),
    "vrrp_group_flapping": (lambda c: setattr(c.result.health.vrrp[0], "state_changes", 40), "Vlanif10 vrrp 1"),
    # 180 changes since boot but none for 40 days is history; a change inside the day makes it current
    "stp_topology_changes": (lambda c: setattr(c.result.health.stp[0], "last_change_seconds", 50), "0"),
    "stp_root_changed": (lambda c: setattr(c.result.health.stp[1], "root_id", "32768.00e0-fc12-3456"), "1"),
    "arp_table_near_capacity": (_set("health.arp_percent", 93.0), None),
    "mac_table_near_capacity": (_set("health.mac_percent", 85.0), None),
}


def test_every_check_has_a_positive_and_negative_case():
    config_cases = set(CASES["bad"])
    assert set(VIOLATIONS) | config_cases == set(BY_ID), "add a case for each new check"
    assert not set(VIOLATIONS) & config_cases
    for cid, check in CONFIG_CHECKS.items():
        assert set(CASES["bad"][cid]) == set(check.condition.config.patterns), f"{cid}: one case per platform pattern"


def test_at_least_25_checks_in_the_built_in_packs():
    assert len(CHECKS) >= 25


@pytest.mark.parametrize("platform", sorted(CASES["good"]))
def test_healthy_device_raises_nothing(platform):
    assert evaluate(CHECKS, ctx_for(platform)) == []


@pytest.mark.parametrize("check_id", sorted(VIOLATIONS))
def test_check_fires_on_its_violation_only(check_id):
    mutate, subject = VIOLATIONS[check_id]
    ctx = ctx_for()
    assert evaluate([BY_ID[check_id]], ctx) == []
    mutate(ctx)
    found = [f for f in evaluate([BY_ID[check_id]], ctx)]
    assert len(found) == 1, found
    f = found[0]
    assert (f.check, f.subject, f.severity) == (check_id, subject, BY_ID[check_id].severity)
    assert f.title["zh-CN"] and f.title["en"] and f.recommendation["zh-CN"]
    assert f.value is not None and f.detail


def _apply_case(text: str, case: dict) -> str:
    out = text
    if "add" in case:
        out = out + case["add"]
    if "remove" in case:
        out = "".join(line for line in out.splitlines(keepends=True) if not re.search(case["remove"], line))
    if "replace" in case:
        old, new = case["replace"]
        assert old in out, f"case does not apply: {old!r}"
        out = out.replace(old, new)
    assert out != text
    return out


@pytest.mark.parametrize(
    "check_id,platform", sorted((cid, p) for cid, per in CASES["bad"].items() for p in per)
)
def test_config_check_fires_per_platform(check_id, platform):
    check = BY_ID[check_id]
    good = CASES["good"][platform]
    assert evaluate([check], ctx_for(platform, running_config=good)) == []
    bad = _apply_case(good, CASES["bad"][check_id][platform])
    found = evaluate([check], ctx_for(platform, running_config=bad))
    assert ids(found) == [check_id]


def test_config_checks_skip_platforms_without_a_pattern_and_missing_config():
    ctx = ctx_for("juniper_junos", running_config="")  # nothing configured at all
    assert "password_encryption_off" not in ids(evaluate(CHECKS, ctx))
    assert evaluate(list(CONFIG_CHECKS.values()), ctx_for(running_config=None)) == []


def test_config_evidence_never_shows_a_secret():
    raw = CASES["good"]["cisco_ios"] + "username guest privilege 1 password 0 Hunter2secret\n"
    (f,) = evaluate([BY_ID["plaintext_password"]], ctx_for(running_config=raw))
    assert "Hunter2secret" not in repr(f.model_dump())
    assert f.value == ["username guest privilege 1 password 0 <removed>"]


# --- failed devices, thresholds, scopes -------------------------------------------------------------


def test_unreachable_device_gets_exactly_one_critical_finding():
    ctx = ctx_for()
    _unreachable(ctx)
    (f,) = evaluate(CHECKS, ctx)
    assert (f.check, f.severity, f.value) == ("device_unreachable", "critical", "unreachable")


def _write_inventory(root: Path) -> None:
    inv = root / "inventory"
    inv.mkdir(parents=True)
    site = {"data": {"site": {"name": "Site"}}}
    (inv / "defaults.yaml").write_text(yaml.safe_dump({"username": "u", "password": "${NP_CHK_PW}"}))
    (inv / "groups.yaml").write_text(yaml.safe_dump({"site": site, "core": {"data": {"inspection": {"thresholds": {"cpu_percent": 60}}}}}))
    hosts = {
        "by-host": {"hostname": "192.0.2.1", "platform": "cisco_ios", "groups": ["site", "core"],
                    "data": {"inspection": {"thresholds": {"cpu_percent": 90}}}},
        "by-group": {"hostname": "192.0.2.2", "platform": "cisco_ios", "groups": ["site", "core"]},
        "default": {"hostname": "192.0.2.3", "platform": "cisco_ios", "groups": ["site"]},
    }
    (inv / "hosts.yaml").write_text(yaml.safe_dump(hosts))


def test_threshold_host_beats_group_beats_pack_default(tmp_path, monkeypatch):
    from netpatrol.workspace.inventory import load_inventory

    monkeypatch.setenv("NP_CHK_PW", "x")
    _write_inventory(tmp_path)
    inv = load_inventory(tmp_path)
    got = {}
    for name, host in inv.hosts.items():
        ctx = ctx_for(host_scope=host.inspection, groups=host.groups)
        ctx.result.health.cpu_percent = 70.0
        got[name] = [(f.check, f.threshold) for f in evaluate([BY_ID["cpu_percent"]], ctx)]
    assert got == {"by-host": [], "by-group": [("cpu_percent", 60.0)], "default": []}
    ctx = ctx_for(host_scope=inv.hosts["default"].inspection)
    ctx.result.health.cpu_percent = 75.0
    assert [f.threshold for f in evaluate([BY_ID["cpu_percent"]], ctx)] == [75]


def test_threshold_of_the_wrong_type_names_host_and_field():
    ctx = ctx_for(host_scope=InspectionScope(thresholds={"cpu_percent": "high"}))
    with pytest.raises(InventoryError, match=r"host acc-01.*thresholds\.cpu_percent"):
        evaluate([BY_ID["cpu_percent"]], ctx)


def test_skip_checks_and_unset_lists_silence_checks():
    ctx = ctx_for(host_scope=InspectionScope(skip_checks=["cpu_percent"]))
    ctx.result.health.cpu_percent = 80.0
    ctx.result.facts.os_version = "12.0"
    ctx.result.health.interfaces[0].oper_up = False
    # no approved_versions and no critical_ports: those checks do not apply
    assert ids(evaluate(CHECKS, ctx)) == []


def _pack(tmp_path: Path, name: str, checks: list[dict]) -> Path:
    d = tmp_path / "checks"
    d.mkdir(exist_ok=True)
    (d / name).write_text(yaml.safe_dump(checks, allow_unicode=True), encoding="utf-8")
    return d


def _check(cid: str, **over) -> dict:
    base = {
        "id": cid,
        "title": {"zh-CN": "测试", "en": "test"},
        "severity": "minor",
        "condition": {"path": "health.cpu_percent", "op": "ge"},
        "threshold": 10,
        "recommendation": {"zh-CN": "无", "en": "none"},
    }
    base.update(over)
    return base


@pytest.mark.parametrize(
    "scope,fires",
    [
        ({"platforms": ["cisco_ios"]}, True),
        ({"platforms": ["huawei_vrp", "hp_comware"]}, False),
        ({"groups": ["jc-city"]}, True),
        ({"groups": ["jc-north"]}, False),
        ({"roles": ["access"]}, True),
        ({"roles": ["core"]}, False),
        ({"hosts": ["acc-01"]}, True),
        ({"platforms": ["cisco_ios"], "hosts": ["other"]}, False),
    ],
)
def test_scope_filtering(tmp_path, scope, fires):
    (check,) = load_packs([], _pack(tmp_path, "site.yaml", [_check("scoped", scope=scope)]))
    assert bool(evaluate([check], ctx_for())) is fires


def test_workspace_pack_adds_and_overrides_by_id(tmp_path):
    d = _pack(tmp_path, "local.yaml", [{"id": "cpu_percent", "threshold": 10, "severity": "major"}, _check("extra")])
    checks = {c.id: c for c in load_packs(["health"], d)}
    assert checks["cpu_percent"].threshold == 10 and checks["cpu_percent"].severity == "major"
    assert checks["cpu_percent"].title == BY_ID["cpu_percent"].title  # untouched keys kept
    assert "extra" in checks and "telnet_enabled" not in checks


def test_sample_workspace_checks_dir_is_valid():
    for path in sorted((REPO / "checks").glob("*.yaml")):
        assert validate_pack_file(path) == [], path
    checks = {c.id: c for c in load_packs(["health", "security"], REPO / "checks")}
    ctx = ctx_for()
    ctx.result.health.cpu_percent = 65.0
    ctx.groups = ["jc-city"]
    assert "city_cpu_percent" in ids(evaluate(list(checks.values()), ctx))
    ctx.groups = ["jc-north"]
    assert ids(evaluate(list(checks.values()), ctx)) == []


# --- comparison with the previous inspection --------------------------------------------------------


def test_unexpected_reboot_needs_the_time_since_the_last_inspection():
    ctx = ctx_for(seconds_since_previous=None)
    ctx.result.facts.uptime_seconds = 5 * DAY
    assert evaluate([BY_ID["unexpected_reboot"]], ctx) == []
    ctx.seconds_since_previous = 4 * DAY  # inspected again after four days: no reboot in between
    assert evaluate([BY_ID["unexpected_reboot"]], ctx) == []
    ctx.seconds_since_previous = 92 * DAY
    assert ids(evaluate([BY_ID["unexpected_reboot"]], ctx)) == ["unexpected_reboot"]


def test_error_growth_is_the_delta_and_handles_cleared_counters_reboots_and_new_ports():
    ctx = ctx_for()
    ctx.previous.health.interfaces[1].in_errors = 1000
    ctx.result.health.interfaces[1].in_errors = 1050  # +50: under the threshold of 100
    assert evaluate([BY_ID["interface_errors_grown"]], ctx) == []
    ctx.result.health.interfaces[1].in_errors = 1101
    (f,) = evaluate([BY_ID["interface_errors_grown"]], ctx)
    assert (f.value, f.threshold, f.subject) == (101, 100, "GigabitEthernet0/2")
    ctx.result.health.interfaces[1].in_errors = 150  # cleared since: all 150 are this period's
    (f,) = evaluate([BY_ID["interface_errors_grown"]], ctx)
    assert f.value == 150
    ctx.result.health.interfaces[1].in_errors = 20
    assert evaluate([BY_ID["interface_errors_grown"]], ctx) == []
    ctx.result.health.interfaces[1].in_errors = 1050
    ctx.result.facts.uptime_seconds = 10 * DAY  # rebooted inside the period: counters restarted
    (f,) = evaluate([BY_ID["interface_errors_grown"]], ctx)
    assert f.value == 1050
    ctx.result.facts.uptime_seconds = 200 * DAY
    ctx.result.health.interfaces.append(InterfaceHealth(name="Te1/1/1", in_errors=9999))  # no previous row
    assert evaluate([BY_ID["interface_errors_grown"]], ctx) == []
    # with a previous inspection the absolute-count check stays silent
    assert evaluate([BY_ID["interface_errors_high"]], ctx) == []


def test_a_failed_previous_inspection_counts_as_no_previous():
    ctx = ctx_for()
    identity = ctx.previous.model_dump(include={"host", "site", "platform", "period", "collected_at"})
    ctx.previous = InspectionResult(**{**identity, "status": "timeout"})
    ctx.result.health.interfaces[1].in_errors = 5000
    assert ids(evaluate([BY_ID["interface_errors_grown"], BY_ID["interface_errors_high"]], ctx)) == ["interface_errors_high"]


def test_log_check_counts_only_entries_new_since_the_last_inspection():
    ctx = ctx_for()
    assert evaluate([BY_ID["log_high_severity"]], ctx) == []  # the level-3 entry was there last time
    ctx.previous = None
    (f,) = evaluate([BY_ID["log_high_severity"]], ctx)  # first inspection: the buffer is the window
    assert f.value == 1
    ctx = ctx_for()
    _new_log(ctx)
    ctx.result.health.logs.append(LogEntry(severity=6, message="informational"))
    (f,) = evaluate([BY_ID["log_high_severity"]], ctx)
    assert f.value == 1 and f.detail_in("en") == "1 new entries of level 0–3"


def test_missing_data_never_fires_a_threshold_check():
    ctx = ctx_for(previous=None, seconds_since_previous=None)
    ctx.result.facts = Facts()
    ctx.result.health = Health(interfaces=[InterfaceHealth(name="Gi0/1")], temperatures=[Sensor(name="x")])
    with_config(ctx, None)
    assert evaluate(CHECKS, ctx) == []


# --- bad packs ---------------------------------------------------------------------------------


def test_bad_pack_reports_every_problem_with_file_check_and_field(tmp_path):
    bad = [
        _check("typo_key", threshhold=5),
        _check("bad_op", condition={"path": "health.cpu_percent", "op": "bigger"}),
        _check("bad_severity", severity="urgent"),
        _check("no_zh", title={"en": "only english"}),
        _check("dup"),
        _check("dup"),
        _check("bad_path", condition={"path": "health.cpu_pct", "op": "ge"}),
        _check("bad_regex", condition={"config": {"mode": "must_match", "patterns": {"cisco_ios": "("}}}),
    ]
    d = _pack(tmp_path, "broken.yaml", bad)
    with pytest.raises(CheckFileError) as exc:
        load_packs(["health"], d)
    msg = str(exc.value)
    for needle in [
        "checks/broken.yaml: check 'typo_key': field 'threshhold'",
        "checks/broken.yaml: check 'bad_op': field 'condition.op'",
        "checks/broken.yaml: check 'bad_severity': field 'severity'",
        "checks/broken.yaml: check 'no_zh': field 'title.zh-CN'",
        "checks/broken.yaml: check 'dup': field 'id': duplicate",
        "checks/broken.yaml: check 'bad_path': field 'condition': 'health.cpu_pct': no field 'cpu_pct'",
        "checks/broken.yaml: check 'bad_regex': field 'condition.config.patterns'",
    ]:
        assert needle in msg, msg
    assert msg.startswith("7 problem(s)")
    assert len(validate_pack_file(d / "broken.yaml")) == 7


def test_unknown_pack_name_and_non_list_file(tmp_path):
    with pytest.raises(CheckFileError, match="check pack 'nosuch': not found"):
        load_packs(["nosuch"], None)
    d = tmp_path / "checks"
    d.mkdir()
    (d / "x.yaml").write_text("id: lonely\n")
    assert validate_pack_file(d / "x.yaml") == ["checks/x.yaml: expected a list of checks (or {checks: [...]}), each a mapping"]


# --- real configurations from the corpus ---------------------------------------------------------


def _corpus_config(platform: str, name: str) -> str:
    path = corpus_dir() / platform / "configs" / name
    if not path.is_file():
        pytest.skip(f"corpus file {platform}/configs/{name} is absent")
    return sanitize(path.read_text(encoding="utf-8", errors="replace"), platform)


@pytest.mark.corpus
@pytest.mark.parametrize(
    "platform,name,fires,silent",
    [
        ("cisco_ios", "faddr_cisco-ios-15-7206.cfg", {"telnet_enabled", "password_encryption_off"},
         {"plaintext_password", "http_management_enabled"}),
        ("cisco_ios", "netutils_ios_full.cfg", {"plaintext_password", "http_management_enabled", "telnet_enabled"}, set()),
        ("cisco_ios", "oxidized_asr920_16.8.1b.cfg", set(), {"telnet_enabled", "password_encryption_off", "plaintext_password"}),
        ("cisco_ios", "oxidized_C9200L-24P-4G_17.09.04a.cfg", set(), {"password_encryption_off", "http_management_enabled"}),
        ("hp_comware", "netutils_hp_comware_full.cfg", {"telnet_enabled"},
         {"snmp_community_no_acl", "logging_host_missing", "plaintext_password"}),
        ("juniper_junos", "faddr_juniper-junos-17-vmx.cfg", {"telnet_enabled", "logging_host_missing"}, set()),
        ("juniper_junos", "faddr_juniper-junos-17-vmx_set.cfg", {"telnet_enabled"}, set()),
        ("juniper_junos", "batfish_junos-srx-1.cfg", {"http_management_enabled"}, {"telnet_enabled"}),
        ("arista_eos", "avd_dual-dc-l3ls_dc1-leaf2a.cfg", {"account_without_password"}, {"telnet_enabled", "plaintext_password"}),
        ("arista_eos", "n2g_ceos1.cfg", set(), {"logging_host_missing", "account_without_password"}),
        ("cisco_nxos", "napalm_nxos_ssh_nxos1.cfg", {"telnet_enabled"}, {"plaintext_password"}),
        ("huawei_vrp", "faddr_huawei-vrp-v800-ne40_rev1.cfg", set(), {"telnet_enabled", "plaintext_password"}),
    ],
)
def test_security_checks_on_real_configs(platform, name, fires, silent):
    got = set(ids(evaluate(list(CONFIG_CHECKS.values()), ctx_for(platform, running_config=_corpus_config(platform, name)))))
    assert fires <= got, got
    assert not (silent & got), got


def test_rx_below_the_alarm_threshold_is_major_only():
    ctx = ctx_for()
    ctx.result.health.transceivers[0].rx_dbm = -21.5
    ctx.result.health.transceivers[1].rx_dbm = -40.0  # no thresholds printed: nothing to compare with
    found = evaluate([BY_ID["transceiver_rx_low_alarm"], BY_ID["transceiver_rx_low_warning"]], ctx)
    assert [(f.check, f.subject, f.threshold) for f in found] == [
        ("transceiver_rx_low_alarm", "TenGigabitEthernet1/1/1", -18.0)]
