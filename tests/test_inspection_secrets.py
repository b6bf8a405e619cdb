"""Parsed rows and health of an inspection are stored in the results JSON (committed to backups/):
they come from the sanitised outputs, like the evidence, so a log line quoting a typed command keeps
no secret. (The lab's logs quote no commands, so the outputs are given here; parsing and
normalising are the real ones; the procedure sanitises them where it runs, as in a zone.)"""

from __future__ import annotations

import json
from contextlib import contextmanager

import yaml

from netpatrol.collect.session import CommandOutput
from netpatrol.inspection.service import _analyse
from netpatrol.inspection.task import collect_inspection
from netpatrol.workspace.inventory import load_inventory
from netpatrol.workspace.settings import Workspace

LOGS = {
    "cisco_ios": ("show logging", """Log Buffer (131072 bytes):

000041: Dec  3 10:00:01.137 UTC: %SYS-5-CONFIG_I: Configured from console by admin on vty0
000042: Dec  3 10:00:02.274 UTC: %PARSER-5-CFGLOG_LOGGEDCMD: User:admin  logged command:username bob password 0 LeakPw1
000043: Dec  3 10:00:03.411 UTC: %PARSER-5-CFGLOG_LOGGEDCMD: User:admin  logged command:snmp-server community LeakPw2 RO
"""),
}


def _result(ws, host: str, command: str, text: str) -> str:
    h = load_inventory(ws).hosts[host]
    workspace = Workspace(ws)

    class Device:
        def send(self, sent: str) -> CommandOutput:
            return CommandOutput(sent, text)

    @contextmanager
    def connect():
        yield Device()

    raw = collect_inspection(h, connect, items={h.platform: {"logs": [command]}}, remembered={}, collect_config=False,
                             secrets=workspace.settings.backup.secrets, config_checks={})
    result = _analyse(workspace, h, raw, "2026Q4")
    assert result.health.logs, "the log output parsed into health.logs"
    return json.dumps(result.model_dump(mode="json"), ensure_ascii=False)


def test_logged_commands_reach_the_results_without_their_secrets(sample_workspace):
    command, text = LOGS["cisco_ios"]
    stored = _result(sample_workspace, "city-acc-02", command, text)
    assert "LeakPw1" not in stored and "LeakPw2" not in stored
    assert "logged command:snmp-server community <removed> RO" in stored  # the row itself is kept


def test_secrets_level_none_keeps_them(sample_workspace):
    path = sample_workspace / "netpatrol.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc.setdefault("backup", {})["secrets"] = "none"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    command, text = LOGS["cisco_ios"]
    assert "LeakPw2" in _result(sample_workspace, "city-acc-02", command, text)
