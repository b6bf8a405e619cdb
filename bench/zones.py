"""Zones benchmark: `netpatrol backup` across 2 zones × 2 workers against the same run without zones.

    .venv/bin/python bench/zones.py                       # 1,000 lab devices, warm-up + 2 timed runs
    .venv/bin/python bench/zones.py --quick               # 100 devices, warm-up + 1 timed run
    .venv/bin/python bench/zones.py --concurrency 1 --batch-size 25

One lab (one asyncssh process) and one Redis that this script starts and stops (free loopback port,
nothing persisted, the README's ACL: default user off, a `netpatrol` user without admin or dangerous
commands) serve both variants in the same run, alternating after a warm-up round of each:

  local   `netpatrol backup --json` of a workspace without zones (`processes: auto` shards as usual)
  zones   the same devices, site groups alternately in `zone-a` and `zone-b` (`data.zone`), through
          the same central command; each zone served by `--workers` `netpatrol worker -w WS --zone Z`
          processes (own process groups, waited for until live, stopped at the end) on a copy of the
          workspace of their own (no backups/), the device password only in their environment

Per process over each timed run: CPU = user+sys, peak memory.
  central     wait4() of `netpatrol backup`: CPU with its reaped children (git, shard child), ru_maxrss
  worker      its process tree (pool children): CPU delta of utime+stime+cutime+cstime of every
              process; peak RSS = Σ VmHWM after a reset (/proc/PID/clear_refs), an upper bound, and
              peak PSS sampled every 0.5 s (pages shared by forked children counted once)
  lab, redis  the same for that one process
Overhead = zones ÷ local for wall (target ≤ 1.3×) and for CPU. 2 cores shared by all: CPU-bound.
Figures: docs/performance.md, section "Zones".
"""

from __future__ import annotations

import repo_env  # noqa: F401 - re-runs with the clone's .venv when netpatrol is not importable

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

import common

ZONES = ("zone-a", "zone-b")
BROKER_ENV = "NP_BENCH_BROKER_PASSWORD"
USER = "netpatrol"
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"



def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def tree(root: int) -> list[int]:
    """root and every live descendant."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                children.setdefault(int(_stat(int(entry.name))[1]), []).append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue  # gone meanwhile
    out, todo = [], [root]
    while todo:
        out.append(todo.pop())
        todo += children.get(out[-1], [])
    return out


def tree_cpu(root: int) -> float:
    ticks = 0
    for pid in tree(root):
        try:
            ticks += sum(int(v) for v in _stat(pid)[11:15])  # utime stime cutime cstime
        except OSError:
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def reset_peaks(root: int) -> None:
    for pid in tree(root):
        with contextlib.suppress(OSError):
            Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets VmHWM to the current RSS


def _summed(root: int, file: str, key: str) -> tuple[float, int]:
    """(sum of `key:` of /proc/PID/`file` over the tree in MiB, processes in the tree)."""
    pids, kib = tree(root), 0
    for pid in pids:
        try:
            kib += int(next(ln for ln in Path(f"/proc/{pid}/{file}").read_text().splitlines() if ln.startswith(key)).split()[1])
        except (OSError, StopIteration):
            pass  # gone meanwhile
    return kib / 1024, len(pids)


def tree_peak_mib(root: int) -> tuple[float, int]:
    return _summed(root, "status", "VmHWM:")


def tree_pss_mib(root: int) -> float:
    """The tree's proportional set size now: pages shared by forked pool children counted once."""
    return _summed(root, "smaps_rollup", "Pss:")[0]


@contextmanager
def sampling(sides: list[Side], every: float = 0.5) -> Iterator[None]:
    """Each side's peak PSS over the block, sampled (the kernel keeps no peak of PSS)."""
    import threading

    stop = threading.Event()

    def run() -> None:
        while True:
            for s in sides:
                s.pss_mib = max(s.pss_mib, tree_pss_mib(s.pid))
            if stop.wait(every):
                return

    for s in sides:
        s.pss_mib = 0.0
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


