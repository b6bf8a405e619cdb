"""Score the inspection's parse + normalise path on the held-out real captures in bench/truth/.

    .venv/bin/python bench/parse_truth.py                  # table per platform and per family
    .venv/bin/python bench/parse_truth.py --details        # plus every capture that is not right
    .venv/bin/python bench/parse_truth.py --json           # one JSON document (cases included)
    PYTHONPATH=/tmp/base/src .venv/bin/python bench/parse_truth.py   # score another checkout

Each capture is `<platform>/<command_slug>/<name>.raw` with `<name>.truth.yml` (source, licence,
family, group, command, expect: the key facts read off the capture by hand); bench/truth/README.md
says what "right" means per fact. A capture is
  right    every expected fact right
  wrong    at least one fact has a value that is not the device's
  nothing  no wrong value, but a fact is missing (status not parsed, or the facts empty)
  silent   nothing, and the status was `parsed`/`empty`: no parse problem would be reported.
Captures whose text a test pair of the scored tree (tests/parsers, ../shared/corpus) already holds
are listed as seen and left out of the held-out figures. This is a measurement: the exit code is 0.
"""

from __future__ import annotations

import repo_env  # noqa: F401 - re-runs with the clone's .venv when netpatrol is not importable

import argparse
import json
import re
import subprocess
import sys
import traceback
from collections import Counter
from pathlib import Path

import yaml

from truth_records import records_match

TRUTH = Path(__file__).resolve().parent / "truth"
LOG_CAP = 200  # health.logs keeps the newest 200 entries
SILENT_STATUSES = ("parsed", "empty")
_STATUS_CLASS = {"ok": "ok", "failed": "failed", "warning": "failed", "absent": "absent"}


# --- running the inspection's path ---------------------------------------------------------------

def _items(platform: str, command: str) -> list[str]:
    """Every catalogue item the command serves (EOS `show version` gives version and memory); for
    trees older than `capture.catalogue_items`."""
    from netpatrol.inspection.catalogue import load_job
    from netpatrol.inspection.parsing import normalise_command

    job = load_job(None, "quarterly")
    return [item for item, alternatives in job.platforms.get(platform, {}).items()
            if normalise_command(command) in map(normalise_command, alternatives)]


def _parse_with_catalogue(platform: str, command: str, text: str) -> dict:
    """What the inspection did with one output before `capture.parse_capture`: parse with the
    command's template, normalise the rows under every catalogue item the command serves."""
    from netpatrol.inspection import parsing
    from netpatrol.inspection.normalise import normalise

    items = _items(platform, command)
    outcome = parsing.parse(platform, command, text)
    parsed = {item: outcome.rows for item in items}
    facts, health = normalise(platform, parsed, {item: text for item in items})
    return {"platform": platform, "command": command, "status": outcome.status,
            "template": outcome.template, "rows": outcome.rows,
            "facts": facts.model_dump(), "health": health.model_dump()}


def parser():
    """(name, function) of the path being scored: the capture contract when the tree has it."""
    try:
        from netpatrol.inspection.capture import parse_capture
    except ImportError:
        return "parsing.parse + normalise", _parse_with_catalogue
    return "capture.parse_capture", parse_capture  # it normalises under every item the command serves


def run(fn, platform: str, command: str, text: str) -> dict:
    try:
        return fn(platform, command, text)
    except Exception as exc:  # noqa: BLE001 - a crash is scored (as nothing, reported), not fatal
        return {"status": "crash", "error": f"{type(exc).__name__}: {exc}",
                "trace": traceback.format_exc(limit=3), "facts": {}, "health": {}}


# --- judging one fact ----------------------------------------------------------------------------

def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _token_in(expected: str, got: str) -> bool:
    pattern = r"(?<![A-Za-z0-9])" + re.escape(str(expected)) + r"(?![A-Za-z0-9])"
    return re.search(pattern, str(got), re.IGNORECASE) is not None


def _empty(value) -> bool:
    return value is None or value == "" or value == []


