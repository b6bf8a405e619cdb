"""Notifications in the workspace language, the WeCom and DingTalk robot presets against a local HTTP
server, and a config change's sanitised diff through a real Git store, SMTP server, webhook and hook."""

# Full-width Chinese punctuation in expected texts is the typography under test, not a look-alike slip.
# ruff: noqa: RUF001

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import sys
import threading
from datetime import datetime, timezone
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import yaml
from pydantic import ValidationError

from netpatrol.automation.configdiff import ConfigDiff
from netpatrol.automation.messages import Voice, texts
from netpatrol.automation.notify import Event, backup_events, inspection_events, notify_backup_run, send
from netpatrol.backup.service import BackupRun, DeviceBackup
from netpatrol.errors import WorkspaceError
from netpatrol.inspection.results import Finding, InspectionResult
from netpatrol.inspection.service import InspectionRun
from netpatrol.lab.planted import planted
from netpatrol.store import layout
from netpatrol.store.repo import Store
from netpatrol.workspace.settings import NotifySettings, Workspace
from test_notify import SmtpServer

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC_TIME = "2026-12-05T02:41:00+00:00"
HOSTILE = "[点我](http://evil.example/x) <@all> <font color=red>警告</font> ![i](http://evil.example/i.png)"


class Robot(BaseHTTPRequestHandler):
    """A WeCom / DingTalk robot: records (path with query, JSON body) and answers `answers` in turn."""

    posts: ClassVar[list] = []
    answers: ClassVar[list] = []

    def do_POST(self):  # the name http.server calls
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
        Robot.posts.append((self.path, body))
        answer = Robot.answers.pop(0) if Robot.answers else {"errcode": 0, "errmsg": "ok"}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def robot():
    Robot.posts, Robot.answers = [], []
    server = HTTPServer(("127.0.0.1", 0), Robot)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def _finding(check: str, severity: str, problem: str, zh: str, en: str, title_zh: str = "CPU 利用率高") -> Finding:
    return Finding(check=check, severity=severity, problem=problem, title={"zh-CN": title_zh, "en": "High CPU"},
                   detail={"zh-CN": zh, "en": en}, recommendation={"zh-CN": "排查高负载进程", "en": "Find the busy process"})


def _inspection_run() -> InspectionRun:
    # One CPU measurement crossing three tiers, one PSU seen by two checks: two problems, not five findings.
    cpu = [_finding(f"cpu_{s}", s, "cpu", f"CPU 利用率 93%（阈值 {t}%）", f"CPU 93% (threshold {t}%)")
           for s, t in (("major", 90), ("minor", 75), ("info", 60))]
    psu = [_finding("board", "critical", "psu:PWR1", "电源 PWR1 故障", "power supply PWR1 failed", title_zh=HOSTILE),
           _finding("power", "major", "psu:PWR1", "电源 PWR1 状态 failed", "PWR1 state failed", title_zh=HOSTILE)]
    ok = InspectionResult(host="north-core-01", site="jc-north", platform="huawei_vrp", period="2026Q4",
                          collected_at=UTC_TIME, status="ok", findings=[*cpu, *psu])
    return InspectionRun("2026Q4", [ok], "c0ffee", "inspection/2026Q4")


def test_findings_count_problems_named_by_contract_level_in_the_language():
    [zh] = inspection_events(_inspection_run(), "major", voice=Voice("zh-CN", SHANGHAI))
    assert zh.summary == "2026年第四季度巡检：1 台设备共 2 个问题（重大一级 1 个，重大二级 1 个）"
    assert [(d["level"], d["problem"]) for d in zh.details] == [("重大一级", "psu:PWR1"), ("重大二级", "cpu")]
    assert zh.details[0]["evidence"] == ["电源 PWR1 故障", "电源 PWR1 状态 failed"]
    assert zh.details[1]["evidence"] == ["CPU 利用率 93%（阈值 90%）", "CPU 利用率 93%（阈值 75%）", "CPU 利用率 93%（阈值 60%）"]
    assert zh.details[1]["detail"] == "；".join(zh.details[1]["evidence"]) and zh.details[1]["recommendation"] == "排查高负载进程"
    [en] = inspection_events(_inspection_run(), "major", voice=Voice("en", SHANGHAI))
    assert en.summary == "inspection Q4 2026: 2 problem(s) on 1 device(s) (Major L1: 1; Major L2: 1)"
    assert en.details[1]["title"] == "High CPU" and en.details[1]["evidence"][0] == "CPU 93% (threshold 90%)"
    # min_severity counts problems at their strongest severity: the CPU problem is major, so it stays out of critical.
    [only] = inspection_events(_inspection_run(), "critical", voice=Voice("en"))
    assert [d["problem"] for d in only.details] == ["psu:PWR1"]


