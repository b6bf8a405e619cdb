"""The search engine and the bulk config reader, on real Git stores and the real corpus configs.

Sections: every platform's config style, and the corpus checked line by line against a plain
ancestor walk. Lines: the whole-text search agrees with matching each line alone (hypothesis).
Hostile input: escape sequences in a stored line, a pattern that backtracks without end.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import corpus_dir
from netpatrol.cli.root import app
from netpatrol.errors import StoreError, UsageError
from netpatrol.store import layout
from netpatrol.store import search as engine
from netpatrol.store.repo import Store
from netpatrol.store.search import compile_regex, matching_lines, search_text
from netpatrol.store.snapshot import StoredConfig, configs_at
from netpatrol.workspace.inventory import load_inventory

runner = CliRunner()

IOS = """\
hostname r1
!
line con 0
 exec-timeout 5 0
line vty 0 4
 transport input telnet ssh
 login local
line vty 5 15
 transport input ssh
!
interface Gi0/1
 description transport input telnet
end
"""
NXOS = "feature ssh\nline console\n  exec-timeout 5\nline vty\n  exec-timeout 10\n  session-limit 4\n"
EOS = "management ssh\n   idle-timeout 10\n!\nmanagement telnet\n   idle-timeout 3\n   shutdown\n"
VRP = """\
#
sysname hw1
#
user-interface con 0
 authentication-mode password
 idle-timeout 0 0
user-interface vty 0 4
 authentication-mode aaa
 protocol inbound telnet
 idle-timeout 10 0