@dataclass
class Side:
    """A process tree measured beside the central run (a worker, the lab, Redis)."""

    label: str
    pid: int
    cpu0: float = 0.0
    cpu: float = 0.0
    rss_mib: float = 0.0
    pss_mib: float = 0.0
    procs: int = 0

    def begin(self) -> None:
        reset_peaks(self.pid)
        self.cpu0 = tree_cpu(self.pid)

    def end(self) -> None:
        self.cpu = tree_cpu(self.pid) - self.cpu0
        self.rss_mib, self.procs = tree_peak_mib(self.pid)



def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def redis(workdir: Path) -> Iterator[tuple[int, int, str]]:
    """A redis-server of this bench's own; yields (pid, port, password); always stopped."""
    if not os.access(REDIS_SERVER, os.X_OK):
        sys.exit(f"needs redis-server at {REDIS_SERVER} (scripts/install-system-deps.sh installs it)")
    port, password = _free_port(), secrets.token_hex(12)
    workdir.mkdir(parents=True, exist_ok=True)
    # The README's ACL: the default user off, netpatrol's own user without admin or dangerous commands.
    proc = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1",
                             "--user", "default", "off",
                             "--user", USER, "on", f">{password}", "~*", "&*", "+@all", "-@admin", "-@dangerous",
                             "--save", "", "--appendonly", "no", "--dir", str(workdir), "--daemonize", "no",
                             "--loglevel", "warning"], stdout=subprocess.DEVNULL)
    try:
        import redis as redis_py

        client = redis_py.Redis(host="127.0.0.1", port=port, username=USER, password=password, socket_timeout=2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis_py.RedisError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"redis-server did not start on port {port} (exit {proc.poll()})")
                time.sleep(0.05)
        yield proc.pid, port, password
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def zone_workspaces(root: Path, specs: list, workers: int, port: int, batch_size: int | None) -> tuple[Path, dict[str, Path]]:
    """The central zones workspace (site groups alternate between the zones) and one copy per zone for its workers."""
    dist: dict = {"broker": f"redis://{USER}:${{{BROKER_ENV}}}@127.0.0.1:{port}/0", "queue_prefix": "bench"}
    if batch_size:
        dist["batch_size"] = batch_size
    extra = {"zones": {z: {"description": f"bench {z}"} for z in ZONES}, "distributed": dist}
    central = common.write_workspace(root / "ws-zones", specs, workers, extra)
    groups_file = central / "inventory" / "groups.yaml"
    groups = yaml.safe_load(groups_file.read_text(encoding="utf-8"))
    for i, name in enumerate(sorted(groups)):
        groups[name]["data"]["zone"] = ZONES[i % len(ZONES)]
    groups_file.write_text(yaml.safe_dump(groups, sort_keys=False), encoding="utf-8")
    # What a collector in the zone gets: settings and inventory, no backups/.
    copies = {z: Path(shutil.copytree(central, root / f"ws-worker-{z}", ignore=shutil.ignore_patterns("backups", ".netpatrol")))
              for z in ZONES}
    return central, copies


def env_with(password: str) -> dict[str, str]:
    return {**common.bench_env(), BROKER_ENV: password}


def wait_live(ws: Path, want: dict[str, int], env: dict[str, str], timeout: float = 120) -> None:
    from netpatrol.workspace.settings import Workspace
    from netpatrol.zones.app import distributed_settings, make_app
    from netpatrol.zones.live import live_workers

    os.environ[BROKER_ENV] = env[BROKER_ENV]  # make_app resolves ${BROKER_ENV} from this process's environment
    workspace = Workspace.locate(ws)
    app = make_app(workspace)
    deadline, seen = time.monotonic() + timeout, {}
    while time.monotonic() < deadline:
        seen = {z: len(w) for z, w in live_workers(app, distributed_settings(workspace), timeout=1.0).items()}
        if all(seen.get(z, 0) >= n for z, n in want.items()):
            return
        time.sleep(0.5)
    sys.exit(f"workers not live after {timeout:.0f}s: want {want}, live {seen}")