def test_wecom_robot_gets_inert_markdown_in_chinese_with_local_time(robot):
    [event] = inspection_events(_inspection_run(), "major", voice=Voice("zh-CN", SHANGHAI))
    event.time, event.time_local, event.client = UTC_TIME, None, "江川市水务局"
    event.localise(Voice("zh-CN", SHANGHAI))
    settings = NotifySettings.model_validate({"webhooks": [{"kind": "wecom", "url": f"{robot}/cgi-bin/webhook/send?key=K1"}]})
    [d] = send(settings, [event])
    assert d.ok and d.detail == "HTTP 200 errcode 0" and "K1" not in d.channel and d.channel.startswith("webhook wecom ")
    [(path, body)] = Robot.posts
    assert path == "/cgi-bin/webhook/send?key=K1" and body["msgtype"] == "markdown" and set(body) == {"msgtype", "markdown"}
    content = body["markdown"]["content"]
    assert len(content.encode("utf-8")) <= 4096
    assert content.startswith("### 巡检发现问题：江川市水务局\n")
    assert "重大一级" in content and "重大二级" in content and "2026-12-05 10:41 +08:00" in content
    assert "电源 PWR1 故障" in content and "critical" not in content and "Major" not in content
    # Device text cannot link, mention, embed or style: every opener is escaped.
    assert re.findall(r"(?<!\\)[<\[\]]", content) == []
    assert "\\[点我\\](http\\://evil.example/x) \\<@all> \\<font color=red>" in content


def test_json_payload_keeps_utc_time_and_adds_the_local_one(robot):
    [event] = backup_events(_backup_run(), voice=Voice("zh-CN", SHANGHAI))
    event.time, event.time_local = UTC_TIME, None
    event.localise(Voice("zh-CN", SHANGHAI))
    [d] = send(NotifySettings.model_validate({"webhooks": [{"url": f"{robot}/np"}]}), [event])
    assert d.ok and d.detail == "HTTP 200"
    body = Robot.posts[0][1]
    assert body["time"] == UTC_TIME and body["time_local"] == "2026-12-05 10:41 +08:00"
    assert body["lang"] == "zh-CN" and body["title"] == "配置变更" and body["summary"] == "1 台设备配置变更：city-acc-02"


def _backup_run(commit: str = "a1b2c3d4e5") -> BackupRun:
    now = datetime.now(timezone.utc)
    return BackupRun(devices=[DeviceBackup("city-acc-02", "jc-city", "saved", "configs/jc-city/city-acc-02.cfg", 120)],
                     commit=commit, tag=None, started=now, finished=now, counts={"saved": 1})


def test_dingtalk_signature_errcode_and_the_secret_stays_out(robot, monkeypatch, caplog):
    secret = "SECdingtalk-signing-secret-0123456789"
    monkeypatch.setenv("NP_TEST_DT_SECRET", secret)
    monkeypatch.setenv("NP_TEST_DT_TOKEN", "tok/with+chars")
    settings = NotifySettings.model_validate({"webhooks": [{
        "kind": "dingtalk", "url": f"{robot}/robot/send?access_token=${{NP_TEST_DT_TOKEN}}",
        "secret": "${NP_TEST_DT_SECRET}", "retries": 0}]})
    event = backup_events(_backup_run(), voice=Voice("zh-CN", SHANGHAI))[0]
    [ok] = send(settings, [event])
    assert ok.ok, ok.detail
    path, body = Robot.posts[0]
    query = parse_qs(urlsplit(path).query)
    assert query["access_token"] == ["tok/with+chars"]  # the ${ENV} reference filled in, URL-encoded
    stamp = query["timestamp"][0]
    expected = base64.b64encode(hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()).decode()
    assert query["sign"] == [expected]  # parse_qs undid the URL encoding
    assert body["msgtype"] == "markdown" and body["markdown"]["title"] == "配置变更"
    assert body["markdown"]["text"].startswith("### 配置变更\n") and "city\\-acc\\-02" not in body["markdown"]["text"]

    Robot.answers = [{"errcode": 310000, "errmsg": "sign not match, more: [https://ding-doc.dingtalk.com/]"}]
    with caplog.at_level(logging.WARNING, logger="netpatrol"):
        [failed] = send(settings, [event])
    assert not failed.ok and failed.detail.startswith("errcode 310000: sign not match")
    everything = caplog.text + repr(failed) + repr(ok)
    assert secret not in everything and "tok/with" not in everything

    monkeypatch.delenv("NP_TEST_DT_SECRET")
    [unset] = send(settings, [event])
    assert not unset.ok and "NP_TEST_DT_SECRET" in unset.detail and len(Robot.posts) == 2


