"""The benchmarks run from any clone: the repository's own .venv or the running interpreter."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
SCRIPTS = sorted(p for p in BENCH.glob("*.py") if "__main__" in p.read_text(encoding="utf-8"))


def _python_without_netpatrol() -> str:
    base = Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    if not base.exists():
        pytest.skip(f"no base interpreter at {base}")
    if subprocess.run([str(base), "-c", "import netpatrol"], capture_output=True).returncode == 0:
        pytest.skip(f"{base} can import netpatrol itself")
    return str(base)


def test_no_bench_module_shadows_the_standard_library():
    # bench/ is the first entry of sys.path for its scripts: a bench/inspect.py breaks every import of inspect.
    clashes = [p.name for p in BENCH.glob("*.py") if p.stem in sys.stdlib_module_names]
    assert not clashes


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_bench_script_finds_the_repositorys_venv(script):
    """Started by an interpreter that has no netpatrol, a bench re-runs itself with the clone's
    .venv (never a virtual environment at some fixed path elsewhere)."""
    if not (REPO / ".venv" / "bin" / "python").exists():
        pytest.skip("this clone has no .venv")
    res = subprocess.run([_python_without_netpatrol(), str(script), "--help"], capture_output=True, text=True,
                         cwd=BENCH.parent.parent, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "usage:" in res.stdout


@pytest.mark.lab
@pytest.mark.parametrize("script,args", [
    ("backup.py", ["--sizes", "3", "--runs", "1", "--git-n", "0", "--workers", "3"]),
    ("inspection.py", ["--devices", "3", "--runs", "1", "--workers", "3"]),
])
def test_bench_measures_netpatrol_itself_in_a_small_lab(tmp_path, script, args):
    """The `netpatrol` variant runs the CLI of the same environment and handles every device."""
    res = subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True, text=True,
                         cwd=tmp_path, timeout=600)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    rows = [line for line in res.stdout.splitlines() if re.match(r"\s+(warm-up|run \d+)\s+netpatrol", line)]
    assert rows and all("ok 3/3 rc 0" in line for line in rows), res.stdout
    assert "!!" not in res.stdout, res.stdout
