"""Two quarters of a small client network, written into a real Git store for the report tests.

2026Q2: every device inspected; findings: a failed fan (city-acc-01), high CPU (city-core-01),
high memory (north-acc-01). Between the inspections two configs change. 2026Q3: the fan is
fixed (resolved), CPU and memory persist, east-wan-01 is unreachable (new, critical), a hot
board on city-agg-01 (new, major), east-acc-02 rebooted (new, info), and north-core-01 has a
command without a template, an unsupported item and an output no template recognised.
"""

from __future__ import annotations

import json
import zlib
from datetime import datetime, timezone
from pathlib import Path

import pytest

from netpatrol.inspection.results import (
    Comparison,
    Component,
    Facts,
    Finding,
    Health,
    InspectionResult,
    InterfaceHealth,
    ItemOutcome,
    Sensor,
)
from netpatrol.store.repo import Store
from netpatrol.workspace.inventory import load_inventory

Q2, Q3 = "2026Q2", "2026Q3"
CHANGED = {"city-core-01": "ntp server 10.0.0.123\n", "north-wan-01": "logging host 10.9.9.9\n"}
# Not a secret-looking line: stored history here holds no secrets.
DROPPED = {"city-core-01": "snmp-server location old-room-301\n"}


def _finding(check: str, severity: str, zh: str, en: str, detail: str | dict[str, str],
             subject: str | None = None) -> Finding:
    return Finding(check=check, severity=severity, title={"zh-CN": zh, "en": en}, detail=detail,
                   recommendation={"zh-CN": f"建议处理：{zh}", "en": f"Fix: {en}"}, subject=subject)


# Evidence in both languages, as results from schema 1.3 on hold it.
FAN = _finding("fan_failed", "major", "风扇故障", "Fan failed",
               {"zh-CN": "FAN2：故障", "en": "FAN2: failed"}, "FAN2")
CPU = _finding("cpu_percent", "minor", "CPU 利用率偏高", "CPU utilisation high",
               {"zh-CN": "CPU 利用率 82% ≥ 75%", "en": "CPU 82% ≥ 75%"})
MEM = _finding("memory_percent", "minor", "内存利用率偏高", "Memory utilisation high",
               {"zh-CN": "内存利用率 85% ≥ 80%", "en": "memory 85% ≥ 80%"})
DOWN = _finding("device_unreachable", "critical", "设备无法巡检", "Device could not be inspected",
                {"zh-CN": "巡检状态：不可达", "en": "inspection status: unreachable"})
HOT = _finding("temperature_over_limit", "major", "温度超过设备告警门限", "Temperature above the device's own alarm limit",
               {"zh-CN": "Slot1：81 ℃ ≥ 设备告警门限 75 ℃", "en": "Slot1: 81 ℃ ≥ device limit 75 ℃"}, "Slot1")
BOOT = _finding("recently_rebooted", "info", "设备运行时间不足 1 天", "Device up for less than a day",
                {"zh-CN": "运行时间 3600 秒 < 86400 秒", "en": "uptime 3600 s < 86400 s"})


