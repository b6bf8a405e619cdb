"""Benchmark: `netpatrol search` over 10,000 stored configs, with `git grep` on the same tree as the baseline.

    .venv/bin/python bench/search.py                  # 10,000 configs (the < 2 s target), ~1-2 min of setup
    .venv/bin/python bench/search.py --n 2000         # a quicker look

The configs are the lab's running configs of all seven platforms (platforms/<p>/lab/running_config.j2,
with and without the weak_security scenario, 64-160 interfaces: about 300-800 lines), sanitised as a
backup stores them, each under its own host name. They are committed once; a second commit
changes 1 % of them (telnet enabled). Timed, in one run, each once after one untimed read that
warms the page cache: what `search` does after loading the inventory (iter_configs: one ls-tree,
one cat-file --batch stream; the compiled regex over every text) for the latest commit, `--at` the
older commit and one `--under` query, with the objects as committed (loose) and after `git gc`
(packed, as git's automatic gc leaves a store that has lived a while), against `git grep -n -E` of the same commit (which cannot
limit a match to a section: its row counts every line the plain pattern matches).
"""

from __future__ import annotations

import repo_env  # first: re-runs with the clone's .venv when netpatrol is not importable

import argparse
import dataclasses
import os
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from netpatrol.backup.sanitize import sanitize
from netpatrol.lab.device import DeviceSpec, SimulatedDevice
from netpatrol.lab.profile import get_profile
from netpatrol.platforms import PLATFORMS
from netpatrol.store import layout
from netpatrol.store.repo import Store
from netpatrol.store.search import compile_regex, search
from netpatrol.store.snapshot import iter_configs
from netpatrol.workspace.inventory import ResolvedHost, load_inventory

TARGET_SECONDS = 2.0
TELNET = "telnet"  # the same text to Python's re and to POSIX ERE (git grep -E)
VTY_LINES = "transport input|protocol inbound"
VTY = "^(line vty|user-interface vty)"


def base_configs(tmp: Path) -> list[tuple[str, str, str]]:
    """(platform, base host name, sanitised config) for every platform, size and scenario."""
    tmp.mkdir(parents=True, exist_ok=True)
    bases = []
    for platform in sorted(PLATFORMS):
        names = get_profile(platform).interface_names()
        prefix = names[0].rstrip("0123456789")
        for count in (64, 96, 128, 160):
            for weak in (False, True):
                host = f"base-{platform.replace('_', '-')}-{count}-{int(weak)}"
                spec = DeviceSpec(name=host, platform=platform, address="127.0.0.1", port=1, username="u",
                                  password="p", interfaces=[f"{prefix}{n + 1}" for n in range(count)],
                                  scenarios=["weak_security"] if weak else [])
                bases.append((platform, host, sanitize(SimulatedDevice(spec, tmp).running, platform)))
    return bases


