"""Baseline compliance through the pipeline, on the lab: verdicts of `at_backup` rules committed
with the backup, `comply` over the stored configs (latest and `--at`), the period records an
inspection commits with their changes against the previous period, `inventory list` counts, and a
broken pack never blocking a backup or an inspection. No secret value planted in the lab reaches a
compliance file, its Git history, or `comply`'s output.

The rules are a workspace pack (the workspace's compliance/), written here for exactly what the
lab can flip: an SNMP community `public` (needs the unsanitised text: an at-backup rule), telnet
on the vty lines and the vty idle timeout (evaluated on the stored, sanitised config).
"""

from __future__ import annotations

import json
import pickle
import re
import subprocess
from functools import partial
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fault_world import ENABLE, PASSWORD, set_env
from netpatrol.backup.task import fetch_config
from netpatrol.cli.root import app
from netpatrol.compliance.records import backup_packs
from netpatrol.lab.planted import SCENARIO, planted
from netpatrol.workspace.settings import Workspace

pytestmark = [pytest.mark.lab, pytest.mark.xdist_group("compliance_pipeline")]
runner = CliRunner()

IOS, VRP = "cmp-ios", "cmp-vrp"
PACK = "lab-baseline"
# The built-in 等保 pack's rules for the same three violations (one judged at backup time).
BUILTIN, BUILTIN_FLIPS = "dengbao-l3", ("snmp-default-community", "telnet-disabled", "vty-idle-timeout")
SNMP, ACL, TELNET, TIMEOUT = "snmp-no-default-community", "snmp-community-acl", "vty-no-telnet", "vty-idle-timeout"
PACK_YAML = r"""
pack: lab-baseline
title: {zh-CN: 实验室基线, en: Lab baseline}
standard: GB/T 22239-2019
rules:
  - id: snmp-no-default-community
    title: {zh-CN: 不使用默认 SNMP 团体名, en: No default SNMP community}
    category: snmp
    clause: "8.1.4.1 a)"
    severity: major
    at_backup: true
    platforms:
      cisco_ios:
        conditions:
          - absent: '^snmp-server community (public|private)\b'
        remediation: ['no snmp-server community <community>']
  - id: snmp-community-acl
    title: {zh-CN: SNMP 团体名限制访问地址, en: SNMP communities limited by an ACL}
    category: snmp
    clause: "8.1.3.2 a)"
    severity: minor
    at_backup: true
    platforms:
      cisco_ios:
        conditions:
          - absent: '^snmp-server community \S+ R[OW]\s*$'
        remediation: ['snmp-server community <community> RO SNMP-RO']
  - id: vty-no-telnet
    title: {zh-CN: 远程管理不使用 telnet, en: No telnet on the remote access lines}
    category: access_control
    clause: "8.1.4.1 d)"
    severity: critical
    platforms:
      cisco_ios:
        conditions:
          - under: ['^line vty']
            absent: '^transport input .*telnet'
        remediation: ['line vty 0 15', ' transport input ssh']
  - id: vty-idle-timeout
    title: {zh-CN: 远程登录空闲超时不超过 10 分钟, en: Remote sessions time out within 10 minutes}
    category: identity
    clause: "8.1.4.1 b)"
    severity: minor
    platforms:
      cisco_ios:
        conditions:
          - under: ['^line vty']
            value: {line: '^exec-timeout (?P<minutes>\d+)(?: (?P<seconds>\d+))?', op: le, threshold: 10,
                    unit: minutes, default: 10}
        remediation: ['line vty 0 15', ' exec-timeout 10 0']
"""
# A regex that does not compile: the loader's ComplianceError names the file and the rule.
BAD_PACK_YAML = PACK_YAML.replace(r"'^transport input .*telnet'", "'^transport input (telnet'")


@pytest.fixture(scope="module")
def lab(make_module_lab):
    # Every secret-bearing config form of the VRP device holds a known value; the IOS device gets
    # the one-line forms in the tests (its own community must pass the ACL rule first).
    return make_module_lab({IOS: "cisco_ios", VRP: "huawei_vrp"}, scenarios={VRP: [SCENARIO]})


