"""Benchmark: the web view's device list, a device's versions and a diff, on a store of 10,000 devices and 100,000 commits.

    .venv/bin/python bench/web.py                                   # 10,000 devices, 100,000 commits: ~1 min of setup
    .venv/bin/python bench/web.py --devices 1000 --commits 10000    # a quicker look

The workspace (bench/web_world.py, written with git fast-import): an inventory of --devices hosts in
100-host sites, --commits commits changing one config each (a "hot" device in every 10th, so ~C/10
versions; the median device a handful; one device moved site half-way), two inspected periods with
every host's result and the summary.json per-host map. Timed, --requests times each after one
untimed warm-up, as p50/p95 of wall time:

- the view functions the routes call, in this process: the device table (rows, a filter), a
  device's versions (median device; hot device page 1 and page 50; the moved device), its diff
  between two versions, its config at a period, the period summary;
- the same through HTTP: the real app (`create_app`) under uvicorn on a loopback port, with httpx
  (routes the page and API helpers have not landed yet show their status instead of a time);
- baselines in the same run: the versions view before the store has a commit-graph (git walks every
  commit's tree), `store.drift.history()` (a glob over every site: no changed-path filters), and the
  device table built the way it was before the summary map (every period's 10,000 results read);
- what keeping the commit-graph costs: the first commit through Store.commit in a store without
  one (writes it whole), and an ordinary commit after it; and the first device-table request after
  a new commit (the rows are built again, the period maps are kept).
"""

from __future__ import annotations

import repo_env  # noqa: F401 - first: re-runs with the clone's .venv when netpatrol is not importable

import argparse
import math
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import common
import web_world
from netpatrol.report.results import load_results
from netpatrol.store import drift
from netpatrol.store.repo import Store
from netpatrol.web import memo
from netpatrol.web.device_list import device_rows, filter_rows
from netpatrol.web.period_view import period_summary
from netpatrol.web.state import WebState
from netpatrol.web.versions import device_config, device_diff, device_versions
from netpatrol.workspace.settings import Workspace

TARGET_MS = 300.0
Row = tuple[str, list[float], str]  # label, seconds, note