def _result(host: str, site: str, platform: str, period: str, when: str, cpu: float, mem: float,
            findings: list[Finding], status: str = "ok", uptime: int = 90 * 86400,
            fan_ok: bool = True, temp: float = 41.0) -> InspectionResult:
    if status != "ok":
        return InspectionResult(host=host, site=site, platform=platform, period=period, collected_at=when,
                                status=status, error="TCP connection to 127.31.3.2:22 timed out",
                                findings=findings)
    items = {"version": ItemOutcome(item="version", command="show version", status="parsed", rows=1)}
    if host == "north-core-01":
        items["logs"] = ItemOutcome(item="logs", command="display logbuffer", status="no_template",
                                    error="no template for huawei_vrp 'display logbuffer'")
        items["license"] = ItemOutcome(item="license", status="unsupported", error="Error: Unrecognized command")
        items["fans"] = ItemOutcome(item="fans", command="display fan", status="unrecognised",
                                    candidates=["huawei_vrp_display_fan.textfsm"], unexplained=UNEXPLAINED,
                                    error="no template accounts for the output")
    return InspectionResult(
        host=host, site=site, platform=platform, period=period, collected_at=when, status="ok",
        facts=Facts(hostname=host, model=f"MODEL-{host}", serial=f"SN{zlib.crc32(host.encode()) % 10**8:08d}",
                    os_version="V200R021C10" if platform == "huawei_vrp" else "15.2(7)E9", uptime_seconds=uptime),
        health=Health(
            cpu_percent=cpu, memory_percent=mem,
            temperatures=[Sensor(name="Slot1", celsius=temp, warn=75)],
            fans=[Component(name="FAN1", status="ok"), Component(name="FAN2", status="ok" if fan_ok else "failed")],
            power_supplies=[Component(name="PSU1", status="ok"), Component(name="PSU2", status="ok")],
            interfaces=[InterfaceHealth(name="Gi0/1", oper_up=True), InterfaceHealth(name="Gi0/2", oper_up=True),
                        InterfaceHealth(name="Gi0/3", oper_up=False)],
            config_saved=True),
        items=items, findings=findings)


def _config(host: str, quarter: str, hostile: bool = False) -> str:
    base = f"hostname {host}\ninterface Gi0/1\n description uplink\n!\n" + DROPPED.get(host, "")
    if quarter == Q3:
        base = base.replace(DROPPED.get(host, "\0"), "") + CHANGED.get(host, "")
        if hostile and host == HOSTILE_HOST:
            base += HOSTILE_CONFIG
    return base + "end\n"


# What a hostile or broken device can put into the facts, a finding's quoted config, an error,
# its raw outputs and its config; `build_world(..., hostile=True)` plants it in 2026Q3 (every finding's
# detail, the unreachable device's error, HOSTILE_HOST's facts, evidence and config).
HOSTILE_HOST = "city-core-01"
HOSTILE_MODEL = '=HYPERLINK("http://x","y")'
HOSTILE_VERSION = "=cmd|'/C calc'!A0\x02"
HOSTILE_SERIAL = "\t@SUM(1)"
HOSTILE_DETAIL = ("CPU 82% ≥ 75% in:\n# all devices healthy\n```\n<script>alert(1)</script> | x | *y* [l](http://x)\n"
                  "-1+1\n1. item\n> quote")
HOSTILE_ERROR = "timed out\n## Sign-off\n<img src=x onerror=alert(1)>|"
# The first line of north-core-01's `display fan` no template accounted for (hostile: HOSTILE_LINE).
UNEXPLAINED = "FanID  FanNum  Register  Speed  Mode"
HOSTILE_LINE = "=cmd|'/C calc'!A0 `x` <b>bold</b> | ## h [l](http://x)\x02"
HOSTILE_OUTPUT = "banner\n```\n# fake heading\n````\n"
HOSTILE_CONFIG = "banner motd ^\n```\n# all devices healthy\n^\n"


def _plant(r: InspectionResult) -> None:
    r.findings = [f.model_copy(update={"detail": HOSTILE_DETAIL}) for f in r.findings]
    if r.host == HOSTILE_HOST:
        r.facts.model, r.facts.os_version, r.facts.serial = HOSTILE_MODEL, HOSTILE_VERSION, HOSTILE_SERIAL
    elif r.status != "ok":
        r.error = HOSTILE_ERROR
    if "fans" in r.items:
        r.items["fans"].unexplained = HOSTILE_LINE


