"""Fault matrix against the lab: every fault mode fails closed, good devices are saved.

One lab serves the whole module; every test builds its own workspace (own backups repo, own
known_hosts) over the devices it needs and clears the faults it set. Timings are printed with
`-s` (`FAULT <name> <seconds>`); docs/reliability.md has the table.
"""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from fault_world import cli, devices_by_host, git, json_out
from netpatrol.lab import control

pytestmark = pytest.mark.lab

ROLES = {
    "refuse": "arista_eos", "badpw": "cisco_ios", "hang": "cisco_nxos", "drop": "hp_comware",
    "trunc": "huawei_vrp", "errall": "juniper_junos", "good1": "ruijie_os", "good2": "arista_eos",
    "prompt-ios": "cisco_ios", "prompt-vrp": "huawei_vrp", "prompt-h3c": "hp_comware",
    "slow-ok": "cisco_ios", "slow-late": "cisco_ios", "big": "cisco_ios", "hostkey": "juniper_junos",
    "retry-hang": "cisco_ios", "retry-drop": "cisco_ios", "retry-refuse": "cisco_ios",
    "tel-refuse": "cisco_ios", "tel-badpw": "cisco_ios",
}


@pytest.fixture(scope="module")
def lab(make_module_lab):
    return make_module_lab(ROLES, options={"slow_line_delay": 1.0, "slow_min_lines": 10})


def backup(ws: Path, *hosts: str, extra: tuple[str, ...] = ()) -> tuple[int, dict, float]:
    args = ["backup", "--json", *extra]
    for h in hosts:
        args += ["--host", h]
    t0 = time.monotonic()
    proc = cli(ws, *args)
    took = time.monotonic() - t0
    return proc.returncode, json_out(proc), took


def stored(ws: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (ws / "backups" / "configs").rglob("*.cfg")}


def assert_store_sound(ws: Path) -> None:
    assert git(ws, "status", "--porcelain") == "", "half-written or uncommitted files left behind"
    subprocess.run(["git", "-C", str(ws / "backups"), "fsck", "--strict", "--no-progress"], check=True,
                   capture_output=True)
    leftovers = [p for p in (ws / "backups").rglob("*.tmp")] + [p for p in (ws / "backups" / ".git").glob("*.lock")
                                                                  if p.name != "netpatrol.lock"]
    assert leftovers == []


MATRIX = {  # host -> (fault, expected error_status, text the reason must hold)
    "refuse": ("refuse_connection", "unreachable", "refused"),
    "badpw": ("reject_password", "auth_failed", "authentication"),
    "hang": ("hang_after_login", "timeout", ""),
    "drop": ("drop_mid_output", "error", "dropped"),
    "trunc": ("truncate_config", "error", "end marker"),
    "errall": ("error_all", "error", "refused"),
}


def test_fault_matrix_backup_and_inspect(tmp_path, lab, faults):
    hosts = [*MATRIX, "good1", "good2"]
    ws = lab.write_workspace(tmp_path / "ws", hosts)
    rc, first, _ = backup(ws)
    assert rc == 0 and first["counts"]["saved"] == len(hosts), first
    before, head = stored(ws), git(ws, "rev-parse", "HEAD")
    for host, (fault, _, _) in MATRIX.items():
        faults(host, [fault])
    rc, doc, took = backup(ws)
    print(f"FAULT matrix-backup {took:.1f}s")
    assert rc == 1
    by = devices_by_host(doc)
    for host, (fault, status, reason) in MATRIX.items():
        d = by[host]
        assert (d["status"], d["error_status"]) == ("failed", status), (fault, d)
        assert reason in (d["reason"] or "").lower(), (fault, d)
    assert by["good1"]["status"] == by["good2"]["status"] == "unchanged"
    assert stored(ws) == before and git(ws, "rev-parse", "HEAD") == head
    assert_store_sound(ws)

    t0 = time.monotonic()
    proc = cli(ws, "inspect", "--json", "--backfill", "--period", "2026Q1")
    print(f"FAULT matrix-inspect {time.monotonic() - t0:.1f}s")
    assert proc.returncode == 1, proc.stderr[-2000:]
    results = {r["host"]: r for r in json_out(proc)["devices"]}
    for host in ("refuse", "badpw", "hang"):
        assert results[host]["status"] == MATRIX[host][1], results[host]
    # error_all: logged in, but every item refused: nothing was inspected.
    assert results["errall"]["status"] == "not_inspected" and "refused" in results["errall"]["error"]
    assert results["good1"]["status"] == results["good2"]["status"] == "ok"
    assert results["drop"]["status"] in ("error", "ok")  # drop only hits long outputs
    assert_store_sound(ws)


def _with_lines(text: str, after: str, lines: list[str]) -> str:
    out, done = [], False
    for line in text.splitlines():
        out.append(line)
        if not done and line.strip().startswith(after):
            out.extend(lines)
            done = True
    assert done, f"no line starting with {after!r}"
    return "\n".join(out) + "\n"