@pytest.fixture
def ws(lab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    set_env(monkeypatch)
    root = lab.write_workspace(tmp_path / "ws")
    (root / "compliance").mkdir()
    (root / "compliance" / "lab.yaml").write_text(PACK_YAML, encoding="utf-8")
    return root


@pytest.fixture
def ios_config(lab):
    """Change the IOS device's running config (`edit(text -> text)`; the lab writes it at the first
    login, so after a backup); the first config seen is restored after the test."""
    original: list[str] = []

    def edit(change) -> None:
        current = lab.config(IOS)
        original[:1] = original[:1] or [current]
        text = change(current)
        assert text != current
        lab.set_config(IOS, text)

    yield edit
    if original:
        lab.set_config(IOS, original[0])


def np(ws: Path, *args: str):
    return runner.invoke(app, [*args, "-w", str(ws)])


def git(ws: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(ws / "backups"), *args], check=True, capture_output=True, text=True).stdout


def backup(ws: Path, *args: str) -> dict:
    res = np(ws, "backup", "--json", *args)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def comply(ws: Path, *args: str, pack: str | None = PACK) -> list[dict]:
    """`comply --json` of the lab pack (the built-in packs are judged by their own tests)."""
    res = np(ws, "comply", "--json", *args, *(["--pack", pack] if pack and "--pack" not in args else []))
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def status(results: list[dict], host: str, rule: str) -> str:
    return next(r["status"] for r in results if r["host"] == host and r["rule"] == rule)


def verdicts(ws: Path, host: str) -> dict:
    path = next((ws / "backups" / "compliance" / "backup").rglob(f"{host}.json"))
    return json.loads(path.read_text(encoding="utf-8"))


def public_community(text: str) -> str:
    return text.replace("snmp-server location", "snmp-server community public RO\nsnmp-server location", 1)


IOS_PLANTED = [s for s in planted("cisco_ios") if "\n" not in s.text]


def planted_lines(text: str) -> str:
    """The IOS device's one-line planted secrets (a community without ACL among them) before `end`."""
    assert any("snmp-server community" in s.text for s in IOS_PLANTED)
    head, _, tail = text.rpartition("\nend")
    return head + "\n" + "\n".join(s.text for s in IOS_PLANTED) + "\nend" + tail


def telnet_and_long_timeout(text: str) -> str:
    vty = text.index("line vty 0 4")
    head, tail = text[:vty], text[vty:]
    tail = tail.replace(" exec-timeout 10 0", " exec-timeout 30 0", 1).replace(" transport input ssh", " transport input telnet ssh", 1)
    return head + tail


SECRETS = {PASSWORD, ENABLE, *(s.value for s in IOS_PLANTED), *(s.value for s in planted("huawei_vrp"))}


def assert_no_secret(text: str, where: str) -> None:
    found = sorted(s for s in SECRETS if s in text)
    assert not found, f"{where} holds planted secret values {found}"


def evidence(doc) -> str:
    """Every evidence line in a record, verdict file or `comply --json` document (a stored note in
    both its languages)."""
    if isinstance(doc, dict):
        lines = [e if isinstance(e, str) else "\n".join(e.values()) for e in doc.get("evidence", [])]
        return "\n".join([*lines, *(evidence(v) for k, v in doc.items() if k != "evidence")])
    return "\n".join(evidence(v) for v in doc) if isinstance(doc, list) else ""


def assert_no_default_community(doc, where: str) -> None:
    # The default community is a secret's value too: only the verdict may say it was there.
    assert not re.search(r"community\s+public\b", evidence(doc)), f"{where} quotes the community value"