# Baseline compliance records (what `inspect` commits in compliance/<period>/): (rule, clause, category,
# severity, zh-CN title, en title, remediation). city-core-01 fails no-telnet in both periods, fails
# vty-idle-timeout in 2026Q2 only (fixed) and logging-host in 2026Q3 only (newly failing); north-wan-01
# has no NTP rule on its platform (not applicable) and no backup verdict for the community (unknown).
RULES = [
    ("no-telnet", "8.1.4.1 d)", "identity", "critical", "禁用 Telnet 远程管理", "Telnet management disabled",
     ["line vty 0 4", " transport input ssh"]),
    ("vty-idle-timeout", "8.1.4.1 b)", "identity", "major", "远程登录空闲超时不超过 10 分钟",
     "Remote sessions time out within 10 minutes", ["line vty 0 4", " exec-timeout 10 0"]),
    ("logging-host", "8.1.4.3 a)", "audit", "major", "日志发送到日志服务器", "Logs sent to a log server",
     ["logging host 10.0.0.5"]),
    ("snmp-community", "8.1.4.2 a)", "snmp", "critical", "不使用默认 SNMP 团体字", "No default SNMP community", []),
    ("ntp-server", "8.1.4.3 c)", "ntp", "minor", "配置 NTP 时钟同步", "NTP time synchronisation configured",
     ["ntp server 10.0.0.123"]),
]
COMPLIANCE_FAILS = {Q2: {("city-core-01", "no-telnet"), ("city-core-01", "vty-idle-timeout")},
                    Q3: {("city-core-01", "no-telnet"), ("city-core-01", "logging-host")}}
# A config line as evidence that tries to be a formula, a tag, a link, emphasis and a control character.
HOSTILE_EVIDENCE = '=HYPERLINK("http://evil.example","x") <script>alert(1)</script> [l](http://x) *em* _u_\x1b[2J\x02'


def compliance_status(host: str, rule: str, period: str) -> str:
    if (host, rule) in COMPLIANCE_FAILS[period]:
        return "fail"
    if host == "north-wan-01" and rule == "ntp-server":
        return "not_applicable"
    if host == "north-wan-01" and rule == "snmp-community":
        return "unknown"
    return "pass"


def _compliance(h, period: str, hostile: bool):
    from netpatrol.compliance.model import Change, DeviceCompliance, RuleResult, Texts

    results, changes = [], []
    for rule, clause, category, severity, zh, en, fix in RULES:
        status = compliance_status(h.name, rule, period)
        evidence = [f"line vty 0 4 > {rule} evidence"] if status == "fail" else []
        if status == "fail" and hostile and rule == "logging-host":
            evidence = [HOSTILE_EVIDENCE]
        results.append(RuleResult(host=h.name, site=h.site, platform=h.platform, pack="dengbao-l3", rule=rule,
                                  status=status, severity=severity, clause=clause, category=category,
                                  title=Texts.model_validate({"zh-CN": zh, "en": en}), evidence=evidence,
                                  remediation=fix if status == "fail" else []))
        before = compliance_status(h.name, rule, Q2) if period == Q3 else None
        if period == Q3 and before != status:
            changes.append(Change(pack="dengbao-l3", rule=rule, previous=before, current=status))
    return DeviceCompliance(period=period, host=h.name, site=h.site, platform=h.platform,
                            evaluated_at="2026-09-20T01:00:00+00:00", results=results, changes=changes)


