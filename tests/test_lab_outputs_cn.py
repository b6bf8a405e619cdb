"""Lab output templates for huawei_vrp, hp_comware and ruijie_os render every quarterly command, reflect
the device state, and parse with ntc-templates where 9.3.0 has the command's own template."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from functools import cache
from pathlib import Path

import jinja2
import pytest
import textfsm
from ntc_templates.parse import parse_output

from netpatrol.inspection.catalogue import load_job
from netpatrol.lab.state import SCENARIOS, DeviceState, build_state
from netpatrol.platforms import get_platform

CATALOGUE = load_job(None, "quarterly").platforms
NOW = datetime(2026, 3, 12, 10, 21, 35, tzinfo=timezone.utc)

# Two models per family: Huawei S-series (VRP5) and CloudEngine (VRP8); H3C access vs. data-centre.
MODELS = {
    "huawei_vrp": [
        ("S5735-L48T4X-A1", "V200R019C10SPC500", [f"GigabitEthernet0/0/{n}" for n in range(1, 5)] + ["XGigabitEthernet0/0/1"]),
        ("S6730-H24X6C", "V200R019C10SPC500", [f"XGigabitEthernet0/0/{n}" for n in range(1, 5)] + ["100GE0/0/1"]),
        ("CE6881-48S6CQ", "V200R005C10SPC800", [f"10GE1/0/{n}" for n in range(1, 5)] + ["100GE1/0/1"]),
        ("CE6850-48S4Q-EI", "V200R005C10SPC800", [f"10GE1/0/{n}" for n in range(1, 5)] + ["40GE1/0/1"]),
    ],
    "hp_comware": [
        ("S5130S-52S-EI", "7.1.070, Release 6616", [f"GigabitEthernet1/0/{n}" for n in range(1, 5)] + ["Ten-GigabitEthernet1/0/49"]),
        ("S6850-56HF", "7.1.070, Release 6710", [f"Ten-GigabitEthernet1/0/{n}" for n in range(1, 5)] + ["HundredGigE1/0/49"]),
    ],
    "ruijie_os": [
        ("RG-S5750C-28GT4XS-H", "RGOS 11.4(1)B12", [f"GigabitEthernet 0/{n}" for n in range(1, 5)] + ["TenGigabitEthernet 0/25"]),
        ("RG-S6220-48XS6QXS-H", "RGOS 11.0(5)B9P59", [f"TenGigabitEthernet 0/{n}" for n in range(1, 5)] + ["FortyGigabitEthernet 0/49"]),
    ],
}
PLATFORMS = tuple(MODELS)

# (platform, command) -> the models that must answer with the unknown-command marker.
UNSUPPORTED = {
    ("huawei_vrp", "display cpu-usage"): "CE", ("huawei_vrp", "display memory-usage"): "CE",
    ("huawei_vrp", "display temperature all"): "CE", ("huawei_vrp", "display fan"): "CE",
    ("huawei_vrp", "display power"): "CE", ("huawei_vrp", "display alarm urgent"): "CE",
    ("huawei_vrp", "display cpu"): "S", ("huawei_vrp", "display memory"): "S",
    ("huawei_vrp", "display device temperature all"): "S", ("huawei_vrp", "display device fan"): "S",
    ("huawei_vrp", "display device power"): "S",
    ("hp_comware", "display license"): "S5130",
    ("huawei_vrp", "display transceiver verbose"): "CE", ("huawei_vrp", "display interface transceiver verbose"): "S",
}


def slug(command: str) -> str:
    return re.sub(r"[^A-Za-z0-9-]+", "_", command)


def commands(platform: str) -> list[str]:
    return sorted({c for alts in CATALOGUE[platform].values() for c in alts})


@cache
def env(engine_style: bool, platform: str) -> jinja2.Environment:
    loader = jinja2.FileSystemLoader(str(get_platform(platform).lab_dir))
    if engine_style:  # the settings netpatrol.lab.render uses
        return jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def state_for(platform: str, model_index: int, scenarios: list[str], hostname: str = "core-sw-01") -> DeviceState:
    model, version, ifaces = MODELS[platform][model_index]
    return build_state(hostname, platform, model, version, ifaces, [s for s in scenarios if s in SCENARIOS], now=NOW) if True else None


def render(platform: str, name: str, st: DeviceState, engine_style: bool = False) -> str:
    text = env(engine_style, platform).get_template(f"{name}.j2").render(state=st, hostname=st.hostname, config="", saved_config="")
    if "weak_security" in st.scenarios:
        pass
    return text


def render_cmd(platform: str, command: str, model_index: int = 0, *scenarios: str) -> str:
    return render(platform, slug(command), state_for(platform, model_index, list(scenarios)))


def unsupported_for(platform: str, command: str, model: str) -> bool:
    family = UNSUPPORTED.get((platform, command))
    if family is None:
        return False
    if platform == "huawei_vrp":
        return model.startswith("CE") == (family == "CE")
    return model.startswith(family)


CASES = [(p, c, m) for p in PLATFORMS for c in [*commands(p), "running_config"] for m in range(len(MODELS[p]))]


def test_every_catalogue_command_has_a_template():
    for platform in PLATFORMS:
        missing = [c for c in commands(platform) if not (get_platform(platform).lab_dir / f"{slug(c)}.j2").is_file()]
        assert not missing, f"{platform}: no template for {missing}"
        assert (get_platform(platform).lab_dir / "running_config.j2").is_file()


@pytest.mark.parametrize(("platform", "command", "model_index"), CASES)
def test_renders_for_every_scenario_in_both_jinja_settings(platform, command, model_index):
    name = command if command == "running_config" else slug(command)
    model = MODELS[platform][model_index][0]
    for scenario in (*SCENARIOS, "weak_security"):
        st = state_for(platform, model_index, [scenario])
        if scenario == "weak_security":
            st.scenarios.append(scenario)  # not a state scenario; the engine passes it through
        plain = render(platform, name, st)
        engine = render(platform, name, st, engine_style=True)
        # The engine renders with trim_blocks/lstrip_blocks; the templates must not depend on it.
        assert plain.rstrip("\n") == engine.rstrip("\n"), f"{platform}/{name} differs under trim_blocks"
        if command != "running_config" and unsupported_for(platform, command, model):
            assert plain.strip() == "__UNSUPPORTED__"
        else:
            assert plain.strip() and "__UNSUPPORTED__" not in plain, f"{platform}/{name} on {model} is empty"


# --- scenario-driven values --------------------------------------------------------------------------

CPU_CMD = {"huawei_vrp": ["display cpu-usage", "display cpu"], "hp_comware": ["display cpu-usage"], "ruijie_os": ["show cpu"]}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_cpu_high_shows_in_the_cpu_line(platform):
    for i, (model, _, _) in enumerate(MODELS[platform]):
        for cmd in CPU_CMD[platform]:
            if unsupported_for(platform, cmd, model):
                continue
            high = render_cmd(platform, cmd, i, "cpu_high")
            line = next(ln for ln in high.splitlines() if re.search(r"five seconds|5 seconds", ln))
            assert "97" in line
            assert "97" not in render_cmd(platform, cmd, i, "healthy")


MEM_CMD = {"huawei_vrp": ["display memory-usage", "display memory"], "hp_comware": ["display memory"], "ruijie_os": ["show memory"]}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_memory_high(platform):
    for i, (model, _, _) in enumerate(MODELS[platform]):
        for cmd in MEM_CMD[platform]:
            if unsupported_for(platform, cmd, model):
                continue
            out = render_cmd(platform, cmd, i, "memory_high")
            if platform == "hp_comware":
                assert "6.0%" in out  # FreeRatio
            else:
                assert "94%" in out


FAN = {"huawei_vrp": (["display fan", "display device fan", "display device"], "Abnormal"),
       "hp_comware": (["display fan"], "Fault"), "ruijie_os": (["show fan"], "Fault")}
PSU = {"huawei_vrp": (["display power", "display device power", "display device"], "NotSupply|Abnormal"),
       "hp_comware": (["display power"], "Fault"), "ruijie_os": (["show power"], "LinkNoPower")}


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize(("scenario", "table"), [("fan_failed", FAN), ("psu_failed", PSU)])
def test_hardware_failure_in_platform_words(platform, scenario, table):
    cmds, word = table[platform]
    for i, (model, _, _) in enumerate(MODELS[platform]):
        for cmd in cmds:
            if unsupported_for(platform, cmd, model):
                continue
            assert re.search(word, render_cmd(platform, cmd, i, scenario)), (cmd, model)
            assert not re.search(word, render_cmd(platform, cmd, i, "healthy")), (cmd, model)


@pytest.mark.parametrize("platform", ["huawei_vrp", "hp_comware"])
def test_hardware_failures_raise_alarms(platform):
    cmd = "display alarm active" if platform == "huawei_vrp" else "display alarm"
    for i in range(len(MODELS[platform])):
        assert re.search(r"[Ff]an", render_cmd(platform, cmd, i, "fan_failed"))
        assert re.search(r"[Pp]ower", render_cmd(platform, cmd, i, "psu_failed"))
        assert "Temperature sensor CPU" in render_cmd(platform, cmd, i, "log_alarms")
        assert "Temperature" not in render_cmd(platform, cmd, i, "healthy")


IFACE = {"huawei_vrp": "display interface", "hp_comware": "display interface", "ruijie_os": "show interfaces"}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_interface_error_counters(platform):
    out = render_cmd(platform, IFACE[platform], 0, "interface_errors")
    first = out.split("\n\n" if platform != "huawei_vrp" else "current state", 2)[:2]
    assert "47990" in out and "48213" in out
    assert "47990" not in render_cmd(platform, IFACE[platform], 0, "healthy")
    assert first


UNSYNCED = {"huawei_vrp": ("display ntp-service status", "clock stratum: 16"),
            "hp_comware": ("display ntp-service status", "Clock stratum: 16"),
            "ruijie_os": ("show ntp status", "Clock is unsynchronized, stratum 16")}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_ntp_unsynced(platform):
    cmd, text = UNSYNCED[platform]
    assert text in render_cmd(platform, cmd, 0, "ntp_unsynced")
    assert "unsynchronized" in render_cmd(platform, cmd, 0, "ntp_unsynced")
    assert "unsynchronized" not in render_cmd(platform, cmd, 0, "healthy")


LOG = {"huawei_vrp": ("display logbuffer", "%%01DEVM/2/TEMP_CRITICAL(t)"),
       "hp_comware": ("display logbuffer", "DEV/2/TEMP_CRITICAL: "),
       "ruijie_os": ("show logging", "%PLATFORM-2-TEMP_CRITICAL: ")}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_log_alarms_in_platform_severity_format(platform):
    cmd, text = LOG[platform]
    for i in range(len(MODELS[platform])):
        assert text in render_cmd(platform, cmd, i, "log_alarms")
        assert text not in render_cmd(platform, cmd, i, "healthy")


UPTIME = {"huawei_vrp": ("display version", ["0 week, 0 day, 3 hours, 17 minutes", "0 days, 3 hours, 17 minutes"]),
          "hp_comware": ("display version", ["0 weeks, 0 days, 3 hours, 17 minutes"]),
          "ruijie_os": ("show version", ["System uptime           : 0:03:17:00"])}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_recently_rebooted_uptime(platform):
    cmd, texts = UPTIME[platform]
    for i in range(len(MODELS[platform])):
        out = render_cmd(platform, cmd, i, "recently_rebooted")
        assert any(t in out for t in texts), out


# --- real parsers: ntc-templates 9.3.0, only where the template really is the command's ------------

def parse(platform: str, command: str, text: str) -> list[dict]:
    rows = parse_output(platform=platform, command=command, data=text)
    assert rows, f"{platform} {command!r}: no rows"
    return rows


@pytest.mark.parametrize("model_index", range(4))
def test_huawei_parses_with_ntc_templates(model_index):
    p = "huawei_vrp"
    model = MODELS[p][model_index][0]
    st = state_for(p, model_index, ["interface_errors", "fan_failed"])
    out = lambda cmd: render(p, slug(cmd), st)  # noqa: E731
    ver = parse(p, "display version", out("display version"))[0]
    assert ver["vrp_version"] == ("8.180" if model.startswith("CE") else "5.170")
    assert ver["model"].startswith(model) and st.version in ver["product_version"]
    dev = parse(p, "display device", out("display device"))
    assert dev[0]["pid"] == model and "Abnormal" in [r["alarm_status"] for r in dev]
    ifs = parse(p, "display interface", out("display interface"))
    assert [r["interface"] for r in ifs] == [i.name for i in st.interfaces]
    assert ifs[0]["mac_address"] == st.interfaces[0].mac.replace(".", "-") and ifs[0]["ip_address"] == f"{st.interfaces[0].ip}/24"
    brief = {r["interface"]: r for r in parse(p, "display interface brief", out("display interface brief"))}
    assert brief[st.interfaces[0].name]["inerrors"] == "48213" and brief[st.interfaces[0].name]["outerrors"] == "12"
    assert brief[st.interfaces[-1].name]["phy"] == "down"
    bgp = parse(p, "display bgp peer", out("display bgp peer"))
    assert (bgp[0]["peer"], bgp[0]["asn"], bgp[0]["state"]) == (st.bgp[0].address, str(st.bgp[0].remote_as), "Established")
    lic = parse(p, "display license verbose", out("display license verbose"))
    assert lic[0]["license_file_esn"] == st.serial and lic[0]["license_state"] == "Normal"
    if model.startswith("CE"):  # VRP5 prints "Time(LMT)", which the ntc dir template does not know
        d = parse(p, "dir", out("dir"))
        assert d[0]["total_size"] == f"{st.storage_total_kb:,}" and d[0]["total_free"] == f"{st.storage_free_kb:,}"


@pytest.mark.parametrize("scenario", ["healthy", "ntp_unsynced"])
def test_huawei_ntp_parses_with_the_misindexed_ntc_template(scenario):
    # ntc-templates indexes this template as `display ntp status`; it is the `display ntp-service status` one.
    import ntc_templates

    tpl = Path(ntc_templates.__file__).parent / "templates" / "huawei_vrp_display_ntp_status.textfsm"
    st = state_for("huawei_vrp", 0, [scenario])
    with tpl.open() as fh:
        fsm = textfsm.TextFSM(fh)
    rows = fsm.ParseTextToDicts(render("huawei_vrp", "display_ntp-service_status", st))
    assert rows[0]["CLOCK_STRATUM"] == str(st.ntp.stratum)
    assert rows[0]["CLOCK_STATUS"] == ("synchronized" if st.ntp.synced else "unsynchronized")


@pytest.mark.parametrize("model_index", range(2))
def test_comware_parses_with_ntc_templates(model_index):
    p = "hp_comware"
    st = state_for(p, model_index, ["interface_errors"])
    out = lambda cmd: render(p, slug(cmd), st)  # noqa: E731
    manu = parse(p, "display device manuinfo", out("display device manuinfo"))
    assert manu[0]["device_serial_number"] == st.serial and manu[0]["device_name"] == st.model
    ifs = parse(p, "display interface", out("display interface"))
    assert [r["interface"] for r in ifs] == [i.name for i in st.interfaces]
    assert ifs[0]["ip_address"] == [f"{st.interfaces[0].ip}/24"] and ifs[1]["line_status"] == "UP"
    assert ifs[-1]["line_status"] == "DOWN" and ifs[1]["hw_address"] == [st.interfaces[1].mac.replace(".", "-")]
    brief = parse(p, "display interface brief", out("display interface brief"))
    by_name = {r["interface"]: r for r in brief}
    assert by_name["MGE0/0/0"]["main_ip"] == st.mgmt_ip
    assert len([r for r in brief if r["type"] == "A"]) == len(st.interfaces) - 1
    clock = parse(p, "display clock", out("display clock"))[0]
    assert (clock["year"], clock["time"]) == ("2026", "10:21:35")
    lldp = parse(p, "display lldp neighbor-information list", out("display lldp neighbor-information list"))
    assert lldp[0]["neighbor_name"] == st.neighbors[0].remote_host and lldp[0]["neighbor_interface"] == st.neighbors[0].remote_if
    bgp = parse(p, "display bgp peer ipv4", out("display bgp peer ipv4"))
    assert (bgp[0]["peer"], bgp[0]["remote_asn"], bgp[0]["local_as_number"]) == (
        st.bgp[0].address, str(st.bgp[0].remote_as), str(st.local_as))


# --- running configuration -----------------------------------------------------------------------------

SECRETS = {
    "huawei_vrp": [r"local-user admin password irreversible-cipher \$1a\$\S+\$", r"snmp-agent community read cipher %\^%#\S+%\^%#",
                   r"ospf authentication-mode md5 1 cipher %\^%#\S+%\^%#", r"peer \S+ password cipher %\^%#\S+%\^%#"],
    "hp_comware": [r"password hash \$h\$6\$\S+", r"snmp-agent community read cipher \$c\$3\$\S+", r"peer \S+ password cipher \$c\$3\$\S+"],
    "ruijie_os": [r"enable secret 5 \$1\$\S+", r"password 7 [0-9a-f]+", r"md5 7 [0-9a-f]+"],
}
END = {"huawei_vrp": "return", "hp_comware": "return", "ruijie_os": "end"}
# The healthy baseline is hardened as an audit expects it: SNMP community bound to an ACL, syslog
# host, NTP server, SSHv2 only (RGOS), so the security pack finds nothing on a healthy device.
HARDENED = {
    "huawei_vrp": [r"(?m)^snmp-agent community read cipher %\^%#\S+%\^%# acl 2000$", r"(?m)^info-center loghost \S+",
                   r"(?m)^ntp-service unicast-server \S+", r"(?m)^ protocol inbound ssh$"],
    "hp_comware": [r"(?m)^ snmp-agent community read cipher \S+ acl 2000$", r"(?m)^ info-center loghost \S+",
                   r"(?m)^ ntp-service unicast-server \S+", r"(?m)^ protocol inbound ssh$"],
    "ruijie_os": [r"(?m)^snmp-server community 7 \S+ ro SNMP-RO$", r"(?m)^logging server \S+", r"(?m)^ntp server \S+",
                  r"(?m)^ip ssh version 2$", r"(?m)^service password-encryption$"],
}
WEAK = {"huawei_vrp": ["telnet server enable", "protocol inbound all"],
        "hp_comware": ["telnet server enable", "snmp-agent community read simple public"],
        "ruijie_os": ["enable service telnet-server", "snmp-server community public rw"]}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_running_config_secrets_markers_and_weaknesses(platform):
    a = render(platform, "running_config", state_for(platform, 0, ["healthy"], hostname="core-sw-01"))
    b = render(platform, "running_config", state_for(platform, 0, ["healthy"], hostname="acc-sw-17"))
    assert a.rstrip().splitlines()[-1] == END[platform]
    for rx in SECRETS[platform]:
        sa, sb = re.search(rx, a), re.search(rx, b)
        assert sa and sb, rx
        assert sa.group(0) != sb.group(0), f"{rx}: same secret on two devices"
    st = state_for(platform, 0, ["healthy"])
    assert st.hostname in a and st.router_id in a and st.ntp.server in a and str(st.local_as) in a
    if platform != "ruijie_os":
        assert "\n#\n" in a
    lines = {ln.strip() for ln in a.splitlines()}
    for text in WEAK[platform]:
        assert text not in lines
    for rx in HARDENED[platform]:
        assert re.search(rx, a), rx
    weak_state = state_for(platform, 0, [])
    weak_state.scenarios.append("weak_security")
    weak = render(platform, "running_config", weak_state)
    weak_lines = {ln.strip() for ln in weak.splitlines()}
    for text in WEAK[platform]:
        assert text in weak_lines