def test_backup_commits_verdicts_and_no_secret_reaches_records_output_or_history(ws, lab, ios_config):
    first = backup(ws)
    assert first["compliance_warning"] is None
    committed = git(ws, "show", "--name-only", "--format=", first["commit"]).split()
    ios_path = next(p for p in committed if p.startswith("compliance/backup/") and p.endswith(f"/{IOS}.json"))
    assert any(p.startswith("configs/") and p.endswith(f"/{IOS}.cfg") for p in committed), "in the backup's own commit"
    v = verdicts(ws, IOS)
    assert v["host"] == IOS and v["verdicts"][PACK][SNMP]["status"] == "pass"
    assert sorted(v["verdicts"][PACK]) == sorted([SNMP, ACL]), "only at-backup rules are judged at backup time"
    assert v["verdicts"][PACK][ACL]["status"] == "pass"
    assert "evaluated_at" not in json.dumps(v)

    # Unchanged device, unchanged verdict: no file rewritten, no commit.
    again = backup(ws)
    assert again["commit"] is None and again["counts"]["unchanged"] == 2, again
    assert git(ws, "log", "--format=%H", "--", ios_path).split() == [first["commit"]]

    # The planted violation is judged on the unsanitised text, stored as a verdict only.
    ios_config(lambda t: planted_lines(public_community(t)))
    flipped = backup(ws)
    assert verdicts(ws, IOS)["verdicts"][PACK][SNMP]["status"] == "fail"
    acl = verdicts(ws, IOS)["verdicts"][PACK][ACL]
    assert acl["status"] == "fail" and any("snmp-server community <removed> RO" in e for e in acl["evidence"]), acl
    assert ios_path in git(ws, "show", "--name-only", "--format=", flipped["commit"]).split()
    results = comply(ws)
    assert status(results, IOS, SNMP) == "fail"
    assert_no_default_community(results, "comply --json")
    assert_no_default_community(verdicts(ws, IOS), "the verdict file")
    everything = comply(ws, pack=None)
    assert {r["pack"] for r in everything} >= {PACK} and len(everything) >= len(results)
    assert {r["status"] for r in results if r["host"] == VRP} == {"unknown"}, "no rule written for that platform"
    assert set(results[0]) == {"host", "site", "platform", "pack", "rule", "status", "severity", "clause", "title",
                               "evidence", "remediation"}
    text = np(ws, "comply", "--pack", PACK)
    assert text.exit_code == 0, text.output
    assert SNMP in text.output and "remediation" in text.output

    for path in (ws / "backups" / "compliance").rglob("*.json"):
        assert_no_secret(path.read_text(encoding="utf-8"), str(path))
    assert_no_secret(json.dumps(everything, ensure_ascii=False), "comply --json")
    assert_no_secret(np(ws, "comply").output, "comply")
    assert_no_secret(git(ws, "log", "-p", "--all", "--", "compliance"), "the history of compliance/")


def test_the_backup_packs_travel_to_shard_processes(ws):
    """A sharded run pickles the procedure, packs included, to each child process."""
    packs, warning = backup_packs(Workspace(ws))
    assert warning is None and [r.id for p in packs for r in p.rules if p.pack == PACK] == [SNMP, ACL]
    procedure = partial(fetch_config, previous=None, secrets="all", max_shrink=0.5, compare_saved=True, packs=packs)
    assert pickle.loads(pickle.dumps(procedure)).keywords["packs"] == packs


def test_planted_violations_flip_pass_fail_pass(ws, lab, ios_config):
    backup(ws)
    before = comply(ws)
    assert [status(before, IOS, r) for r in (SNMP, TELNET, TIMEOUT)] == ["pass"] * 3
    assert [status(comply(ws, pack=BUILTIN), IOS, r) for r in BUILTIN_FLIPS] == ["pass"] * 3
    good = git(ws, "rev-parse", "HEAD").strip()

    ios_config(lambda t: public_community(telnet_and_long_timeout(t)))
    backup(ws)
    bad = comply(ws)
    assert [status(bad, IOS, r) for r in (SNMP, TELNET, TIMEOUT)] == ["fail"] * 3
    assert [status(comply(ws, pack=BUILTIN), IOS, r) for r in BUILTIN_FLIPS] == ["fail"] * 3, "the built-in pack too"
    telnet = next(r for r in bad if r["host"] == IOS and r["rule"] == TELNET)
    assert telnet["severity"] == "critical" and telnet["clause"] == "8.1.4.1 d)"
    assert telnet["title"] == "No telnet on the remote access lines"  # the workspace's language (en)
    assert telnet["remediation"] == ["line vty 0 15", " transport input ssh"] and telnet["evidence"]
    failed = comply(ws, "--failed")
    assert {(r["host"], r["rule"]) for r in failed} == {(IOS, SNMP), (IOS, ACL), (IOS, TELNET), (IOS, TIMEOUT)}
    assert [r["rule"] for r in comply(ws, "--host", IOS, "--pack", PACK, "--failed")] == [SNMP, ACL, TELNET, TIMEOUT]

    # As of the earlier commit: that commit's config and that commit's backup verdicts.
    then = comply(ws, "--at", good)
    assert [status(then, IOS, r) for r in (SNMP, TELNET, TIMEOUT)] == ["pass"] * 3

    ios_config(lambda t: t.replace("snmp-server community public RO\n", "")
               .replace(" exec-timeout 30 0", " exec-timeout 10 0").replace(" transport input telnet ssh", " transport input ssh"))
    backup(ws)
    after = comply(ws)
    assert [status(after, IOS, r) for r in (SNMP, TELNET, TIMEOUT)] == ["pass"] * 3
    assert [status(comply(ws, pack=BUILTIN), IOS, r) for r in BUILTIN_FLIPS] == ["pass"] * 3