PROMPT_LINES = {
    "prompt-ios": ("hostname", ["banner motd ^C", "prompt-ios#", "prompt-ios>", "^C", "interface Loopback99",
                                " description uplink-to-core#", " description <HUAWEI>", "!"]),
    "prompt-vrp": ("sysname", ["#", "interface LoopBack99", " description <HUAWEI>", " description <prompt-vrp>",
                               " description [TRUNK]", " description core-sw1#"]),
    "prompt-h3c": ("sysname", ["#", "interface LoopBack99", " description VER-NIC2-[TRUNK]", " description <prompt-h3c>",
                               " description [prompt-h3c]"]),
}


def test_prompt_inside_config_is_not_mistaken_for_the_end(tmp_path, lab):
    state = lab.state_dir
    ws = lab.write_workspace(tmp_path / "ws", list(PROMPT_LINES))
    assert backup(ws)[0] == 0
    for host, (after, lines) in PROMPT_LINES.items():
        cfg = (state / "configs" / f"{host}.running").read_text(encoding="utf-8")
        control.set_config(state, host, _with_lines(cfg, after, lines))
    rc, doc, took = backup(ws)
    print(f"FAULT prompt-in-config {took:.1f}s")
    by = devices_by_host(doc)
    for host, (_, lines) in PROMPT_LINES.items():
        d = by[host]
        if d["status"] == "failed":  # fail closed is acceptable; a cut config stored is not
            pytest.fail(f"{host}: prompt text in the config made the backup fail: {d}")
        text = (ws / "backups/configs/site-a" / f"{host}.cfg").read_text(encoding="utf-8")
        for line in lines:
            assert line in text.splitlines(), (host, line)
        last = text.rstrip().splitlines()[-1].strip()
        assert last in ("end", "return"), (host, last)
    assert rc == 0
    assert_store_sound(ws)


def test_two_megabyte_config_is_stored_whole(tmp_path, lab):
    state = lab.state_dir
    ws = lab.write_workspace(tmp_path / "ws", ["big"], connection={"read_timeout": 60})
    assert backup(ws)[0] == 0
    cfg = (state / "configs" / "big.running").read_text(encoding="utf-8")
    stanzas = [f"interface GigabitEthernet9/{i // 48}/{i % 48}\n description access-port-{i:05d}-to-floor-{i % 30}"
               f"-room-{i % 7}\n switchport access vlan {i % 4000 + 1}\n switchport mode access\n!" for i in range(15000)]
    big = _with_lines(cfg, "hostname", stanzas)
    assert len(big.encode()) > 2_000_000
    control.set_config(state, "big", big)
    rc, doc, took = backup(ws)
    print(f"FAULT big-config {len(big) / 1e6:.1f}MB {took:.1f}s")
    assert rc == 0, doc
    text = (ws / "backups/configs/site-a/big.cfg").read_text(encoding="utf-8")
    assert "description access-port-14999-to-floor" in text and text.rstrip().endswith("end")
    assert len(text.splitlines()) >= 15000 * 5
    assert_store_sound(ws)


SMALL_IOS = "\n".join(["version 15.2", "hostname {name}", "!", "interface Vlan1", " no ip address", "!",
                       "ip ssh version 2", "line vty 0 4", " transport input ssh", "end"])


def test_slow_device_within_and_beyond_the_read_timeout(tmp_path, lab, faults):
    state = lab.state_dir
    for name in ("slow-ok", "slow-late"):
        control.set_config(state, name, SMALL_IOS.format(name=name))
        faults(name, ["slow"])
    ws = lab.write_workspace(tmp_path / "ws", ["slow-ok", "slow-late"], backup={"save_saved_config": False},
                   extras={"slow-ok": {"read_timeout_override": 30.0}, "slow-late": {"read_timeout_override": 3.0}})
    rc, doc, took = backup(ws)
    print(f"FAULT slow {took:.1f}s")
    by = devices_by_host(doc)
    assert by["slow-ok"]["status"] == "saved", by["slow-ok"]
    assert (by["slow-late"]["status"], by["slow-late"]["error_status"]) == ("failed", "timeout"), by["slow-late"]
    assert rc == 1 and not (ws / "backups/configs/site-a/slow-late.cfg").exists()
    assert_store_sound(ws)


def test_changed_host_key_is_refused_without_login(tmp_path, lab):
    state = lab.state_dir
    ws = lab.write_workspace(tmp_path / "ws", ["hostkey", "good1"])
    assert backup(ws)[0] == 0
    good = stored(ws)
    control.rotate_hostkey(state, "hostkey")
    logins = lab.auth_attempts("hostkey")
    rc, doc, took = backup(ws)
    print(f"FAULT hostkey {took:.1f}s")
    d = devices_by_host(doc)["hostkey"]
    assert rc == 1 and d["error_status"] == "hostkey_changed" and "hostkeys accept" in d["reason"]
    assert lab.auth_attempts("hostkey") == logins  # the password was never sent to the impostor
    assert stored(ws) == good
    assert_store_sound(ws)


