"""Syslog trigger: parsing RFC 3164/5424, per-platform change patterns, and real datagrams on
loopback (sent from the devices' own 127.31.x.y addresses, from relays, and spoofed from other
127.x addresses) to the listener, whose backup step is recorded or, in the lab test, real."""

from __future__ import annotations

import json
import logging
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import corpus_dir
from netpatrol.automation.syslog import SyslogListener, is_config_change, parse_datagram
from netpatrol.workspace.inventory import load_inventory
from netpatrol.workspace.settings import Workspace

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


@pytest.mark.corpus
def test_real_junos_commit_line_from_corpus():
    raw = (corpus_dir() / "juniper_junos" / "show_log_messages" / "genie_junos_golden_output.raw").read_text()
    commits = [ln for ln in raw.splitlines() if is_config_change("juniper_junos", ln)]
    assert commits and all("UI_COMMIT:" in ln for ln in commits)


# One config-change line per platform with the header host name as a placeholder.
CHANGE_LINE = {
    "cisco_ios": "<189>Nov 27 10:15:00 {host} %SYS-5-CONFIG_I: Configured from console by netops on vty0 (10.0.0.5)",
    "ruijie_os": "<189>Nov 27 10:15:00 {host} %SYS-5-CONFIG_I: Configured from console by admin on vty 0 (10.0.0.5)",
    "cisco_nxos": "<189>2026 Nov 27 10:15:00 {host} %VSHD-5-VSHD_SYSLOG_CONFIG_I: Configured from vty by admin on 10.0.0.5@pts/0",
    "arista_eos": "<189>Nov 27 10:15:01 {host} ConfigAgent: %SYS-5-CONFIG_I: Configured from console by admin on vty3",
    "juniper_junos": "<189>1 2026-11-27T10:15:00.123+08:00 {host} mgd 4711 UI_COMMIT - User 'netops' requested 'commit' operation",
    "huawei_vrp": "<188>Nov 27 2026 10:15:00 {host} %%01CFG/4/CFG_CHANGE(s)[0]:Configuration is changed. (CurrentCfgChgSeqID=12)",
    "hp_comware": "<189>Nov 27 10:15:00:120 2026 {host} %%10CFGMAN/5/CFGMAN_CFGCHANGED: -EventIndex=12-CommandSource=CLI; Configuration changed.",
}
SPOOF = "127.99.0.1"  # a loopback address no inventory device has


