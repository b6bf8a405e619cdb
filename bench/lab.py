"""Lab engine benchmark: asyncssh (the lab) vs a minimal paramiko thread-per-connection server.

    .venv/bin/python bench/lab.py            # 50 and 500 devices, prints a table
    .venv/bin/python bench/lab.py --sizes 50 # quicker

Measured per row: start-up wall time (until every device listens; host keys already exist, the
first, key-making start is shown separately), the server's peak RSS (VmHWM), that every port
answers with an SSH banner, one netmiko `show version` session (connect, command, disconnect;
median of 5), and the time to stop. The paramiko prototype below is bench-only code: it exists
so the choice of server library is made by measurement, not taste.
"""

from __future__ import annotations

import repo_env  # noqa: F401 - re-runs with the clone's .venv when netpatrol is not importable

import argparse
import json
import os
import selectors
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

# -- the paramiko prototype (runs in its own process: `bench/lab.py --paramiko-server ...`) --------


def _paramiko_server(keys_dir: str, ports: list[int], ready: str) -> None:
    import paramiko

    class Auth(paramiko.ServerInterface):
        def check_auth_password(self, username: str, password: str) -> int:
            ok = username == "admin" and password == "lab-pass"
            return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

        def get_allowed_auths(self, username: str) -> str:
            return "password"

        def check_channel_request(self, kind: str, chanid: int) -> int:
            return paramiko.OPEN_SUCCEEDED if kind == "session" else paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

        def check_channel_pty_request(self, *args) -> bool:
            return True

        def check_channel_shell_request(self, channel) -> bool:
            return True

    def shell(chan, name: str) -> None:
        prompt = f"{name}#"
        chan.sendall(f"\r\n{prompt}".encode())
        buf = b""
        while True:
            data = chan.recv(1024)
            if not data:
                return
            buf += data
            while b"\n" in buf or b"\r" in buf:
                cut = min(i for i in (buf.find(b"\r"), buf.find(b"\n")) if i >= 0)
                line, buf = buf[:cut].decode(), buf[cut + 1 :].lstrip(b"\n")
                out = ""
                if line.strip() == "show version":
                    out = f"Cisco IOS Software, Version 15.2\r\n{name} uptime is 1 week\r\n"
                elif line.strip() == "exit":
                    chan.close()
                    return
                chan.sendall(f"{line}\r\n{out}{prompt}".encode())

    def serve_conn(sock: socket.socket, key, name: str) -> None:
        t = paramiko.Transport(sock)
        t.add_server_key(key)
        t.start_server(server=Auth())
        chan = t.accept(20)
        if chan is not None:
            shell(chan, name)
        t.close()

    # The port-answers check closes right after the banner; paramiko would print each as a traceback.
    threading.excepthook = lambda args: None
    sel = selectors.DefaultSelector()
    for i, port in enumerate(ports):
        key = paramiko.Ed25519Key.from_private_key_file(os.path.join(keys_dir, f"dev{i}.key"))
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen(16)
        sel.register(s, selectors.EVENT_READ, (key, f"dev{i}"))
    Path(ready).write_text("ok")
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    while True:
        for skey, _ in sel.select():
            conn, _ = skey.fileobj.accept()
            threading.Thread(target=serve_conn, args=(conn, *skey.data), daemon=True).start()


# -- measurement helpers -----------------------------------------------------------------------------


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _all_answer(ports: list[int]) -> int:
    ok = 0
    for port in ports:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            ok += s.recv(64).startswith(b"SSH-2.0-")
    return ok


def _netmiko_session(port: int, name: str) -> float:
    from netmiko import ConnectHandler

    t = time.perf_counter()
    conn = ConnectHandler(device_type="cisco_ios", host="127.0.0.1", port=port, username="admin", password="lab-pass")
    out = conn.send_command("show version")
    conn.disconnect()
    assert "uptime is" in out, out[:200]
    return time.perf_counter() - t


def _latency(port: int, name: str, runs: int = 5) -> float:
    _netmiko_session(port, name)  # warm-up: imports, first key exchange
    return statistics.median(_netmiko_session(port, name) for _ in range(runs))


def bench_asyncssh(n: int) -> dict:
    from netpatrol.lab import control
    from netpatrol.lab.testing import make_specs

    specs = make_specs(["cisco_ios"], count=n, enable_secret=None)
    with tempfile.TemporaryDirectory(prefix="labbench") as d:
        state = Path(d)
        t = time.perf_counter()
        control.up(state, specs, timeout=300)
        cold = time.perf_counter() - t
        control.down(state)
        t = time.perf_counter()
        st = control.up(state, specs, timeout=300)
        warm = time.perf_counter() - t
        listen = st.start_seconds  # inside the server: listeners only, without interpreter and imports
        rss_start = _peak_rss_mib(st.pid)
        answered = _all_answer([s.port for s in specs])
        latency = _latency(specs[0].port, specs[0].name)
        rss = _peak_rss_mib(st.pid)
        t = time.perf_counter()
        control.down(state)
        stop = time.perf_counter() - t
        clean = not control.status(state).running and not Path(f"/proc/{st.pid}").exists()
    return {"server": "asyncssh (lab)", "devices": n, "start_cold_s": cold, "start_s": warm, "listen_s": listen, "rss_start_mib": rss_start,
            "rss_peak_mib": rss, "answered": answered, "session_s": latency, "stop_s": stop, "clean_stop": clean}


def bench_paramiko(n: int) -> dict:
    import asyncssh

    from netpatrol.lab.testing import free_ports

    ports = free_ports(n)
    with tempfile.TemporaryDirectory(prefix="pmbench") as d:
        for i in range(n):
            Path(d, f"dev{i}.key").write_bytes(asyncssh.generate_private_key("ssh-ed25519").export_private_key())
        ready = Path(d, "ready")
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, __file__, "--paramiko-server", d, json.dumps(ports), str(ready)])
        while not ready.exists():
            time.sleep(0.01)
        start = time.perf_counter() - t
        rss_start = _peak_rss_mib(proc.pid)
        answered = _all_answer(ports)
        latency = _latency(ports[0], "dev0")
        rss = _peak_rss_mib(proc.pid)
        t = time.perf_counter()
        proc.terminate()
        proc.wait(10)
        stop = time.perf_counter() - t
    return {"server": "paramiko thread/conn", "devices": n, "start_cold_s": float("nan"), "start_s": start, "listen_s": float("nan"),
            "rss_start_mib": rss_start, "rss_peak_mib": rss, "answered": answered, "session_s": latency,
            "stop_s": stop, "clean_stop": proc.returncode is not None}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--paramiko-server":
        _paramiko_server(sys.argv[2], json.loads(sys.argv[3]), sys.argv[4])
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[50, 500])
    args = ap.parse_args()
    rows = [bench_asyncssh(n) for n in args.sizes] + [bench_paramiko(50)]
    cols = ["server", "devices", "start_cold_s", "start_s", "listen_s", "rss_start_mib", "rss_peak_mib", "answered",
            "session_s", "stop_s", "clean_stop"]
    print(" | ".join(cols))
    print(" | ".join("---" for _ in cols))
    for r in rows:
        print(" | ".join(f"{r[c]:.2f}" if isinstance(r[c], float) else str(r[c]) for c in cols))


if __name__ == "__main__":
    main()
