"""The compliance engine's semantics on small configs of several platforms and on real corpus
configs: sections (`under`, every matching block, `if_no_section`), present/absent/value with
units, defaults and decoding, `applies_if`, match any/all, unknown/not_applicable, and the
backup-time verdicts, which keep no secret value."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from netutils.password import encrypt_type7

from netpatrol.compliance import evaluate as engine
from netpatrol.compliance import tree
from netpatrol.compliance.evaluate import evaluate, evaluate_at_backup
from netpatrol.compliance.model import BackupVerdicts, Pack, RuleResult, Verdict

T = {"zh-CN": "测试", "en": "test"}


def pack(*rules: dict[str, Any], name: str = "t") -> Pack:
    full = [{"title": T, "category": "other", "clause": "8.1.4.1 a)", "severity": "major", **r} for r in rules]
    return Pack.model_validate({"pack": name, "title": T, "rules": full})


def rule(rid: str, platform: str, *conditions: dict[str, Any], **part: Any) -> dict[str, Any]:
    return {"id": rid, "platforms": {platform: {"conditions": list(conditions), **part}}}


def run(p: Pack, platform: str, config: str | None, backup: BackupVerdicts | None = None) -> dict[str, RuleResult]:
    return {r.rule: r for r in evaluate([p], host="r1", site="s1", platform=platform, config=config, backup=backup)}


def one(p: Pack, platform: str, config: str) -> RuleResult:
    (result,) = run(p, platform, config).values()
    return result


IOS = """hostname r1
service password-encryption
line con 0
 exec-timeout 5 0
line vty 0 4
 exec-timeout 30 0
 transport input ssh
line vty 5 15
 transport input telnet ssh
"""
VTY_TIMEOUT = {"under": ["^line vty"], "value": {"line": r"^exec-timeout (?P<minutes>\d+)(?: (?P<seconds>\d+))?",
                                                "op": "le", "threshold": 10, "unit": "minutes", "default": 10}}


def test_present_and_absent_at_top_level_look_at_top_level_lines_only() -> None:
    p = pack(rule("enc", "cisco_ios", {"present": "^service password-encryption"}),
             rule("no-timeout-at-top", "cisco_ios", {"absent": "^exec-timeout"}))
    res = run(p, "cisco_ios", IOS)
    assert res["enc"].status == "pass" and res["enc"].evidence_in("en") == ["service password-encryption"]
    # exec-timeout lines exist, but only inside sections: without `under`, top level only.
    assert res["no-timeout-at-top"].status == "pass"
    res = run(p, "cisco_ios", IOS.replace("service password-encryption\n", ""))
    assert res["enc"].status == "fail" and res["enc"].evidence_in("en") == ["required command not configured"]


def test_absent_under_a_section_is_checked_in_every_matching_block() -> None:
    p = pack(rule("no-telnet", "cisco_ios", {"under": ["^line vty"], "absent": "^transport input .*telnet"},
                  remediation=["line vty 5 15", " transport input ssh"]))
    r = one(p, "cisco_ios", IOS)
    assert r.status == "fail"
    assert r.evidence_in("en") == ["line vty 5 15 > transport input telnet ssh"]
    assert r.remediation == ["line vty 5 15", " transport input ssh"]
    fixed = one(p, "cisco_ios", IOS.replace("transport input telnet ssh", "transport input ssh"))
    assert fixed.status == "pass" and fixed.remediation == []


@pytest.mark.parametrize(("line", "status"), [
    ("exec-timeout 30 0", "fail"),
    ("exec-timeout 10 0", "pass"),
    ("exec-timeout 10 1", "fail"),   # 10 min 1 s is past 10 minutes
    ("exec-timeout 0 600", "pass"),  # 600 s = 10 minutes: seconds are summed into the unit
    ("exec-timeout 9", "pass"),
])
def test_value_with_time_groups_is_summed_into_the_unit(line: str, status: str) -> None:
    p = pack(rule("vty-idle", "cisco_ios", VTY_TIMEOUT))
    config = IOS.replace("exec-timeout 30 0", line)
    assert one(p, "cisco_ios", config).status == status


def test_value_evidence_names_the_section_the_value_and_the_test() -> None:
    r = one(pack(rule("vty-idle", "cisco_ios", VTY_TIMEOUT)), "cisco_ios", IOS)
    assert r.evidence_in("en") == ["line vty 0 4 > exec-timeout 30 0 (30 minutes; must be at most 10 minutes)"]
    assert r.evidence_in("zh-CN") == ["line vty 0 4 > exec-timeout 30 0（30 分钟，应不大于 10 分钟）"]  # noqa: RUF001 - Chinese punctuation


def test_value_default_applies_when_no_line_matches_and_no_default_fails() -> None:
    # vty 5 15 has no exec-timeout: the platform default (10) passes; vty 0 4's 30 still fails.
    config = IOS.replace(" exec-timeout 30 0\n", "")
    assert one(pack(rule("vty-idle", "cisco_ios", VTY_TIMEOUT)), "cisco_ios", config).status == "pass"
    strict = {**VTY_TIMEOUT, "value": {**VTY_TIMEOUT["value"], "default": None}}
    r = one(pack(rule("vty-idle", "cisco_ios", strict)), "cisco_ios", config)
    assert r.status == "fail"
    assert r.evidence_in("en") == ["required command not configured under line vty 0 4",
                                  "required command not configured under line vty 5 15"]
    assert r.evidence_in("zh-CN")[0] == "未配置所需命令，位于 line vty 0 4 下"  # noqa: RUF001 - Chinese punctuation
    low_default = {**VTY_TIMEOUT, "value": {**VTY_TIMEOUT["value"], "default": 15}}
    assert one(pack(rule("vty-idle", "cisco_ios", low_default)), "cisco_ios", config).status == "fail"


def test_if_no_section_gives_the_status_when_under_matches_nothing() -> None:
    config = "hostname r1\n"
    assert one(pack(rule("vty-idle", "cisco_ios", VTY_TIMEOUT)), "cisco_ios", config).status == "not_applicable"
    r = one(pack(rule("vty-idle", "cisco_ios", {**VTY_TIMEOUT, "if_no_section": "fail"})), "cisco_ios", config)
    assert r.status == "fail" and r.evidence_in("en") == ["none of the sections the rule checks is configured"]


def test_under_names_nested_sections_outermost_first() -> None:
    config = """router bgp 65000
 neighbor 192.0.2.1 remote-as 65001
 address-family ipv4
  neighbor 192.0.2.1 activate
 address-family ipv6
  neighbor 2001:db8::1 activate
