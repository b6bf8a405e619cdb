"""Syslog trigger: parsing RFC 3164/5424, per-platform change patterns, and real datagrams on
loopback to the listener backing up a lab device (debounced)."""

from __future__ import annotations

import socket
import subprocess
import threading
import time

import pytest

from netpatrol.inventory import load_inventory
from netpatrol.syslog_listener import HostResolver, SyslogListener, is_config_change, parse_datagram
from netpatrol.workspace import Workspace

from conftest import corpus_dir

CHANGES = [
    ("cisco_ios", "<189>Nov 27 10:15:00 city-acc-02 %SYS-5-CONFIG_I: Configured from console by netops on vty0 (10.0.0.5)"),
    ("ruijie_os", "<189>45: Nov 27 10:15:00: %SYS-5-CONFIG_I: Configured from console by admin on vty 0 (10.0.0.5)"),
    ("cisco_nxos", "<189>2026 Nov 27 10:15:00 city-core-01 %VSHD-5-VSHD_SYSLOG_CONFIG_I: Configured from vty by admin on 10.0.0.5@pts/0"),
    ("arista_eos", "<189>Nov 27 10:15:00 city-core-02 ConfigAgent: %SYS-5-CONFIG_E: Enter configuration mode from console by admin on vty3"),
    ("arista_eos", "<189>Nov 27 10:15:01 city-core-02 ConfigAgent: %SYS-5-CONFIG_I: Configured from console by admin on vty3"),
    ("juniper_junos", "<189>1 2026-11-27T10:15:00.123+08:00 city-wan-01 mgd 4711 UI_COMMIT [junos@2636.1.1.1.2.29 username=\"netops\"] User 'netops' requested 'commit' operation"),
    ("huawei_vrp", "<188>Nov 27 2026 10:15:00 north-core-01 %%01CFG/4/CFG_CHANGE(s)[0]:Configuration is changed. (CurrentCfgChgSeqID=12)"),
    ("huawei_vrp", "<189>Nov 27 2026 10:15:00 north-core-01 %%01SHELL/5/CMDRECORD(s)[1]:Recorded command information. (Task=VT0, Ip=10.0.0.5, User=netops, Command=\"interface GE1/0/1\")"),
    ("huawei_vrp", "<188>Nov 27 2026 10:16:00 north-core-01 %%01CFM/4/SAVE(s)[2]:The user chose Y when deciding whether to save the configuration to the device."),
    ("hp_comware", "<189>Nov 27 10:15:00:120 2026 city-acc-01 %%10CFGMAN/5/CFGMAN_CFGCHANGED: -EventIndex=12-CommandSource=CLI; Configuration changed."),
]
NOT_CHANGES = [
    ("huawei_vrp", "<189>Nov 27 2026 10:15:00 north-core-01 %%01SHELL/5/CMDRECORD(s)[1]:Recorded command information. (Task=VT0, User=netops, Command=\"display current-configuration\")"),
    ("juniper_junos", "<189>Nov 27 10:15:00 city-wan-01 mgd[91373]: UI_COMMIT_COMPLETED: commit complete"),
    ("cisco_ios", "<189>Nov 27 10:15:00 city-acc-02 %LINK-3-UPDOWN: Interface Gi1/0/1, changed state to up"),
    ("cisco_nxos", "<189>Nov 27 10:15:00 city-acc-02 %SYS-5-CONFIG_I: Configured from console"),  # an IOS pattern
]


@pytest.mark.parametrize(("platform", "line"), CHANGES)
def test_config_change_patterns(platform, line):
    assert is_config_change(platform, parse_datagram(line.encode(), "10.0.0.1").text)


@pytest.mark.parametrize(("platform", "line"), NOT_CHANGES)
def test_not_config_changes(platform, line):
    assert not is_config_change(platform, parse_datagram(line.encode(), "10.0.0.1").text)


def test_header_forms():
    m5424 = parse_datagram(CHANGES[5][1].encode(), "10.9.9.9")
    assert m5424.hostname == "city-wan-01" and m5424.text == "mgd[4711]: UI_COMMIT: User 'netops' requested 'commit' operation"
    m3164 = parse_datagram(CHANGES[0][1].encode(), "10.9.9.9")
    assert m3164.hostname == "city-acc-02" and m3164.text.startswith("%SYS-5-CONFIG_I")
    bare = parse_datagram(CHANGES[1][1].encode(), "10.9.9.9")  # Cisco without origin-id: no host name
    assert bare.hostname is None and "%SYS-5-CONFIG_I" in bare.text


def test_real_junos_commit_line_from_corpus():
    raw = (corpus_dir() / "juniper_junos" / "show_log_messages" / "genie_junos_golden_output.raw").read_text()
    commits = [ln for ln in raw.splitlines() if is_config_change("juniper_junos", ln)]
    assert commits and all("UI_COMMIT:" in ln for ln in commits)


