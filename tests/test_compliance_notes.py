# ruff: noqa: RUF001, RUF002 - the Chinese notes themselves, full-width punctuation included
"""Evidence notes in both languages and language-neutral clauses (issue 14 follow-up).

An evidence entry is a config line (device text) or a note of the engine in zh-CN and en from the
catalogue compliance/notes.yaml; a note never quotes the rule's regex. Every note kind the engine
writes is produced here on real configs and checked in both languages; `as_json(lang)` prints the
entries as strings in that language; records of the previous format (English strings, the clause
with "（核查表）") still read; the report (docx, xlsx) shows notes in its language only and marks
inspection-sheet items by its messages catalogue, the clause itself staying neutral."""

from __future__ import annotations

import json
import re
import string

import pytest

from netpatrol.compliance import evaluate as engine
from netpatrol.compliance.evaluate import evaluate, evaluate_at_backup
from netpatrol.compliance.loader import load_packs
from netpatrol.compliance.model import BackupVerdicts, DeviceCompliance, Pack, RuleResult, Texts
from netpatrol.compliance.notes import catalogue

CJK = re.compile(r"[\u4e00-\u9fff]")
# Words only the English notes use: none may reach a zh-CN document.
ENGLISH_NOTE = re.compile(r"required command|not configured|must be|does not apply|no line matches|missing:|"
                          r"checked at backup|the rule|minutes|the default|see the fix|forbidden")
T = {"zh-CN": "测试", "en": "test"}
TIMEOUT = r"^exec-timeout (?P<minutes>\d+)(?: (?P<seconds>\d+))?"
IOS = """hostname r1
line vty 0 4
 exec-timeout 30 0
 transport input ssh
line vty 5 15
 exec-timeout abc
"""


def pack(*rules: dict) -> Pack:
    full = [{"title": T, "category": "other", "clause": "8.1.4.1 a)", "severity": "major", **r} for r in rules]
    return Pack.model_validate({"pack": "t", "title": T, "rules": full})


def part(*conditions: dict, **kw) -> dict:
    return {"cisco_ios": {"conditions": list(conditions), **kw}}


RULES = pack(
    {"id": "missing-fix", "platforms": part({"present": "^ntp authenticate$", "under": ["^line vty 0"]},
                                            remediation=["line vty 0 4", " ntp authenticate"])},
    {"id": "missing-top", "platforms": part({"present": "^aaa new-model$"})},
    {"id": "absent-ok", "platforms": part({"absent": "^ip http server"})},
    {"id": "no-section", "platforms": part({"under": ["^aaa"], "present": "^x", "if_no_section": "fail"})},
    {"id": "not-applicable", "platforms": part({"present": "^x"}, applies_if="^router bgp")},
    {"id": "value", "platforms": part({"under": ["^line vty 0"], "value": {"line": TIMEOUT, "op": "le",
                                                                           "threshold": 10, "unit": "minutes"}})},
    {"id": "unreadable", "platforms": part({"under": ["^line vty 5"], "value": {
        "line": r"^exec-timeout (?P<value>\S+)", "op": "le", "threshold": 10}})},
    {"id": "default", "platforms": part({"under": ["^line vty 5"], "value": {
        "line": "^session-limit (?P<value>\\d+)", "op": "le", "threshold": 5, "default": 8}},
        remediation=["line vty 5 15", " session-limit 5"])},
    {"id": "at-backup", "at_backup": True, "platforms": part({"saved": True})},
    {"id": "other-platform", "platforms": {"huawei_vrp": part({"present": "^x"})["cisco_ios"]}},
    {"id": "excluded", "platforms": {"cisco_ios": None}},
)
EXPECTED = {  # rule -> (status, zh-CN note, en note) of its first evidence entry
    "missing-fix": ("fail", "未配置所需命令，位于 line vty 0 4 下（见整改命令）",
                    "required command not configured under line vty 0 4 (see the fix)"),
    "missing-top": ("fail", "未配置所需命令", "required command not configured"),
    "absent-ok": ("pass", "未发现不应有的配置", "no forbidden line configured"),
    "no-section": ("fail", "未配置该规则检查的配置段", "none of the sections the rule checks is configured"),
    "not-applicable": ("not_applicable", "不适用：设备未配置该规则针对的功能",
                       "does not apply: the feature the rule checks is not configured"),
    "value": ("fail", "line vty 0 4 > exec-timeout 30 0（30 分钟，应不大于 10 分钟）",
              "line vty 0 4 > exec-timeout 30 0 (30 minutes; must be at most 10 minutes)"),
    "unreadable": ("unknown", "line vty 5 15 > exec-timeout abc（该值不是数字）",
                   "line vty 5 15 > exec-timeout abc (the value is not a number)"),
    "default": ("fail", "未配置，位于 line vty 5 15 下，默认值 8 不符合要求：应不大于 5（见整改命令）",
                "not configured under line vty 5 15; the default 8 fails the rule: must be at most 5 (see the fix)"),
    "at-backup": ("unknown", "该规则在备份时检查：尚无备份存储其结论",
                  "checked at backup time: no backup has stored its verdict yet"),
    "other-platform": ("unknown", "该规则没有 cisco_ios 平台的检查", "the rule has no check for platform cisco_ios"),
    "excluded": ("not_applicable", "该规则不适用于 cisco_ios 平台", "the rule does not apply to platform cisco_ios"),
}


