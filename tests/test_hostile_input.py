"""Bad input gets a one-line error naming file and host/field, exit 2, and nothing stored changes.

Each case runs the real command (typer's CliRunner) on a small workspace written here; a Python
traceback is a failure (`res.exception` must be the clean SystemExit).
"""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from netpatrol.cli.root import app
from netpatrol.errors import UsageError
from netpatrol.store.open import open_store
from netpatrol.store.periods import current_period, inspected_periods, inspection_period, next_period, previous_period
from netpatrol.store.refs import pre_change_tag
from netpatrol.workspace.settings import Workspace

runner = CliRunner()
DEFAULTS = {"username": "netops", "password": "${NP_HOSTILE_PW}", "port": 22}
GROUPS = {"site-a": {"data": {"site": {"name": "Site A"}}}}
HOSTS = {
    # TEST-NET addresses: nothing answers, so a command that connected would fail, not pass.
    "sw1": {"hostname": "192.0.2.1", "platform": "cisco_ios", "groups": ["site-a"]},
    "sw2": {"hostname": "192.0.2.2", "platform": "huawei_vrp", "groups": ["site-a"]},
}


def anchors(indent: int) -> str:
    """Nine levels of ten aliases: ~10^9 values once expanded, a few hundred bytes written."""
    lines = [f"{c}: &{c} [" + ", ".join([f"*{p}" if p else "x"] * 10) + "]" for p, c in zip([None, *"abcdefgh"], "abcdefghi", strict=True)]
    return "".join(" " * indent + line + "\n" for line in lines)


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    monkeypatch.setenv("NP_HOSTILE_PW", "hostile-pw-value")


def workspace(root: Path, hosts=None, groups=None, raw: dict[str, str | bytes] | None = None) -> Path:
    files: dict[str, str | bytes] = {
        "netpatrol.yaml": "client: Test\n",
        "inventory/hosts.yaml": yaml.safe_dump(HOSTS if hosts is None else hosts),
        "inventory/groups.yaml": yaml.safe_dump(GROUPS if groups is None else groups),
        "inventory/defaults.yaml": yaml.safe_dump(DEFAULTS),
    }
    files.update(raw or {})
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if text is None:
            continue
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return root


def invoke(*args: str):
    return runner.invoke(app, list(args))


def assert_clean_exit2(res, *fragments: str) -> None:
    assert res.exit_code == 2, res.output
    assert isinstance(res.exception, SystemExit), f"traceback instead of a message: {res.exception!r}"
    for fragment in fragments:
        assert fragment in res.output, f"{fragment!r} not in {res.output!r}"


def backups_state(ws: Path) -> list[str]:
    """Everything under backups/ (names and sizes), to show a refused command stored nothing."""
    root = ws / "backups"
    return sorted(f"{p.relative_to(root)}:{p.stat().st_size if p.is_file() else ''}" for p in root.rglob("*")) if root.exists() else []


# --- 1. names that become file names, Git paths and tags -----------------------------------------


@pytest.mark.parametrize("section,name,fragment", [
    ("hosts", "sw1\n", "no spaces or line breaks"),
    ("hosts", "s" * 247, "247 characters"),
    ("hosts", "core..sw", "'..'"),
    ("hosts", "sw.lock", ".lock"),
    ("groups", "site a", "no spaces or line breaks"),
])
def test_bad_names_are_refused_before_any_backup(tmp_path, section, name, fragment):
    if section == "hosts":
        ws = workspace(tmp_path, hosts={**HOSTS, name: {"hostname": "192.0.2.9", "groups": ["site-a"]}})
        file = "inventory/hosts.yaml"
    else:
        ws = workspace(tmp_path, groups={**GROUPS, name: {}})
        file = "inventory/groups.yaml"
    check = invoke("inventory", "check", "-w", str(ws))
    assert_clean_exit2(check, file, fragment)
    assert repr(name)[:30] in check.output  # the bad name is shown quoted, newline visible
    before = backups_state(ws)
    assert_clean_exit2(invoke("backup", "-w", str(ws)), file)
    assert backups_state(ws) == before


