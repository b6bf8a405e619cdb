"""zones/messages.py: what a zone's worker is sent and returns travels as JSON, round-trips for every
kind, carries no password and no unsanitised text, and refuses what it does not know."""

from __future__ import annotations

import json
from contextlib import contextmanager
from functools import partial

import pytest

from netpatrol import errors
from netpatrol.backup.service import PreviousConfigs
from netpatrol.backup.task import FetchedConfig, fetch_config
from netpatrol.checks.engine import config_patterns
from netpatrol.checks.loader import load_packs
from netpatrol.collect.collector import Outcome
from netpatrol.collect.session import CommandOutput
from netpatrol.compliance.model import BackupVerdicts, Texts, Verdict
from netpatrol.compliance.records import backup_packs
from netpatrol.inspection.catalogue import load_job
from netpatrol.inspection.task import ItemRaw, RawCollection, collect_inspection
from netpatrol.workspace.inventory import load_inventory
from netpatrol.workspace.settings import Workspace
from netpatrol.zones.messages import KINDS, decode_call, decode_outcome, encode_call, encode_outcome

SECRET = "Hunter2secret"
CONFIG = f"""!
hostname acc-01
username guest privilege 1 password 0 {SECRET}
snmp-server community public RO
line vty 0 4
 transport input telnet ssh
end
"""


def wire(value):
    """What the broker does to a message: JSON out, JSON in."""
    return json.loads(json.dumps(value))


@pytest.fixture
def hosts(sample_workspace):
    inv = load_inventory(sample_workspace)
    return sample_workspace, list(inv.hosts.values())


def _backup_procedure(ws, all_hosts, previous):
    packs, _ = backup_packs(Workspace(ws))
    return partial(fetch_config, previous=previous, secrets="all", max_shrink=0.4, compare_saved=True, packs=packs), packs


def test_a_backup_call_round_trips_with_line_counts_for_its_hosts_only(hosts, tmp_path):
    ws, every = hosts
    some = every[:2]
    (tmp_path / "a.cfg").write_text("hostname a\n\n interface x\nend\n", encoding="utf-8")
    previous = PreviousConfigs(tmp_path, {h.name: "a.cfg" if h is some[0] else "missing.cfg" for h in every})
    procedure, packs = _backup_procedure(ws, every, previous)
    kind, args = encode_call(procedure, some)
    assert kind == "backup" and set(args) == {"previous_lines", "secrets", "max_shrink", "compare_saved", "packs"}
    assert args["previous_lines"] == {some[0].name: 3, some[1].name: None}
    decoded = decode_call(kind, wire(args))
    assert decoded.func is fetch_config
    kw = decoded.keywords
    assert [kw["previous"](h.name) for h in some] == [3, None]
    assert (kw["secrets"], kw["max_shrink"], kw["compare_saved"], kw["packs"]) == ("all", 0.4, True, packs)


def test_an_inspection_call_round_trips_restricted_to_its_hosts(hosts):
    ws, every = hosts
    job = load_job(ws, "quarterly")
    checks = load_packs(job.check_packs, None)
    some = [h for h in every if h.platform == every[0].platform][:1]
    remembered = {h.name: {"version": "show version"} for h in every}
    procedure = partial(collect_inspection, items=job.platforms, remembered=remembered, collect_config=True,
                        secrets="reversible", config_checks=config_patterns(checks))
    kind, args = encode_call(procedure, some)
    assert kind == "inspection"
    assert set(args["items"]) == {some[0].platform} and set(args["remembered"]) == {some[0].name}
    assert all(set(per) <= {some[0].platform} for per in args["config_checks"].values())
    decoded = decode_call(kind, wire(args))
    assert decoded.func is collect_inspection
    assert decoded.keywords["items"] == {some[0].platform: job.platforms[some[0].platform]}
    assert decoded.keywords["secrets"] == "reversible" and decoded.keywords["collect_config"] is True


def test_encoded_calls_hold_no_password_nor_secret_reference(hosts, monkeypatch):
    ws, every = hosts
    monkeypatch.setenv("NETPATROL_PASSWORD", "pw-that-must-stay-home-91")
    every = list(load_inventory(ws).hosts.values())
    job = load_job(ws, "quarterly")
    calls = [
        encode_call(_backup_procedure(ws, every, dict.fromkeys((h.name for h in every), 10).get)[0], every),
        encode_call(partial(collect_inspection, items=job.platforms, remembered={}, collect_config=True,
                            secrets="all", config_checks={}), every),
    ]
    text = json.dumps(calls)
    assert "pw-that-must-stay-home-91" not in text
    for word in ("secret_ref", "${", "NETPATROL_PASSWORD"):
        assert word not in text, word


