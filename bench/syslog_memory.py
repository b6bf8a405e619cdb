"""Benchmark: memory of `listen-syslog` under large config-change datagrams, bounded vs. whole.

    python bench/syslog_memory.py               # 8,000 x 60 KB datagrams from 20 devices (~2 s, ~0.5 GB)
    python bench/syslog_memory.py --n 1000      # lighter

Each mode runs in a child process of its own (so peak RSS is that listener's alone): a workspace
of --devices inventory devices on 127.32.0.x, a SyslogListener on a loopback port in-process, and
--n config-change datagrams of --size bytes sent round-robin from the devices' own addresses, each
received and handled before the next is sent (no loss, no timing). Nothing is backed up (the
debounce never closes). Modes:

  baseline  the listener as it was before the bound: whole datagrams read and every message kept
            per pending device (emulated by a subclass below)
  current   netpatrol.automation.syslog as it is: syslog.max_datagram bytes read, one sample per device

Prints peak RSS and retained message bytes per mode, and baseline/current ratios.
"""

from __future__ import annotations

import repo_env  # noqa: F401 - re-runs with the clone's .venv when netpatrol is not importable

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from netpatrol.automation.syslog import SyslogListener, parse_datagram
from netpatrol.workspace.inventory import load_inventory
from netpatrol.workspace.settings import Workspace

LINE = "<189>Nov 27 10:15:00 {host} %SYS-5-CONFIG_I: Configured from console by netops on vty0 (10.0.0.5) "


class WholeMessages(SyslogListener):
    """Baseline: every datagram read whole (64 KB buffer) and its text kept until the backup."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_datagram = 65535
        self.kept: dict[str, list[str]] = {}

    def handle(self, data, source, now):
        host = super().handle(data, source, now)
        if host is not None:
            self.kept.setdefault(host.name, []).append(parse_datagram(data, source).text)
        return host

    def retained_bytes(self) -> int:
        return sum(len(t.encode("utf-8")) for texts in self.kept.values() for t in texts)


def address(i: int) -> str:
    return f"127.32.{i // 250}.{i % 250 + 1}"


def workspace(root: Path, devices: int) -> Path:
    (root / "inventory").mkdir(parents=True)
    (root / "netpatrol.yaml").write_text("language: en\n", encoding="utf-8")
    (root / "inventory" / "defaults.yaml").write_text(yaml.safe_dump({"username": "bench", "password": "${NP_BENCH_PW}"}))
    (root / "inventory" / "groups.yaml").write_text(yaml.safe_dump({"bench": {"data": {"site": {"name": "Bench"}}}}))
    hosts = {f"sw{i:04d}": {"hostname": address(i), "platform": "cisco_ios", "groups": ["bench"]} for i in range(devices)}
    (root / "inventory" / "hosts.yaml").write_text(yaml.safe_dump(hosts))
    return root


def child(mode: str, n: int, size: int, devices: int) -> dict:
    os.environ.setdefault("NP_BENCH_PW", "unused")  # the inventory wants one; nothing logs in
    with tempfile.TemporaryDirectory(prefix="np-syslog-bench-") as tmp:
        ws = workspace(Path(tmp), devices)
        cls = WholeMessages if mode == "baseline" else SyslogListener
        listener = cls(Workspace(ws), load_inventory(ws), port=0, debounce=1e9, backup=lambda hosts, trigger: None)
        rss_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        senders = []
        try:
            for i in range(devices):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.bind((address(i), 0))
                senders.append(s)
            payloads = [(LINE.format(host=f"sw{i:04d}") + "x" * size)[:size].encode() for i in range(devices)]
            for k in range(n):
                senders[k % devices].sendto(payloads[k % devices], ("127.0.0.1", listener.port))
                if not listener.receive(timeout=10):
                    raise SystemExit(f"datagram {k} was lost")
            return {"mode": mode, "rss_start_kb": rss_start,
                    "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                    "retained_bytes": listener.retained_bytes(), "pending": len(listener.pending),
                    "stats": listener.stats.to_dict()}
        finally:
            for s in senders:
                s.close()
            listener.sock.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=8000, help="datagrams sent (8,000 was enough to show unbounded growth)")
    ap.add_argument("--size", type=int, default=60_000, help="bytes per datagram (at most 65507)")
    ap.add_argument("--devices", type=int, default=20, help="inventory devices the datagrams come from")
    ap.add_argument("--child", choices=["baseline", "current"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.n, args.size, args.devices)))
        return
    results = {}
    for mode in ("baseline", "current"):
        out = subprocess.run([sys.executable, __file__, "--child", mode, "--n", str(args.n), "--size", str(args.size),
                              "--devices", str(args.devices)], stdout=subprocess.PIPE, text=True, check=True).stdout
        results[mode] = json.loads(out)
    print(f"{args.n} datagrams x {args.size} bytes from {args.devices} devices over loopback")
    print(f"{'mode':<10} {'peak RSS MB':>12} {'RSS at start MB':>16} {'retained bytes':>15} {'per device':>11}")
    for mode, r in results.items():
        print(f"{mode:<10} {r['peak_rss_kb'] / 1024:>12.1f} {r['rss_start_kb'] / 1024:>16.1f} "
              f"{r['retained_bytes']:>15,} {r['retained_bytes'] // max(1, r['pending']):>11,}")
    b, c = results["baseline"], results["current"]
    print(f"ratio baseline/current: peak RSS {b['peak_rss_kb'] / c['peak_rss_kb']:.1f}x, "
          f"retained bytes {b['retained_bytes'] / max(1, c['retained_bytes']):.0f}x")


if __name__ == "__main__":
    main()