@contextmanager
def workers(copies: dict[str, Path], per_zone: int, concurrency: int | None, env: dict[str, str],
            logs: Path) -> Iterator[list[tuple[str, subprocess.Popen]]]:
    procs: list[tuple[str, subprocess.Popen]] = []
    try:
        for zone, ws in copies.items():
            for i in range(per_zone):
                argv = [*common.NETPATROL, "worker", "-w", str(ws), "--zone", zone]
                if concurrency:
                    argv += ["--concurrency", str(concurrency)]
                with open(logs / f"{zone}-{i}.log", "wb") as log:
                    procs.append((f"{zone}/{i}", subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT,
                                                                  start_new_session=True)))
        yield procs
    finally:
        for _, p in procs:  # each worker leads its own process group: stop it with its pool children
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for label, p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                print(f"  worker {label} did not stop on SIGTERM within 30 s: SIGKILL", flush=True)
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()



def _ok(m: common.Measured) -> tuple[int, str]:
    try:
        doc = json.loads(m.out)
        bad = [f"{d['host']}: {d['status']}: {d.get('reason', '')}" for d in doc["devices"]
               if d["status"] not in ("saved", "unchanged")]
        return doc["counts"]["saved"] + doc["counts"]["unchanged"], "; ".join(bad)[:800]
    except (ValueError, KeyError, TypeError):
        return -1, f"stderr: {m.err[-800:]}"


def timed(label: str, ws: Path, n: int, lab_pid: int, sides: list[Side], env: dict[str, str], tag: str) -> dict:
    for s in sides:
        s.begin()
    with sampling(sides):
        m = common.measure(label, [*common.NETPATROL, "backup", "-w", str(ws), "--json"], None, env=env)
    for s in sides:
        s.end()
    got, why = _ok(m)
    lab = next(s for s in sides if s.label == "lab")
    print(f"  {tag:8} {label:6} wall {m.wall:6.2f}s  central cpu {m.cpu:6.2f}s rss {m.rss_mib:4.0f}MiB  "
          f"lab cpu {lab.cpu:6.2f}s  ok {got}/{n} rc {m.rc}", flush=True)
    for s in sides:
        if s.label != "lab":
            print(f"  {'':8} {'':6} {s.label:15} cpu {s.cpu:6.2f}s rss {s.rss_mib:5.0f}MiB pss {s.pss_mib:5.0f}MiB "
                  f"({s.procs} processes)", flush=True)
    if got != n:
        print(f"    !! {label}: {got}/{n} devices: {why}", flush=True)
    return {"wall": m.wall, "central_cpu": m.cpu, "central_rss": m.rss_mib, "ok": got,
            "sides": {s.label: (s.cpu, s.rss_mib, s.procs, s.pss_mib) for s in sides}}


def median(rows: list[dict], key) -> float:  # type: ignore[no-untyped-def]
    return statistics.median(key(r) for r in rows)