def judge_fact(name: str, expected, got) -> str:
    """'right', 'wrong' or 'missing' for one expected fact against the parsed value."""
    if name in ("model", "os_version", "serial", "hostname"):
        if _empty(got):
            return "missing"
        return "right" if any(_token_in(e, got) for e in _as_list(expected)) else "wrong"
    if name == "uptime_seconds":
        if got is None:
            return "missing"
        return "right" if abs(int(got) - int(expected)) <= max(120, expected * 0.001) else "wrong"
    if name in ("cpu_percent", "memory_percent"):
        if got is None:
            return "missing"
        return "right" if any(abs(float(got) - float(e)) <= 1.0 for e in _as_list(expected)) else "wrong"
    if name == "ntp_synced":
        if got is None:
            return "missing"
        return "right" if bool(got) == bool(expected) else "wrong"
    if name in ("fans", "power_supplies", "boards"):
        return _judge_components(expected, got or [])
    if name == "temperatures":
        if not got:
            return "missing"
        want = sorted(float(t["celsius"]) for t in expected)
        have = sorted(float(t["celsius"]) for t in got if t.get("celsius") is not None)
        return "right" if len(want) == len(have) and all(abs(a - b) <= 1 for a, b in zip(want, have, strict=True)) else "wrong"
    if name == "interfaces":
        if not got:
            return "missing"
        up = sum(1 for i in got if i.get("oper_up") is True)
        down = sum(1 for i in got if i.get("oper_up") is False)
        return "right" if (up, down) == (expected["up"], expected["down"]) and up + down == len(got) else "wrong"
    if name in ("ospf", "bgp"):
        if not got:
            return "missing" if expected else "right"
        want = Counter((p["neighbor"], _state(p["state"])) for p in expected)
        have = Counter((p.get("neighbor"), _state(p.get("state"))) for p in got)
        return "right" if want == have else "wrong"
    if name in ("logs", "alarms"):
        counts = [min(int(n), LOG_CAP) for n in _as_list(expected)]
        if not got and 0 not in counts:
            return "missing"
        return "right" if len(got or []) in counts else "wrong"
    if name in ("arp_entries", "mac_entries"):
        if got is None or (int(got) == 0 and 0 not in map(int, _as_list(expected))):
            return "missing"  # no rows counted: the same as an empty log list
        return "right" if int(got) in map(int, _as_list(expected)) else "wrong"
    if name == "stack_members":
        return _judge_components(expected, got or [])
    if name in ("transceivers", "vrrp", "stp"):
        if not got:
            return "missing"
        return "right" if records_match(expected, got) else "wrong"
    raise ValueError(f"no rule for the fact {name!r}")


def _state(state) -> str:
    return (state or "").lower().split("/")[0].strip()


def _judge_components(expected, got: list) -> str:
    """Count and status (ok / failed / absent) of each fan or power supply. Absent slots may be
    listed as absent or left out; they must never come out ok or failed."""
    if not got:
        return "missing"
    options = expected["any_of"] if isinstance(expected, dict) else [expected]
    have = sorted(c for c in (_STATUS_CLASS.get(x.get("status"), "unknown") for x in got) if c != "absent")
    for option in options:
        want = sorted(c["status"] for c in option if c["status"] != "absent")
        if want == have:
            return "right"
    return "wrong"


def judge(expect: dict, result: dict) -> dict[str, dict]:
    verdicts = {}
    for part in ("facts", "health"):
        got_part = result.get(part) or {}
        for name, expected in (expect.get(part) or {}).items():
            got = got_part.get(name)
            verdicts[f"{part}.{name}"] = {"verdict": judge_fact(name, expected, got),
                                          "expected": expected, "got": _short(got)}
    return verdicts


def _short(got):
    """What the report shows of a parsed value: statuses for components, counts for lists."""
    if isinstance(got, list) and got and isinstance(got[0], dict):
        keys = [k for k in ("name", "neighbor", "status", "state", "celsius", "oper_up") if k in got[0]]
        if len(got) > 12 or not keys:
            return f"{len(got)} entries"
        return [{k: g.get(k) for k in keys} for g in got]
    return got


def outcome(verdicts: dict, status: str) -> tuple[str, bool]:
    kinds = {v["verdict"] for v in verdicts.values()}
    if "wrong" in kinds:
        return "wrong", False
    if "missing" in kinds:
        return "nothing", status in SILENT_STATUSES
    return "right", False


# --- the set and the tree ------------------------------------------------------------------------

def load_cases(root: Path) -> list[dict]:
    cases = []
    for truth in sorted(root.rglob("*.truth.yml")):
        raw = truth.with_name(truth.name[: -len(".truth.yml")] + ".raw")
        doc = yaml.safe_load(truth.read_text(encoding="utf-8"))
        platform = truth.relative_to(root).parts[0]
        cases.append({"key": str(raw.relative_to(root))[:-4], "platform": platform, "command": doc["command"],
                      "family": doc.get("family"), "group": doc.get("group") or doc.get("family") or platform,
                      "text": raw.read_text(encoding="utf-8"), "expect": doc["expect"]})
    return cases


def _significant(text: str) -> list[str]:
    return [s for line in text.splitlines() if re.search(r"[A-Za-z0-9]", s := " ".join(line.split()))]


def tree_root() -> Path:
    import netpatrol

    return Path(netpatrol.__file__).resolve().parents[2]


def seen_texts(root: Path) -> list[tuple[str, set[str], str]]:
    """Captures the scored tree's tests already read: its test pairs and the shared corpus (beside
    the scored tree or beside this clone)."""
    found = []
    corpora = {root.parent / "shared" / "corpus", Path(__file__).resolve().parents[2] / "shared" / "corpus"}
    for base in (root / "tests" / "parsers", *sorted(corpora)):
        if base.is_dir():
            for path in base.rglob("*.raw"):
                text = path.read_text(encoding="utf-8", errors="replace")
                lines = _significant(text)
                found.append((str(path), set(lines), "\n".join(lines)))
    return found