class Recorder:
    """The listener's backup step, recorded instead of run (the lab test runs the real one)."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], str]] = []

    def __call__(self, hosts, trigger: str) -> None:
        self.calls.append(([h.name for h in hosts], trigger))


def _settings(ws, **syslog) -> None:
    path = ws / "netpatrol.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    doc["syslog"] = syslog
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


def _listener(ws, debounce: float = 3600.0) -> tuple[SyslogListener, Recorder]:
    rec = Recorder()
    return SyslogListener(Workspace(ws), load_inventory(ws), port=0, debounce=debounce, backup=rec), rec


def _send(line: str | bytes, port: int, source: str = "127.0.0.1") -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((source, 0))
        s.sendto(line.encode() if isinstance(line, str) else line, ("127.0.0.1", port))


def _deliver(listener: SyslogListener, line: str | bytes, source: str) -> None:
    # Loopback delivers inside sendto, so the datagram is already queued: no waiting needed.
    _send(line, listener.port, source)
    assert listener.receive(timeout=5)


def test_spoofed_datagrams_trigger_nothing_and_are_counted(sample_workspace, caplog):
    inv = load_inventory(sample_workspace)
    listener, rec = _listener(sample_workspace, debounce=0)
    caplog.set_level(logging.WARNING, logger="netpatrol.syslog")
    try:
        # Every device named in the header, by inventory name, by address and by FQDN.
        names = [h.name for h in inv.hosts.values()] + [h.hostname for h in inv.hosts.values()][:5] \
            + [f"{h.name}.jcsw.example.cn" for h in inv.hosts.values()][:4]
        platform = {**{h.name: h.platform for h in inv.hosts.values()}, **{h.hostname: h.platform for h in inv.hosts.values()}}
        for name in names:
            _deliver(listener, CHANGE_LINE[platform[name.split(".jcsw")[0]]].format(host=name), SPOOF)
        listener.fire(time.monotonic(), flush=True)
        assert rec.calls == [] and listener.pending == {}
        assert listener.stats.received == listener.stats.dropped_sender == len(names) == 24
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1 and SPOOF in warnings[0]  # rate-limited: one per warn_interval

        # The next interval's warning counts what was suppressed and names the sources.
        listener.handle(CHANGE_LINE["cisco_ios"].format(host="city-acc-02").encode(), "127.99.0.2", time.monotonic() + 61)
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 2 and f"dropped {len(names)} syslog datagram(s)" in warnings[1]
        assert f"{SPOOF} ({len(names) - 1})" in warnings[1] and "127.99.0.2 (1)" in warnings[1]
    finally:
        listener.sock.close()


def test_header_cannot_redirect_a_device_address_to_another_device(sample_workspace):
    listener, rec = _listener(sample_workspace, debounce=0)
    try:
        # From city-acc-02's address, claiming to be north-wan-01 (both cisco_ios): city-acc-02's change.
        _deliver(listener, CHANGE_LINE["cisco_ios"].format(host="north-wan-01"), "127.31.1.6")
        # From its own address without a header host name (IOS without origin-id).
        _deliver(listener, "<189>12: %SYS-5-CONFIG_I: Configured from console by netops", "127.31.2.2")
        listener.fire(time.monotonic(), flush=True)
        assert sorted(names for names, _ in rec.calls) == [["city-acc-02"], ["north-wan-01"]]
    finally:
        listener.sock.close()


def test_relays_speak_only_for_the_devices_settings_allow(sample_workspace):
    _settings(sample_workspace, relays=[{"source": "127.40.0.0/24", "devices": ["north-core-01"]},
                                        {"source": "127.41.0.1", "devices": "*"}])
    listener, rec = _listener(sample_workspace, debounce=0)
    try:
        vrp = CHANGE_LINE["huawei_vrp"]
        _deliver(listener, vrp.format(host="north-core-01"), "127.40.0.9")  # allowed
        _deliver(listener, vrp.format(host="east-core-01"), "127.40.0.9")  # not this relay's device
        _deliver(listener, "<188>%%01CFG/4/CFG_CHANGE(s)[0]:Configuration is changed.", "127.40.0.10")  # its sole device
        _deliver(listener, vrp.format(host="east-core-01"), "127.41.0.1")  # a trusted relay: header believed
        _deliver(listener, vrp.format(host="east-core-01"), "127.41.0.2")  # outside both entries
        listener.fire(time.monotonic(), flush=True)
        assert sorted(names[0] for names, _ in rec.calls) == ["east-core-01", "north-core-01"]
        assert listener.stats.changes == 3 and listener.stats.dropped_sender == 2
    finally:
        listener.sock.close()


@pytest.mark.parametrize(("relay", "message"), [
    ({"source": "10.0.0.300", "devices": "*"}, "field 'syslog.relays.0.source'"),
    ({"source": "127.40.0.1", "devices": ["no-such-device"]}, "field 'syslog.relays.0.devices': not in the inventory: no-such-device"),
])
def test_bad_relay_settings_are_a_clear_error(sample_workspace, relay, message):
    from typer.testing import CliRunner

    from netpatrol.cli import root as cli

    _register_schedule_commands()
    _settings(sample_workspace, relays=[relay])
    res = CliRunner().invoke(cli.app, ["listen-syslog", "-w", str(sample_workspace), "--port", "0", "--duration", "0"])
    assert res.exit_code == 2 and message in res.output and "Traceback" not in res.output


def test_pending_memory_is_bounded_whatever_the_datagram_size(sample_workspace):
    from netpatrol.automation.syslog import MAX_SAMPLE

    _settings(sample_workspace, max_pending=2)
    listener, _rec = _listener(sample_workspace)
    line = CHANGE_LINE["cisco_ios"]
    try:
        for _ in range(5):
            _deliver(listener, line.format(host="city-acc-02") + " " + "x" * 500, "127.31.1.6")
            _deliver(listener, line.format(host="north-wan-01") + " " + "x" * 60_000, "127.31.2.2")
            _deliver(listener, line.format(host="city-acc-02") + " " + "y" * 60_000, SPOOF)  # matches no device
        _deliver(listener, line.format(host="east-acc-02"), "127.31.3.4")  # a third device: over max_pending
        s = listener.stats
        assert (s.changes, s.truncated, s.dropped_sender, s.dropped_pending_full) == (10, 10, 5, 1)
        assert set(listener.pending) == {"city-acc-02", "north-wan-01"}
        small, large = listener.pending["city-acc-02"], listener.pending["north-wan-01"]
        assert small.count == large.count == 5
        # The structural bound: one short sample per device, the same for 500-byte and 60 KB datagrams.
        assert small.retained_bytes() == large.retained_bytes() == MAX_SAMPLE
        assert listener.retained_bytes() == 2 * MAX_SAMPLE
    finally:
        listener.sock.close()


def test_trigger_is_one_sanitised_line(sample_workspace):
    from netpatrol.automation.syslog import MAX_SAMPLE

    listener, rec = _listener(sample_workspace, debounce=0)
    try:
        _deliver(listener, "<189>Nov 27 10:15:00 city-acc-02 %SYS-5-CONFIG_I: Configured from\tconsole\n\x1b[2J"
                 + "by \u5f20\u5de5 " * 100, "127.31.1.6")
        _deliver(listener, CHANGE_LINE["cisco_ios"].format(host="city-acc-02"), "127.31.1.6")
        listener.fire(time.monotonic(), flush=True)
        [(_names, trigger)] = rec.calls
        assert trigger.startswith("syslog: %SYS-5-CONFIG_I: Configured from console ?[2Jby \u5f20\u5de5 by")
        assert trigger.endswith(" (+1 more)") and trigger.isprintable()
        assert len(trigger.encode()) <= len("syslog: ") + MAX_SAMPLE + len(" (+1 more)")
    finally:
        listener.sock.close()


def _git(ws, *args) -> str:
    return subprocess.run(["git", "-C", str(ws / "backups"), *args], capture_output=True, text=True, check=True).stdout


def _register_schedule_commands() -> None:
    from netpatrol.cli import root as cli
    from netpatrol.cli import schedule as cli_schedule

    if not any(getattr(c.callback, "__name__", "") == "due" for c in cli.app.registered_commands):
        cli_schedule.register(cli.app)


@pytest.mark.lab
def test_listen_syslog_backs_up_only_the_device_that_logged_a_change(lab_workspace):
    """End to end: the command, real datagrams, the real backup over SSH to the lab."""
    from netpatrol.backup.service import run_backup
    from netpatrol.lab import control
    from netpatrol.workspace.records import load_device_records

    ws = Workspace(lab_workspace)
    inv = load_inventory(lab_workspace)
    run_backup(ws, [inv.hosts["city-acc-02"], inv.hosts["city-wan-01"]], show_progress=False)
    commits_before = int(_git(lab_workspace, "rev-list", "--count", "HEAD"))
    attempts_before = {n: r["last_backup_attempt"] for n, r in load_device_records(ws).items()}
    running = ws.lab_dir / "configs" / "city-acc-02.running"
    control.set_config(ws.lab_dir, "city-acc-02", running.read_text().replace(
        "hostname city-acc-02", "hostname city-acc-02\nbanner motd ^C syslog test ^C", 1))
    cfg = ws.lab_dir / "configs" / "city-wan-01.running"
    control.set_config(ws.lab_dir, "city-wan-01", cfg.read_text().replace("system {", "system {\n    location building-3;", 1))
    _settings(lab_workspace, relays=[{"source": "127.41.0.1", "devices": ["city-wan-01"]}])

    proc = subprocess.Popen([str(Path(sys.executable).parent / "netpatrol"), "listen-syslog", "-w", str(lab_workspace), "--port", "0",
                             "--debounce", "0", "--max-events", "2", "--duration", "60", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stderr.readline()  # printed once the socket is bound
        port = int(re.search(r"UDP (\d+) ", first)[1])
        for name in ("city-wan-01", "city-acc-02", "north-core-01"):  # spoofs of a changed and an unchanged device
            for _ in range(8):
                _send(CHANGE_LINE[inv.hosts[name].platform].format(host=name), port, source=SPOOF)
        _send(CHANGE_LINE["cisco_ios"].format(host="city-acc-02"), port, source="127.31.1.6")
        _send(CHANGE_LINE["juniper_junos"].format(host="city-wan-01.jcsw.example.cn"), port, source="127.41.0.1")
        out, rest = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 0, first + rest
    stats = json.loads(out)
    assert stats["dropped_sender"] == 24 and stats["changes"] == 2 and stats["backups"] == 2, stats
    assert "24 dropped (sender not allowed)" in rest and SPOOF in rest

    log = _git(lab_workspace, "log", f"-{int(_git(lab_workspace, 'rev-list', '--count', 'HEAD')) - commits_before}",
               "--format=%s%n%b%x00")
    commits = [c for c in log.split("\0") if c.strip()]
    assert sorted(c.strip().splitlines()[0] for c in commits) == [
        "backup: 1 changed (city-acc-02)", "backup: 1 changed (city-wan-01)"], log
    assert any("reason: syslog: %SYS-5-CONFIG_I: Configured from console by netops on vty0 (10.0.0.5)" in c for c in commits)
    assert any("reason: syslog: mgd[4711]: UI_COMMIT: User 'netops' requested 'commit' operation" in c for c in commits)
    assert _git(lab_workspace, "tag", "--list", "pre-change/*") == ""  # a trigger is not a change id
    assert "banner motd" in (lab_workspace / "backups/configs/jc-city/city-acc-02.cfg").read_text()
    records = load_device_records(ws)
    assert records["city-acc-02"]["last_syslog_trigger"].startswith("syslog: %SYS-5-CONFIG_I")
    # The spoofed north-core-01 was never logged into.
    assert records.get("north-core-01", {}).get("last_backup_attempt") == attempts_before.get("north-core-01")


def test_listen_syslog_command_bounded_and_port_in_use(sample_workspace):
    from typer.testing import CliRunner

    from netpatrol.cli import root as cli

    _register_schedule_commands()
    runner = CliRunner()
    res = runner.invoke(cli.app, ["listen-syslog", "-w", str(sample_workspace), "--port", "0", "--duration", "0.3"])
    assert res.exit_code == 0, res.output
    assert "listening for syslog on 127.0.0.1 UDP" in res.output and "0 backup run(s)" in res.output
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        res = runner.invoke(cli.app, ["listen-syslog", "-w", str(sample_workspace), "--port", str(taken.getsockname()[1])])
    assert res.exit_code == 2 and "cannot listen on 127.0.0.1 UDP port" in res.output


def test_trigger_quoting_a_typed_command_loses_its_secrets(sample_workspace):
    # VRP logs every typed command (CMDRECORD), a config change: the line becomes the trigger, which
    # goes into the commit message, the run record and notifications.
    host = load_inventory(sample_workspace).hosts["north-core-01"]
    listener, rec = _listener(sample_workspace, debounce=0)
    try:
        _deliver(listener, '<189>Nov 27 2026 10:15:00 north-core-01 %%01SHELL/5/CMDRECORD(s)[1]:Recorded command '
                 'information. (Task=VT0, Ip=10.0.0.5, User=netops, Command="snmp-agent community read Sn1ffedComm")',
                 host.hostname)
        listener.fire(time.monotonic(), flush=True)
        [(names, trigger)] = rec.calls
        assert names == ["north-core-01"] and "CMDRECORD" in trigger
        assert "Sn1ffedComm" not in trigger and "<removed>" in trigger
    finally:
        listener.sock.close()
