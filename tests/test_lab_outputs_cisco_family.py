"""Lab device outputs for cisco_ios, cisco_nxos, arista_eos and juniper_junos.

Every command of the built-in quarterly job (all alternatives) has a template; every template renders
for every scenario and two models per device family; scenario values show up in the platform's words;
and where ntc-templates 9.3.0 has a template that really is the command's, the rendering parses and
the key fields equal the simulated state. The templates are rendered twice: with the plain
environment the brief asks for and with the lab engine's whitespace settings (trim/lstrip blocks),
and both must give the same text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timezone
from functools import cache
from pathlib import Path

import jinja2
import pytest
from ntc_templates.parse import parse_output

from netpatrol.inspection.catalogue import load_job
from netpatrol.lab.state import SCENARIOS, DeviceState, build_state
from netpatrol.platforms import get_platform

NOW = datetime(2026, 3, 14, 9, 26, 53, tzinfo=timezone.utc)
UNSUPPORTED = "__UNSUPPORTED__"

# platform -> family -> [(model, version)], and the interface names the inventory would give.
FAMILIES: dict[str, dict[str, list[tuple[str, str]]]] = {
    "cisco_ios": {
        "catalyst": [("C9300-48P", "17.9.4a"), ("C9200L-24P-4G", "17.9.4a")],
        "router": [("ISR4331/K9", "17.6.5"), ("ASR1001-X", "17.3.8a")],
        "cat4500": [("WS-C4507R+E", "03.11.07.E"), ("WS-C4500X-32", "03.11.07.E")],
    },
    "cisco_nxos": {
        "n9k": [("N9K-C93180YC-FX", "9.3(10)"), ("N9K-C9336C-FX2", "10.3(4a)")],
        "n7k": [("N7K-C7010", "8.4(7)"), ("N7K-C7706", "8.4(7)")],
    },
    "arista_eos": {
        "hardware": [("DCS-7050SX3-48YC8", "4.28.3M"), ("DCS-7280SR-48C6", "4.30.1F")],
        "virtual": [("vEOS-lab", "4.28.3M"), ("cEOSLab", "4.30.1F")],
    },
    "juniper_junos": {
        "router": [("MX204", "21.4R3-S4.9"), ("MX480", "20.4R3-S9")],
        "switch": [("EX4300-48T", "21.4R3-S4.9"), ("QFX5120-48Y", "22.2R3.15")],
    },
}
INTERFACES = {
    "cisco_ios": ["GigabitEthernet1/0/1", "GigabitEthernet1/0/2", "GigabitEthernet1/0/3", "GigabitEthernet1/0/4"],
    "cisco_nxos": ["Ethernet1/1", "Ethernet1/2", "Ethernet1/3", "Ethernet1/4"],
    "arista_eos": ["Ethernet1", "Ethernet2", "Ethernet3", "Ethernet4"],
    "juniper_junos": ["ge-0/0/0", "ge-0/0/1", "ge-0/0/2", "ge-0/0/3"],
}
# Families that reject a command (the template renders the marker there, and only there).
UNSUPPORTED_ON = {
    ("cisco_ios", "show environment all"): {"cat4500"},
    ("cisco_ios", "show environment"): {"catalyst"},
    ("cisco_ios", "show environment power all"): {"router", "cat4500"},
    ("cisco_ios", "show power status"): {"catalyst", "router"},
    ("cisco_ios", "show license"): {"catalyst"},
    ("arista_eos", "show environment temperature"): {"virtual"},
    ("arista_eos", "show environment cooling"): {"virtual"},
    ("arista_eos", "show environment power"): {"virtual"},
    ("cisco_ios", "show switch detail"): {"router", "cat4500"},
    ("cisco_ios", "show module"): {"router"},
    ("juniper_junos", "show virtual-chassis"): {"router"},
    ("arista_eos", "show module"): {"hardware", "virtual"},  # fixed systems have no modules
}
DEVICES = [
    (platform, family, model, version)
    for platform, families in FAMILIES.items()
    for family, models in families.items()
    for model, version in models
]


def slug(command: str) -> str:
    return re.sub(r"[^A-Za-z0-9-]+", "_", " ".join(command.split()))


@cache
def commands(platform: str) -> tuple[str, ...]:
    """Every command alternative of the built-in quarterly job for the platform, in order."""
    seen: dict[str, None] = {}
    for alternatives in load_job(None, "quarterly").platforms[platform].values():
        seen.update(dict.fromkeys(alternatives))
    return tuple(seen)


@cache
def env(platform: str, engine_like: bool) -> jinja2.Environment:
    loader = jinja2.FileSystemLoader(str(get_platform(platform).lab_dir))
    if engine_like:  # the lab engine's settings (netpatrol/lab/render.py)
        return jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def state_for(platform: str, model: str, version: str, scenarios: list[str]) -> DeviceState:
    host = f"lab-{model.split('/')[0].lower()}-07"
    return build_state(host, platform, model, version, INTERFACES[platform], scenarios, now=NOW)


def render(platform: str, name: str, st: DeviceState, engine_like: bool = False, config: str | None = None) -> str:
    if config is None:  # output templates may quote the configuration (as the engine passes it)
        config = "" if name == "running_config.j2" else render(platform, "running_config.j2", st, engine_like)
    ctx = {"state": st, "config": config, "saved_config": config, "hostname": st.hostname}
    return env(platform, engine_like).get_template(name).render(**ctx)


def out(platform: str, command: str, model: str, version: str, scenarios: list[str]) -> str:
    return render(platform, slug(command) + ".j2", state_for(platform, model, version, scenarios))


def family_of(platform: str, model: str) -> str:
    return next(f for f, models in FAMILIES[platform].items() if model in dict(models))


# ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("platform", FAMILIES)
def test_every_quarterly_command_has_a_template(platform: str) -> None:
    missing = [c for c in commands(platform) if not (get_platform(platform).lab_dir / f"{slug(c)}.j2").is_file()]
    assert not missing, f"{platform}: no template for {missing}"
    assert (get_platform(platform).lab_dir / "running_config.j2").is_file()


@pytest.mark.parametrize(("platform", "family", "model", "version"), DEVICES)
def test_every_template_renders_for_every_scenario(platform: str, family: str, model: str, version: str) -> None:
    names = [f"{slug(c)}.j2" for c in commands(platform)] + ["running_config.j2"]
    for scenario in (*SCENARIOS, "weak_security"):
        scenarios = [] if scenario == "weak_security" else [scenario]
        st = state_for(platform, model, version, scenarios)
        if scenario == "weak_security":
            st.scenarios.append("weak_security")  # config-only scenario, not a health one
        config = render(platform, "running_config.j2", st)
        for name in names:
            text = render(platform, name, st, config=config)
            engine = render(platform, name, st, engine_like=True, config=config)
            assert text.rstrip("\n") == engine.rstrip("\n"), f"{platform}/{name}: differs under trim/lstrip_blocks"
            command = " ".join(name[:-3].split("_"))
            rejected = family in UNSUPPORTED_ON.get((platform, command), set())
            if rejected:
                assert text.strip() == UNSUPPORTED, f"{platform}/{name} should be unsupported on {model}"
            else:
                assert UNSUPPORTED not in text and text.strip(), f"{platform}/{name} empty on {model}/{scenario}"
                assert "\n\n\n\n\n" not in text.strip("\n") or platform == "cisco_ios", f"{platform}/{name}: stray blank lines"


# --- scenario values in each platform's words -------------------------------------------------------
Check = Callable[[str, DeviceState], bool]
SCENARIO_CHECKS: list[tuple[str, str, str, set[str] | None, Check]] = [
    # (platform, command, scenario, families or None for all, predicate on the output)
    ("cisco_ios", "show processes cpu sorted", "cpu_high", None, lambda o, s: "five seconds: 97%/" in o.splitlines()[0]),
    ("cisco_ios", "show environment all", "fan_failed", {"catalyst"}, lambda o, s: re.search(r"^\s+1\s+2\s+0\s+NOT OK$", o, re.M)),
    ("cisco_ios", "show environment all", "fan_failed", {"router"}, lambda o, s: re.search(r"Fan1\s+Critical\s+0 RPM", o)),
    ("cisco_ios", "show environment", "fan_failed", {"cat4500"}, lambda o, s: "Fantray : failed" in o),
    ("cisco_ios", "show environment power all", "psu_failed", {"catalyst"}, lambda o, s: re.search(r"^1B .*No Input Power\s+Bad", o, re.M)),
    ("cisco_ios", "show power status", "psu_failed", {"cat4500"}, lambda o, s: re.search(r"^PS2 .*\soff\s", o, re.M)),
    ("cisco_ios", "show ntp status", "ntp_unsynced", None, lambda o, s: o.startswith("Clock is unsynchronized, stratum 16")),
    ("cisco_ios", "show clock", "ntp_unsynced", None, lambda o, s: o.startswith("*")),
    ("cisco_ios", "show clock", "healthy", None, lambda o, s: not o.startswith("*")),
    ("cisco_ios", "show logging", "log_alarms", None, lambda o, s: re.search(r"UTC: %PLATFORM-2-TEMP_CRITICAL: Temperature", o)),
    ("cisco_ios", "show version", "recently_rebooted", None,
     lambda o, s: "uptime is 3 hours, 17 minutes" in o and "Last reload reason: power failure" in o),
    ("cisco_nxos", "show system resources", "cpu_high", None, lambda o, s: "3.00% idle" in o),
    ("cisco_nxos", "show system resources", "memory_high", None, lambda o, s: "Current memory status: SEVERE" in o),
    ("cisco_nxos", "show environment", "fan_failed", None, lambda o, s: re.search(r"^Fan2\(sys_fan2\).*Failure$", o, re.M)),
    ("cisco_nxos", "show environment", "psu_failed", None, lambda o, s: re.search(r"^2 .*\s0 W .*Shutdown$", o, re.M)),
    ("cisco_nxos", "show ntp peer-status", "ntp_unsynced", None, lambda o, s: re.search(r"^=10\.255\.0\.1\s+\S+\s+16\s", o, re.M)),
    ("cisco_nxos", "show ntp peer-status", "healthy", None, lambda o, s: re.search(r"^\*10\.255\.0\.1\s+\S+\s+3\s", o, re.M)),
    ("cisco_nxos", "show logging logfile", "log_alarms", None, lambda o, s: f"{s.hostname} %PLATFORM-2-TEMP_CRITICAL:" in o),
    ("arista_eos", "show environment cooling", "fan_failed", {"hardware"}, lambda o, s: re.search(r"^2/1\s+Failed\s+70%\s+0%$", o, re.M)),
    ("arista_eos", "show environment power", "psu_failed", {"hardware"}, lambda o, s: re.search(r"^2 .*0\.0W Power Loss$", o, re.M)),
    ("arista_eos", "show interfaces", "interface_errors", None, lambda o, s: "48213 input errors, 47990 CRC" in o),
    ("arista_eos", "show ntp status", "ntp_unsynced", None, lambda o, s: o.startswith("unsynchronised")),
    ("arista_eos", "show ntp status", "healthy", None, lambda o, s: o.startswith("synchronised to NTP server (10.255.0.1) at stratum 3")),
    ("arista_eos", "show logging", "log_alarms", None, lambda o, s: "PowerManager: %PLATFORM-2-TEMP_CRITICAL:" in o),
    ("arista_eos", "show version", "recently_rebooted", None, lambda o, s: "Uptime: 3 hours and 17 minutes" in o),
    ("juniper_junos", "show chassis routing-engine", "cpu_high", None, lambda o, s: re.search(r"5 sec CPU utilization:\n(.*\n){4}\s+Idle\s+3 percent", o)),
    ("juniper_junos", "show chassis routing-engine", "memory_high", None, lambda o, s: re.search(r"Memory utilization\s+94 percent", o)),
    ("juniper_junos", "show chassis routing-engine", "recently_rebooted", None, lambda o, s: "0x1:power cycle/failure" in o),
    ("juniper_junos", "show chassis environment", "fan_failed", None, lambda o, s: re.search(r"Fan Tray 1 Fan 0\s+Failed", o)),
    ("juniper_junos", "show chassis alarms", "psu_failed", None, lambda o, s: o.startswith("1 alarms currently active") and "Major  PEM 1 Not OK" in o),
    ("juniper_junos", "show chassis alarms", "healthy", None, lambda o, s: o.startswith("No alarms currently active")),
    ("juniper_junos", "show interfaces extensive", "interface_errors", None,
     lambda o, s: "Errors: 48213, Drops: 0, Framing errors: 47990" in o and re.search(r"CRC/Align errors\s+47990\s+0", o)),
    ("juniper_junos", "show ntp status", "ntp_unsynced", None, lambda o, s: "sync_unspec" in o and "stratum=16," in o),
    ("juniper_junos", "show log messages", "log_alarms", None, lambda o, s: "chassisd[" in o and "%DAEMON-2-CHASSISD_TEMP_HOT_NOTICE: Temperature" in o),
    ("juniper_junos", "show system uptime", "recently_rebooted", None, lambda o, s: "(03:17 ago)" in o and "up 3:17," in o),
]


@pytest.mark.parametrize(("platform", "command", "scenario", "families", "check"), SCENARIO_CHECKS,
                         ids=[f"{p}-{c}-{s}" for p, c, s, _, _ in SCENARIO_CHECKS])
def test_scenario_shows_in_output(platform: str, command: str, scenario: str, families: set[str] | None, check: Check) -> None:
    hits = 0
    for family, models in FAMILIES[platform].items():
        if families is not None and family not in families:
            continue
        for model, version in models:
            st = state_for(platform, model, version, [scenario])
            text = render(platform, slug(command) + ".j2", st)
            assert check(text, st), f"{platform} {model} `{command}` under {scenario}:\n{text}"
            hits += 1
    assert hits


# --- real parsers: ntc-templates ---------------------------------------------------------------------
Fields = Callable[[list[dict], DeviceState], None]


def _ios_version(rows: list[dict], s: DeviceState) -> None:
    r = rows[0]
    assert (r["serial"], r["version"], r["hardware"], r["hostname"]) == ([s.serial], s.version, [s.model], s.hostname)
    assert r["reload_reason"] == s.last_reboot_reason and r["uptime_minutes"] == str(s.uptime_parts["minutes"])


def _first_iface_errors(in_key: str, crc_key: str | None, out_key: str) -> Fields:
    def check(rows: list[dict], s: DeviceState) -> None:
        i = s.interfaces[0]
        r = next(r for r in rows if r["interface"] == i.name)
        assert r[in_key] == str(i.in_errors) and r[out_key] == str(i.out_errors)
        if crc_key:
            assert r[crc_key] == str(i.crc)
        assert len([r for r in rows if r["interface"] in {x.name for x in s.interfaces}]) == len(s.interfaces)
    return check


def _neighbor(key: str) -> Fields:
    return lambda rows, s: _eq([r[key] for r in rows], [n.remote_host for n in s.neighbors])


def _eq(got: object, want: object) -> None:
    assert got == want, f"{got!r} != {want!r}"


NTC: list[tuple[str, str, set[str] | None, str, Fields]] = [
    # (platform, command, families or None, scenario, field checks against the state)
    ("cisco_ios", "show version", None, "recently_rebooted", _ios_version),
    ("cisco_ios", "show version", None, "healthy", _ios_version),
    ("cisco_ios", "show inventory", None, "healthy", lambda rows, s: _eq(rows[0]["sn"], s.serial)),
    # `show processes cpu sorted` prints the same layout as `show processes cpu`, whose template it selects.
    ("cisco_ios", "show processes cpu sorted", None, "cpu_high",
     lambda rows, s: _eq((rows[0]["cpu_usage_5_sec"], rows[0]["cpu_usage_1_min"], rows[0]["cpu_usage_5_min"]), ("97", "95", "93"))),
    ("cisco_ios", "show processes memory sorted", None, "memory_high",
     lambda rows, s: _eq((rows[0]["memory_total"], rows[0]["memory_used"]), (str(s.memory.total_kb * 1024), str(s.memory.used_kb * 1024)))),
    ("cisco_ios", "show environment power all", {"catalyst"}, "psu_failed",
     lambda rows, s: _eq([r["status"] for r in rows], ["OK" if p.ok else "No Input Power" for p in s.psus])),
    ("cisco_ios", "show power status", {"cat4500"}, "psu_failed",
     lambda rows, s: _eq([r["status"] for r in rows if r["model"] and r["status"]], ["good" if p.ok else "off" for p in s.psus])),
    ("cisco_ios", "show interfaces", None, "interface_errors", _first_iface_errors("input_errors", "crc", "output_errors")),
    ("cisco_ios", "show logging", None, "log_alarms",
     lambda rows, s: _eq([(r["facility"], r["severity"], r["mnemonic"]) for r in rows],
                         [(e.facility, str(e.severity), e.mnemonic) for e in sorted(s.logs, key=lambda e: e.when)])),
    ("cisco_ios", "show clock", None, "healthy", lambda rows, s: _eq((rows[0]["year"], rows[0]["day"]), (str(s.now.year), str(s.now.day)))),
    ("cisco_ios", "show cdp neighbors detail", None, "healthy", _neighbor("neighbor_name")),
    ("cisco_ios", "show lldp neighbors detail", None, "healthy", _neighbor("neighbor_name")),
    ("cisco_ios", "show ip ospf neighbor", None, "healthy", lambda rows, s: _eq([r["neighbor_id"] for r in rows], [p.router_id for p in s.ospf])),
    ("cisco_ios", "show ip bgp summary", None, "healthy",
     lambda rows, s: _eq([(r["bgp_neighbor"], r["neighbor_as"], r["state_or_prefixes_received"]) for r in rows],
                         [(p.address, str(p.remote_as), str(p.prefixes)) for p in s.bgp])),
    ("cisco_ios", "dir", None, "healthy", lambda rows, s: _eq(rows[0]["total_free"], str(s.storage_free_kb * 1024))),
    ("cisco_ios", "show license", {"router", "cat4500"}, "healthy", lambda rows, s: _eq(rows[0]["feature"], "appxk9")),
    ("cisco_nxos", "show version", None, "recently_rebooted",
     lambda rows, s: _eq((rows[0]["serial"], rows[0]["os"], rows[0]["last_reboot_reason"], rows[0]["uptime"]),
                         (s.serial, s.version, "power failure", "0 day(s), 3 hour(s), 17 minute(s), 0 second(s)"))),
    ("cisco_nxos", "show inventory", None, "healthy", lambda rows, s: _eq(rows[0]["sn"], s.serial)),
    ("cisco_nxos", "show environment", None, "fan_failed",
     lambda rows, s: _eq([r["fan_status"] for r in rows if r["fan"].startswith("Fan") and "PS" not in r["fan"]],
                         ["Ok" if f.ok else "Failure" for f in s.fans])),
    ("cisco_nxos", "show environment", None, "psu_failed",
     lambda rows, s: _eq([r["power_supply_status"] for r in rows if r["power_supply"]], ["Ok" if p.ok else "Shutdown" for p in s.psus])),
    ("cisco_nxos", "show interface", None, "interface_errors", _first_iface_errors("input_errors", None, "output_errors")),
    ("cisco_nxos", "show clock", None, "healthy", lambda rows, s: _eq(rows[0]["year"], str(s.now.year))),
    ("cisco_nxos", "show cdp neighbors detail", None, "healthy", _neighbor("neighbor_name")),
    ("cisco_nxos", "show lldp neighbors detail", None, "healthy", _neighbor("neighbor_name")),
    ("cisco_nxos", "show ip ospf neighbor", None, "healthy", lambda rows, s: _eq([r["neighbor_id"] for r in rows], [p.router_id for p in s.ospf])),
    ("cisco_nxos", "show ip bgp summary", None, "healthy",
     lambda rows, s: _eq([(r["bgp_neigh"], r["neigh_as"], r["state_pfxrcd"]) for r in rows], [(p.address, str(p.remote_as), str(p.prefixes)) for p in s.bgp])),
    ("cisco_nxos", "dir", None, "healthy", lambda rows, s: _eq(rows[0]["total_free"], str(s.storage_free_kb * 1024))),
    ("cisco_nxos", "show license usage", None, "healthy", lambda rows, s: _eq(bool(rows[0]["feature"]), True)),
    ("arista_eos", "show version", None, "memory_high",
     lambda rows, s: _eq((rows[0]["serial_number"], rows[0]["image"], rows[0]["model"], rows[0]["free_memory"]),
                         (s.serial, s.version, s.model, str(s.memory.free_kb)))),
    ("arista_eos", "show inventory", {"hardware"}, "healthy", lambda rows, s: _eq((rows[0]["pid"], rows[0]["sn"]), (s.model, s.serial))),
    ("arista_eos", "show processes top once", None, "cpu_high", lambda rows, s: _eq(rows[0]["global_cpu_percent_idle"], "3.0")),
    ("arista_eos", "show environment temperature", {"hardware"}, "healthy",
     lambda rows, s: _eq([float(r["current_value"]) for r in rows], [float(t.celsius) for t in s.temperatures])),
    ("arista_eos", "show environment cooling", {"hardware"}, "fan_failed",
     lambda rows, s: _eq([r["status"] for r in rows][: len(s.fans)], ["Ok" if f.ok else "Failed" for f in s.fans])),
    ("arista_eos", "show environment power", {"hardware"}, "psu_failed",
     lambda rows, s: _eq([r["power_supply_status"] for r in rows], ["Ok" if p.ok else "Power Loss" for p in s.psus])),
    ("arista_eos", "show interfaces", None, "healthy",
     lambda rows, s: _eq([(r["interface"], r["description"]) for r in rows], [(i.name, i.description) for i in s.interfaces])),
    ("arista_eos", "show clock", None, "healthy", lambda rows, s: _eq(rows[0]["year"], str(s.now.year))),
    ("arista_eos", "show lldp neighbors detail", None, "healthy", _neighbor("neighbor_name")),
    ("arista_eos", "show ip ospf neighbor", None, "healthy", lambda rows, s: _eq([r["neighbor_id"] for r in rows], [p.router_id for p in s.ospf])),
    ("arista_eos", "show ip bgp summary", None, "healthy",
     lambda rows, s: _eq([(r["bgp_neigh"], r["neigh_as"], r["state"], r["state_pfxrcd"]) for r in rows],
                         [(p.address, str(p.remote_as), "Estab", str(p.prefixes)) for p in s.bgp])),
    ("arista_eos", "dir", None, "healthy", lambda rows, s: _eq(rows[0]["total_free"], str(s.storage_free_kb * 1024))),
    ("juniper_junos", "show version", None, "healthy",
     lambda rows, s: _eq((rows[0]["hostname"], rows[0]["model"], rows[0]["junos_version"]), (s.hostname, s.model.lower(), s.version))),
    ("juniper_junos", "show chassis hardware", None, "healthy", lambda rows, s: _eq(rows[0]["chassis_serial_number"], s.serial)),
    # `show interfaces extensive` is routed to this template by prefix and is not asserted (it fails there).
    ("juniper_junos", "show interfaces", None, "healthy",
     lambda rows, s: _eq([r["interface"] for r in rows if "." not in r["interface"]], [i.name for i in s.interfaces])),
    ("juniper_junos", "show system uptime", None, "recently_rebooted",
     lambda rows, s: _eq((rows[0]["boot_time"], rows[0]["time_source"]), (s.boot_time.strftime("%H:%M:%S"), "NTP CLOCK"))),
    ("juniper_junos", "show lldp neighbors", None, "healthy", _neighbor("neighbor_name")),
    ("juniper_junos", "show ospf neighbor", None, "healthy",
     lambda rows, s: _eq([(r["neighbor_id"], r["state"]) for r in rows], [(p.router_id, p.state) for p in s.ospf])),
]


@pytest.mark.parametrize(("platform", "command", "families", "scenario", "fields"), NTC,
                         ids=[f"{p}-{c}-{s}" for p, c, _, s, _ in NTC])
def test_ntc_templates_parse_outputs_to_the_state(platform: str, command: str, families: set[str] | None, scenario: str, fields: Fields) -> None:
    checked = 0
    for family, models in FAMILIES[platform].items():
        if families is not None and family not in families:
            continue
        for model, version in models:
            st = state_for(platform, model, version, [] if scenario == "healthy" else [scenario])
            rows = parse_output(platform=platform, command=command, data=render(platform, slug(command) + ".j2", st))
            assert rows, f"{platform} {model} `{command}` parsed to no rows"
            fields(rows, st)
            checked += 1
    assert checked


# --- running configuration ----------------------------------------------------------------------------
SECRET_FORMS = {
    "cisco_ios": [r"^enable secret 9 \$9\$\S{14}\$\S{43}$", r"^username admin privilege 15 secret 9 \$9\$", r"^ password 7 [0-9A-F]+$",
                  r"^snmp-server community \S+ RO", r"^tacacs-server key 7 \d\d[0-9A-F]+$", r"message-digest-key 1 md5 7 ",
                  r"neighbor \S+ password 7 ", r"^end$"],
    "cisco_nxos": [r"^username admin password 5 \$5\$\S+\$\S+  role network-admin$", r"^tacacs-server key 7 \"", r"password 3 [0-9a-f]+$"],
    "arista_eos": [r"^username admin privilege 15 role network-admin secret sha512 \$6\$\S{16}\$\S{86}$", r"tacacs-server key 7 ", r"^end$"],
    "juniper_junos": [r'encrypted-password "\$6\$\S{16}\$\S{86}"; ## SECRET-DATA$', r'secret "\$9\$\S+"; ## SECRET-DATA$',
                      r'authentication-key "\$9\$\S+"', r"^\}$"],
}
WEAK = {
    "cisco_ios": [r"transport input telnet ssh", r"^ip http server$", r"^snmp-server community public RO$"],
    "cisco_nxos": [r"^feature telnet$", r"^snmp-server community public "],
    "arista_eos": [r"^management telnet$", r"^snmp-server community public ro$", r"protocol http$"],
    "juniper_junos": [r"^\s+telnet;$", r"^\s+community public \{$", r"^\s+http;$"],
}


@pytest.mark.parametrize("platform", FAMILIES)
def test_running_config_has_secrets_state_and_weaknesses_only_when_asked(platform: str) -> None:
    model, version = next(iter(FAMILIES[platform].values()))[0]
    st = state_for(platform, model, version, [])
    cfg = render(platform, "running_config.j2", st)
    for rx in SECRET_FORMS[platform]:
        assert re.search(rx, cfg, re.M), f"{platform}: no line matching {rx}"
    for value in (st.hostname, st.mgmt_ip, st.router_id, str(st.local_as), st.ntp.server, st.bgp[0].address, st.interfaces[0].ip):
        assert value in cfg, f"{platform}: {value} missing from the running config"
    assert not any(re.search(rx, cfg, re.M) for rx in WEAK[platform]), f"{platform}: weakness without the scenario"
    st.scenarios.append("weak_security")
    weak = render(platform, "running_config.j2", st)
    for rx in WEAK[platform]:
        assert re.search(rx, weak, re.M), f"{platform}: weak_security lacks {rx}"
    # Secrets are derived from the hostname: another device stores different ones.
    other = render(platform, "running_config.j2", state_for(platform, model, version, []).__class__(
        **{**st.__dict__, "hostname": st.hostname + "x", "scenarios": []}))
    secret_rx = re.compile(r"\$[569]\$\S+|(?:key|password) 7 \S+")
    assert set(secret_rx.findall(cfg)).isdisjoint(secret_rx.findall(other))


# Outputs with no capture in the corpus for this family's layout: modelled on vendor documentation.
DOCUMENTED_ONLY = {("cisco_ios", "show environment", "cat4500")}


@pytest.mark.corpus
@pytest.mark.parametrize(("platform", "family", "model", "version"), DEVICES)
def test_outputs_follow_the_corpus_layout(platform: str, family: str, model: str, version: str, corpus: Path) -> None:
    """Column headings of each output occur in a real capture of the same item (spelling and order of
    the words; some ntc samples have their runs of spaces collapsed, so spaces are not compared)."""
    job = load_job(None, "quarterly").platforms[platform]
    st = state_for(platform, model, version, [])
    compared = 0
    for command in commands(platform):
        if (platform, command, family) in DOCUMENTED_ONLY:
            continue
        # captures of every alternative of the same inspection item count (e.g. show environment [all])
        siblings = {c for alts in job.values() if command in alts for c in alts}
        captures = sorted(p for c in siblings for p in (corpus / platform / c.replace(" ", "_")).glob("*.raw"))
        text = render(platform, slug(command) + ".j2", st)
        if not captures or text.strip() == UNSUPPORTED:
            continue
        real = {" ".join(ln.split()) for p in captures for ln in p.read_text(errors="replace").splitlines()}
        headers = [" ".join(ln.split()) for ln in text.splitlines() if _is_header(ln)]
        if headers:
            missing = [h for h in headers if h not in real]
            assert len(missing) < len(headers), f"{platform} `{command}`: none of {headers} in the corpus captures"
            compared += 1
    assert compared >= 3


def _is_header(line: str) -> bool:
    """Column-heading lines: several capitalised words, no digits and no `key: value` (values differ)."""
    words = line.split()
    return len(words) >= 4 and ": " not in line and not re.search(r"\d", line) and sum(w[:1].isupper() for w in words) >= 3