def _write_period(store: Store, hosts, period: str, day: str, q3: bool, hostile: bool = False,
                  compliance: bool = False) -> None:
    for i, h in enumerate(hosts):
        when = f"{day}T0{1 + i % 8}:{10 + i}:00+00:00"
        cpu, mem = 20.0 + i * 3, 40.0 + i * 2
        findings: list[Finding] = []
        kwargs = {}
        if h.name == "city-acc-01" and not q3:
            findings, kwargs = [FAN], {"fan_ok": False}
        if h.name == "city-core-01":
            cpu = 82.0 if q3 else 78.0
            findings = [CPU]
        if h.name == "north-acc-01":
            mem = 85.0 if q3 else 83.0
            findings = [MEM]
        if q3 and h.name == "east-wan-01":
            findings, kwargs = [DOWN], {"status": "unreachable"}
        if q3 and h.name == "city-agg-01":
            findings, kwargs = [HOT], {"temp": 81.0}
        if q3 and h.name == "east-acc-02":
            findings, kwargs = [BOOT], {"uptime": 3600}
        r = _result(h.name, h.site, h.platform, period, when, cpu, mem, findings, **kwargs)
        if q3:
            r.comparison = Comparison(previous_period=Q2)
            if hostile:
                _plant(r)
        store.write_file(f"inspections/{period}/{h.site}/{h.name}.json",
                         json.dumps(r.model_dump(mode="json"), indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        if r.status == "ok":
            store.write_file(f"inspections/{period}/{h.site}/{h.name}/show_version.txt",
                             f"{h.name} uptime is 90 days\nSoftware version {r.facts.os_version}\n"
                             + (HOSTILE_OUTPUT if hostile and q3 and h.name == HOSTILE_HOST else ""))
        if compliance:
            store.write_file(f"compliance/{period}/{h.site}/{h.name}.json",
                             _compliance(h, period, hostile=q3).model_dump_json(indent=2, by_alias=True) + "\n")
    moment = datetime.fromisoformat(f"{day}T12:00:00+00:00")
    store.commit(f"inspection {period}\n", paths=[f"inspections/{period}", *([f"compliance/{period}"] if compliance else [])],
                 when=moment)
    store.tag(f"inspection/{period}", f"inspection {period}\n", when=moment)


def build_world(ws: Path, hostile: bool = False, compliance: bool = False) -> Store:
    """The two quarters in `ws/backups`; returns the opened Store. With `hostile`, 2026Q3 carries
    the HOSTILE_* device text; with `compliance`, each period's inspection commits baseline records."""
    hosts = list(load_inventory(ws).hosts.values())
    store = Store(ws / "backups").open_or_init()
    for h in hosts:
        store.write_file(f"configs/{h.site}/{h.name}.cfg", _config(h.name, Q2))
    store.commit("backup: all\n", paths=["configs"], when=datetime(2026, 5, 10, 2, 0, tzinfo=timezone.utc))
    _write_period(store, hosts, Q2, "2026-06-15", q3=False, compliance=compliance)
    for h in hosts:
        store.write_file(f"configs/{h.site}/{h.name}.cfg", _config(h.name, Q3, hostile))
    store.commit("backup: 2 changed\n", paths=["configs"], when=datetime(2026, 8, 1, 2, 0, tzinfo=timezone.utc))
    _write_period(store, hosts, Q3, "2026-09-20", q3=True, hostile=hostile, compliance=compliance)
    return store


def copy_sample(repo: Path, dest: Path) -> Path:
    """The parts of the repository's sample workspace a report reads (settings and inventory)."""
    import shutil

    dest.mkdir(parents=True)
    shutil.copy(repo / "netpatrol.yaml", dest / "netpatrol.yaml")
    shutil.copytree(repo / "inventory", dest / "inventory")
    return dest


REPO = Path(__file__).resolve().parents[1]
PASSWORD = ("NETPATROL_PASSWORD", "report-test-pw")  # the inventory refers to it; reports never use it


def _build(tmp_path_factory, hostile: bool, compliance: bool = False) -> Path:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(*PASSWORD)
        ws = copy_sample(REPO, tmp_path_factory.mktemp("world") / "ws")
        build_world(ws, hostile, compliance).close()
    return ws


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """Two quarters built once per module (git is the slow part); each test gets a copy."""
    return _build(tmp_path_factory, hostile=False)


@pytest.fixture(scope="module")
def built_hostile(tmp_path_factory) -> Path:
    return _build(tmp_path_factory, hostile=True)


@pytest.fixture(scope="module")
def built_compliance(tmp_path_factory) -> Path:
    """Both quarters with baseline compliance records; 2026Q3's failing logging-host evidence on
    city-core-01 is HOSTILE_EVIDENCE (the rest of the world is the plain one)."""
    return _build(tmp_path_factory, hostile=False, compliance=True)


@pytest.fixture
def compliance_world(built_compliance: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    yield from _open_copy(built_compliance, tmp_path, monkeypatch)


@pytest.fixture
def world(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    yield from _open_copy(built, tmp_path, monkeypatch)


@pytest.fixture
def hostile_world(built_hostile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    yield from _open_copy(built_hostile, tmp_path, monkeypatch)


def _open_copy(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(*PASSWORD)
    ws = tmp_path / "ws"
    import shutil

    shutil.copytree(built, ws, symlinks=True)
    store = Store(ws / "backups").open_or_init()
    from netpatrol.workspace.settings import Workspace

    yield Workspace(ws), load_inventory(ws), store
    store.close()
