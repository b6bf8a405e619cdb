"""Times a person reads on the command line are local with their offset (`timezone:` in netpatrol.yaml,
else the machine's zone, which honours TZ); `--json` and stored times stay UTC ISO 8601."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from typer.testing import CliRunner

from fault_world import NETPATROL
from netpatrol.cli import root as cli
from netpatrol.errors import LockedError
from netpatrol.store import layout
from netpatrol.store.repo import Store
from netpatrol.workspace.records import update_device_records
from netpatrol.workspace.settings import Settings, Workspace
from netpatrol.workspace.skeleton import create_workspace

STAMP = "2026-12-05T02:41:00+00:00"


def _ws(tmp_path: Path, **settings) -> Path:
    ws = tmp_path / "ws"
    (ws / "inventory").mkdir(parents=True)
    (ws / "inventory" / "groups.yaml").write_text("jc-north:\n  data:\n    site: {name: North}\n", encoding="utf-8")
    (ws / "inventory" / "hosts.yaml").write_text("r1:\n  hostname: 192.0.2.1\n  platform: cisco_ios\n  groups: [jc-north]\n"
                                                 "  username: u\n  password: ${NP_TEST_UNSET_PW}\n", encoding="utf-8")
    (ws / "netpatrol.yaml").write_text(yaml.safe_dump({"client": "T", "language": "en", **settings}), encoding="utf-8")
    store = Store(ws / "backups").open_or_init()
    store.write_file(layout.config_path("jc-north", "r1"), "hostname r1\n")
    store.commit("r1 first")
    update_device_records(Workspace(ws), {"r1": {"last_backup_success": STAMP, "last_backup_attempt": STAMP}})
    return ws


def _np(ws: Path, *args: str, tz: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "TZ": tz, "COLUMNS": "200"}
    return subprocess.run([*NETPATROL, *args, "-w", str(ws)], capture_output=True, text=True, env=env, timeout=120)


def test_the_machine_zone_from_tz_when_netpatrol_yaml_names_none(tmp_path):
    ws = _ws(tmp_path)
    listed = _np(ws, "inventory", "list", tz="Asia/Shanghai")
    assert listed.returncode == 0, listed.stderr
    assert "2026-12-05 10:41 +08:00" in listed.stdout and "02:41" not in listed.stdout
    history = _np(ws, "history", "r1", tz="Asia/Shanghai")
    assert history.returncode == 0 and "+08:00" in history.stdout, history.stdout + history.stderr
    assert "+08:00" in _np(ws, "due", tz="Asia/Shanghai").stdout


def test_the_workspace_zone_wins_and_json_stays_utc(tmp_path):
    ws = _ws(tmp_path, timezone="America/New_York")
    listed = _np(ws, "inventory", "list", tz="Asia/Shanghai")
    assert "2026-12-04 21:41 -05:00" in listed.stdout, listed.stdout
    history = _np(ws, "history", "r1", tz="Asia/Shanghai")
    assert "-05:00" in history.stdout and "+08:00" not in history.stdout
    [version] = json.loads(_np(ws, "history", "r1", "--json", tz="Asia/Shanghai").stdout)
    assert version["date"].endswith("+00:00")
    doc = json.loads(_np(ws, "inventory", "list", "--json", tz="Asia/Shanghai").stdout)
    assert doc[0]["status"]["last_backup_success"] == STAMP


def test_archive_and_lock_messages_are_local(tmp_path):
    from netpatrol.report.archive import build_archive
    from netpatrol.workspace.inventory import load_inventory

    ws = _ws(tmp_path, timezone="Asia/Shanghai")
    [row] = build_archive(Workspace(ws), load_inventory(ws, need_secrets=False), Store(ws / "backups").open_or_init())
    assert row.last_backup == "2026-12-05 10:41 +08:00"

    holder = Store(ws / "backups").open_or_init()
    with holder.lock():
        waiting = Store(ws / "backups", tz=ZoneInfo("Asia/Shanghai")).open_or_init()
        with pytest.raises(LockedError, match=r"started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+08:00"), waiting.lock(timeout=0):
            pass


@pytest.mark.parametrize("args", [["inventory", "check"], ["due"], ["inventory", "list"]])
def test_a_bad_time_zone_is_one_line_naming_the_field(tmp_path, args):
    ws = _ws(tmp_path, timezone="Asia/Shangai")
    res = CliRunner().invoke(cli.app, [*args, "-w", str(ws)])
    assert res.exit_code == 2
    [line] = [x for x in res.output.splitlines() if "timezone" in x]
    assert "netpatrol.yaml: field 'timezone': unknown time zone 'Asia/Shangai'" in line
    if args != ["inventory", "check"]:
        assert res.output.strip() == line.strip()  # the whole error is that one line


def test_init_sets_the_zone_for_zh_cn_and_leaves_it_to_the_machine_for_en(tmp_path):
    create_workspace(tmp_path / "zh")
    create_workspace(tmp_path / "en", lang="en")
    zh, en = Workspace(tmp_path / "zh").settings, Workspace(tmp_path / "en").settings
    assert (zh.language, zh.timezone) == ("zh-CN", "Asia/Shanghai")
    assert (en.language, en.timezone) == ("en", None)
    assert "# timezone: Asia/Shanghai" in (tmp_path / "en" / "netpatrol.yaml").read_text(encoding="utf-8")
    # The written-out contract is the sample contract.
    assert zh.contract == Settings().contract and zh.contract.name("critical", "zh-CN") == "重大一级"
    assert zh.contract.level("major").resolution == "8h" and zh.contract.level("minor").response == "10m"


def test_the_sample_workspace_names_its_zone_and_contract():
    sample = Workspace(Path(__file__).resolve().parents[1]).settings
    assert sample.timezone == "Asia/Shanghai" and sample.contract == Settings().contract


def test_a_bad_contract_names_its_field(tmp_path):
    ws = _ws(tmp_path, contract={"levels": {"a": {"name": {"zh-CN": "甲", "en": "A"}, "response": "10x"}},
                                 "severities": {"critical": "a", "major": "a", "minor": "a", "info": "a"}})
    res = CliRunner().invoke(cli.app, ["inventory", "check", "-w", str(ws)])
    assert res.exit_code == 2 and "netpatrol.yaml: field 'contract.levels.a.response': '10x' is not a duration" in res.output
    (ws / "netpatrol.yaml").write_text(yaml.safe_dump({"contract": {"severities": {
        "critical": "major_1", "major": "major_2", "minor": "general", "info": "nope"}}}), encoding="utf-8")
    res = CliRunner().invoke(cli.app, ["due", "-w", str(ws)])
    assert res.exit_code == 2 and res.output.startswith("error: netpatrol.yaml: field 'contract.severities': level(s) ['nope']")


def test_run_due_prints_problems_by_the_contracts_level_names(capsys):
    from netpatrol.cli import run as cli_run
    from test_notify_i18n import _inspection_run

    irun = _inspection_run()
    doc = {"due": {"inspections": ["north-core-01"], "backups": []}, "report": None, "backup": None, "notifications": [],
           "inspection": {**irun.summary(), "tag": irun.tag}}
    assert doc["inspection"]["problems"] == {"critical": 1, "major": 1, "minor": 0, "info": 0}  # five findings, two problems
    cli_run._print_run(doc, Settings(language="zh-CN"))
    assert "problems 重大一级 1, 重大二级 1; inspection/2026Q4" in capsys.readouterr().out
    cli_run._print_run(doc, Settings(language="en"))
    assert "problems Major L1 1, Major L2 1; inspection/2026Q4" in capsys.readouterr().out


def test_listen_syslog_log_lines_are_stamped_in_the_workspace_zone():
    import logging

    from netpatrol.cli.schedule import LocalTimeFormatter

    record = logging.LogRecord("netpatrol", logging.INFO, __file__, 1, "backup of r1 started", None, None)
    record.created = 1796438460.0  # 2026-12-05 02:41:00 UTC
    line = LocalTimeFormatter(ZoneInfo("Asia/Shanghai"), "%(asctime)s %(levelname)s %(message)s").format(record)
    assert line == "2026-12-05 10:41:00 +08:00 INFO backup of r1 started"
