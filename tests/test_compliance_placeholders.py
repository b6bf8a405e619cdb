"""A fix's placeholders (`<ntp-server>`) are written once, language-neutral, in the platform
folders, and named in the report's language: a zh-CN report reads `<NTP服务器地址>`, an English one
`<ntp-server>`, and no platform's fix carries a placeholder the catalogues cannot name."""

from __future__ import annotations

import re

import pytest

from netpatrol.platforms import PLATFORMS
from netpatrol.report.compliance import placeholders
from netpatrol.report.i18n import Translator

_ANY = re.compile(r"<([^<>\s]+)>")


def _fix_lines() -> list[tuple[str, str]]:
    return [(name, line) for name, profile in PLATFORMS.items()
            for rules in profile.compliance.values() for entry in rules.values() if entry
            for line in entry.get("remediation") or []]


def test_every_placeholder_is_ascii_and_named_in_both_languages():
    seen = set()
    for platform, line in _fix_lines():
        for name in _ANY.findall(line):
            assert re.fullmatch(r"[a-z][a-z0-9-]*", name), f"{platform}: placeholder <{name}> in {line!r}"
            seen.add(name)
    assert seen, "the built-in fixes use placeholders"
    for lang in ("zh-CN", "en"):
        missing = [n for n in sorted(seen) if Translator(lang).get(f"compliance.placeholder.{n}") is None]
        assert not missing, f"{lang}: no compliance.placeholder.* for {missing}"


@pytest.mark.parametrize(("lang", "expected"), [("zh-CN", "ntp-service unicast-server <NTP服务器地址>"),
                                                ("en", "ntp-service unicast-server <ntp-server>")])
def test_placeholders_are_named_in_the_report_language(lang, expected):
    assert placeholders(Translator(lang), ["ntp-service unicast-server <ntp-server>"]) == [expected]


def test_an_unknown_placeholder_and_device_text_are_left_as_written():
    lines = ["snmp-agent community read <removed>", "ip route <site-specific> 10.0.0.0", "a <b> <Upper>"]
    assert placeholders(Translator("zh-CN"), lines) == lines
