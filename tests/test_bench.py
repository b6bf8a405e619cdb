"""The benchmarks run from any clone: the repository's own .venv or the running interpreter."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

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


def _truth_case(root: Path, name: str, text: str, expect: dict) -> None:
    folder = root / "huawei_vrp" / "display_memory-usage"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.raw").write_text(text, encoding="utf-8")
    doc = {"source": "test", "licence": "Apache-2.0", "family": "Huawei S", "group": "Huawei S",
           "command": "display memory-usage", "expect": expect}
    (folder / f"{name}.truth.yml").write_text(yaml.safe_dump(doc), encoding="utf-8")


def test_parse_truth_scores_a_small_set(tmp_path):
    """The evaluation scorer tells right, wrong and empty-handed captures apart, names the ones a
    test pair already holds, and exits 0 whatever the score."""
    pair = (REPO / "tests" / "parsers" / "huawei_vrp" / "display_memory-usage" / "s5720_v200r011.raw").read_text(encoding="utf-8")
    truth = tmp_path / "truth"
    _truth_case(truth, "right", pair, {"health": {"memory_percent": [44]}})
    _truth_case(truth, "wrong", pair, {"health": {"memory_percent": [90]}})
    _truth_case(truth, "nothing", "Info: Memory statistics are being collected, try again later.\n",
                {"health": {"memory_percent": [10]}})
    res = subprocess.run([sys.executable, str(BENCH / "parse_truth.py"), "--truth", str(truth), "--json"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    report = json.loads(res.stdout)
    cases = {c["key"].rsplit("/", 1)[1]: c for c in report["cases"]}
    assert {k: c["outcome"] for k, c in cases.items()} == {"right": "right", "wrong": "wrong", "nothing": "nothing"}
    assert cases["nothing"]["silent"] == (cases["nothing"]["status"] in ("parsed", "empty"))
    # the two copies of a test pair are not held out; the table counts only the third
    assert sorted(report["seen_by_tests"]) == ["huawei_vrp/display_memory-usage/right", "huawei_vrp/display_memory-usage/wrong"]
    assert report["held_out"]["captures"] == 1 and report["all"]["captures"] == 3
    assert report["all"]["right"] == 1 and report["all"]["wrong"] == 1


def _scorer():
    spec = importlib.util.spec_from_file_location("parse_truth", BENCH / "parse_truth.py")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(BENCH))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH))
    return module


@pytest.mark.parametrize("got,verdict", [
    ([{"status": "ok"}, {"status": "ok"}], "right"),
    ([{"status": "ok"}, {"status": "ok"}, {"status": "absent"}], "right"),  # an absent slot may be listed
    ([{"status": "ok"}, {"status": "failed"}], "wrong"),
    ([{"status": "ok"}, {"status": "unknown"}], "wrong"),  # a status the normaliser could not read
    ([{"status": "ok"}, {"status": "ok"}, {"status": "ok"}], "wrong"),  # an absent slot came out ok
    ([], "missing"),
])
def test_parse_truth_judges_components_by_count_and_status(got, verdict):
    expected = [{"status": "ok"}, {"status": "absent"}, {"status": "ok"}]
    assert _scorer().judge_fact("power_supplies", expected, got) == verdict


@pytest.mark.parametrize("name,expected,got,verdict", [
    ("model", "S7706", "Quidway S7706 Terabit Routing Switch", "right"),
    ("model", "S7706", "S7700", "wrong"),
    ("cpu_percent", [13.0, 13.1], 4.1, "wrong"),
    ("cpu_percent", [20, 28], 20.6, "right"),
    ("uptime_seconds", 54960, 54960 + 60, "right"),
    ("ospf", [{"neighbor": "1.1.1.1", "state": "full"}], [{"neighbor": "1.1.1.1", "state": "Full/DR"}], "right"),
    ("interfaces", {"up": 1, "down": 1}, [{"oper_up": True}, {"oper_up": None}], "wrong"),
    ("logs", [0], [], "right"),
    ("ntp_synced", True, None, "missing"),
    ("arp_entries", [85], 85, "right"),
    ("arp_entries", [85], 84, "wrong"),
    ("mac_entries", [8], 0, "missing"),  # no rows counted, like an empty log list
    ("transceivers", [{"interface": "XGigabitEthernet0/0/1", "rx_dbm": -5.04}],
     [{"interface": "XGE0/0/1", "rx_dbm": -5.0}], "right"),
    ("transceivers", [{"interface": "XGigabitEthernet0/0/1", "rx_dbm": -5.04}],
     [{"interface": "XGE0/0/1", "rx_dbm": -4.5}], "wrong"),
    ("vrrp", [{"group": "0", "state": "initial"}], [{"group": "0", "state": "Initial(Interface Down)"}], "right"),
    ("vrrp", [{"group": "2", "state": "master"}], [{"group": "2", "state": "Backup"}], "wrong"),
    ("stp", [{"is_root": True, "topology_changes": 471}], [], "missing"),
])
def test_parse_truth_fact_rules(name, expected, got, verdict):
    assert _scorer().judge_fact(name, expected, got) == verdict
