"""The lab engine over real SSH: netmiko against every platform, auth, host keys, config mode, faults."""

from __future__ import annotations

import re
import socket
import stat
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import paramiko
import pytest
from netmiko import ConnectHandler
from netmiko.exceptions import NetmikoAuthenticationException

from netpatrol.errors import LabError
from netpatrol.inspection.catalogue import load_job
from netpatrol.lab import control
from netpatrol.lab.device import DeviceSpec, SimulatedDevice
from netpatrol.lab.profile import load_profiles
from netpatrol.lab.testing import free_ports, make_specs, running_lab
from netpatrol.platforms import PLATFORMS

pytestmark = pytest.mark.lab

PLATFORM_NAMES = sorted(load_profiles())
VERSION_CMD = {p: load_job(None, "quarterly").platforms[p]["version"][0] for p in PLATFORM_NAMES}
# Cisco-like platforms whose sessions start in user mode when an enable secret is configured.
ENABLE_PLATFORMS = {p for p, prof in load_profiles().items() if prof.start_mode == "user"}


@pytest.fixture(scope="module")
def lab(make_module_lab):
    spares = [f"spare-{i}" for i in range(3)]
    return make_module_lab({**{f"lab-{p.replace('_', '-')}": p for p in PLATFORM_NAMES}, **dict.fromkeys(spares, "cisco_ios")},
                           fields={n: {"enable_secret": None} for n in spares},
                           options={"slow_line_delay": 0.01, "slow_min_lines": 5})


def _spec(lab, platform: str):
    return next(s for s in lab.specs if s.platform == platform and not s.name.startswith("spare"))


def _connect(spec, **kw):
    return ConnectHandler(
        device_type=PLATFORMS[spec.platform].netmiko_device_type, host=spec.address, port=spec.port,
        username=spec.username, password=spec.password, secret=spec.enable_secret or "", **kw,
    )


def _expected(state_dir: Path, spec, command: str) -> str:
    device = SimulatedDevice(DeviceSpec(**{**spec.__dict__}), state_dir / "configs")
    text = device.output(command)
    assert text is not None, f"{spec.platform}: the lab has no output for {command!r}"
    return text


def _digits_masked(text: str) -> str:
    # Server and test render a second apart: clocks differ, nothing else may.
    return re.sub(r"\d", "0", text.strip())


def _session(lab, platform: str) -> dict[str, str]:
    spec = _spec(lab, platform)
    conn = _connect(spec)
    if platform in ENABLE_PLATFORMS:
        conn.enable()
    version = conn.send_command(VERSION_CMD[platform])
    config = conn.send_command(PLATFORMS[platform].backup.running)
    conn.disconnect()
    return {"version": version, "config": config}


def test_netmiko_reads_version_and_config_on_every_platform(lab):
    state_dir = lab.state_dir
    # Concurrently: netmiko's own disconnect waits 2 s on some drivers (huawei, ruijie).
    with ThreadPoolExecutor(len(PLATFORM_NAMES)) as pool:
        results = dict(zip(PLATFORM_NAMES, pool.map(lambda p: _session(lab, p), PLATFORM_NAMES), strict=True))
    for platform, got in results.items():
        spec = _spec(lab, platform)
        assert PLATFORMS[platform].rejected(got["version"]) is None, (platform, got["version"][:200])
        assert _digits_masked(got["version"]) == _digits_masked(_expected(state_dir, spec, VERSION_CMD[platform]))
        stored = (state_dir / "configs" / f"{spec.name}.running").read_text()
        assert stored.strip() and stored.strip() in got["config"], platform
        assert PLATFORMS[platform].rejected(got["config"]) is None, platform
        end = PLATFORMS[platform].backup.end_markers
        if end:
            assert re.match(end[0], got["config"].rstrip().splitlines()[-1]), platform


def test_wrong_password_is_an_auth_failure(lab):
    spec = _spec(lab, "arista_eos")
    with pytest.raises(NetmikoAuthenticationException):
        ConnectHandler(device_type="arista_eos", host=spec.address, port=spec.port, username=spec.username, password="wrong")


