"""Workspace regexes that backtrack without end are stopped in the threads that run them.

Config checks are matched, and backup-time compliance rules judged, where the config is: in the
collection threads (and a zone worker's), where no SIGALRM arrives. Python's `re` would also keep
the GIL there and freeze the whole process. Each run here is a child process with a deadline, so a
regression fails the test instead of freezing the test run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml

from fault_world import set_env

# Exponential backtracking on a line without a digit, in `re` and in the `regex` engine alike.
BOMB = r"^(\S|\S\S|\s)+\d$"
TEXT = {"zh-CN": "x", "en": "x"}
HOST, OTHER = "rx-ios-1", "rx-ios-2"
# Long lines without a digit: at the top (compliance rules without `under` read those) and nested.
CONFIG = (f"hostname {HOST}\n!\ninterface GigabitEthernet0/1\n description {'uplink to the core switch ' * 4}\n"
          "!\nsnmp-server location the main equipment room on the ground floor of the north building\n"
          "snmp-server community Zq7secret RO\n!\nend\n")
DEADLINE = 120  # seconds for a child whose regexes are limited to 1 s; unlimited, they run for years


def child(code: str, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True, text=True,
                              timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running after {DEADLINE} s: the regex was not stopped in its thread")
    return done, time.monotonic() - started


def test_a_config_pattern_is_stopped_in_a_thread_while_the_other_threads_run_on() -> None:
    done, _ = child(f"""
        import json, threading, time
        from netpatrol.checks import engine
        engine.REGEX_SECONDS = 1.0
        config = {CONFIG!r}
        out, gaps = {{}}, []
        worker = threading.Thread(target=lambda: out.update(r=engine.match_config(
            {{"site_bomb": {{"cisco_ios": {BOMB!r}}}, "site_host": {{"cisco_ios": r"^hostname \\S+"}}}},
            "cisco_ios", config)), daemon=True)
        started = time.monotonic()
        worker.start()
        last = started
        while worker.is_alive() and time.monotonic() - started < 30:
            time.sleep(0.01)
            now = time.monotonic()
            gaps.append(now - last)
            last = now
        print(json.dumps([out.get("r"), time.monotonic() - started, max(gaps)]))
    """)
    assert done.returncode == 0, done.stderr
    (matches, overrun), took, gap = json.loads(done.stdout)
    assert overrun == ["site_bomb"] and matches == {"site_host": [f"hostname {HOST}"]}
    assert 0.9 < took < 10
    # The matching thread left the GIL to the others: this one kept its 10 ms beat.
    assert gap < 0.5, f"the main thread stalled {gap} s while the regex ran"


def test_a_compliance_rule_is_stopped_in_a_thread_and_left_unknown() -> None:
    done, took = child(f"""
        import threading
        from netpatrol.compliance import evaluate as ev
        from netpatrol.compliance.model import Pack
        ev.RULE_SECONDS = 1.0
        rule = {{"title": {TEXT!r}, "category": "snmp", "clause": "x", "severity": "minor", "at_backup": True}}
        pack = Pack.model_validate({{"pack": "p", "title": {TEXT!r}, "standard": "x", "rules": [
            {{**rule, "id": "slow", "platforms": {{"cisco_ios": {{"conditions": [{{"present": {BOMB!r}}}]}}}}}},
            {{**rule, "id": "fine", "platforms": {{"cisco_ios": {{"conditions": [{{"present": "^hostname"}}]}}}}}}]}})
        out = {{}}
        t = threading.Thread(target=lambda: out.update(v=ev.evaluate_at_backup(
            [pack], host="r1", platform="cisco_ios", text={CONFIG!r}, saved_matches=None)), daemon=True)
        t.start()
        t.join(30)
        print(out["v"].model_dump_json(by_alias=True))
    """)
    assert done.returncode == 0, done.stderr
    verdicts = json.loads(done.stdout)["verdicts"]["p"]
    assert (verdicts["slow"]["status"], verdicts["fine"]["status"]) == ("unknown", "pass")
    assert "ran longer than 1 s" in json.dumps(verdicts["slow"]["evidence"]) and took < 30


# --- the same through the CLI, in the collection threads of an SSH run over the lab ---------------

RUN_CLI = """
    import sys
    from netpatrol.checks import engine
    from netpatrol.compliance import evaluate
    engine.REGEX_SECONDS = evaluate.RULE_SECONDS = 1.0
    from netpatrol.cli.root import main
    sys.argv[0] = "netpatrol"
    main()
"""


@pytest.fixture
def ws(make_lab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "ws"
    lab = make_lab({HOST: "cisco_ios", OTHER: "cisco_ios"}, workspace=root)
    set_env(monkeypatch)  # the children inherit the device passwords
    lab.set_config(HOST, CONFIG)
    return root


@pytest.mark.lab
def test_inspect_names_the_check_whose_pattern_ran_too_long_in_a_collection_thread(ws: Path) -> None:
    (ws / "checks").mkdir()
    (ws / "checks" / "site.yaml").write_text(yaml.safe_dump({"checks": [
        {"id": "site_bomb", "title": TEXT, "severity": "info", "recommendation": TEXT,
         "condition": {"config": {"mode": "must_not_match", "patterns": {"cisco_ios": BOMB}}}}]}), encoding="utf-8")
    done, took = child(RUN_CLI, "inspect", "-w", str(ws), "--json")
    assert done.returncode == 2, done.stdout + done.stderr
    assert (f"checks/site.yaml: check 'site_bomb': its regex ran longer than 1 s on host {HOST}"
            in " ".join((done.stdout + done.stderr).split())), done.stdout + done.stderr
    assert took < 90


@pytest.mark.lab
def test_a_backup_time_rule_that_runs_too_long_is_unknown_and_the_backup_is_saved(ws: Path) -> None:
    (ws / "compliance").mkdir()
    (ws / "compliance" / "site.yaml").write_text(yaml.safe_dump({
        "pack": "site", "title": TEXT, "standard": "x", "rules": [
            {"id": "slow", "title": TEXT, "category": "snmp", "clause": "x", "severity": "minor", "at_backup": True,
             "platforms": {"cisco_ios": {"conditions": [{"present": BOMB}]}}}]}), encoding="utf-8")
    done, took = child(RUN_CLI, "backup", "-w", str(ws), "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert {d["host"]: d["status"] for d in json.loads(done.stdout)["devices"]} == {HOST: "saved", OTHER: "saved"}
    verdict = json.loads(next((ws / "backups" / "compliance" / "backup").rglob(f"{HOST}.json")).read_text("utf-8"))
    slow = verdict["verdicts"]["site"]["slow"]
    assert slow["status"] == "unknown" and "ran longer than 1 s" in json.dumps(slow["evidence"])
    assert took < 90
