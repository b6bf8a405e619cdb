"""Benchmark: what the store's safety costs, against the previous way measured in the same run.

    python bench/store_safety.py            # 3,000 synthetic ~11 KB configs (< 1 min)
    python bench/store_safety.py --n 10000

Scenarios, each timed for netpatrol.store.repo and for a baseline doing the same work the way the
store did before it refused links, checked its branch and left GitPython:
- write every config (new files, then all changed): Store.write_file (O_NOFOLLOW per component, branch check, 0600)
  vs. a path-based atomic write (temp file, fsync, rename);
- rewrite every config unchanged (read and compare, nothing written);
- read every config at HEAD: Store.read_file(ref=...) (own `git cat-file --batch`) vs. GitPython's
  persistent `get_object_data`.
"""

from __future__ import annotations

import repo_env  # noqa: F401 - re-runs with the clone's .venv when netpatrol is not importable

import argparse
import os
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import git  # the baseline only

from netpatrol.store.repo import Store


def config(i: int, change: int) -> str:
    lines = [f"! change {change}", f"hostname sw{i:05d}"]
    for port in range(44):
        lines += [f"interface GigabitEthernet1/0/{port + 1}", f" description host {i}-{port}", " no shutdown", "!"]
    return "\n".join([*lines, "end"]) + "\n"


def rel(i: int) -> str:
    return f"configs/site{i % 50:02d}/sw{i:05d}.cfg"


def cpu() -> float:
    return sum(resource.getrusage(w).ru_utime + resource.getrusage(w).ru_stime
               for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    start, start_cpu = time.perf_counter(), cpu()
    fn()
    return time.perf_counter() - start, cpu() - start_cpu


def plain_write(root: Path, relpath: str, text: str) -> bool:
    """The store's write before this change: paths followed, modes from the umask."""
    target = root / relpath
    data = text.encode("utf-8")
    if target.is_file() and target.read_bytes() == data:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    return True


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--dir", type=Path, default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        root = Path(tmp)
        store = Store(root / "backups").open_or_init()
        base = root / "baseline"
        base.mkdir()
        every = range(args.n)
        rows = [
            ("write new", timed(lambda: [store.write_file(rel(i), config(i, 0)) for i in every]),
             timed(lambda: [plain_write(base, rel(i), config(i, 0)) for i in every])),
            ("write changed", timed(lambda: [store.write_file(rel(i), config(i, 1)) for i in every]),
             timed(lambda: [plain_write(base, rel(i), config(i, 1)) for i in every])),
            ("rewrite unchanged", timed(lambda: [store.write_file(rel(i), config(i, 1)) for i in every]),
             timed(lambda: [plain_write(base, rel(i), config(i, 1)) for i in every])),
        ]
        store.commit("snapshot")
        repo = git.Repo(store.path)
        rows.append(("read at HEAD", timed(lambda: [store.read_file(rel(i), ref="HEAD") for i in every]),
                     timed(lambda: [repo.git.get_object_data(f"HEAD:{rel(i)}") for i in every])))
        repo.close()
        store.close()
    # Wall time of the writes is fsync-bound and swings with other load on the disk; compare CPU.
    print(f"{args.n} configs; wall / CPU seconds; baseline = the previous implementation, same run")
    print(f"{'scenario':<20}{'store wall':>12}{'store cpu':>11}{'base wall':>11}{'base cpu':>10}{'ratio':>8}")
    for name, (sw, sc), (bw, bc) in rows:
        print(f"{name:<20}{sw:>12.3f}{sc:>11.3f}{bw:>11.3f}{bc:>10.3f}{sw / bw:>8.2f}")


if __name__ == "__main__":
    main()
