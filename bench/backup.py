"""Backup benchmark: `netpatrol backup` against plain Nornir + netmiko scripts and a paramiko floor.

    .venv/bin/python bench/backup.py                       # 50, 200, 500 devices, 7 platforms
    .venv/bin/python bench/backup.py --quick               # 50 devices, 1 run, no git bench
    .venv/bin/python bench/backup.py --sizes 500 --mix ios --runs 3

Per size, one lab (one asyncssh process) serves every variant in the same run, each variant in its
own subprocess so its wall, CPU (user+sys of that process and its git children, from wait4) and
peak RSS are its own; the lab's CPU over each run comes from /proc/<pid>/stat:

  netpatrol   `netpatrol backup --json` (the real CLI), W workers
  plain       Nornir + nornir-netmiko `netmiko_send_command` of the running config, files written,
              one GitPython `index.add(all) + index.commit` (the usual "re-add everything" script), netmiko defaults
  tuned       the same script with tuned timing: conn_timeout=5, global_delay_factor=0.5 (with
              fast_cli it scales the session-preparation sleeps), and send_command(read_timeout=20,
              cmd_verify=False): no wait for the command echo
  floor       bare paramiko: connect + password auth + one exec channel running the config command,
              threads (no Nornir, no prompt handling, nothing written)

A warm-up run of every variant precedes the timed runs; the median of --runs is reported. Every
variant's saved config count is checked (a run that failed devices is flagged, not hidden).
Then bench/gitstore.py times the commit of 10,000 stored configs (1 % and 100 % changed).
"""

from __future__ import annotations

import repo_env  # noqa: F401 - re-runs with the clone's .venv when netpatrol is not importable

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import common

# The "show running-config" equivalent per platform, written out as a plain script would.
RUNNING = {"cisco_ios": "show running-config", "cisco_nxos": "show running-config", "arista_eos": "show running-config",
           "ruijie_os": "show running-config", "juniper_junos": "show configuration",
           "huawei_vrp": "display current-configuration", "hp_comware": "display current-configuration"}
ENABLE = common.PLAIN_ENABLE


def _hosts(ws: Path) -> dict[str, dict]:
    import yaml

    return yaml.safe_load((ws / "inventory" / "hosts.yaml").read_text(encoding="utf-8"))


# -- variant: the plain Nornir + netmiko script (runs in its own process) ----------------------


def plain(ws: Path, out: Path, workers: int, tuned: bool) -> None:
    import git
    from nornir.core import Nornir
    from nornir.core.configuration import Config
    from nornir.core.inventory import ConnectionOptions, Defaults, Groups, Host, Hosts, Inventory
    from nornir.core.plugins.connections import ConnectionPluginRegister
    from nornir.plugins.runners import ThreadedRunner
    from nornir_netmiko.tasks import netmiko_send_command

    password = common.LAB_PASSWORD
    extras: dict = {"secret": password}
    if tuned:
        extras.update(conn_timeout=5, global_delay_factor=0.5, fast_cli=True)
    defaults = Defaults()
    hosts = Hosts({
        name: Host(name=name, hostname=h["hostname"], port=h["port"], platform=h["platform"], username="admin",
                   password=password, defaults=defaults,
                   connection_options={"netmiko": ConnectionOptions(extras=dict(extras))})
        for name, h in _hosts(ws).items()
    })
    ConnectionPluginRegister.auto_register()
    nr = Nornir(inventory=Inventory(hosts=hosts, groups=Groups(), defaults=defaults),
                runner=ThreadedRunner(num_workers=workers), config=Config(logging={"enabled": False}))
    kwargs = {"read_timeout": 20, "cmd_verify": False} if tuned else {}

    def backup(task):  # type: ignore[no-untyped-def]
        cmd = RUNNING[task.host.platform]
        r = task.run(netmiko_send_command, command_string=cmd, enable=task.host.platform in ENABLE, **kwargs)
        (out / "configs" / f"{task.host.name}.cfg").write_text(r.result, encoding="utf-8")
        if len(r.result) < 500:  # the plain script stores it anyway; the bench counts it as bad
            raise ValueError(f"short config ({len(r.result)} B)")

    (out / "configs").mkdir(parents=True, exist_ok=True)
    repo = git.Repo.init(out)
    result = nr.run(task=backup)
    files = sorted(str(p.relative_to(out)) for p in (out / "configs").iterdir())
    repo.index.add(files)
    repo.index.commit("backup")
    failed = sorted(result.failed_hosts)
    why = [str(result[h][-1].exception)[:200] for h in failed[:3]]
    print(json.dumps({"ok": len(hosts) - len(failed), "failed": failed[:5], "why": why}))


# -- variant: the floor (paramiko exec, threads) ------------------------------------------------


def floor(ws: Path, threads: int) -> None:
    import paramiko

    todo = list(_hosts(ws).items())
    lock = threading.Lock()
    ok, bad = [0], []

    def worker() -> None:
        while True:
            with lock:
                if not todo:
                    return
                name, h = todo.pop()
            try:
                client = paramiko.SSHClient()
                client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
                client.connect(h["hostname"], h["port"], "admin", common.LAB_PASSWORD, timeout=30,
                               allow_agent=False, look_for_keys=False)
                _, stdout, _ = client.exec_command(RUNNING[h["platform"]])
                text = stdout.read()
                client.close()
                with lock:
                    ok[0] += len(text) > 500
            except Exception as exc:  # noqa: BLE001 - counted, reported
                with lock:
                    bad.append(f"{name}: {exc}")

    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print(json.dumps({"ok": ok[0], "failed": bad[:5]}))


# -- orchestration ------------------------------------------------------------------------------


