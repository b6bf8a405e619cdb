"""Bounded time with faulty devices: a 500-device lab, 10 % faulty (mixed modes incl.
hang_after_login); the faulty run must finish within the clean run's time plus one per-device timeout.

    .venv/bin/python bench/faults.py [--devices 500] [--faulty 0.1] [--workers 50] [--retries 0]

Per-device timeout = (retries+1) x login budget (conn+auth+read timeout) + backoffs: the longest
one hanging device can hold a worker. Prints clean wall, faulty wall, timeout and the ratio.
"""

from __future__ import annotations

import repo_env

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from fault_world import ENABLE, PASSWORD, PLATFORMS, env, write_workspace
from netpatrol.lab import control
from netpatrol.lab.control import LabDeviceSpec
from netpatrol.lab.testing import free_ports

MODES = ["hang_after_login", "refuse_connection", "reject_password", "drop_mid_output", "truncate_config", "error_all"]
NETPATROL = repo_env.netpatrol_argv()


def run(ws: Path) -> tuple[float, dict]:
    t0 = time.perf_counter()
    p = subprocess.run([*NETPATROL, "backup", "--json", "-w", str(ws)], env=env(), capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode not in (0, 1):
        raise SystemExit(f"backup failed ({p.returncode}): {p.stderr[-2000:]}")
    return wall, json.loads(p.stdout)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--devices", type=int, default=500)
    ap.add_argument("--faulty", type=float, default=0.1)
    ap.add_argument("--workers", type=int, default=50)
    ap.add_argument("--retries", type=int, default=0)
    ap.add_argument("--timeouts", default="5,5,10", help="conn,auth,read seconds")
    args = ap.parse_args()
    conn, auth, read = (float(x) for x in args.timeouts.split(","))
    backoff = 1.0
    with tempfile.TemporaryDirectory(prefix="np-faults-") as d:
        root = Path(d)
        names = [f"dev{i:04d}" for i in range(args.devices)]
        specs = [LabDeviceSpec(name=n, platform=PLATFORMS[i % len(PLATFORMS)], address="127.0.0.1", port=port,
                               username="netops", password=PASSWORD, enable_secret=ENABLE)
                 for i, (n, port) in enumerate(zip(names, free_ports(len(names)), strict=True))]
        ws = write_workspace(root / "ws", specs, workers=args.workers,
                             connection={"conn_timeout": conn, "auth_timeout": auth, "read_timeout": read,
                                         "retries": args.retries, "retry_backoff": backoff})
        lab = root / "lab"
        t0 = time.perf_counter()
        control.up(lab, specs, timeout=600)
        print(f"lab: {args.devices} devices up in {time.perf_counter() - t0:.1f} s")
        try:
            run(ws)  # first run: host keys learned, first commit
            clean, doc = run(ws)
            assert doc["counts"]["failed"] == 0, doc["counts"]
            step = round(1 / args.faulty)
            faulty = {n: MODES[k % len(MODES)] for k, n in enumerate(names[::step])}
            for n, mode in faulty.items():
                control.set_faults(lab, n, [mode])
            slow, doc = run(ws)
        finally:
            control.down(lab)
    per_device = (args.retries + 1) * (conn + auth + read) + sum(backoff * 2 ** k for k in range(args.retries))
    failed = {d["host"]: d["error_status"] for d in doc["devices"] if d["status"] == "failed"}
    wrong = {n: failed.get(n) for n in faulty if n not in failed}
    print(f"devices={args.devices} faulty={len(faulty)} ({', '.join(f'{m}={list(faulty.values()).count(m)}' for m in MODES)}) "
          f"workers={args.workers} retries={args.retries}")
    print(f"clean wall   {clean:7.1f} s")
    print(f"faulty wall  {slow:7.1f} s")
    print(f"per-device timeout {per_device:5.1f} s   bound (clean + timeout) {clean + per_device:6.1f} s")
    print(f"ratio faulty/clean {slow / clean:5.2f}   failed={len(failed)} statuses="
          f"{ {s: list(failed.values()).count(s) for s in sorted(set(failed.values()))} }")
    ok = slow <= clean + per_device and not wrong and len(failed) == len(faulty)
    print("PASS" if ok else f"FAIL (not failed as expected: {wrong})")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