def seen_by(text: str, seen: list[tuple[str, set[str], str]]) -> str | None:
    """The test file holding this capture: the same significant lines, or (for captures of five
    lines or more) at least 80 % of them."""
    lines = _significant(text)
    joined, wanted = "\n".join(lines), set(lines)
    for path, have, have_joined in seen:
        if joined == have_joined or (len(wanted) >= 5 and len(wanted & have) >= 0.8 * len(wanted)):
            return path
    return None


def _commit(root: Path) -> str | None:
    res = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return res.stdout.strip() or None


# --- report --------------------------------------------------------------------------------------

def tally(cases: list[dict]) -> dict:
    n = len(cases)
    counts = Counter(c["outcome"] for c in cases)
    return {"captures": n, "right": counts["right"], "wrong": counts["wrong"], "nothing": counts["nothing"],
            "silent": sum(1 for c in cases if c["silent"]),
            "percent_right": round(100.0 * counts["right"] / n, 1) if n else None}


def score(truth: Path) -> dict:
    path_name, fn = parser()
    root = tree_root()
    seen = seen_texts(root)
    cases = load_cases(truth)
    for case in cases:
        result = run(fn, case["platform"], case["command"], case["text"])
        case["status"] = result.get("status")
        case["template"] = result.get("template")
        case["error"] = result.get("error")
        case["facts"] = judge(case["expect"], result)
        case["outcome"], case["silent"] = outcome(case["facts"], case["status"])
        case["seen_in"] = seen_by(case["text"], seen)
        del case["text"]
    held_out = [c for c in cases if not c["seen_in"]]
    return {
        "tree": str(root), "commit": _commit(root), "path": path_name, "truth": str(truth),
        "held_out": tally(held_out), "all": tally(cases),
        "seen_by_tests": [c["key"] for c in cases if c["seen_in"]],
        "by_platform": {p: tally([c for c in held_out if c["platform"] == p])
                        for p in sorted({c["platform"] for c in cases})},
        "by_group": {g: tally([c for c in held_out if c["group"] == g]) for g in sorted({c["group"] for c in cases})},
        "cases": cases,
    }


def _row(label: str, t: dict) -> str:
    pct = "-" if t["percent_right"] is None else f"{t['percent_right']:.1f} %"
    return (f"  {label:<40} {t['captures']:>4} {t['right']:>6} {t['wrong']:>6} {t['nothing']:>8} "
            f"{t['silent']:>7} {pct:>9}")


def print_report(report: dict, details: bool) -> None:
    print(f"tree {report['tree']} ({report['commit'] or 'no git'}), path: {report['path']}")
    print(f"truth {report['truth']}")
    header = f"  {'':<40} {'caps':>4} {'right':>6} {'wrong':>6} {'nothing':>8} {'silent':>7} {'right %':>9}"
    for title, table in (("per platform", report["by_platform"]), ("per family", report["by_group"])):
        print(f"\n{title} (held out)\n{header}")
        for label, t in table.items():
            print(_row(label, t))
    print(f"\n{header}")
    print(_row("held out (no test has seen them)", report["held_out"]))
    print(_row("all captures", report["all"]))
    if report["seen_by_tests"]:
        print(f"\n{len(report['seen_by_tests'])} capture(s) already in the tree's tests, not held out:")
        for case in report["cases"]:
            if case["seen_in"]:
                print(f"  {case['key']}  ~ {case['seen_in']}")
    if details:
        print("\ncaptures that are not right:")
        for case in report["cases"]:
            if case["outcome"] == "right":
                continue
            silent = " SILENT" if case["silent"] else ""
            print(f"  {case['key']}: {case['outcome']}{silent} (status {case['status']}, "
                  f"template {Path(case['template']).name if case['template'] else None})")
            if case.get("error"):
                print(f"      error: {case['error'][:200]}")
            for fact, v in case["facts"].items():
                if v["verdict"] != "right":
                    print(f"      {fact}: {v['verdict']}; expected {v['expected']!r}, got {v['got']!r}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--truth", type=Path, default=TRUTH, help="the evaluation set (default: bench/truth)")
    ap.add_argument("--json", action="store_true", help="print one JSON document instead of tables")
    ap.add_argument("--details", action="store_true", help="list every capture that is not right, fact by fact")
    args = ap.parse_args(argv)
    report = score(args.truth)
    if args.json:
        json.dump(report, sys.stdout, indent=1, default=str)
        print()
    else:
        print_report(report, args.details)
    return 0


if __name__ == "__main__":
    sys.exit(main())