def _ok(label: str, m: common.Measured) -> int:
    try:
        if label == "netpatrol":
            doc = json.loads(m.out)
            return doc["counts"]["saved"] + doc["counts"]["unchanged"]
        return json.loads(m.out.strip().splitlines()[-1])["ok"]
    except (ValueError, KeyError, IndexError):
        return -1


def _why(label: str, m: common.Measured) -> str:
    try:
        if label == "netpatrol":
            return "; ".join(f"{d['host']}: {d['reason']}" for d in json.loads(m.out)["devices"] if d["status"] == "failed")[:800]
        doc = json.loads(m.out.strip().splitlines()[-1])
        return f"{doc['failed']} {doc.get('why', '')}"[:800]
    except (ValueError, KeyError, IndexError):
        return f"stderr: {m.err[-600:]}"


def bench_size(n: int, mix: str, workers: int, runs: int, root: Path) -> list[dict]:
    specs = common.specs_for(n, mix)
    ws = common.write_workspace(root / f"ws{n}", specs, workers)
    me = str(Path(__file__).resolve())
    variants = {
        "netpatrol": lambda: [*common.NETPATROL, "backup", "-w", str(ws), "--json"],
        "plain": lambda: [common.PY, me, "--plain", str(ws), str(root / f"plain{n}"), str(workers)],
        "tuned": lambda: [common.PY, me, "--tuned", str(ws), str(root / f"tuned{n}"), str(workers)],
        "floor": lambda: [common.PY, me, "--floor", str(ws), str(workers)],
    }
    cells = {k: common.Cell(k) for k in variants}
    t = time.perf_counter()
    with common.lab(root / f"lab{n}", specs) as pid:
        print(f"[{n} devices, {mix}] lab up in {time.perf_counter() - t:.1f}s (pid {pid})", flush=True)
        for rnd in range(runs + 1):  # round 0 is the warm-up (imports cached, host keys learnt)
            for label, argv in variants.items():
                m = common.measure(label, argv(), pid)
                got = _ok(label, m)
                tag = "warm-up" if rnd == 0 else f"run {rnd}"
                print(f"  {tag:8} {label:9} wall {m.wall:6.2f}s cpu {m.cpu:6.2f}s rss {m.rss_mib:5.0f}MiB "
                      f"lab cpu {m.server_cpu:6.2f}s ok {got}/{n} rc {m.rc}", flush=True)
                if got != n:
                    print(f"    !! {label}: {got}/{n} devices: {_why(label, m)}", flush=True)
                if rnd > 0:
                    cells[label].runs.append(m)
    return [{"n": n, "label": k, "wall": c.med("wall"), "wall_spread": c.spread("wall"), "cpu": c.med("cpu"),
             "rss": c.med("rss_mib"), "lab_cpu": c.med("server_cpu")} for k, c in cells.items()]


def report(rows: list[dict], workers: int) -> str:
    out = []
    for n in sorted({r["n"] for r in rows}):
        by = {r["label"]: r for r in rows if r["n"] == n}
        fl = by["floor"]["cpu"] / n
        table = [[k, r["wall_spread"], r["cpu"], r["cpu"] / n * 1000, r["rss"], r["lab_cpu"],
                  r["wall"] / by["plain"]["wall"], r["wall"] / by["tuned"]["wall"], r["cpu"] / n / fl]
                 for k, r in by.items()]
        out.append(f"\nN={n}, W={workers}")
        out.append(common.table(["variant", "wall s median [min-max]", "CPU s", "CPU ms/dev", "peak RSS MiB", "lab CPU s",
                                 "wall ÷ plain", "wall ÷ tuned", "CPU/dev ÷ floor"], table))
        np_ = by["netpatrol"]
        out.append(f"targets: wall ≤ 0.8× plain: {np_['wall'] / by['plain']['wall']:.2f} "
                   f"({'met' if np_['wall'] <= 0.8 * by['plain']['wall'] else 'MISSED'}); "
                   f"wall ≤ 1.0× tuned: {np_['wall'] / by['tuned']['wall']:.2f} "
                   f"({'met' if np_['wall'] <= by['tuned']['wall'] else 'MISSED'}); "
                   f"CPU/dev ≤ 2× floor: {np_['cpu'] / n / fl:.2f} ({'met' if np_['cpu'] / n <= 2 * fl else 'MISSED'})")
    return "\n".join(out)


def git_bench(n: int) -> str:
    cmd = [common.PY, str(Path(__file__).resolve().parent / "gitstore.py"), "--n", str(n)]
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    return res.stdout[res.stdout.find(f"\nN={n}"):] if f"\nN={n}" in res.stdout else res.stdout + res.stderr


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("--plain", "--tuned"):
        plain(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]), tuned=sys.argv[1] == "--tuned")
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--floor":
        floor(Path(sys.argv[2]), int(sys.argv[3]))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 500])
    ap.add_argument("--mix", choices=["all", "ios"], default="all", help="7 platforms in turn, or cisco_ios only")
    ap.add_argument("--workers", type=int, default=50)
    ap.add_argument("--runs", type=int, default=2, help="timed runs per variant after the warm-up")
    ap.add_argument("--git-n", type=int, default=10_000, help="stored configs for the git commit bench (0: skip)")
    ap.add_argument("--quick", action="store_true", help="50 devices, 1 run, no git bench")
    args = ap.parse_args()
    if args.quick:
        args.sizes, args.runs, args.git_n = [50], 1, 0
    print(common.machine())
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="np-bench-") as d:
        for n in args.sizes:
            rows += bench_size(n, args.mix, args.workers, args.runs, Path(d))
    print(report(rows, args.workers))
    if args.git_n:
        print(f"\ngit commit of {args.git_n} stored configs (bench/gitstore.py):")
        print(git_bench(args.git_n))


if __name__ == "__main__":
    main()