def test_webhook_secret_settings_are_references_for_dingtalk_only(tmp_path):
    (tmp_path / "netpatrol.yaml").write_text(
        "notify:\n  webhooks:\n    - {kind: dingtalk, url: 'https://x.example/', secret: SECplain}\n", encoding="utf-8")
    with pytest.raises(WorkspaceError) as exc:
        _ = Workspace(tmp_path).settings
    assert str(exc.value).startswith("netpatrol.yaml: field 'notify.webhooks.0.secret': must be a ${ENV_VAR} reference")
    assert "SECplain" not in str(exc.value) and "\n" not in str(exc.value)
    with pytest.raises(ValidationError, match="DingTalk"):
        NotifySettings.model_validate({"webhooks": [{"kind": "wecom", "url": "https://x.example/", "secret": "${X}"}]})
    with pytest.raises(ValidationError, match="kind"):
        NotifySettings.model_validate({"webhooks": [{"kind": "slack", "url": "https://x.example/"}]})


def test_a_long_diff_is_cut_to_the_robots_limit_with_a_note(robot):
    diff = "".join(f"+interface GigabitEthernet0/{i}\n+ description 上联到汇聚交换机 {i}\n" for i in range(400))
    diffs = {"city-acc-02": ConfigDiff("city-acc-02", diff, 800, 0, 0)}
    [event] = backup_events(_backup_run(), voice=Voice("zh-CN"), diffs=diffs)
    settings = NotifySettings.model_validate({"webhooks": [
        {"kind": "wecom", "url": f"{robot}/w"}, {"kind": "dingtalk", "url": f"{robot}/d"}]})
    assert [d.ok for d in send(settings, [event])] == [True, True]
    wecom, dingtalk = Robot.posts[0][1]["markdown"]["content"], Robot.posts[1][1]["markdown"]["text"]
    assert len(wecom.encode()) <= 4096 and len(dingtalk.encode()) <= 20000
    for text in (wecom, dingtalk):
        assert text.rstrip().endswith(texts()["truncated"]["zh-CN"]) and "GigabitEthernet0/0" in text


# -- a config change through a real store ---------------------------------------------------------
V1 = "hostname r1\n!\ninterface GigabitEthernet0/1\n description uplink\n!\nend\n"