# --- 2. YAML alias bombs and recursive aliases in every file the product reads ----------------


@pytest.mark.parametrize("rel,text", [
    ("inventory/hosts.yaml", f"x-anchors:\n{anchors(2)}sw1: {{hostname: 192.0.2.1, groups: [site-a], data: {{custom: {{x: *i}}}}}}\n"),
    ("inventory/groups.yaml", f"x-anchors:\n{anchors(2)}site-a:\n  data: {{site: {{name: A}}, custom: {{x: *i}}}}\n"),
    ("netpatrol.yaml", f"x-anchors:\n{anchors(2)}client: *i\n"),
    ("tasks/quarterly.yaml", f"x-anchors:\n{anchors(2)}name: quarterly\nplatforms: {{cisco_ios: {{version: *i}}}}\n"),
    ("checks/bomb.yaml", f"- id: cpu_percent\n  x-anchors:\n{anchors(4)}  threshold: *i\n"),
    ("lab.yaml", f"x-anchors:\n{anchors(2)}devices: {{sw1: {{interfaces: *i}}}}\n"),
])
def test_alias_bombs_are_refused_naming_file_and_line(tmp_path, rel, text):
    ws = workspace(tmp_path, raw={rel: text})
    res = invoke("inventory", "check", "-w", str(ws))
    assert_clean_exit2(res, rel, "aliases expand to more than", "line ")
    listing = invoke("inventory", "list", "-w", str(ws), "--json")
    assert len(listing.output) < 10_000
    if rel.startswith("inventory/"):
        assert_clean_exit2(listing, rel)


def test_recursive_alias_is_refused(tmp_path):
    ws = workspace(tmp_path, raw={"inventory/hosts.yaml": "sw1:\n  hostname: 192.0.2.1\n  groups: [site-a]\n"
                                                          "  data: {custom: &loop {again: [*loop]}}\n"})
    assert_clean_exit2(invoke("inventory", "check", "-w", str(ws)), "inventory/hosts.yaml", "line 4", "recursive alias")


def test_merge_keys_work_and_may_be_overridden(tmp_path):
    ws = workspace(tmp_path, raw={"inventory/hosts.yaml": (
        "sw1: &common {hostname: 192.0.2.1, platform: cisco_ios, groups: [site-a]}\n"
        "sw2: {<<: *common, hostname: 192.0.2.2, platform: huawei_vrp}\n")})
    res = invoke("inventory", "list", "-w", str(ws), "--json")
    assert res.exit_code == 0, res.output
    sw2 = next(h for h in json.loads(res.stdout) if h["name"] == "sw2")
    assert (sw2["hostname"], sw2["platform"], sw2["groups"]) == ("192.0.2.2", "huawei_vrp", ["site-a"])


# --- 3. group cycles and a missing groups.yaml ---------------------------------------------------


def test_group_cycle_is_named(tmp_path):
    groups = {"site_a": {"groups": ["site_b"], "data": {"site": {"name": "A"}}}, "site_b": {"groups": ["site_a"]}}
    ws = workspace(tmp_path, groups=groups, hosts={"sw1": {"hostname": "192.0.2.1", "platform": "cisco_ios", "groups": ["site_a"]}})
    for args in (("inventory", "check"), ("inventory", "list", "--json"), ("backup",)):
        res = invoke(*args, "-w", str(ws))
        assert_clean_exit2(res, "inventory/groups.yaml", "cycle")
        assert "site_a -> site_b -> site_a" in res.output or "site_b -> site_a -> site_b" in res.output


def test_missing_groups_file_is_named(tmp_path):
    ws = workspace(tmp_path)
    (ws / "inventory/groups.yaml").unlink()
    res = invoke("inventory", "check", "-w", str(ws))
    assert_clean_exit2(res, "inventory/groups.yaml", "not found", "site-a")


# --- 4. encodings and complex keys ---------------------------------------------------------------

GBK_HOSTS = "sw1:\n  hostname: 192.0.2.1\n  platform: cisco_ios\n  groups: [site-a]\n  data: {location: 三楼机房}\n"