def test_sender_by_address_then_by_name(sample_workspace):
    inv = load_inventory(sample_workspace)
    resolver = HostResolver(list(inv.hosts.values()))
    assert resolver.find(parse_datagram(b"<189>%SYS-5-CONFIG_I: x", "127.31.1.6")).name == "city-acc-02"
    relayed = parse_datagram(CHANGES[6][1].encode(), "192.0.2.50")
    assert resolver.find(relayed).name == "north-core-01"
    assert resolver.find(parse_datagram(b"<189>Nov 27 10:15:00 stranger %SYS-5-CONFIG_I: x", "192.0.2.50")) is None


def _send(line: str, port: int, source: str = "127.0.0.1") -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((source, 0))
        s.sendto(line.encode(), ("127.0.0.1", port))


def _git(ws, *args) -> str:
    return subprocess.run(["git", "-C", str(ws / "backups"), *args], capture_output=True, text=True, check=True).stdout


@pytest.mark.lab
def test_listener_backs_up_changed_lab_device_once_per_debounce_window(lab_workspace):
    from netpatrol.backup import run_backup
    from netpatrol.lab import control

    ws = Workspace(lab_workspace)
    inv = load_inventory(lab_workspace)
    run_backup(ws, [inv.hosts["city-acc-02"], inv.hosts["city-wan-01"]], show_progress=False)
    commits_before = int(_git(lab_workspace, "rev-list", "--count", "HEAD"))

    running = ws.lab_dir / "configs" / "city-acc-02.running"
    control.set_config(ws.lab_dir, "city-acc-02", running.read_text().replace(
        "hostname city-acc-02", "hostname city-acc-02\nbanner motd ^C syslog test ^C", 1))
    listener = SyslogListener(ws, inv, bind="127.0.0.1", port=0, debounce=0.8)
    done: list[int] = []
    thread = threading.Thread(target=lambda: done.append(listener.serve(duration=4.0)), daemon=True)
    thread.start()
    # RFC 3164 from the device's own address, then RFC 5424 relayed (name in the header), 0.2 s
    # apart: one debounce window, so one backup.
    _send("<189>Nov 27 10:15:00 city-acc-02 %SYS-5-CONFIG_I: Configured from console by netops on vty0 (10.0.0.5)",
          listener.port, source="127.31.1.6")
    time.sleep(0.2)
    _send("<189>1 2026-11-27T10:15:01+08:00 city-acc-02 - - - - %SYS-5-CONFIG_I: Configured from console by netops on vty1",
          listener.port)
    _send("<189>Nov 27 10:15:02 city-acc-02 %LINK-3-UPDOWN: Interface Gi1/0/2, changed state to up", listener.port)
    thread.join(timeout=30)
    assert done == [1] and listener.seen == 3

    log = _git(lab_workspace, "log", f"-{int(_git(lab_workspace, 'rev-list', '--count', 'HEAD')) - commits_before}",
               "--format=%s%n%b%x00")
    commits = [c for c in log.split("\0") if c.strip()]
    assert len(commits) == 1, log
    assert commits[0].startswith("backup: 1 changed (city-acc-02)")
    assert "reason: syslog: %SYS-5-CONFIG_I: Configured from console by netops on vty0 (10.0.0.5) (+1 more)" in commits[0]
    assert "banner motd" in (lab_workspace / "backups/configs/jc-city/city-acc-02.cfg").read_text()

    # A Junos commit, bounded by --max-events: the listener stops after that one backup.
    cfg = ws.lab_dir / "configs" / "city-wan-01.running"
    control.set_config(ws.lab_dir, "city-wan-01", cfg.read_text().replace("system {", "system {\n    location building-3;", 1))
    listener = SyslogListener(ws, inv, port=0, debounce=0.1)
    thread = threading.Thread(target=lambda: done.append(listener.serve(max_events=1, duration=20)), daemon=True)
    thread.start()
    _send(CHANGES[5][1].replace("city-wan-01", "city-wan-01.jcsw.example.cn"), listener.port)
    thread.join(timeout=30)
    assert done[-1] == 1
    assert _git(lab_workspace, "log", "-1", "--format=%s").startswith("backup: 1 changed (city-wan-01)")


def test_listen_syslog_command_bounded_and_port_in_use(sample_workspace):
    from typer.testing import CliRunner

    from netpatrol import cli, cli_schedule

    if not any(getattr(c.callback, "__name__", "") == "due" for c in cli.app.registered_commands):
        cli_schedule.register(cli.app)
    runner = CliRunner()
    res = runner.invoke(cli.app, ["listen-syslog", "-w", str(sample_workspace), "--port", "0", "--duration", "0.3"])
    assert res.exit_code == 0, res.output
    assert "listening for syslog on 127.0.0.1 UDP" in res.output and "0 backup run(s)" in res.output
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        res = runner.invoke(cli.app, ["listen-syslog", "-w", str(sample_workspace), "--port", str(taken.getsockname()[1])])
    assert res.exit_code == 2 and "cannot listen on 127.0.0.1 UDP port" in res.output