#
return
"""
COMWARE = "#\nline class vty\n user-role network-operator\n#\nline vty 0 63\n authentication-mode scheme\n#\nreturn\n"
RGOS = "line con 0\n exec-timeout 0 0\nline vty 0 4\n exec-timeout 0 0\n login local\n!\nend\n"
JUNOS = """\
system {
    services {
        telnet;
        ssh {
            root-login deny;
        }
    }
    syslog {
        host 10.0.0.1 {
            any any;
        }
    }
}
interfaces {
    ge-0/0/0 {
        description telnet;
    }
}
"""


def numbers(text: str, regex: str, under: str | None = None, context: int = 0) -> list[tuple[int, bool]]:
    lines = search_text(text, compile_regex(regex), under=compile_regex(under) if under else None, context=context)
    return [(ln.line_no, ln.match) for ln in lines]


@pytest.mark.parametrize("text,regex,under,expected", [
    (IOS, "transport input", "^line vty", [6, 9]),
    (IOS, "telnet", "^line vty", [6]),
    (IOS, "exec-timeout", "^line vty", []),
    (NXOS, "exec-timeout", "^line vty", [5]),
    (EOS, "idle-timeout", "^management telnet", [5]),
    (VRP, "authentication-mode", "^user-interface vty", [8]),
    (VRP, "idle-timeout", "^user-interface con", [6]),
    (VRP, "sysname", "^user-interface", []),  # the `#` at the margin ends a section
    (COMWARE, "authentication-mode|user-role", "^line vty", [6]),
    (RGOS, "exec-timeout", "^line vty", [4]),
    (JUNOS, "telnet", r"^\s+services", [3]),  # a nested header
    (JUNOS, "root-login|telnet", "^system", [3, 5]),  # any ancestor: root-login is two levels down
    (JUNOS, "any", "host ", [10]),
    (JUNOS, "telnet", "^services", []),  # the header is matched as stored, indentation included
    (JUNOS, r"^\s*}", "services", [6]),  # the brace closing `services` itself is not inside
], ids=["ios", "ios-telnet", "ios-not-con", "nxos", "eos", "vrp-vty", "vrp-con", "vrp-hash", "comware", "rgos",
        "junos-nested", "junos-ancestor", "junos-deep", "junos-as-stored", "junos-brace"])
def test_under_reads_every_platforms_sections(text, regex, under, expected):
    assert [n for n, _ in numbers(text, regex, under)] == expected


def test_context_windows_merge_and_stay_inside_the_file():
    assert numbers(IOS, "transport input", context=1) == [(5, False), (6, True), (7, False), (8, False), (9, True),
                                                          (10, False), (11, False), (12, True), (13, False)]
    assert numbers(IOS, "^hostname", context=3) == [(1, True), (2, False), (3, False), (4, False)]
    assert numbers(IOS, "^end", context=2) == [(11, False), (12, False), (13, True)]


def naive_under(text: str, pattern: re.Pattern[str], header: re.Pattern[str]) -> list[int]:
    """The lines a plain ancestor walk puts under a matching header (the reference)."""
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    stack: list[tuple[int, bool]] = []  # (indentation, header matches) of the open ancestors
    found = []
    for n, line in enumerate(lines, 1):
        blank = not line.strip(" \t\r")
        depth = len(line) - len(line.lstrip(" \t"))
        while stack and not blank and stack[-1][0] >= depth:
            stack.pop()
        if pattern.search(line) and any(m for _, m in stack):
            found.append(n)
        if not blank:
            stack.append((depth, bool(header.search(line))))
    return found


@pytest.mark.corpus
@pytest.mark.parametrize("regex,under", [
    (".", "."), (r"^\s+\S", "^interface"), ("shutdown|description", r"^(line|user-interface) vty|^interface"),
    ("ssh|telnet", r"^\s*(system|services|management|ip ssh)"), (r"\d+\.\d+", "^(router|bgp|ospf|protocols)"),
])
@pytest.mark.parametrize("walk_up_to", [0, 10**9], ids=["one-pass", "walk-up"])
def test_under_matches_an_ancestor_walk_on_every_corpus_config(regex, under, walk_up_to, monkeypatch):
    """Both ways the engine finds sections (one pass over the text, a walk up from each hit)."""
    monkeypatch.setattr(engine, "_WALK_HITS", walk_up_to)
    configs = sorted(corpus_dir().glob("*/configs/*.cfg"))
    assert len(configs) >= 20
    pattern, header = compile_regex(regex), compile_regex(under)
    some = 0
    for path in configs:
        text = path.read_text(encoding="utf-8", errors="replace")
        expected = naive_under(text, pattern, header)
        assert [ln.line_no for ln in search_text(text, pattern, under=header)] == expected, path.name
        some += bool(expected)
    assert some >= 3  # the case is not vacuous


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="ab \t\n", max_size=60),
       regex=st.sampled_from(["a", "^a", "a$", "^$", r"a\s+b", "[^a]b", r"(?<=\s)b", r"(?<!a)b", r"\Ab", r"b\Z",
                              "", r"\s", "a|^b", r"(?m)b$", r"b(?!\s)", r"(?<!\s)b", r"(?s)a.b", r"\Bb"]))
def test_a_line_matches_exactly_when_it_matches_alone(text, regex):
    pattern = compile_regex(regex)
    lines = text.split("\n") if text else []
    if text.endswith("\n"):
        lines.pop()
    assert matching_lines(text, pattern) == [n for n, line in enumerate(lines, 1) if pattern.search(line)]


def test_a_regex_that_does_not_compile_is_a_usage_error():
    with pytest.raises(UsageError, match=r"REGEX '\(\?P<x' is not a valid Python regular expression: .* at position"):
        compile_regex("(?P<x")


def test_catastrophic_backtracking_is_stopped_naming_the_device():
    hostile = StoredConfig("evil-01", "s", "configs/s/evil-01.cfg", " description " + "uplink " * 30 + "!\n")
    with pytest.raises(UsageError, match=r"longer than 0.5 s \(it was reading evil-01's config\).*\(a\+\)\+"):
        engine.search([hostile], compile_regex(r"^(\s*\S+)*x$"), {}, seconds=0.5)


# -- the bulk reader -----------------------------------------------------------------------------

@pytest.fixture
def hosts():
    return list(load_inventory(Path(__file__).resolve().parents[1], need_secrets=False).hosts.values())


def test_configs_at_reads_the_committed_configs_of_the_hosts_asked(tmp_path, bare_git_home, hosts):
    a, b, c = hosts[:3]
    with Store(tmp_path / "b") as s:
        s.write_file(layout.config_path(a.site, a.name), "hostname a\n")
        s.write_file(layout.config_path(b.site, b.name), "hostname b\n")
        s.write_file(f"configs/{a.site}/{c.name}.txt", "not a config\n")  # not <host>.cfg
        s.write_file(f"configs/{c.name}.cfg", "no site folder\n")
        first = s.commit("one")
        # b moved to another site, and its old file stayed: the current site's copy is read.
        s.write_file(f"configs/zz-old/{b.name}.cfg", "old site\n")
        s.write_file(layout.config_path(a.site, a.name), "hostname a2\n")
        second = s.commit("two")
        s.write_file(layout.config_path(a.site, a.name), "uncommitted\n")
        assert first and second
        latest = configs_at(s, None, hosts)
        assert set(latest) == {a.name, b.name}
        assert latest[a.name] == StoredConfig(a.name, a.site, layout.config_path(a.site, a.name), "hostname a2\n")
        assert latest[b.name].text == "hostname b\n" and latest[b.name].site == b.site
        assert configs_at(s, first, [a, c])[a.name].text == "hostname a\n"
        assert configs_at(s, second, [c]) == {} and configs_at(s, None, []) == {}
        with pytest.raises(StoreError, match="unknown revision 'nosuch'"):
            configs_at(s, "nosuch", hosts)


def test_configs_at_reads_thousands_in_one_stream(tmp_path, bare_git_home, hosts):
    """More than a pipe's buffer in both directions: names in, contents out."""
    from dataclasses import replace

    many = [replace(hosts[0], name=f"sw{i:04d}", site=f"s{i % 7}") for i in range(3000)]
    with Store(tmp_path / "b") as s:
        for h in many:
            s.write_file(layout.config_path(h.site, h.name), f"hostname {h.name}\n" + "interface x\n" * (h.name[-1] == "7"))
        s.commit("many")
        got = configs_at(s, None, many)
    assert len(got) == 3000
    assert all(got[h.name].text.startswith(f"hostname {h.name}\n") for h in many)
    assert sum("interface" in c.text for c in got.values()) == 300