def test_reject_password_and_refuse_connection_faults(lab):
    state_dir, specs = lab.state_dir, lab.devices
    spec = specs["spare-0"]
    control.set_faults(state_dir, "spare-0", ["refuse_connection"])
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((spec.address, spec.port), timeout=2).close()
    assert not next(d for d in control.status(state_dir).devices if d.name == "spare-0").listening
    control.set_faults(state_dir, "spare-0", ["reject_password"])
    with pytest.raises(NetmikoAuthenticationException):
        _connect(spec)
    control.set_faults(state_dir, "spare-0", [])
    conn = _connect(spec)
    assert conn.find_prompt() == "spare-0#"  # no enable secret: straight to privileged mode
    conn.disconnect()


def _host_key(spec) -> str:
    with paramiko.Transport((spec.address, spec.port)) as t:
        t.start_client(timeout=5)
        return t.get_remote_server_key().get_base64()


def test_host_key_is_stable_until_rotated(lab):
    state_dir, specs = lab.state_dir, lab.devices
    spec = specs["spare-1"]
    first = _host_key(spec)
    assert _host_key(spec) == first
    control.rotate_hostkey(state_dir, "spare-1")
    assert _host_key(spec) != first


def test_config_mode_change_shows_in_next_show_run_and_save(lab):
    state_dir, specs = lab.state_dir, lab.devices
    spec = specs["spare-2"]
    conn = _connect(spec)
    conn.send_config_set(["hostname edge-renamed", "interface GigabitEthernet0/1", "description changed-by-test"])
    assert conn.find_prompt() == "edge-renamed#"
    conn.set_base_prompt()  # netmiko, like a person, must learn the new prompt
    running = conn.send_command("show running-config")
    assert "hostname edge-renamed" in running and " description changed-by-test" in running
    assert running.rstrip().endswith("end")
    assert "edge-renamed" not in conn.send_command("show startup-config")
    conn.save_config()
    assert "hostname edge-renamed" in conn.send_command("show startup-config")
    conn.disconnect()
    assert "hostname edge-renamed" in (state_dir / "configs" / "spare-2.running").read_text()


def test_huawei_system_view_and_save_with_confirmation(lab):
    spec = _spec(lab, "huawei_vrp")
    conn = _connect(spec)
    # By hand, not send_config_set: netmiko's huawei check_config_mode always waits 2 s, and a new
    # sysname changes the prompt netmiko would wait for.
    conn.send_command("system-view", expect_string=r"\]$")
    conn.send_command("ntp-service unicast-server 10.9.9.9", expect_string=r"\]$")
    conn.send_command("sysname vrp-renamed", expect_string=r"\[vrp-renamed\]")
    conn.send_command("return", expect_string=r"<vrp-renamed>")
    conn.set_base_prompt()
    current = conn.send_command("display current-configuration")
    assert "sysname vrp-renamed" in current
    assert current.rstrip().splitlines()[-2:] == ["ntp-service unicast-server 10.9.9.9", "return"]
    assert "vrp-renamed" not in conn.send_command("display saved-configuration")
    conn.save_config()
    assert "sysname vrp-renamed" in conn.send_command("display saved-configuration")
    conn.disconnect()


def test_junos_set_lines_apply_on_commit(lab):
    spec = _spec(lab, "juniper_junos")
    conn = _connect(spec)
    conn.send_config_set(["set system host-name junos-renamed", 'set snmp location "rack 7"'], exit_config_mode=False)
    assert "junos-renamed" not in conn.send_command("run show configuration", expect_string=r"#\s*$")
    conn.commit()
    conn.exit_config_mode()
    config = conn.send_command("show configuration")
    assert "host-name junos-renamed;" in config
    assert 'snmp {\n    location "rack 7";\n}' in config
    assert conn.find_prompt() == f"{spec.username}@junos-renamed>"
    conn.disconnect()


def _shell(spec, timeout: float = 5) -> tuple[paramiko.SSHClient, paramiko.Channel]:
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(spec.address, spec.port, spec.username, spec.password, timeout=timeout,
                   allow_agent=False, look_for_keys=False)
    chan = client.invoke_shell()
    chan.settimeout(timeout)
    return client, chan


def _read_until(chan: paramiko.Channel, pattern: str, limit: float = 5) -> str:
    buf, deadline = "", time.monotonic() + limit
    while not re.search(pattern, buf):
        if time.monotonic() > deadline:
            raise AssertionError(f"{pattern!r} not seen in {buf[-300:]!r}")
        buf += chan.recv(65536).decode()
    return buf


