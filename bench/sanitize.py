"""Secret removal throughput: `sanitize` over every corpus config and every lab config, against
`configtext.clean` (the step before it in the backup pipeline) on the same text, in the same run.

    .venv/bin/python bench/sanitize.py [--rounds 20] [--baseline-rules GIT_REF]

With --baseline-rules, the sanitiser of that commit is timed too, so the cost of new rules shows
against the old ones on this machine and this load. Last, pathological long lines (the shapes a
backtracking rule chokes on) at 2,000 and 20,000 characters: linear rules take about 10x for 10x
the length, a quadratic one about 100x.
"""

from __future__ import annotations

import repo_env  # noqa: F401 - re-runs with the clone's .venv when netpatrol is not importable

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from netpatrol.backup.configtext import clean
from netpatrol.backup.sanitize import sanitize
from netpatrol.lab.device import DeviceSpec, SimulatedDevice
from netpatrol.lab.planted import SCENARIO
from netpatrol.platforms import PLATFORMS

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"


def configs() -> list[tuple[str, str]]:
    out = [(p.parent.parent.name, p.read_text(encoding="utf-8", errors="replace")) for p in sorted(CORPUS.glob("*/configs/*.cfg"))]
    with tempfile.TemporaryDirectory() as tmp:
        for platform in sorted(PLATFORMS):
            spec = DeviceSpec(name=f"b-{platform}", platform=platform, address="127.0.0.1", port=22, username="u",
                              password="p", scenarios=["weak_security", SCENARIO])
            out.append((platform, SimulatedDevice(spec, Path(tmp)).running))
    return out


def timed(fn, texts: list[tuple[str, str]], rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        for platform, text in texts:
            fn(text, platform)
    return time.perf_counter() - start


def pathological(n: int) -> list[str]:
    return ["x" * n + " ## SECRET-DATA", "a" * n + "://", "%^%#" * (n // 4), " " * n + "key", "\t" * n + ";"]


def long_lines() -> None:
    """Per platform: time of the 20,000-character lines against the 2,000-character ones."""
    for platform in sorted(PLATFORMS):
        short, long_ = ([(platform, line) for line in pathological(n)] for n in (2000, 20000))
        t_short, t_long = timed(sanitize, short, 3), timed(sanitize, long_, 3)
        print(f"long lines {platform:14s} 2k {t_short * 1e3:7.1f} ms  20k {t_long * 1e3:8.1f} ms  x{t_long / t_short:5.1f}")


def old_sanitize(ref: str):
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{ref}:src/netpatrol/backup/sanitize.py"],
                            capture_output=True, text=True, check=True).stdout
    path = Path(tempfile.mkdtemp()) / "sanitize_baseline.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("sanitize_baseline", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["sanitize_baseline"] = module
    spec.loader.exec_module(module)
    return module.sanitize


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--baseline-rules", default=None)
    args = ap.parse_args()
    texts = configs()
    size = sum(len(t) for _, t in texts)
    lines = sum(t.count("\n") for _, t in texts)
    print(f"{len(texts)} configs, {lines} lines, {size / 1e6:.2f} MB per round, {args.rounds} rounds")
    rows = [("configtext.clean (baseline)", timed(lambda t, p: clean(t, PLATFORMS[p]), texts, args.rounds)),
            ("sanitize (this tree)", timed(sanitize, texts, args.rounds))]
    if args.baseline_rules:
        rows.append((f"sanitize ({args.baseline_rules})", timed(old_sanitize(args.baseline_rules), texts, args.rounds)))
    base = rows[0][1]
    for label, seconds in rows:
        per_line = seconds / (lines * args.rounds) * 1e6
        print(f"{label:32s} {seconds:7.3f} s  {per_line:6.2f} us/line  x{seconds / base:5.2f} baseline")
    long_lines()


if __name__ == "__main__":
    main()