# -- hostile text on the command line -------------------------------------------------------------

ESCAPES = " description \x1b]8;;http://evil.example/\x07click\x1b]8;;\x07 \x1b[2J\x9b31m\u202etelnet\n"


@pytest.fixture
def hostile_ws(sample_workspace):
    inv = load_inventory(sample_workspace, need_secrets=False)
    h = inv.hosts["east-acc-02"]
    with Store(sample_workspace / "backups") as s:
        s.write_file(layout.config_path(h.site, h.name), "hostname east-acc-02\ninterface Gi0/1\n" + ESCAPES + "end\n")
        s.commit("hostile")
    return sample_workspace


def test_escape_sequences_in_a_stored_line_are_inert_in_search_output(hostile_ws):
    res = runner.invoke(app, ["search", "telnet", "-w", str(hostile_ws)])
    assert res.exit_code == 0, res.output
    assert "3: " in res.stdout and "telnet" in res.stdout
    assert not re.search("[\x1b\x07\x9b\u202e]", res.stdout)
    assert "\ufffd]8;;http://evil.example/\ufffdclick" in res.stdout
    doc = json.loads(runner.invoke(app, ["search", "telnet", "--json", "-w", str(hostile_ws)]).stdout)
    assert doc == [{"host": "east-acc-02", "site": "jc-east", "platform": "cisco_ios", "line_no": 3, "line": ESCAPES[:-1]}]


def test_show_is_exact_on_a_pipe_and_inert_on_a_terminal(hostile_ws, monkeypatch):
    piped = runner.invoke(app, ["show", "east-acc-02", "-w", str(hostile_ws)])
    assert piped.exit_code == 0 and ESCAPES in piped.stdout
    monkeypatch.setattr("netpatrol.cli.search._on_terminal", lambda: True)
    shown = runner.invoke(app, ["show", "east-acc-02", "-w", str(hostile_ws)])
    assert shown.exit_code == 0 and "telnet" in shown.stdout
    assert not re.search("[\x1b\x07\x9b\u202e]", shown.stdout)