def report(n: int, args: argparse.Namespace, local: list[dict], zoned: list[dict]) -> str:
    def side(rows: list[dict], name: str, i: int) -> float:
        return median(rows, lambda r: r["sides"][name][i])

    def central(run: str, rows: list[dict]) -> list[object]:
        return [run, "central", median(rows, lambda r: r["wall"]), median(rows, lambda r: r["central_cpu"]),
                median(rows, lambda r: r["central_rss"]), "", "1-2" if run == "local" else 1]

    table = [central("local", local), ["local", "lab", "", side(local, "lab", 0), side(local, "lab", 1), side(local, "lab", 3), 1],
             central("zones", zoned)]
    table += [["zones", name, "", side(zoned, name, 0), side(zoned, name, 1), side(zoned, name, 3), int(side(zoned, name, 2))]
              for name in zoned[0]["sides"]]

    def cpu_but_lab(r: dict) -> float:
        return r["central_cpu"] + sum(v[0] for k, v in r["sides"].items() if k != "lab")

    wall = median(zoned, lambda r: r["wall"]) / median(local, lambda r: r["wall"])
    cpu = median(zoned, cpu_but_lab) / median(local, cpu_but_lab)
    total = median(zoned, lambda r: cpu_but_lab(r) + r["sides"]["lab"][0]) / median(
        local, lambda r: cpu_but_lab(r) + r["sides"]["lab"][0])
    head = (f"\nN={n} ({args.mix}), 2 zones × {args.workers} workers (concurrency {args.concurrency or 'default'}), "
            f"batch_size {args.batch_size or 'default'}, workers (threads) {args.device_workers}, "
            f"median of {args.runs} timed run(s)")
    return "\n".join([
        head,
        common.table(["run", "process", "wall s", "CPU s", "peak RSS MiB (Σ VmHWM; central: ru_maxrss)",
                      "peak PSS MiB (sampled)", "processes"], table),
        f"overhead zones ÷ local: wall {wall:.2f}× (target ≤ 1.3×: {'met' if wall <= 1.3 else 'MISSED'}); "
        f"CPU of every process but the lab {cpu:.2f}×; with the lab {total:.2f}×",
        f"walls: local {[round(r['wall'], 2) for r in local]}, zones {[round(r['wall'], 2) for r in zoned]}",
    ])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devices", type=int, default=1000)
    ap.add_argument("--mix", choices=["all", "ios"], default="all", help="7 platforms in turn, or cisco_ios only")
    ap.add_argument("--runs", type=int, default=2, help="timed runs of each variant after the warm-up")
    ap.add_argument("--workers", type=int, default=2, help="worker processes per zone")
    ap.add_argument("--concurrency", type=int, default=None, help="`worker --concurrency` (default: the worker's own)")
    ap.add_argument("--batch-size", type=int, default=None, help="distributed.batch_size (default: the setting's)")
    ap.add_argument("--device-workers", type=int, default=50, help="netpatrol.yaml `workers` of both workspaces")
    ap.add_argument("--quick", action="store_true", help="100 devices, 1 timed run")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (workspaces, worker logs)")
    args = ap.parse_args()
    if args.quick:
        args.devices, args.runs = 100, 1
    print(common.machine())
    n = args.devices
    specs = common.specs_for(n, args.mix)
    root = Path(tempfile.mkdtemp(prefix="np-bench-zones-"))
    local_rows: list[dict] = []
    zone_rows: list[dict] = []
    try:
        with ExitStack() as stack:
            redis_pid, port, password = stack.enter_context(redis(root / "redis"))
            env = env_with(password)
            local_ws = common.write_workspace(root / "ws-local", specs, args.device_workers)
            zones_ws, copies = zone_workspaces(root, specs, args.device_workers, port, args.batch_size)
            t = time.perf_counter()
            lab_pid = stack.enter_context(common.lab(root / "lab", specs))
            print(f"[{n} devices, {args.mix}] lab up in {time.perf_counter() - t:.1f}s (pid {lab_pid}); "
                  f"redis pid {redis_pid} port {port}", flush=True)
            (root / "logs").mkdir()
            t = time.perf_counter()
            procs = stack.enter_context(workers(copies, args.workers, args.concurrency, env, root / "logs"))
            wait_live(zones_ws, {z: args.workers for z in ZONES}, env)
            print(f"  {len(procs)} workers live in {time.perf_counter() - t:.1f}s", flush=True)
            lab = Side("lab", lab_pid)
            zone_sides = [Side(f"worker {label}", p.pid) for label, p in procs] + [Side("redis", redis_pid), lab]
            for rnd in range(args.runs + 1):  # round 0: the warm-up
                tag = "warm-up" if rnd == 0 else f"run {rnd}"
                # The order alternates so neither variant always runs on a page cache the other warmed.
                order = [("local", local_ws, [lab]), ("zones", zones_ws, zone_sides)]
                for label, ws, sides in order if rnd % 2 == 0 else order[::-1]:
                    row = timed(label, ws, n, lab_pid, sides, env, tag)
                    if rnd:
                        (local_rows if label == "local" else zone_rows).append(row)
                for label, p in procs:
                    if p.poll() is not None:
                        sys.exit(f"worker {label} exited ({p.returncode}); its log: {root / 'logs'}")
        print(report(n, args, local_rows, zone_rows))
        if any(r["ok"] != n for r in local_rows + zone_rows):
            print("!! some timed runs did not save every device (above)")
            raise SystemExit(1)
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
