"""`--json` output keeps device text inert on a terminal and identical to a JSON parser."""

from __future__ import annotations

import json

import pytest

from netpatrol.cli.common import print_json

HOSTILE = ["\x9b2J", "a\u202eevil", "x\u2066y\u2069", "l\u2028m", "\x7f", "\u200fz"]


@pytest.mark.parametrize("text", HOSTILE)
def test_controls_and_bidi_overrides_are_escaped_and_read_back(capsys, text):
    print_json([{"line": text}])
    printed = capsys.readouterr().out
    assert not any(ch in printed for ch in text if not ch.isalnum()), repr(printed)
    assert json.loads(printed) == [{"line": text}]


def test_ordinary_text_stays_readable(capsys):
    print_json({"title": "关闭 Telnet 明文远程管理", "line": "snmp-server community <removed> RO"})
    printed = capsys.readouterr().out
    assert "关闭 Telnet 明文远程管理" in printed and "\\u" not in printed