def results(config: str | None = IOS) -> dict[str, RuleResult]:
    return {r.rule: r for r in evaluate([RULES], host="r1", site="s1", platform="cisco_ios", config=config,
                                        backup=None)}


def assert_bilingual(zh: str, en: str) -> None:
    assert CJK.search(zh) and not ENGLISH_NOTE.search(zh), zh
    assert not CJK.search(en), en
    assert "^" not in zh + en and "(?P" not in zh + en, "a note quotes a regex"


def test_the_catalogue_has_both_languages_with_the_same_placeholders():
    for key, entry in catalogue().items():
        assert set(entry) == {"zh-CN", "en"}, key
        fields = [{f for _, f, _, _ in string.Formatter().parse(entry[lang]) if f} for lang in ("zh-CN", "en")]
        assert fields[0] == fields[1], key


@pytest.mark.parametrize("rule", sorted(EXPECTED))
def test_every_note_kind_is_written_in_both_languages(rule):
    r = results()[rule]
    status, zh, en = EXPECTED[rule]
    assert r.status == status, r.evidence
    assert isinstance(r.evidence[0], Texts)
    assert (r.evidence_in("zh-CN")[0], r.evidence_in("en")[0]) == (zh, en)
    assert_bilingual(zh, en)


def test_config_lines_stay_device_text_and_engine_level_notes_are_bilingual(monkeypatch):
    p = pack({"id": "lines", "platforms": part({"absent": "^exec-timeout", "under": ["^line vty"]})},
             {"id": "many", "platforms": part({"absent": "^x "})})
    found = {r.rule: r for r in evaluate([p], host="r1", site="s1", platform="cisco_ios", config=IOS, backup=None)}
    assert found["lines"].evidence == ["line vty 0 4 > exec-timeout 30 0", "line vty 5 15 > exec-timeout abc"]
    many = {r.rule: r for r in evaluate([p], host="r1", site="s1", platform="cisco_ios",
                                        config="\n".join(f"x {i}" for i in range(25)) + "\n", backup=None)}["many"]
    assert (many.evidence_in("zh-CN")[-1], many.evidence_in("en")[-1]) == ("……另有 15 行", "... and 15 more")
    none = results(None)["missing-top"]
    assert (none.evidence_in("zh-CN"), none.evidence_in("en")) == (["没有已备份的配置"], ["no stored config"])
    monkeypatch.setattr(engine, "RULE_SECONDS", 0.2)
    slow = pack({"id": "slow", "platforms": part({"present": "^(a|aa)+$"})})
    (r,) = evaluate([slow], host="r1", site="s1", platform="cisco_ios", config="a" * 40 + "b\n", backup=None)
    assert r.status == "unknown"
    assert_bilingual(r.evidence_in("zh-CN")[0], r.evidence_in("en")[0].replace("(a+)+", ""))


def test_backup_time_notes_are_bilingual_and_show_no_value():
    text = IOS + "snmp-server community Zq7secret RO\n"
    p = pack({"id": "community", "at_backup": True, "platforms": part({"value": {
        "line": r"^snmp-server community (?P<value>\S+)", "op": "not_in", "threshold": ["public"]}})},
        {"id": "saved", "at_backup": True, "platforms": part({"saved": True})})
    for saved, zh, en in ((True, "运行配置与保存的配置一致", "the running config equals the saved config"),
                          (False, "运行配置与保存的配置不一致（变更未保存）",
                           "the running config differs from the saved config (changes not saved)"),
                          (None, "该平台未比较运行配置与保存的配置",
                           "running and saved configs were not compared on this platform")):
        v = evaluate_at_backup([p], host="r1", platform="cisco_ios", text=text, saved_matches=saved).verdicts["t"]
        assert (v["saved"].evidence_in("zh-CN"), v["saved"].evidence_in("en")) == ([zh], [en])
    community = v["community"]
    assert community.evidence_in("zh-CN") == ["snmp-server community <removed> RO（不应为以下任一：[public]）"]
    assert community.evidence_in("en") == ["snmp-server community <removed> RO (must be none of [public])"]
    assert "Zq7secret" not in BackupVerdicts(host="r1", platform="cisco_ios", verdicts={"t": v}).model_dump_json()