def _workspace(tmp_path: Path, lang: str, notify: dict, secrets: str = "none") -> Path:
    ws = tmp_path / "ws"
    (ws / "inventory").mkdir(parents=True)
    (ws / "inventory" / "groups.yaml").write_text("jc-north:\n  data:\n    site: {name: 北区}\n", encoding="utf-8")
    (ws / "inventory" / "hosts.yaml").write_text("r1:\n  hostname: 192.0.2.1\n  platform: cisco_ios\n  groups: [jc-north]\n"
                                                 "  username: u\n  password: ${NP_TEST_UNSET_PW}\n", encoding="utf-8")
    settings = {"client": "江川市水务局", "language": lang, "timezone": "Asia/Shanghai", "backup": {"secrets": secrets},
                "notify": notify}
    (ws / "netpatrol.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    return ws


def _change(ws: Path, new: str) -> BackupRun:
    store = Store(ws / "backups").open_or_init()
    path = layout.config_path("jc-north", "r1")
    store.write_file(path, V1)
    store.commit("v1")
    store.write_file(path, new)
    commit = store.commit("v2")
    now = datetime.now(timezone.utc)
    return BackupRun([DeviceBackup("r1", "jc-north", "saved", path, new.count("\n"))], commit, None, now, now,
                     counts={"saved": 1})


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_config_change_mail_webhook_and_hook_carry_the_sanitised_diff(tmp_path, robot, lang):
    secrets = planted("cisco_ios")  # stored as they are (secrets: none): the message must still hold none
    new = V1.replace(" description uplink\n", " description uplink to jc-core\n") + \
        "".join(s.text + "\n" for s in secrets) + "".join(f"interface Loopback{i}\n" for i in range(150))
    hook_out = tmp_path / "hook.json"
    with SmtpServer() as smtp:
        channel = {k: v for k, v in smtp.channel().items() if k not in ("username", "password")}
        ws = _workspace(tmp_path, lang, {"diff_lines": 40, "mail": [channel], "webhooks": [{"url": f"{robot}/j"}],
                                         "hooks": [{"command": [sys.executable, "-c",
                                                    "import json, os, sys; open(sys.argv[1], 'w').write(json.dumps("
                                                    "{'env': dict(os.environ), 'stdin': json.load(sys.stdin)}))",
                                                    str(hook_out)]}]})
        run = _change(ws, new)
        deliveries = notify_backup_run(Workspace(ws), run)
        assert [d.ok for d in deliveries] == [True, True, True], deliveries
        [(_, _, raw)] = smtp.received
    msg = message_from_bytes(raw.encode("utf-8"), policy=policy.default)
    subject, body = str(msg["Subject"]), msg.get_content()
    hook = json.loads(hook_out.read_text(encoding="utf-8"))
    payload = Robot.posts[0][1]
    detail = payload["details"][0]
    if lang == "zh-CN":
        assert subject == "[netpatrol] 江川市水务局：1 台设备配置变更：r1"
        assert "配置差异（已脱敏）" in body and "时间：" in body and hook["env"]["NETPATROL_SUMMARY"] == "1 台设备配置变更：r1"
        assert "完整差异见 `netpatrol drift --host r1`" in detail["diff"]
    else:
        assert subject == "[netpatrol] 江川市水务局: configuration changed on 1 device(s): r1"
        assert "configuration diff (sanitised)" in body and hook["env"]["NETPATROL_SUMMARY"] == "configuration changed on 1 device(s): r1"
        assert "more lines; see `netpatrol drift --host r1`" in detail["diff"]
    assert "+ description uplink to jc-core" in body and "- description uplink" in body
    assert "+08:00" in body and hook["env"]["NETPATROL_TIME_LOCAL"].endswith("+08:00") and payload["time"].endswith("+00:00")
    # Cut at diff_lines (40 shown of ~170), with the note; the hook's stdin and the webhook carry the same diff.
    assert len(detail["diff"].splitlines()) == 41 and detail["diff_more_lines"] > 100 and detail["added"] > 150
    assert hook["stdin"]["details"][0]["diff"] == detail["diff"]
    everything = raw + json.dumps(Robot.posts, ensure_ascii=False) + hook_out.read_text(encoding="utf-8")
    assert [s.form for s in secrets if s.value in everything] == []
    assert "description uplink to jc-core" in everything


def test_no_diff_when_the_diff_lines_are_zero(tmp_path, robot):
    ws = _workspace(tmp_path, "en", {"diff_lines": 0, "webhooks": [{"url": f"{robot}/j"}]}, secrets="all")
    run = _change(ws, V1 + "interface Loopback0\n")
    assert [d.ok for d in notify_backup_run(Workspace(ws), run)] == [True]
    assert "diff" not in Robot.posts[0][1]["details"][0]


def test_failed_step_event_is_in_the_workspace_language():
    from netpatrol.automation.texts import environment, plain

    event = Event("report_failed", Voice("zh-CN").t("step.report", period="2026年第四季度", error="磁盘已满"), [], lang="zh-CN")
    event.localise(Voice("zh-CN", SHANGHAI))
    assert environment(event)["NETPATROL_TITLE"] == "巡检报告生成失败"
    assert plain(event).startswith("2026年第四季度巡检报告生成失败：磁盘已满\n") and "+08:00" in plain(event)


def test_every_message_has_both_languages():
    for key, pair in texts().items():
        assert set(pair) == {"zh-CN", "en"} and pair["zh-CN"] and pair["en"], key
        assert pair["zh-CN"] != pair["en"], key


# -- over SSH: the lab's planted secrets never reach a message --------------------------------------
@pytest.mark.lab
def test_a_backed_up_change_notifies_the_robot_and_mail_with_its_diff_and_no_secret(tmp_path, make_lab, robot):
    from fault_world import cli
    from netpatrol.lab import control
    from netpatrol.lab.planted import SCENARIO, plant

    with SmtpServer() as smtp:
        mail = {k: v for k, v in smtp.channel().items() if k not in ("username", "password")}
        notify = {"events": ["config_changed"], "mail": [mail],
                  "webhooks": [{"kind": "wecom", "url": f"{robot}/cgi-bin/webhook/send?key=K"}, {"url": f"{robot}/j"}]}
        ws = tmp_path / "ws"
        lab = make_lab({"np-ios": "cisco_ios"}, scenarios=[SCENARIO], workspace=ws, settings={
            "client": "江川市水务局", "language": "zh-CN", "timezone": "Asia/Shanghai", "notify": notify})
        first = cli(ws, "backup")
        assert first.returncode == 0, first.stdout + first.stderr
        text = lab.config("np-ios")
        for old, new in zip(planted("cisco_ios", 1), planted("cisco_ios", 2), strict=True):
            text = text.replace(old.value, new.value)
        control.set_config(lab.state_dir, "np-ios", plant(text, "cisco_ios", 3) + "interface Loopback77\n description 巡检新增\n")
        Robot.posts.clear()
        smtp.received.clear()
        second = cli(ws, "backup")
        assert second.returncode == 0 and "warning" not in second.stderr, second.stdout + second.stderr
        [(_, _, raw)] = smtp.received
    [(_, wecom), (_, payload)] = Robot.posts
    content = wecom["markdown"]["content"]
    msg = message_from_bytes(raw.encode("utf-8"), policy=policy.default)
    assert str(msg["Subject"]) == "[netpatrol] 江川市水务局：1 台设备配置变更：np-ios"
    assert "+ description 巡检新增" in msg.get_content() and "+08:00" in msg.get_content()
    assert content.startswith("### 配置变更：江川市水务局") and "巡检新增" in content and len(content.encode()) <= 4096
    assert "巡检新增" in payload["details"][0]["diff"] and payload["time"].endswith("+00:00")
    everything = raw + json.dumps(Robot.posts, ensure_ascii=False) + json.dumps(Robot.posts)
    values = [s.value for n in (1, 2, 3) for s in planted("cisco_ios", n)]
    assert [v for v in values if v in everything] == []


@pytest.mark.lab
def test_an_inspection_notifies_its_problems_in_chinese_by_contract_level(lab_workspace, robot):
    from typer.testing import CliRunner

    from netpatrol.cli import root as cli
    from netpatrol.inspection.problems import merge

    doc = yaml.safe_load((lab_workspace / "netpatrol.yaml").read_text(encoding="utf-8"))
    doc["notify"] = {"events": ["findings"], "min_severity": "info",
                     "webhooks": [{"url": f"{robot}/j"}, {"kind": "wecom", "url": f"{robot}/w?key=K"}]}
    (lab_workspace / "netpatrol.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    res = CliRunner().invoke(cli.app, ["inspect", "--host", "east-core-01", "--host", "city-acc-02", "--json",
                                       "-w", str(lab_workspace)])
    assert res.exit_code == 0, res.output
    results = json.loads(res.stdout)["devices"]
    problems = [p for r in results for p in merge([Finding.model_validate(f) for f in r["findings"]])]
    [(_, payload), (_, wecom)] = Robot.posts
    assert payload["kind"] == "findings" and payload["lang"] == "zh-CN" and payload["time_local"].endswith("+08:00")
    assert re.match(r"^\d{4}年第[一二三四]季度巡检：2 台设备共 (\d+) 个问题（", payload["summary"])
    assert len(payload["details"]) == len(problems) >= 2  # one per problem, not one per finding
    names = {"重大一级", "重大二级", "一般故障", "提示"}
    for d in payload["details"]:
        assert d["level"] in names and d["evidence"], d
        assert all(re.search(r"[\u4e00-\u9fff]", e) for e in d["evidence"]), d["evidence"]  # Chinese sentences
    content = wecom["markdown"]["content"]
    assert "**" in content and "+08:00" in content and len(content.encode()) <= 4096
    assert not ({"critical", "major", "minor"} & set(re.findall(r"[a-z]+", content)))