def test_paging_when_not_disabled_and_unknown_command_reply(lab):
    spec = _spec(lab, "cisco_nxos")
    client, chan = _shell(spec)
    try:
        _read_until(chan, r"#$")
        chan.send("show foo bar\n")
        out = _read_until(chan, r"#$")
        prompt_len = len(f"{spec.name}#")
        assert f"\r\n{' ' * (prompt_len + 5)}^\r\n% Invalid command at '^' marker.\r\n" in out
        chan.send("show running-config\r\n")
        first = _read_until(chan, r" --More-- $")
        assert first.count("\r\n") <= 26
        chan.send(" ")
        _read_until(chan, r" --More-- $|#$")
        chan.send("q")
        _read_until(chan, rf"{spec.name}#$")
    finally:
        client.close()


def _exec(spec, command: str) -> str:
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(spec.address, spec.port, spec.username, spec.password, timeout=5, allow_agent=False, look_for_keys=False)
    try:
        _, stdout, _ = client.exec_command(command, timeout=5)
        return stdout.read().decode()
    finally:
        client.close()


def test_output_faults_over_the_exec_channel(lab):
    state_dir = lab.state_dir
    spec = _spec(lab, "hp_comware")
    full = _exec(spec, "display current-configuration")
    assert full.rstrip().endswith("return")
    assert "display current-configuration" not in _exec(spec, "display current-configuration | include sysname").replace("sysname", "")
    control.set_faults(state_dir, spec.name, ["truncate_config"])
    cut = _exec(spec, "display current-configuration")
    assert 0 < len(cut) < len(full) and not cut.rstrip().endswith("return")
    control.set_faults(state_dir, spec.name, ["drop_mid_output"])
    assert len(_exec(spec, "display current-configuration")) < len(full)
    control.set_faults(state_dir, spec.name, ["error_all"])
    assert PLATFORMS["hp_comware"].rejected(_exec(spec, "display version")) is not None
    control.set_faults(state_dir, spec.name, ["slow"])  # that it paces lines: test_faults' slow device test
    assert _exec(spec, "display current-configuration") == full
    control.set_faults(state_dir, spec.name, [])


def test_hang_after_login_never_shows_a_prompt(lab):
    state_dir = lab.state_dir
    spec = _spec(lab, "ruijie_os")
    control.set_faults(state_dir, spec.name, ["hang_after_login"])
    try:
        client, chan = _shell(spec, timeout=0.5)
        chan.send("\n")
        with pytest.raises(socket.timeout):
            chan.recv(1024)
        client.close()
    finally:
        control.set_faults(state_dir, spec.name, [])


def test_set_config_and_scenarios_apply_without_restart(lab):
    state_dir = lab.state_dir
    spec = _spec(lab, "cisco_ios")
    control.set_config(state_dir, spec.name, "!\nhostname drifted\n!\nend\n")
    out = _exec(spec, "show running-config")
    assert "hostname drifted\n!\nend" in out.replace("\r\n", "\n")
    with pytest.raises(LabError, match="no lab device named"):
        control.set_scenarios(state_dir, "nope", ["cpu_high"])
    with pytest.raises(LabError, match="unknown"):
        control.set_faults(state_dir, spec.name, ["explode"])


def test_state_files_and_status(lab):
    state_dir, specs = lab.state_dir, lab.devices
    assert stat.S_IMODE((state_dir / "devices.json").stat().st_mode) == 0o600
    st = control.status(state_dir)
    assert st.running and st.pid and len(st.devices) == len(specs)
    assert st.to_dict()["devices"][0]["name"]
    assert (state_dir / "hostkeys").is_dir() and (state_dir / "server.log").exists()


def test_port_taken_is_a_clear_error_and_down_is_clean(tmp_path: Path):
    [port] = free_ports(1)
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", port))
    blocker.listen()
    spec = make_specs(["cisco_ios"])[0]
    spec.port = port
    try:
        with pytest.raises(LabError, match=rf"127.0.0.1:{port}.*{spec.name}"):
            control.up(tmp_path / "lab", [spec], timeout=20)
    finally:
        blocker.close()
    assert not control.status(tmp_path / "lab").running
    with running_lab(tmp_path / "lab", [spec]) as st:
        assert st.running
        pid = st.pid
    assert not control.status(tmp_path / "lab").running
    assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split(")")[-1][:3]