def _mount_tmpfs(path: Path, size: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True).returncode == 0


def _fill(directory: Path) -> Path:
    filler = directory / "filler"
    try:
        with open(filler, "wb") as fh:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    return filler


def test_disk_full_while_writing(tmp_path, lab, monkeypatch):
    """A real full filesystem (tmpfs under backups/) when root may mount, else ENOSPC injected."""
    state = lab.state_dir
    ws = lab.write_workspace(tmp_path / "ws", ["good1", "good2"])
    real = _mount_tmpfs(ws / "backups", "8m")
    try:
        assert backup(ws)[0] == 0
        good, head = stored(ws), git(ws, "rev-parse", "HEAD")
        for name in ("good1", "good2"):
            cfg = (state / "configs" / f"{name}.running").read_text(encoding="utf-8")
            marker = "hostname" if "hostname" in cfg else "!"
            control.set_config(state, name, _with_lines(cfg, marker, [f"! disk-full change {i}" for i in range(3000)]))
        if real:
            filler = _fill(ws / "backups" / ".git")
            proc = cli(ws, "backup", "--json")
        else:
            from netpatrol.backup.service import run_backup
            from netpatrol.errors import StoreError
            from netpatrol.store import repo as store_mod
            from netpatrol.workspace.inventory import load_inventory
            from netpatrol.workspace.settings import Workspace

            def full(*a, **k):
                raise OSError(errno.ENOSPC, "No space left on device")
            monkeypatch.setattr(store_mod.os, "fsync", full)
            with pytest.raises(StoreError, match="No space left"):
                run_backup(Workspace(ws), list(load_inventory(ws).hosts.values()), show_progress=False)
            monkeypatch.undo()
        print(f"FAULT disk-full mode={'tmpfs' if real else 'injected ENOSPC'}")
        if real:
            assert proc.returncode == 2, (proc.stdout, proc.stderr)
            assert ("No space left" in proc.stderr or "Out of diskspace" in proc.stderr) and "backups" in proc.stderr
        assert git(ws, "rev-parse", "HEAD") == head
        assert {k: v for k, v in stored(ws).items()} .keys() == good.keys()
        subprocess.run(["git", "-C", str(ws / "backups"), "fsck", "--no-progress"], check=True, capture_output=True)
        for name, data in good.items():
            assert git(ws, "show", f"HEAD:configs/site-a/{name}").encode() == data
        if real:
            filler.unlink()
        rc, doc, _ = backup(ws)
        assert rc == 0 and doc["commit"], doc
        assert {d["host"]: d["status"] for d in doc["devices"]} == {"good1": "saved", "good2": "saved"}
        assert_store_sound(ws)
    finally:
        if real:
            subprocess.run(["umount", "-l", str(ws / "backups")], capture_output=True)


class _TcpCounter:
    """A 'telnet' port that counts connections and hangs up (the lab speaks SSH only)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.count = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.count += 1
            conn.close()


def test_retries_for_transient_failures_never_for_auth_or_hostkey(tmp_path, lab, faults):
    tel_ok, tel_bad = _TcpCounter(), _TcpCounter()
    names = ["retry-hang", "retry-drop", "retry-refuse", "badpw", "tel-refuse", "tel-badpw", "good1"]
    ws = lab.write_workspace(tmp_path / "ws", names, connection={"retries": 2, "retry_backoff": 0.2, "conn_timeout": 1,
                                                     "auth_timeout": 1, "read_timeout": 1.5},
                   extras={"tel-refuse": {"telnet_fallback": True, "telnet_port": tel_ok.port},
                           "tel-badpw": {"telnet_fallback": True, "telnet_port": tel_bad.port}})
    faults("retry-hang", ["hang_after_login"])
    faults("retry-drop", ["drop_mid_output"])
    faults("retry-refuse", ["refuse_connection"])
    faults("badpw", ["reject_password"])
    faults("tel-refuse", ["refuse_connection"])
    faults("tel-badpw", ["reject_password"])
    logins = {n: lab.auth_attempts(n) for n in names}
    rc, doc, took = backup(ws)
    print(f"FAULT retries {took:.1f}s")
    tel_ok.sock.close()
    tel_bad.sock.close()
    by = devices_by_host(doc)
    seen = {n: lab.auth_attempts(n) - logins[n] for n in names}
    assert seen["retry-hang"] == 3 and seen["retry-drop"] == 3, seen  # 1 + 2 retries
    assert seen["badpw"] == 1 and seen["tel-badpw"] == 1, seen  # never retried: no lockouts
    assert seen["good1"] == 1
    assert "after 3 attempts" in by["retry-refuse"]["reason"], by["retry-refuse"]
    assert by["badpw"]["error_status"] == "auth_failed" and "attempts" not in by["badpw"]["reason"]
    assert tel_bad.count == 0  # no telnet after an authentication failure
    assert tel_ok.count == 3 and "telnet fallback failed" in by["tel-refuse"]["reason"], by["tel-refuse"]
    assert by["good1"]["status"] == "saved" and rc == 1