"""
    p = pack(rule("v4-peer", "cisco_ios", {"under": ["^router bgp", "^address-family ipv4"],
                                           "present": r"^neighbor \S+ activate"}),
             rule("no-v6-peer", "cisco_ios", {"under": ["^router bgp", "^address-family ipv4"], "absent": "2001:db8"}))
    res = run(p, "cisco_ios", config)
    assert res["v4-peer"].status == "pass"
    assert res["v4-peer"].evidence_in("en") == ["router bgp 65000 > address-family ipv4 > neighbor 192.0.2.1 activate"]
    assert res["no-v6-peer"].status == "pass"  # the ipv6 family is a different section


def test_huawei_sections_and_a_count_value() -> None:
    vrp = """#
sysname core
#
aaa
 local-user admin password irreversible-cipher $1c$abc$
 local-aaa-user wrong-password retry-interval 5 retry-time 8 block-time 5
#
user-interface vty 0 4
 authentication-mode aaa
 idle-timeout 5 0
#
return
"""
    p = pack(rule("lockout", "huawei_vrp", {"under": ["^aaa$"], "value": {
                 "line": r"^local-aaa-user wrong-password retry-interval \d+ retry-time (?P<value>\d+)",
                 "op": "le", "threshold": 5, "unit": "count"}}),
             rule("vty-idle", "huawei_vrp", {"under": ["^user-interface vty"], "value": {
                 "line": r"^idle-timeout (?P<minutes>\d+)(?: (?P<seconds>\d+))?", "op": "le", "threshold": 10,
                 "unit": "minutes", "default": 10}}))
    res = run(p, "huawei_vrp", vrp)
    assert res["lockout"].status == "fail"
    assert res["lockout"].evidence_in("en") == ["aaa > local-aaa-user wrong-password retry-interval 5 retry-time 8 block-time 5 "
                                       "(8; must be at most 5)"]
    assert res["vty-idle"].status == "pass"
    assert run(p, "huawei_vrp", vrp.replace("retry-time 8", "retry-time 3"))["lockout"].status == "pass"


def test_junos_brace_config_is_read_as_set_lines() -> None:
    junos = "system {\n    services {\n        ssh;\n        telnet;\n    }\n}\n"
    p = pack(rule("no-telnet", "juniper_junos", {"absent": "^set system services telnet"}))
    r = one(p, "juniper_junos", junos)
    assert r.status == "fail" and r.evidence_in("en") == ["set system services telnet"]
    assert one(p, "juniper_junos", junos.replace("        telnet;\n", "")).status == "pass"


def test_strings_in_and_not_in_and_eq() -> None:
    eos = "hostname a\nmanagement ssh\n   idle-timeout 5\nlogging host 192.0.2.9\n"
    p = pack(rule("log-to", "arista_eos", {"value": {"line": r"^logging host (?P<value>\S+)", "op": "in",
                                                     "threshold": ["192.0.2.9", "192.0.2.10"]}}),
             rule("not-default", "arista_eos", {"value": {"line": r"^hostname (?P<value>\S+)", "op": "not_in",
                                                          "threshold": ["localhost", "a"]}}),
             rule("eq-number", "arista_eos", {"under": ["^management ssh"], "value": {
                 "line": r"^idle-timeout (?P<value>\d+)", "op": "eq", "threshold": 5}}))
    res = run(p, "arista_eos", eos)
    assert (res["log-to"].status, res["not-default"].status, res["eq-number"].status) == ("pass", "fail", "pass")


def test_a_value_that_is_not_a_number_is_unknown() -> None:
    p = pack(rule("n", "cisco_ios", {"value": {"line": r"^hostname (?P<value>\S+)", "op": "le", "threshold": 3}}))
    r = one(p, "cisco_ios", IOS)
    assert r.status == "unknown" and "not a number" in r.evidence_in("en")[0]


def test_applies_if_gates_the_rule_anywhere_in_the_config() -> None:
    p = pack(rule("snmp-acl", "cisco_ios", {"present": r"^snmp-server community \S+ R[OW] \S+"},
                  applies_if="^snmp-server community"))
    r = one(p, "cisco_ios", IOS)
    assert r.status == "not_applicable" and "does not apply" in r.evidence_in("en")[0]
    assert one(p, "cisco_ios", IOS + "snmp-server community x RO\n").status == "fail"
    assert one(p, "cisco_ios", IOS + "snmp-server community x RO 10\n").status == "pass"
    # applies_if looks at any depth, not only the top level.
    deep = pack(rule("vty-ssh", "cisco_ios", {"under": ["^line vty"], "present": "^transport input ssh"},
                     applies_if="^transport input"))
    assert one(deep, "cisco_ios", IOS).status == "fail"  # vty 5 15 also allows telnet: "ssh" is not first


@pytest.mark.parametrize(("match", "status"), [("all", "fail"), ("any", "pass")])
def test_match_all_needs_every_condition_and_any_one(match: str, status: str) -> None:
    p = pack(rule("auth", "cisco_ios", {"present": "^aaa new-model"}, {"present": "^service password-encryption"},
                  match=match))
    r = one(p, "cisco_ios", IOS)
    assert r.status == status
    if match == "all":
        assert r.evidence_in("en") == ["required command not configured"]  # only what failed


def test_sections_any_passes_when_one_matching_section_passes() -> None:
    ssh_only = {"under": ["^line vty"], "present": "^transport input ssh$"}
    every = one(pack(rule("r", "cisco_ios", ssh_only)), "cisco_ios", IOS)
    assert every.status == "fail"  # vty 5 15 allows telnet too
    some = one(pack(rule("r", "cisco_ios", {**ssh_only, "sections": "any"})), "cisco_ios", IOS)
    assert some.status == "pass" and some.evidence_in("en") == ["line vty 0 4 > transport input ssh"]
    none = one(pack(rule("r", "cisco_ios", {**ssh_only, "sections": "any"})), "cisco_ios",
               IOS.replace("transport input ssh\n", "transport input telnet\n"))
    assert none.status == "fail" and len(none.evidence_in("en")) == 2  # why each section failed
    gone = one(pack(rule("r", "cisco_ios", {**ssh_only, "sections": "any", "if_no_section": "fail"})), "cisco_ios",
               "hostname r1\n")
    assert gone.status == "fail"


@pytest.mark.parametrize(("config", "status"), [
    (IOS, "fail"),  # vty 5 15 allows telnet: neither A nor B
    (IOS.replace("transport input telnet ssh", "transport input ssh"), "pass"),  # B holds
    (IOS.replace("service password-encryption\n", ""), "fail"),  # C fails
    ("hostname r1\nservice password-encryption\nline vty 0 4\n transport input none\n", "pass"),  # A holds
])
def test_any_of_and_all_of_nest_conditions(config: str, status: str) -> None:
    # (no telnet anywhere OR every vty ssh-only) AND password encryption
    p = pack(rule("r", "cisco_ios",
                  {"any_of": [{"under": ["^line vty"], "absent": "telnet"},
                              {"all_of": [{"under": ["^line vty"], "present": "^transport input ssh$"}]}]},
                  {"present": "^service password-encryption"}))
    assert one(p, "cisco_ios", config).status == status


def test_any_of_a_part_that_cannot_tell_is_unknown_only_when_none_passes() -> None:
    value = {"value": {"line": r"^exec-timeout (?P<value>\S+)", "op": "le", "threshold": 10}}
    p = pack(rule("r", "cisco_ios", {"any_of": [{"under": ["^line con"], **value}, {"present": "^hostname"}]}))
    assert one(p, "cisco_ios", "hostname r1\nline con 0\n exec-timeout x\n").status == "pass"
    assert one(p, "cisco_ios", "line con 0\n exec-timeout x\n").status == "unknown"


def test_platform_without_entry_is_unknown_null_is_not_applicable_no_config_unknown() -> None:
    p = pack({"id": "r", "platforms": {"cisco_ios": {"conditions": [{"present": "^hostname"}]}, "huawei_vrp": None}})
    assert one(p, "arista_eos", "hostname a\n").status == "unknown"
    assert one(p, "huawei_vrp", "sysname a\n").status == "not_applicable"
    (r,) = run(p, "cisco_ios", None).values()
    assert r.status == "unknown" and r.evidence_in("en") == ["no stored config"]


def test_results_carry_the_rule_and_as_json_has_the_issue_fields() -> None:
    r = one(pack(rule("no-telnet", "cisco_ios", {"under": ["^line vty"], "absent": "telnet"})), "cisco_ios", IOS)
    assert set(r.as_json("en")) == {"host", "site", "platform", "pack", "rule", "status", "severity", "clause",
                                    "title", "evidence", "remediation"}
    assert (r.host, r.site, r.pack, r.clause, r.title.en) == ("r1", "s1", "t", "8.1.4.1 a)", "test")


def test_the_config_is_parsed_once_for_all_packs(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = tree.parse
    monkeypatch.setattr(tree, "parse", lambda platform, text: calls.append(platform) or real(platform, text))
    packs = [pack(rule("a", "cisco_ios", {"present": "^hostname"}), name="one"),
             pack(rule("b", "cisco_ios", {"absent": "^telnet"}), name="two")]
    results = evaluate(packs, host="r1", site="s1", platform="cisco_ios", config=IOS, backup=None)
    assert [(r.pack, r.status) for r in results] == [("one", "pass"), ("two", "pass")] and calls == ["cisco_ios"]


def test_a_config_the_tree_cannot_read_leaves_rules_unknown_without_quoting_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(platform: str, text: str) -> None:
        raise ValueError("duplicate section: snmp-server community Sup3rSecret RO")

    monkeypatch.setattr(tree, "parse", fail)
    r = one(pack(rule("a", "cisco_ios", {"present": "^hostname"})), "cisco_ios", IOS)
    assert r.status == "unknown" and "could not be read" in r.evidence_in("en")[0] and "Sup3rSecret" not in r.evidence_in("en")[0]


def test_a_backtracking_regex_makes_the_rule_unknown_not_the_run_hang(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "RULE_SECONDS", 0.5)
    # (a|aa)+ backtracks without end in the regex engine too; it sees through (a+)+.
    p = pack(rule("slow", "cisco_ios", {"present": r"^(a|aa)+$"}), rule("fine", "cisco_ios", {"present": "^hostname"}))
    res = run(p, "cisco_ios", "hostname r1\n" + "a" * 40 + "!\n")
    assert res["slow"].status == "unknown" and "catastrophic backtracking" in res["slow"].evidence_in("en")[0]
    assert res["fine"].status == "pass"


def test_evidence_is_limited_to_a_readable_number_of_lines() -> None:
    config = "".join(f"interface Gi0/{i}\n ip address 10.0.{i}.1 255.255.255.0\n" for i in range(30))
    r = one(pack(rule("no-ip", "cisco_ios", {"under": ["^interface"], "absent": "^ip address"})), "cisco_ios", config)
    assert r.status == "fail" and len(r.evidence_in("en")) == 11 and r.evidence_in("en")[-1] == "... and 20 more"


def test_a_very_long_line_is_cut_in_the_evidence() -> None:
    config = "interface Gi0/1\n description " + "x" * 5000 + "\n"
    r = one(pack(rule("no-desc", "cisco_ios", {"under": ["^interface"], "absent": "^description"})), "cisco_ios", config)
    assert r.status == "fail" and len(r.evidence_in("en")[0]) == 300 and r.evidence_in("en")[0].endswith("...")


# --- at backup time --------------------------------------------------------------------------------

SECRET_COMMUNITY = "Zq7-x9Kcomm"
DEFAULT_PW = "cisco"
AT_BACKUP = pack(
    {"id": "snmp-default-community", "at_backup": True, "platforms": {"cisco_ios": {"conditions": [
        {"value": {"line": r"^snmp-server community (?P<value>\S+)", "op": "not_in",
                   "threshold": ["public", "private"]}}]}}},
    {"id": "default-password", "at_backup": True, "platforms": {"cisco_ios": {"conditions": [
        {"value": {"line": r"^username \S+ (?:privilege \d+ )?password 7 (?P<value>\S+)", "op": "not_in",
                   "threshold": ["cisco", "admin", "123456"], "decode": "cisco_type7", "default": "none"}}]}}},
    {"id": "config-saved", "at_backup": True, "platforms": {"cisco_ios": {"conditions": [{"saved": True}]}}},
    {"id": "hostname", "platforms": {"cisco_ios": {"conditions": [{"present": "^hostname"}]}}},
    name="dengbao-test")


def _unsanitised() -> str:
    return (IOS + f"snmp-server community public RO\nsnmp-server community {SECRET_COMMUNITY} RW\n"
            f"username admin privilege 15 password 7 {encrypt_type7(DEFAULT_PW)}\n")


def test_at_backup_verdicts_keep_no_secret_value() -> None:
    text = _unsanitised()
    out = evaluate_at_backup([AT_BACKUP], host="r1", platform="cisco_ios", text=text, saved_matches=False)
    v = out.verdicts["dengbao-test"]
    assert set(v) == {"snmp-default-community", "default-password", "config-saved"}  # only at_backup rules
    assert v["snmp-default-community"].status == "fail"
    assert v["default-password"].status == "fail"
    assert v["config-saved"].status == "fail"
    # The thresholds are the pack's words; without them no value read from the device remains.
    dumped = json.dumps([x.evidence_in("en") for x in v.values()]).replace("[public, private]", "").replace("[cisco, admin, 123456]", "")
    assert SECRET_COMMUNITY not in out.model_dump_json()
    for secret in ("public", SECRET_COMMUNITY, encrypt_type7(DEFAULT_PW), DEFAULT_PW):
        assert secret not in dumped, secret
    assert v["snmp-default-community"].evidence_in("en")[0].startswith("snmp-server community <removed> RO")


def test_at_backup_passes_on_a_clean_config_and_saved_none_is_not_applicable() -> None:
    text = IOS + f"snmp-server community {SECRET_COMMUNITY} RO\nusername admin password 7 {encrypt_type7('Long-Pw-2026')}\n"
    out = evaluate_at_backup([AT_BACKUP], host="r1", platform="cisco_ios", text=text, saved_matches=None)
    statuses = {k: x.status for k, x in out.verdicts["dengbao-test"].items()}
    assert statuses == {"snmp-default-community": "pass", "default-password": "pass", "config-saved": "not_applicable"}
    assert SECRET_COMMUNITY not in out.model_dump_json() and "Long-Pw-2026" not in out.model_dump_json()
    saved = evaluate_at_backup([AT_BACKUP], host="r1", platform="cisco_ios", text=text, saved_matches=True)
    assert saved.verdicts["dengbao-test"]["config-saved"].status == "pass"


def test_evaluate_takes_at_backup_rules_from_the_stored_verdicts() -> None:
    stored = BackupVerdicts(host="r1", platform="cisco_ios", verdicts={"dengbao-test": {
        "snmp-default-community": Verdict(status="fail", evidence=["snmp-server community <removed> RO"])}})
    res = run(AT_BACKUP, "cisco_ios", IOS, backup=stored)
    assert res["snmp-default-community"].status == "fail"
    assert res["snmp-default-community"].evidence_in("en") == ["snmp-server community <removed> RO"]
    assert res["default-password"].status == "unknown"  # no verdict stored for it
    assert res["hostname"].status == "pass"
    assert run(AT_BACKUP, "cisco_ios", IOS)["config-saved"].status == "unknown"  # no backup record at all


# --- real configs ------------------------------------------------------------------------------------


@pytest.mark.corpus
def test_real_ios_config_planted_violation_flips_pass_fail_pass(corpus: Path) -> None:
    path = corpus / "cisco_ios" / "configs" / "netutils_ios_full.cfg"
    if not path.is_file():
        pytest.skip(f"{path.name} is not in this corpus")
    text = path.read_text(encoding="utf-8", errors="replace")
    p = pack(rule("vty-idle", "cisco_ios", {**VTY_TIMEOUT, "if_no_section": "fail"}),
             rule("no-telnet", "cisco_ios", {"under": ["^line vty"], "absent": "^transport input .*telnet"}))
    clean = "\n".join(ln for ln in text.splitlines() if "exec-timeout" not in ln and "transport input" not in ln)
    clean = clean.replace("\nline vty 0 4\n", "\nline vty 0 4\n exec-timeout 5 0\n")
    before = run(p, "cisco_ios", clean)
    assert before["vty-idle"].status == "pass" and before["no-telnet"].status == "pass", before
    planted = clean.replace("\nline vty 0 4\n exec-timeout 5 0\n", "\nline vty 0 4\n exec-timeout 60 0\n transport input telnet\n")
    after = run(p, "cisco_ios", planted)
    assert after["vty-idle"].status == "fail" and after["vty-idle"].evidence_in("en")[0].startswith("line vty 0 4 > exec-timeout 60 0")
    assert after["no-telnet"].evidence_in("en") == ["line vty 0 4 > transport input telnet"]
    assert run(p, "cisco_ios", clean)["vty-idle"].status == "pass"


@pytest.mark.corpus
def test_real_vrp_and_junos_configs_evaluate_without_unknowns(corpus: Path) -> None:
    cases = [("huawei_vrp", pack(rule("vty", "huawei_vrp", {"under": ["^user-interface"], "present": "."}),
                                 rule("sysname", "huawei_vrp", {"present": "^sysname "}))),
             ("juniper_junos", pack(rule("host", "juniper_junos", {"present": "^set system host-name "})))]
    seen = 0
    for platform, p in cases:
        for path in sorted((corpus / platform / "configs").glob("*.cfg")):
            text = path.read_text(encoding="utf-8", errors="replace")
            try:
                tree.parse(platform, text)
            except Exception:  # noqa: BLE001  # a config the platform's tree cannot read yet is the drivers' matter
                continue
            results = evaluate([p], host=path.stem, site="s", platform=platform, config=text, backup=None)
            assert all(r.status in ("pass", "fail", "not_applicable") for r in results), (path.name, results)
            assert json.dumps([r.as_json("zh-CN") for r in results], ensure_ascii=False)
            seen += 1
    assert seen >= 2