def build(root: Path, n: int) -> tuple[Store, list[ResolvedHost], str, str]:
    """The store (two commits) and the hosts; returns (store, hosts, older commit, latest commit)."""
    bases = base_configs(root / "lab")
    template = next(iter(load_inventory(repo_env.REPO, need_secrets=False).hosts.values()))
    store = Store(root / "backups").open_or_init()
    store._git("config", "gc.auto", "0")  # no background gc during a timing
    hosts, texts = [], {}
    for i in range(n):
        platform, base, text = bases[i % len(bases)]
        host = dataclasses.replace(template, name=f"dev{i:05d}", site=f"site{i % 40:02d}", platform=platform)
        hosts.append(host)
        texts[host.name] = text.replace(base, host.name)
    start = time.perf_counter()
    for h in hosts:  # plain writes: Store.write_file fsyncs each file, and setup is not what is measured
        path = store.path / layout.config_path(h.site, h.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(texts[h.name], encoding="utf-8")
    older = store.commit(f"backup: {n} changed")
    for h in hosts[::100]:
        path = store.path / layout.config_path(h.site, h.name)
        path.write_text(texts[h.name].replace("transport input ssh", "transport input telnet ssh")
                        .replace("protocol inbound ssh", "protocol inbound all"), encoding="utf-8")
    latest = store.commit(f"backup: {len(hosts[::100])} changed")
    assert older and latest
    sizes = sorted(t.count("\n") for t in texts.values())
    total = sum(len(t.encode()) for t in texts.values())
    print(f"setup: {n} configs ({len(bases)} lab renderings, {sizes[0]}-{sizes[-1]} lines, median "
          f"{sizes[len(sizes) // 2]}; {total / 1e6:.0f} MB), two commits in {time.perf_counter() - start:.1f}s")
    return store, hosts, older, latest


def cpu() -> float:
    return sum(resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    start, start_cpu = time.perf_counter(), cpu()
    value = fn()
    return time.perf_counter() - start, cpu() - start_cpu, value


def netpatrol_search(store: Store, hosts: list[ResolvedHost], commit: str | None, regex: str,
                     under: str | None = None) -> int:
    """What the `search` command does once the inventory is loaded; the number of matching lines."""
    platforms = {h.name: h.platform for h in hosts}
    found = search(iter_configs(store, commit, hosts), compile_regex(regex), platforms,
                   under=compile_regex(under) if under else None)
    return sum(len(d.matches) for d in found)


def git_grep(store: Store, commit: str, regex: str) -> int:
    res = subprocess.run(["git", "grep", "-n", "-E", "-e", regex, commit, "--", layout.CONFIGS], cwd=store.path,
                         capture_output=True, check=False)
    if res.returncode not in (0, 1):
        raise SystemExit(f"git grep failed: {res.stderr.decode(errors='replace')}")
    return res.stdout.count(b"\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="number of stored configs (the < 2 s target is for 10000)")
    parser.add_argument("--dir", type=Path, default=None, help="where to create the store")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="np-searchbench-", dir=args.dir))
    try:
        store, hosts, older, latest = build(root, args.n)
        with store:
            warm, _, _ = timed(lambda: netpatrol_search(store, hosts, None, "^no such line$"))
            print(f"warm-up read (untimed in the table): {warm:.3f}s; {os.cpu_count()} CPUs, git grep uses them all\n")
            cases = [("latest", None, latest, TELNET, None), ("--at older", older, older, TELNET, None),
                     ("--under vty", None, latest, VTY_LINES, VTY)]
            rows = []
            for state in ("loose", "packed"):
                if state == "packed":  # as git's automatic gc leaves a store that has lived a while
                    store._git("gc", "-q")
                    timed(lambda: netpatrol_search(store, hosts, None, "^no such line$"))
                for label, at, sha, regex, under in cases:
                    ours = timed(lambda at=at, regex=regex, under=under: netpatrol_search(store, hosts, at, regex, under))
                    base = timed(lambda sha=sha, regex=regex: git_grep(store, sha, regex))
                    rows.append((f"{state} {label}", ours, base))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"N={args.n}, one run each")
    print(f"{'objects, query':>18} | {'netpatrol search':>16} {'cpu':>7} {'lines':>7} | "
          f"{'git grep -E':>11} {'cpu':>7} {'lines':>7} | ratio")
    for label, (wall, cpu_s, lines), (gwall, gcpu, glines) in rows:
        print(f"{label:>18} | {wall:>15.3f}s {cpu_s:>6.2f}s {lines:>7} | {gwall:>10.3f}s {gcpu:>6.2f}s {glines:>7} | "
              f"{wall / max(gwall, 1e-9):>4.1f}x")
    same = all(lines == glines for label, (_, _, lines), (_, _, glines) in rows if "--under" not in label)
    print(f"\nsame matching lines as git grep (plain queries): {'yes' if same else 'NO'}")
    worst = max(r[1][0] for r in rows)
    print(f"target < {TARGET_SECONDS:g} s at 10,000: {'met' if worst < TARGET_SECONDS else 'MISSED'} (slowest {worst:.3f}s)")


if __name__ == "__main__":
    main()
