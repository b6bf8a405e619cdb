"""Benchmark: committing backups with netpatrol.store.repo versus GitPython's index API.

    .venv/bin/python bench/gitstore.py                # 3,000 synthetic ~11 KB configs, one trial (< 2 min)
    .venv/bin/python bench/gitstore.py --n 10000      # the size the < 1 s target is stated for (~3-6 min)

Times only the commit step (the configs are written before the clock starts).
Scenarios: 1 % of the configs changed (target < 1 s at 10,000) and
all changed, each through Store.commit and through GitPython's `index.add(every file)` +
`index.commit` (the "re-add everything" script, measured ~80x slower), in one run.
Repositories live under --dir (default: a temp dir on the same disk as /tmp).
"""

from __future__ import annotations

import repo_env  # noqa: F401 - re-runs with the clone's .venv when netpatrol is not importable

import argparse
import random
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import git  # the baseline only; netpatrol itself goes through netpatrol.store.repo

from netpatrol.store.refs import format_commit_message
from netpatrol.store.repo import Store


def synthetic_config(i: int, change: int) -> str:
    """A unique IOS-like config of ~11 KB (44 interfaces, OSPF, an ACL)."""
    lines = [f"! change {change}", f"hostname sw{i:05d}", "!", "service timestamps log datetime msec"]
    for port in range(44):
        lines += [f"interface GigabitEthernet1/0/{port + 1}", f" description host {i}-{port} access port",
                  f" switchport access vlan {10 + port % 8}", " switchport mode access",
                  " spanning-tree portfast", " no shutdown", "!"]
    lines += ["router ospf 1", f" router-id 10.{i // 250 % 250}.{i % 250}.1",
              f" network 10.{i % 250}.0.0 0.0.255.255 area 0", "!"]
    lines += [f"access-list 101 permit tcp any host 10.{i % 250}.{k}.1 eq {22 + k}" for k in range(20)]
    return "\n".join([*lines, "end"]) + "\n"


def rel(i: int) -> str:
    return f"configs/site{i % 50:02d}/sw{i:05d}.cfg"


def change(store: Store, which: list[int], round_no: int) -> float:
    start = time.perf_counter()
    for i in which:
        store.write_file(rel(i), synthetic_config(i, round_no))
    return time.perf_counter() - start


def cpu() -> float:
    return sum(resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall, CPU of this process and its git children): CPU stays honest on a shared, loaded box."""
    start, start_cpu = time.perf_counter(), cpu()
    fn()
    return time.perf_counter() - start, cpu() - start_cpu


def run(n: int, trials: int, root: Path) -> list[tuple[str, float, float]]:
    store = Store(root / "backups").open_or_init()
    # gc.auto off so a background auto-gc (it triggers near 6,700 loose objects) cannot overlap a timing.
    store._git("config", "gc.auto", "0")
    everything = list(range(n))
    write_all = change(store, everything, 0)
    first, _ = timed(lambda: store.commit("initial snapshot"))
    print(f"setup: wrote {n} configs in {write_all:.2f}s (atomic, fsync each); first commit {first:.2f}s")
    repo = git.Repo(store.path)
    paths = [rel(i) for i in everything]
    rng = random.Random(1)
    results: dict[str, list[tuple[float, float]]] = {}
    round_no = 0
    for _ in range(trials):
        for label, count in (("1 %", max(1, n // 100)), ("100 %", n)):
            for method in ("store", "gitpython-index"):
                round_no += 1
                which = rng.sample(everything, count)
                change(store, which, round_no)
                names = [f"sw{i:05d}" for i in which]
                if method == "store":
                    elapsed = timed(lambda names=names: store.commit(format_commit_message(names)))
                else:
                    def index_commit(names: list[str] = names) -> None:
                        repo.index.add(paths)
                        repo.index.commit(format_commit_message(names))
                    elapsed = timed(index_commit)
                results.setdefault(f"{label}|{method}", []).append(elapsed)
                print(f"  {label:>5} changed, {method:<15} wall {elapsed[0]:7.3f}s  cpu {elapsed[1]:7.3f}s")
    repo.close()
    store.close()
    rows = []
    for label in ("1 %", "100 %"):
        for kind, col in (("wall", 0), ("cpu", 1)):
            ours = statistics.median(t[col] for t in results[f"{label}|store"])
            base = statistics.median(t[col] for t in results[f"{label}|gitpython-index"])
            rows.append((f"{label} {kind}", ours, base))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=3_000,
                        help="number of stored configs (the < 1 s target is stated for 10000)")
    parser.add_argument("--trials", type=int, default=1, help="trials per cell (median reported)")
    parser.add_argument("--dir", type=Path, default=None, help="where to create the repositories")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="np-gitbench-", dir=args.dir))
    try:
        rows = run(args.n, args.trials, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"\nN={args.n}, median of {args.trials} trial(s), commit step only")
    print(f"{'changed':>12} | {'Store.commit (git CLI)':>22} | {'GitPython index API':>20} | {'ratio':>6}")
    for label, ours, base in rows:
        print(f"{label:>12} | {ours:>21.3f}s | {base:>19.3f}s | {base / max(ours, 1e-9):>5.1f}x")
    target = rows[0][1]
    print(f"\n1 % target < 1 s: {'met' if target < 1 else 'MISSED'} ({target:.3f}s)")


if __name__ == "__main__":
    main()