def percentile(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def timed(fn: Callable[[], Any], n: int, warm: bool = True) -> list[float]:
    return common.wall_times(fn, n, warm_up=warm)


class Server:
    """The real app under uvicorn in a thread, on a free loopback port."""

    def __init__(self, state: WebState):
        import uvicorn

        from netpatrol.web.app import create_app

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        config = uvicorn.Config(create_app(state), host="127.0.0.1", port=self.port, log_level="warning", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def http_rows(state: WebState, paths: list[tuple[str, str]], n: int) -> list[Row]:
    import httpx

    rows: list[Row] = []
    with Server(state) as server, httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=60) as client:
        for label, path in paths:
            status = client.get(path).status_code
            if status != 200:
                rows.append((label, [], f"HTTP {status} (route not there yet?)"))
                continue
            times = timed(lambda path=path: client.get(path).raise_for_status(), n, warm=False)
            rows.append((label, times, f"{len(client.get(path).content) / 1e3:.0f} kB"))
    return rows


def git_log_seconds(backups: Path, path: str, graph: bool, n: int) -> list[float]:
    argv = ["git", "-c", f"core.commitGraph={'true' if graph else 'false'}", "-C", str(backups), "log",
            "--format=%H%x1f%P%x1f%ct%x1f%an%x1f%B", "--numstat", "--no-renames", "--max-count=101", "HEAD", "--", path]
    return timed(lambda: subprocess.run(argv, check=True, capture_output=True), n, warm=True)


def change(store: Store, path: str, n: int) -> float:
    store.write_file(path, store.read_file(path).replace("end\n", f"! bench change {n}\nend\n"))
    start = time.perf_counter()
    store.commit(f"backup: 1 changed (bench {n})\n", paths=[path])
    return time.perf_counter() - start


def report(title: str, rows: list[Row]) -> None:
    print(f"\n{title}")
    print(f"  {'':52} {'p50 ms':>9} {'p95 ms':>9} {'n':>4}")
    for label, times, note in rows:
        if not times:
            print(f"  {label:52} {'-':>9} {'-':>9} {0:>4}  {note}")
            continue
        print(f"  {label:52} {statistics.median(times) * 1e3:>9.1f} {percentile(times, 0.95) * 1e3:>9.1f} {len(times):>4}  {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--devices", type=int, default=10_000, help="inventory hosts, each with a stored config (default 10000)")
    parser.add_argument("--commits", type=int, default=100_000, help="commits in the store (default 100000)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per case (default 30)")
    parser.add_argument("--no-http", action="store_true", help="time the view functions only")
    parser.add_argument("--dir", type=Path, default=None, help="where to create the workspace (removed afterwards)")
    args = parser.parse_args()
    if args.devices < 10 or args.commits < 100:
        parser.error("at least 10 devices and 100 commits")
    root = Path(tempfile.mkdtemp(prefix="np-webbench-", dir=args.dir))
    n = args.requests
    try:
        start = time.perf_counter()
        sites = max(1, args.devices // 100)
        _, where = web_world.write_workspace(root, args.devices, sites)
        info = web_world.build_store(root / "backups", where, args.commits, sites)
        print(f"setup: {args.devices} devices in {sites} sites, {args.commits} commits, periods "
              f"{', '.join(p for p, _ in info['periods'])}: {time.perf_counter() - start:.1f}s "
              f"(median device {info['typical']}: {info['versions'][info['typical']]} versions; "
              f"hot {info['hot']}: {info['versions'][info['hot']]})")
        state = WebState(Workspace(root))
        typical, hot, moved = info["typical"], info["hot"], info["moved"]
        period, earlier = info["periods"][-1][0], info["periods"][0][0]
        typical_path = f"configs/{where[typical]}/{typical}.cfg"
        backups = root / "backups"

        baseline: list[Row] = [
            ("git log -- <path>, no commit-graph", git_log_seconds(backups, typical_path, False, min(n, 10)), "git alone"),
            ("versions view, no commit-graph", timed(lambda: device_versions(state, typical), min(n, 10)), typical),
            ("drift.history() (glob over every site)", timed(lambda: drift.history(state.store(), typical), 3), typical),
        ]
        store = state.store()
        assert store is not None
        baseline.append(("device table as before: every result of each period",
                         timed(lambda: [load_results(store, p) for p in (period, earlier)], 2, warm=False), "per build"))
        memo.forget(state)
        cold = timed(lambda: device_rows(state), 1, warm=False)
        writer = Store(backups).open_or_init()
        first_commit = change(writer, typical_path, 0)
        commits = [change(writer, typical_path, i) for i in range(1, 6)]
        after_commit = []
        for i in range(6, 6 + min(n, 10)):
            change(writer, typical_path, i)
            after_commit += timed(lambda: device_rows(state), 1, warm=False)
        maintenance: list[Row] = [
            ("Store.commit, first one (writes the whole commit-graph)", [first_commit], "once per store"),
            ("Store.commit, later ones (incremental --split layer)", commits, "1 config"),
            ("device table, cold (summary maps read, rows built)", cold, f"{args.devices} rows"),
            ("device table, first request after a new commit", after_commit, "rows rebuilt"),
        ]
        head = writer.head()
        from_ref = device_versions(state, typical).items[-1].commit
        views: list[Row] = [
            ("git log -- <path>, with the commit-graph", git_log_seconds(backups, typical_path, True, n), "git alone"),
            ("device table: rows + status filter", timed(lambda: filter_rows(device_rows(state), status="problems"), n),
             f"{len(filter_rows(device_rows(state), status='problems'))} rows"),
            ("versions, median device, page 1", timed(lambda: device_versions(state, typical), n), typical),
            ("versions, hot device, page 1 (100)", timed(lambda: device_versions(state, hot), n), hot),
            ("versions, hot device, page 50 (--skip 4900)", timed(lambda: device_versions(state, hot, page=50), n), hot),
            ("versions, moved device (two paths merged)", timed(lambda: device_versions(state, moved), n), moved),
            ("diff, median device, first..latest version", timed(lambda: device_diff(state, typical, from_ref, head), n), typical),
            (f"config at {earlier}", timed(lambda: device_config(state, typical, earlier), n), typical),
            (f"period summary {period}", timed(lambda: period_summary(state, period), n), "from the map"),
        ]
        http: list[Row] = []
        if not args.no_http:
            http = http_rows(state, [
                ("GET /devices", "/devices"),
                ("GET /api/v1/devices", "/api/v1/devices"),
                ("GET /api/v1/devices?status=problems", "/api/v1/devices?status=problems"),
                ("GET /devices/{median}", f"/devices/{typical}"),
                ("GET /api/v1/devices/{median}", f"/api/v1/devices/{typical}"),
                ("GET /api/v1/devices/{median}/versions", f"/api/v1/devices/{typical}/versions"),
                ("GET /api/v1/devices/{hot}/versions?page=50", f"/api/v1/devices/{hot}/versions?page=50"),
                ("GET /devices/{median}/diff?from=&to=", f"/devices/{typical}/diff?from={from_ref}&to={head}"),
                ("GET /api/v1/devices/{median}/diff?from=&to=", f"/api/v1/devices/{typical}/diff?from={from_ref}&to={head}"),
                (f"GET /api/v1/inspections/{period}", f"/api/v1/inspections/{period}"),
            ], n)
        writer.close()
        state.store().close()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    report("baselines (same store, same run)", baseline)
    report("keeping it fast: commit-graph upkeep and the cache", maintenance)
    report("view functions (in process)", views)
    if http:
        report("HTTP (uvicorn on loopback, httpx, one connection)", http)
    base = statistics.median(baseline[1][1])
    ours = statistics.median(views[2][1])
    print(f"\nversions of the median device: {base * 1e3:.0f} ms without the commit-graph -> {ours * 1e3:.0f} ms "
          f"with it ({base / max(ours, 1e-9):.1f}x); drift.history(): {statistics.median(baseline[2][1]) * 1e3:.0f} ms")
    timed_rows = [r for r in views[1:] + http if r[1]]
    worst = max(timed_rows, key=lambda r: percentile(r[1], 0.95))
    p95 = percentile(worst[1], 0.95) * 1e3
    print(f"target p95 < {TARGET_MS:g} ms: {'met' if p95 < TARGET_MS else 'MISSED'} (slowest p95 {p95:.0f} ms: {worst[0]})")


if __name__ == "__main__":
    main()
