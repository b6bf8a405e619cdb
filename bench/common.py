"""Shared helpers for the backup and inspection benchmarks (bench/backup.py, bench/inspection.py).

Not part of the installed package: benchmark code may print and may be blunt. What lives here:
an N-device lab + workspace generator (free ports, cycling through the 7 platforms or cisco_ios
only), and a measurement wrapper that runs one command in a subprocess and reports wall time, CPU
seconds (the child's own RUSAGE, i.e. RUSAGE_CHILDREN delta, including its own children such as
git), peak RSS (ru_maxrss of that child) and the lab server's CPU over the same interval (from
/proc/<pid>/stat), because the lab shares the 2 cores with the client.
"""

from __future__ import annotations

from repo_env import netpatrol_argv

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from netpatrol.lab import control
from netpatrol.lab.control import LabDeviceSpec
from netpatrol.lab.testing import make_specs
from netpatrol.platforms import PLATFORMS

PY = sys.executable
NETPATROL = netpatrol_argv()  # the CLI of this same environment, never one found elsewhere
# Platforms a plain script must `enable` on (the lab starts them in user mode when a secret is set).
PLAIN_ENABLE = {name for name, profile in PLATFORMS.items() if profile.needs_enable}
BENCH = Path(__file__).resolve().parent
PASSWORD_ENV = "NP_BENCH_PASSWORD"
LAB_PASSWORD = "lab-pass"
ALL_PLATFORMS = sorted(PLATFORMS)
_CLK = os.sysconf("SC_CLK_TCK")


# -- lab + workspace ----------------------------------------------------------------------------


def specs_for(n: int, mix: str) -> list[LabDeviceSpec]:
    """`mix` is 'all' (cycle through the 7 platforms) or 'ios' (cisco_ios only)."""
    platforms = ALL_PLATFORMS if mix == "all" else ["cisco_ios"]
    return make_specs(platforms, count=n, username="admin", password=LAB_PASSWORD, enable_secret=LAB_PASSWORD)


@contextmanager
def lab(state_dir: Path, specs: list[LabDeviceSpec]) -> Iterator[int]:
    """Start the lab with these devices; yields the server pid; always stops it."""
    status = control.up(state_dir, specs, timeout=600)
    try:
        yield status.pid  # type: ignore[misc]
    finally:
        control.down(state_dir)


def write_workspace(root: Path, specs: list[LabDeviceSpec], workers: int, extra: dict | None = None) -> Path:
    """A netpatrol workspace whose inventory is exactly the lab devices (10 per site group)."""
    (root / "inventory").mkdir(parents=True, exist_ok=True)
    settings = {"client": "Bench", "provider": "Bench", "language": "en", "workers": workers,
                "connection": {"conn_timeout": 30, "auth_timeout": 30, "read_timeout": 60, "retries": 0}}
    settings.update(extra or {})
    (root / "netpatrol.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    defaults = {"username": "admin", "password": f"${{{PASSWORD_ENV}}}",
                "connection_options": {"netmiko": {"extras": {"secret": f"${{{PASSWORD_ENV}}}"}}}}
    sites = sorted({f"site{i // 10:03d}" for i in range(len(specs))})
    groups = {s: {"data": {"site": {"name": f"Bench {s}"}}} for s in sites}
    hosts = {s.name: {"hostname": s.address, "port": s.port, "platform": s.platform, "groups": [f"site{i // 10:03d}"]}
             for i, s in enumerate(specs)}
    for name, doc in (("defaults", defaults), ("groups", groups), ("hosts", hosts)):
        (root / "inventory" / f"{name}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return root


def bench_env() -> dict[str, str]:
    # One reference serves as password and enable secret: specs_for() starts the lab that way.
    return {**os.environ, PASSWORD_ENV: LAB_PASSWORD, "PYTHONDONTWRITEBYTECODE": "1"}


# -- measurement --------------------------------------------------------------------------------


def proc_cpu(pid: int) -> float:
    """utime+stime of a running process, seconds (from /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLK


@dataclass
class Measured:
    label: str
    wall: float
    cpu: float
    rss_mib: float
    server_cpu: float
    rc: int
    out: str = ""
    err: str = ""


def measure(label: str, argv: list[str], server_pid: int | None, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> Measured:
    """Run argv as a child; wall/CPU/peak RSS of that child (and its reaped children), lab CPU delta.

    CPU and RSS come from wait4() on this child alone, so neither the parent nor earlier runs leak
    in (RUSAGE_CHILDREN deltas would mix them, and its ru_maxrss is a maximum over all children).
    """
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        s0 = proc_cpu(server_pid) if server_pid else 0.0
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env or bench_env(), cwd=cwd)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        s1 = proc_cpu(server_pid) if server_pid else 0.0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, etext = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    return Measured(label, wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, s1 - s0, proc.returncode, text, etext)


@dataclass
class Cell:
    label: str
    runs: list[Measured] = field(default_factory=list)

    def med(self, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in self.runs)

    def spread(self, attr: str) -> str:
        vals = [getattr(r, attr) for r in self.runs]
        return f"{statistics.median(vals):.2f} [{min(vals):.2f}-{max(vals):.2f}]" if len(vals) > 1 else f"{vals[0]:.2f}"


def machine() -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), "?")
    mem = next((int(ln.split()[1]) // 1024 for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")), 0)
    return f"{os.cpu_count()} CPU ({cpu}), {mem} MiB RAM, Python {platform.python_version()}, {platform.platform()}"


def table(headers: list[str], rows: list[list[object]]) -> str:
    def fmt(v: object) -> str:
        return f"{v:.2f}" if isinstance(v, float) else str(v)
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(fmt(v) for v in r) + " |" for r in rows]
    return "\n".join(lines)


def wall_times(fn, runs: int, warm_up: bool = False) -> list[float]:  # type: ignore[no-untyped-def]
    """Wall time of each of `runs` calls of `fn` (after one untimed call with `warm_up`)."""
    if warm_up:
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def median_seconds(fn, runs: int, warm_up: bool = False) -> float:  # type: ignore[no-untyped-def]
    """Median wall time of `runs` calls of `fn` (after one untimed call with `warm_up`)."""
    return statistics.median(wall_times(fn, runs, warm_up))