def test_comply_refuses_an_unknown_pack_a_bad_ref_and_a_bad_pack(ws):
    backup(ws)
    assert np(ws, "comply", "--pack", "no-such-pack").exit_code == 2
    res = np(ws, "comply", "--at", "no-such-ref")
    assert res.exit_code == 2 and "no-such-ref" in res.output
    (ws / "compliance" / "lab.yaml").write_text(BAD_PACK_YAML, encoding="utf-8")
    res = np(ws, "comply", "--json")
    assert res.exit_code == 2 and "lab.yaml" in res.output


def test_a_pack_error_never_blocks_a_backup_and_leaves_the_verdicts(ws, lab, ios_config):
    backup(ws)
    stored = verdicts(ws, IOS)
    (ws / "compliance" / "lab.yaml").write_text(BAD_PACK_YAML, encoding="utf-8")
    ios_config(public_community)
    res = np(ws, "backup", "--json")
    assert res.exit_code == 0, res.output
    run = json.loads(res.stdout)
    assert run["counts"]["saved"] == 1 and "lab.yaml" in run["compliance_warning"]
    assert "warning" in res.stderr and "lab.yaml" in res.stderr
    assert res.stderr.count("compliance packs not evaluated") == 1, "one warning per run, not per device"
    assert verdicts(ws, IOS) == stored, "the last verdict stays: it is not re-judged"
    assert not [p for p in git(ws, "show", "--name-only", "--format=", run["commit"]).split() if p.startswith("compliance/")]