def test_what_cannot_run_in_a_zone_is_refused():
    with pytest.raises(errors.UsageError, match="cannot run in a zone"):
        encode_call(partial(len), [])
    with pytest.raises(errors.UsageError, match=r"'len' cannot run in a zone; zone-capable: backup, inspection"):
        encode_call(len, [])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"unknown procedure kind 'os\.system'"):
        decode_call("os.system", {})
    with pytest.raises(ValueError, match="unknown procedure kind"):
        decode_outcome("shell", {"host": "a", "ok": True})


@pytest.mark.parametrize("kind,args,field", [
    ("backup", {"previous_lines": {}, "secrets": "all", "max_shrink": 0.5}, "compare_saved"),
    ("backup", {"previous_lines": {"a": "many"}, "secrets": "all", "max_shrink": 0.5, "compare_saved": True}, "a"),
    ("inspection", {"items": {}, "remembered": {}, "collect_config": False, "secrets": "all", "config_checks": {},
                    "command": "reload"}, "command"),
])
def test_bad_arguments_are_a_value_error_naming_the_field(kind, args, field):
    with pytest.raises(ValueError, match=field):
        decode_call(kind, args)


def test_outcome_values_round_trip():
    # Evidence in both languages: Texts' field zh_CN travels under its alias "zh-CN".
    verdicts = BackupVerdicts(host="a", platform="cisco_ios", verdicts={"dengbao-l3": {"config-saved": Verdict(
        status="fail", evidence=["plain", Texts.model_validate({"zh-CN": "未保存", "en": "not saved"})])}})
    fetched = FetchedConfig("hostname a\nend\n", 2, True, "checked", "w", verdicts, None)
    raw = RawCollection("2026-12-05T10:00:00+00:00", {"version": ItemRaw("version", "show version", "IOS 15"),
                                                      "env": ItemRaw("env", None, None, ["show env: % Invalid"])},
                        config_saved=False, config_matches={"telnet_enabled": [" transport input telnet ssh"]},
                        config_overrun=["site_bomb"])
    for kind, value in (("backup", fetched), ("inspection", raw)):
        back = decode_outcome(kind, wire(encode_outcome(Outcome("a", True, value))))
        assert back == Outcome("a", True, value)


@pytest.mark.parametrize("cls", [errors.Unreachable, errors.AuthFailed, errors.DeviceTimeout, errors.SessionDropped,
                                 errors.HostKeyMismatch, errors.CommandRejected, errors.IncompleteOutput,
                                 errors.NoCollector, errors.DeviceError])
def test_error_classes_status_and_reason_are_kept(cls):
    back = decode_outcome("backup", wire(encode_outcome(Outcome("r1", False, error=cls("r1", "why")))))
    assert type(back.error) is cls and not back.ok and back.value is None
    assert (back.error.host, back.error.reason, back.error.status) == ("r1", "why", cls.status)


def test_an_unknown_error_class_becomes_a_device_error_keeping_status_and_reason():
    data = {"host": "r1", "ok": False, "error": {"class": "QuantumFault", "status": "auth_failed", "reason": "no"}}
    back = decode_outcome("inspection", data)
    assert type(back.error) is errors.DeviceError
    assert (back.error.status, back.error.reason, str(back.error)) == ("auth_failed", "no", "r1: no")


def test_every_kind_has_a_procedure_and_json_arguments():
    assert set(KINDS) == {"backup", "inspection"}
    for kind in KINDS.values():
        assert kind.args.model_json_schema()  # pure JSON arguments


class _Device:
    def __init__(self, replies: dict[str, str]):
        self.replies = replies

    def send(self, command: str) -> CommandOutput:
        if command in self.replies:
            return CommandOutput(command, self.replies[command])
        return CommandOutput(command, "", "% Invalid input detected")


def test_a_decoded_inspection_returns_only_sanitised_text(hosts):
    """What a worker sends back: item texts sanitised, config checks matched in place, no config."""
    _, every = hosts
    h = next(h for h in every if h.platform == "cisco_ios")
    logged = f"%PARSER-5-CFGLOG_LOGGEDCMD: User:admin  logged command:username bob password 0 {SECRET}\n"
    replies = {"show logging": logged, "show running-config": CONFIG, "show startup-config": CONFIG}

    @contextmanager
    def connect():
        yield _Device(replies)

    checks = load_packs(["security"], None)
    args = {"items": {"cisco_ios": {"logs": ["show logging"]}}, "remembered": {}, "collect_config": True,
            "secrets": "all", "config_checks": config_patterns(checks)}
    procedure = decode_call("inspection", wire(args))
    sent = json.dumps(encode_outcome(Outcome(h.name, True, procedure(h, connect))))
    assert SECRET not in sent and "public" not in sent.replace("<removed>", "")
    back = decode_outcome("inspection", json.loads(sent)).value
    assert back.items["logs"].text.endswith("password 0 <removed>\n")
    assert back.config_saved is True
    assert back.config_matches["plaintext_password"] == ["username guest privilege 1 password 0 <removed>"]