def test_as_json_prints_the_evidence_as_strings_in_the_language_and_the_record_keeps_both():
    r = results()["value"]
    fields = {"host", "site", "platform", "pack", "rule", "status", "severity", "clause", "title", "evidence",
              "remediation"}
    for lang in ("zh-CN", "en"):
        doc = r.as_json(lang)
        assert set(doc) == fields and doc["evidence"] == [EXPECTED["value"][1 if lang == "zh-CN" else 2]]
        assert all(isinstance(e, str) for e in doc["evidence"])
    stored = json.loads(r.model_dump_json(by_alias=True))["evidence"]
    assert stored == [{"zh-CN": EXPECTED["value"][1], "en": EXPECTED["value"][2]}]
    assert RuleResult.model_validate_json(r.model_dump_json(by_alias=True)) == r


OLD_RECORD = {  # as `inspect` wrote it before notes were bilingual
    "schema_version": "1.0", "period": "2026Q3", "host": "r1", "site": "s1", "platform": "cisco_ios",
    "evaluated_at": "2026-09-20T01:00:00+00:00", "results": [
        {"host": "r1", "site": "s1", "platform": "cisco_ios", "pack": "dengbao-l3", "rule": "ntp-authentication",
         "status": "fail", "severity": "minor", "clause": "8.1.4.3 b)\uff08核查表\uff09", "category": "ntp",
         "title": T, "evidence": ["missing: no line matches '^ntp authenticate$'"], "remediation": ["ntp authenticate"]},
        {"host": "r1", "site": "s1", "platform": "cisco_ios", "pack": "dengbao-l3", "rule": "login-banner",
         "status": "pass", "severity": "info", "clause": "核查表", "category": "banner", "title": T,
         "evidence": ["banner motd ^C"]}]}


def test_a_record_of_the_previous_format_still_reads():
    rec = DeviceCompliance.model_validate_json(json.dumps(OLD_RECORD, ensure_ascii=False))
    ntp, banner = rec.results
    assert ntp.evidence_in("zh-CN") == ["missing: no line matches '^ntp authenticate$'"]  # shown as written
    assert (ntp.clause, ntp.checklist, banner.clause, banner.checklist) == ("8.1.4.3 b)", True, None, True)
    assert ntp.as_json("en")["clause"] == "8.1.4.3 b)" and banner.as_json("zh-CN")["clause"] is None
    old_verdicts = {"host": "r1", "platform": "cisco_ios", "verdicts": {"dengbao-l3": {"config-saved": {
        "status": "pass", "evidence": ["the running config equals the saved config"]}}}}
    v = BackupVerdicts.model_validate(old_verdicts).verdicts["dengbao-l3"]["config-saved"]
    assert v.evidence_in("zh-CN") == ["the running config equals the saved config"]


def test_built_in_clauses_are_neutral_and_json_clause_is_null_for_a_pure_sheet_item():
    (dengbao,) = [p for p in load_packs(None) if p.pack == "dengbao-l3"]
    found = {r.rule: r for r in evaluate([dengbao], host="r1", site="s1", platform="cisco_ios", config=IOS,
                                         backup=None)}
    assert found["login-banner"].as_json("zh-CN")["clause"] is None and found["login-banner"].checklist
    assert found["ntp-server"].as_json("zh-CN")["clause"] == "8.1.4.3 b)" and found["ntp-server"].checklist
    assert not any(CJK.search(r.clause or "") for r in found.values())



@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_comply_text_shows_notes_and_the_checklist_mark_in_the_workspace_language(lang):
    from netpatrol.cli import comply as cli
    from netpatrol.workspace.contract import Contract

    (dengbao,) = [p for p in load_packs(None) if p.pack == "dengbao-l3"]
    found = evaluate([dengbao], host="r1", site="s1", platform="cisco_ios", config=IOS, backup=None)
    host = type("Host", (), {"name": "r1", "site": "s1", "platform": "cisco_ios"})()
    with cli.out.capture() as captured:
        cli._print_text([host], found, lang, None, None, Contract())
    text = captured.get()
    if lang == "zh-CN":
        assert "8.1.4.3 b)（核查表）" in text and "核查表" in text
        assert "未配置所需命令（见整改命令）" in text and "（30 分钟，应不大于 10 分钟）" in text
        assert not ENGLISH_NOTE.search(text.replace("exec-timeout", "")), text
    else:
        assert "8.1.4.3 b) (inspection sheet)" in text and "Inspection sheet" in text
        assert "required command not configured (see the fix)" in text
        assert "(30 minutes; must be at most 10 minutes)" in text
        # (The remediation's placeholders are the pack's text, e.g. `<ntp-server>`, named per language by the report.)
        evidence = [line for line in text.splitlines() if "evidence:" in line]
        assert evidence and not CJK.search("\n".join(evidence)), evidence