@pytest.mark.parametrize("rel,text,line", [
    ("inventory/hosts.yaml", GBK_HOSTS, 5),
    ("netpatrol.yaml", "language: zh-CN\nclient: 某某单位\n", 2),
    ("checks/mine.yaml", "- id: cpu_percent\n  title: {zh-CN: 处理器, en: CPU}\n", 2),
    ("lab.yaml", "devices:\n  sw1: {model: 华为}\n", 2),
])
def test_gbk_files_are_refused_naming_the_line(tmp_path, rel, text, line):
    ws = workspace(tmp_path, raw={rel: text.encode("gbk")})
    res = invoke("inventory", "check", "-w", str(ws))
    assert_clean_exit2(res, rel, f"line {line}", "UTF-8", "GBK/GB18030")


def test_utf8_with_bom_is_accepted(tmp_path):
    ws = workspace(tmp_path, raw={"inventory/hosts.yaml": b"\xef\xbb\xbf" + GBK_HOSTS.encode("utf-8")})
    res = invoke("inventory", "list", "-w", str(ws), "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)[0]["data"]["location"] == "三楼机房"


@pytest.mark.parametrize("rel", ["inventory/hosts.yaml", "netpatrol.yaml"])
def test_complex_key_is_refused(tmp_path, rel):
    ws = workspace(tmp_path, raw={rel: "? [a, b]\n: 1\n"})
    assert_clean_exit2(invoke("inventory", "check", "-w", str(ws)), rel, "line 1", "complex keys")


@pytest.mark.parametrize("rel,text,line", [
    ("inventory/hosts.yaml", "sw1:\n  hostname: 192.0.2.1\n  data: {purchase_date: 2026-13-45}\n", 3),
    ("netpatrol.yaml", "workers: !!int twenty\n", 1),
])
def test_values_that_only_look_typed_are_refused_naming_the_line(tmp_path, rel, text, line):
    ws = workspace(tmp_path, raw={rel: text})
    assert_clean_exit2(invoke("inventory", "check", "-w", str(ws)), rel, f"line {line}", "cannot be read as")


# --- 5. periods ----------------------------------------------------------------------------------


@pytest.mark.parametrize("period", [" 2026Q4", "2026Q4 ", "0000Q1", "9999Q4", "2026Q5", "２０２６Q4"])  # noqa: RUF001 - full-width look-alikes are the input under test
@pytest.mark.parametrize("command", ["inspect", "report", "drift"])
def test_bad_periods_are_refused_everywhere(tmp_path, period, command):
    ws = workspace(tmp_path)
    store = open_store(Workspace(ws))
    store.write_file("configs/site-a/sw1.cfg", "hostname sw1\n")
    store.commit("backup", paths=["configs"])
    before = backups_state(ws)
    args = {"inspect": ("inspect", "--backfill", "--period", period), "report": ("report", "--period", period),
            "drift": ("drift", "--since", period)}[command]
    assert_clean_exit2(invoke(*args, "-w", str(ws)), "period")
    assert backups_state(ws) == before and not (ws / "reports").exists()


def test_inspect_refuses_future_and_unflagged_past_periods(tmp_path):
    ws = workspace(tmp_path)
    now = current_period()
    assert_clean_exit2(invoke("inspect", "-w", str(ws), "--period", next_period(now)), "in the future")
    assert_clean_exit2(invoke("inspect", "-w", str(ws), "--period", previous_period(now)), "--backfill")
    assert backups_state(ws) == []


def test_inspection_period_rules():
    dec = datetime(2026, 12, 4, tzinfo=timezone.utc)
    assert inspection_period(None, now=dec) == "2026Q4"
    assert inspection_period("2026q4", now=dec) == "2026Q4"
    assert inspection_period("2026Q2", backfill=True, now=dec) == "2026Q2"
    for period, backfill in (("2027Q1", True), ("2026Q2", False), ("2026Q4\n", False)):
        with pytest.raises(UsageError):
            inspection_period(period, backfill, now=dec)


def test_hand_made_period_directories_are_not_periods(tmp_path):
    """`report` without --period takes the latest inspected period: a stray 9999Q4 must not win."""
    ws = workspace(tmp_path)
    store = open_store(Workspace(ws))
    for period in ("2026Q3", "9999Q4", "2026q4", " 2026Q4"):
        store.write_file(f"inspections/{period}/site-a/sw1.json", "{}\n")
    store.commit("inspections", paths=["inspections"])
    assert inspected_periods(store) == ["2026Q3"]
    due = invoke("due", "-w", str(ws), "--json")
    assert due.exit_code == 0, due.output


# --- 6. backup --reason --------------------------------------------------------------------------


@pytest.mark.parametrize("reason,fragment", [
    (" ", "blank"), ("", "blank"), ("CHG-1\nrm -rf", "one line"), ("x" * 300, "300 characters"), ("--- fix", "change id"),
])
def test_bad_reason_is_refused_before_connecting(tmp_path, reason, fragment):
    ws = workspace(tmp_path)
    res = invoke("backup", "-w", str(ws), "--reason", reason)
    assert_clean_exit2(res, "--reason", fragment)
    assert backups_state(ws) == []  # no store opened, no device contacted


@pytest.mark.parametrize("change", ["CHG..1", "x.lock", "中文-1", "a/b", "CHG-1234"])
def test_pre_change_tags_are_valid_git_refs(change):
    tag = pre_change_tag(change)
    assert subprocess.run(["git", "check-ref-format", f"refs/tags/{tag}"]).returncode == 0, tag


# --- 7. bounded numeric settings -----------------------------------------------------------------


@pytest.mark.parametrize("key,value,fragment", [
    ("retry_backoff", -1, "greater than or equal to 0"),
    ("conn_timeout", -5, "greater than 0"),
    ("read_timeout", 0, "greater than 0"),
    ("auth_timeout", ".inf", "less than or equal"),
    ("read_timeout", '"60"', "valid number"),
    ("retries", True, "valid integer"),
])
def test_connection_settings_are_bounded(tmp_path, key, value, fragment):
    ws = workspace(tmp_path, raw={"netpatrol.yaml": f"connection:\n  {key}: {str(value).lower()}\n"})
    assert_clean_exit2(invoke("inventory", "check", "-w", str(ws)), "netpatrol.yaml", f"connection.{key}", fragment)
    assert_clean_exit2(invoke("backup", "-w", str(ws)), f"connection.{key}")
    assert backups_state(ws) == []


@pytest.mark.parametrize("extra,value,fragment", [
    ("conn_timeout", -1, "greater than 0"),
    ("read_timeout_override", 0, "greater than 0"),
    ("telnet_port", 0, "greater than or equal to 1"),
    ("keepalive", -3, "greater than or equal to 0"),
    ("global_delay_factor", "2", "valid number"),
    ("conn_timout", 5, "unknown connection option 'conn_timout'"),
])
def test_connection_options_are_bounded(tmp_path, extra, value, fragment):
    hosts = json.loads(json.dumps(HOSTS))
    hosts["sw2"]["connection_options"] = {"netmiko": {"extras": {extra: value}}}
    ws = workspace(tmp_path, hosts=hosts)
    res = invoke("inventory", "check", "-w", str(ws))
    assert_clean_exit2(res, "inventory/hosts.yaml", "host sw2", f"connection_options.netmiko.extras.{extra}", fragment)


# --- 8. init on a file, host count of `inventory check --json` ------------------------------------


def test_init_on_an_existing_file(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("keep me\n", encoding="utf-8")
    for path in (target, target / "ws"):
        assert_clean_exit2(invoke("init", str(path)), str(target), "not a directory")
    assert target.read_text(encoding="utf-8") == "keep me\n"


def test_check_json_counts_hosts_read_when_only_the_password_variable_is_unset(tmp_path, monkeypatch):
    ws = workspace(tmp_path)
    monkeypatch.delenv("NP_HOSTILE_PW")
    res = invoke("inventory", "check", "-w", str(ws), "--json")
    assert res.exit_code == 2
    doc = json.loads(res.stdout)
    assert doc["hosts"] == len(HOSTS) and not doc["valid"]
    assert any("NP_HOSTILE_PW" in p for p in doc["problems"])