def test_inspection_commits_period_records_with_changes_and_inventory_counts_them(ws, lab, ios_config):
    backup(ws)
    res = np(ws, "inspect", "--period", "2026Q3", "--backfill", "--json", "--host", IOS, "--host", VRP)
    assert res.exit_code == 0, res.output
    q3 = json.loads(res.stdout)
    assert q3["compliance"]["packs"][PACK]["fail"] == 0 and q3["compliance"]["devices"] == 2
    tagged = git(ws, "ls-tree", "-r", "--name-only", "inspection/2026Q3", "--", "compliance/2026Q3").split()
    assert "compliance/2026Q3/summary.json" in tagged and any(p.endswith(f"/{IOS}.json") for p in tagged)

    ios_config(telnet_and_long_timeout)
    backup(ws)
    res = np(ws, "inspect", "--period", "2026Q4", "--json", "--host", IOS, "--host", VRP)
    assert res.exit_code == 0, res.output
    record_path = next((ws / "backups" / "compliance" / "2026Q4").rglob(f"{IOS}.json"))
    record = json.loads(record_path.read_text(encoding="utf-8"))
    assert record["period"] == "2026Q4" and record["config_commit"]
    assert {(c["rule"], c["previous"], c["current"]) for c in record["changes"] if c["pack"] == PACK} == {
        (TELNET, "pass", "fail"), (TIMEOUT, "pass", "fail")}
    vrp = json.loads(next((ws / "backups" / "compliance" / "2026Q4").rglob(f"{VRP}.json")).read_text(encoding="utf-8"))
    assert not [c for c in vrp["changes"] if c["pack"] == PACK], "unchanged rules are no change"
    summary = json.loads((ws / "backups" / "compliance" / "2026Q4" / "summary.json").read_text(encoding="utf-8"))
    results = record["results"] + vrp["results"]
    assert summary["packs"][PACK]["fail"] == 2 and summary["status"]["fail"] == sum(r["status"] == "fail" for r in results)
    assert summary["failed_by_severity"] == {s: sum(r["status"] == "fail" and r["severity"] == s for r in results)
                                             for s in ("critical", "major", "minor", "info")}
    assert summary["failed_by_severity"]["critical"] >= 1 and summary["failed_by_severity"]["minor"] >= 1
    assert summary["changes"] == len(record["changes"]) + len(vrp["changes"]) and summary["devices"] == 2
    assert "compliance/2026Q4/summary.json" in git(ws, "ls-tree", "-r", "--name-only", "inspection/2026Q4").split()
    for path in (ws / "backups" / "compliance").rglob("*.json"):
        assert_no_secret(path.read_text(encoding="utf-8"), str(path))
        assert_no_default_community(json.loads(path.read_text(encoding="utf-8")), str(path))

    listed = np(ws, "inventory", "list", "--json")
    assert listed.exit_code == 0, listed.output
    counts = {h["name"]: h["compliance"] for h in json.loads(listed.stdout)}
    for host, rec in ((IOS, record), (VRP, vrp)):
        assert counts[host] == {"period": "2026Q4", **{s: sum(r["status"] == s for r in rec["results"])
                                                       for s in ("pass", "fail", "not_applicable", "unknown")}}
    assert counts[IOS]["fail"] >= 2
    table = np(ws, "inventory", "list")
    assert f"{counts[IOS]['fail']} fail / {len(record['results'])} (2026Q4)" in table.output


def test_a_pack_error_leaves_the_inspection_complete_without_records(ws):
    backup(ws)
    (ws / "compliance" / "lab.yaml").write_text(BAD_PACK_YAML, encoding="utf-8")
    res = np(ws, "inspect", "--period", "2026Q3", "--backfill", "--host", IOS)
    assert res.exit_code == 0, res.output
    assert "no compliance records for this period" in res.output and "lab.yaml" in res.stderr
    assert git(ws, "ls-tree", "-r", "--name-only", "inspection/2026Q3", "--", "inspections/2026Q3").strip()
    assert not git(ws, "ls-tree", "-r", "--name-only", "inspection/2026Q3", "--", "compliance/2026Q3").strip()
    assert not (ws / "backups" / "compliance" / "2026Q3").exists()


HOSTILE_PACK = r"""
pack: lab-hostile
title: {zh-CN: 敌意文本, en: Hostile text}
rules:
  - id: no-location
    title: {zh-CN: 不设位置, en: No SNMP location}
    category: other
    clause: "n/a"
    severity: info
    platforms:
      cisco_ios:
        conditions:
          - absent: '^snmp-server location'
"""


def test_device_text_in_comply_output_is_inert(ws, ios_config):
    """Evidence quotes config lines, which whoever configured the device wrote: a bidi override or
    rich markup in them reaches `comply`'s output as inert text (terminal escapes never reach the
    store: the session strips them)."""
    backup(ws)
    ios_config(lambda t: t.replace("snmp-server location", "snmp-server location \u202eroom [link=http://evil.example]x[/link]", 1))
    backup(ws)
    stored = next((ws / "backups" / "configs").rglob(f"{IOS}.cfg")).read_text(encoding="utf-8")
    assert "\u202eroom [link=" in stored, "the text reached the store (else this test shows nothing)"
    (ws / "compliance" / "hostile.yaml").write_text(HOSTILE_PACK, encoding="utf-8")
    res = np(ws, "comply", "--pack", "lab-hostile", "--host", IOS)
    assert res.exit_code == 0, res.output
    assert "[link=http://evil.example]x[/link]" in res.output, "markup printed as text, not parsed"
    assert "\u202e" not in res.output
    found = comply(ws, "--host", IOS, pack="lab-hostile")
    assert found[0]["status"] == "fail" and "\u202eroom" in found[0]["evidence"][0]  # JSON keeps the data
