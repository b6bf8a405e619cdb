"""Remediation on real configs: planted changes give the exact commands a device accepts, in order;
the rollback restores the running config; the remediation applied to the running config (as text,
`.future`) yields the intended sections; `scope` limits the comparison to fragments."""

from __future__ import annotations

from pathlib import Path

import pytest
from hier_config import HConfig
from tests.test_config_tree import CONFIGS, CORPUS, lab_config, paths

from netpatrol.compliance import tree
from netpatrol.compliance.remediation import remediate

EXITS = {"quit", "exit"}


def edit(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def applied(platform: str, config: str, commands: list[str]) -> HConfig:
    """`commands` typed on a device whose config is `config` (hier_config's future)."""
    typed = tree.parse(platform, "\n".join(line for line in commands if line.strip() not in EXITS))
    return tree.parse(platform, config).future(typed)


def corpus(platform: str, name: str) -> str:
    path = CORPUS / platform / "configs" / name
    if not path.is_file():
        pytest.skip(f"corpus config {path} not found")
    return path.read_text(encoding="utf-8")


def vrp() -> str:
    """Huawei NE40 (VRP 8) with an idle timeout, a vty ACL and two NTP servers planted."""
    return edit(corpus("huawei_vrp", "faddr_huawei-vrp-v800-ne40_rev1.cfg"),
                (" user privilege level 3\n#", " user privilege level 3\n idle-timeout 10 0\n acl 2000 inbound\n#"),
                ("#\nlldp enable\n", "#\nacl number 2000\n rule 5 permit source 10.255.0.0 0.0.0.255\n#\n"
                 "ntp-service unicast-server 10.1.1.1\nntp-service unicast-server 10.1.1.2\n#\nlldp enable\n"))


def comware() -> str:
    """H3C Comware 7 with a vty ACL planted."""
    return edit(corpus("hp_comware", "netutils_hp_comware_full.cfg"),
                (" command authorization\n#\n ip route-static", " command authorization\n acl 2000 inbound\n#\n ip route-static"),
                ("#\nacl number 1234", "#\nacl basic 2000\n rule 0 permit source 10.255.0.0 0.0.0.255\n#\nacl number 1234"))


def ios() -> str:
    return edit(corpus("cisco_ios", "netutils_ios_full.cfg"),
                ("line vty 0 4\n privilege level 15\n",
                 "line vty 0 4\n privilege level 15\n exec-timeout 10 0\n access-class VTY-OLD in\n"),
                ("!\nntp server 10.1.1.1", "!\nip access-list standard VTY-OLD\n 10 permit 10.255.0.0 0.0.0.255\n!\nntp server 10.1.1.1"))


def ruijie() -> str:
    return edit(lab_config("ruijie_os"),
                (" exec-timeout 10 0\n", " exec-timeout 10 0\n access-class VTY-OLD in\n"),
                ("!\nvlan 1\n", "!\nip access-list standard VTY-OLD\n 10 permit 10.255.0.0 0.0.0.255\n!\nvlan 1\n"))


OLD_ACL = "ip access-list standard VTY-OLD\n 10 permit 10.255.0.0 0.0.0.255\n"
# platform, running (planted), [(case, edits to the running config giving the intended one, remediation)]
CASES = {
    "huawei_vrp": (vrp, [
        ("idle-timeout", [(" idle-timeout 10 0", " idle-timeout 5 0")],
         ["user-interface vty 0 4", " idle-timeout 5 0", "quit"]),
        ("remove-ntp", [("ntp-service unicast-server 10.1.1.1\n", "")],
         ["undo ntp-service unicast-server 10.1.1.1"]),
        ("add-local-user", [(" local-user faddr level 3\n", " local-user faddr level 3\n"
                             " local-user ops password irreversible-cipher $1c$x$y$\n"
                             " local-user ops privilege level 3\n local-user ops service-type ssh\n")],
         ["aaa", " local-user ops password irreversible-cipher $1c$x$y$", " local-user ops privilege level 3",
          " local-user ops service-type ssh", "quit"]),
        ("description", [(" description OAM\n", " description OOB management\n")],
         ["interface Ethernet1/0/0", " description OOB management", "quit"]),
        ("remove-description", [(" description OAM\n", "")],
         ["interface Ethernet1/0/0", " undo description", "quit"]),
        ("vty-acl", [("acl number 2000\n rule 5 permit source 10.255.0.0 0.0.0.255\n",
                      "acl number 2001\n rule 5 permit source 10.0.0.0 0.0.0.255\n"),
                     (" acl 2000 inbound", " acl 2001 inbound")],
         ["acl number 2001", " rule 5 permit source 10.0.0.0 0.0.0.255", "quit",
          "user-interface vty 0 4", " acl 2001 inbound", "quit", "undo acl number 2000"]),
        ("remove-local-user", [(" local-user faddr password irreversible-cipher $1c$uj7|KFCkcT$0%tRLKwdS=HfnT$#+'H-YUnW:Nw4{@#)y.76gvk%$\n"
                                " local-user faddr service-type telnet ssh\n local-user faddr level 3\n"
                                " local-user faddr state block fail-times 3 interval 5\n", "")],
         ["aaa", " undo local-user faddr", "quit"]),
    ]),
    "hp_comware": (comware, [
        ("idle-timeout", [(" idle-timeout 60 0", " idle-timeout 5 0")],
         ["line vty 0 4", " idle-timeout 5 0", "quit"]),
        ("remove-ntp", [(" ntp-service unicast-server 192.0.2.27 vpn-instance internal\n", "")],
         ["undo ntp-service unicast-server 192.0.2.27 vpn-instance internal"]),
        ("add-local-user", [("#\nreturn", "#\nlocal-user ops class manage\n password hash $h$6$x$y\n service-type ssh\n"
                             " authorization-attribute user-role network-operator\n#\nreturn")],
         ["local-user ops class manage", " password hash $h$6$x$y", " service-type ssh",
          " authorization-attribute user-role network-operator", "quit"]),
        ("description", [(" description Test-Port-1\n", " description Uplink-core\n")],
         ["interface Ten-GigabitEthernet1/0/1", " description Uplink-core", "quit"]),
        ("vty-acl", [("acl basic 2000\n rule 0 permit source 10.255.0.0 0.0.0.255\n",
                      "acl basic 2001\n rule 0 permit source 10.0.0.0 0.0.0.255\n"),
                     (" acl 2000 inbound", " acl 2001 inbound")],
         ["acl basic 2001", " rule 0 permit source 10.0.0.0 0.0.0.255", "quit",
          "line vty 0 4", " acl 2001 inbound", "quit", "undo acl basic 2000"]),
        ("community", [(" snmp-agent community read Test-Community acl 1234\n", "")],
         ["undo snmp-agent community Test-Community"]),
    ]),
    "cisco_ios": (ios, [
        ("idle-timeout", [(" exec-timeout 10 0", " exec-timeout 5 0")],
         ["line vty 0 4", "  exec-timeout 5 0", "exit"]),
        ("remove-ntp", [("ntp server 10.1.1.1\n", "")], ["no ntp server 10.1.1.1"]),
        ("add-local-user", [("username ntc privilege 15 password 0 ntc123\n", "username ntc privilege 15 password 0 ntc123\n"
                             "username ops privilege 15 secret 5 $1$abcd$xyz\n")],
         ["username ops privilege 15 secret 5 $1$abcd$xyz"]),
        ("description", [(" description backbone-to-vmx3-ge0/0/3\n", " description core-uplink\n")],
         ["interface GigabitEthernet4", "  description core-uplink", "exit"]),
        ("vty-acl", [(OLD_ACL, "ip access-list standard VTY-NEW\n 10 permit 10.0.0.0 0.0.0.255\n"),
                     (" access-class VTY-OLD in", " access-class VTY-NEW in")],
         ["ip access-list standard VTY-NEW", "  10 permit 10.0.0.0 0.0.0.255", "exit",
          "line vty 0 4", "  access-class VTY-NEW in", "exit", "no ip access-list standard VTY-OLD"]),
    ]),
    "ruijie_os": (ruijie, [
        ("idle-timeout", [(" exec-timeout 10 0", " exec-timeout 5 0")],
         ["line vty 0 4", "  exec-timeout 5 0", "exit"]),
        ("remove-ntp", [("ntp server 10.255.0.1\n", "")], ["no ntp server 10.255.0.1"]),
        ("add-local-user", [("!\ninterface GigabitEthernet 0/1",
                             "username ops privilege 15 secret 5 $1$abcd$xyz\n!\ninterface GigabitEthernet 0/1")],
         ["username ops privilege 15 secret 5 $1$abcd$xyz"]),
        ("description", [(" description uplink-to-core\n", " description core-uplink\n")],
         ["interface GigabitEthernet 0/1", "  description core-uplink", "exit"]),
        ("vty-acl", [(OLD_ACL, "ip access-list standard VTY-NEW\n 10 permit 10.0.0.0 0.0.0.255\n"),
                     (" access-class VTY-OLD in", " access-class VTY-NEW in")],
         ["ip access-list standard VTY-NEW", "  10 permit 10.0.0.0 0.0.0.255", "exit",
          "line vty 0 4", "  access-class VTY-NEW in", "exit", "no ip access-list standard VTY-OLD"]),
        ("telnet", [("no enable service telnet-server\n", "")], ["enable service telnet-server"]),
    ]),
}
PARAMS = [(p, c, e, r) for p, (_, cases) in CASES.items() for c, e, r in cases]


@pytest.mark.parametrize(("platform", "case", "edits", "expected"), PARAMS, ids=[f"{p}-{c}" for p, c, _, _ in PARAMS])
def test_planted_change_gives_the_exact_commands_and_the_rollback_restores(platform, case, edits, expected):
    running = CASES[platform][0]()
    intended = edit(running, *edits)
    result = remediate(platform, running, intended)
    assert result.remediation == expected
    # The remediation applied to the running config, as text, is the intended config ...
    assert paths(tree.parse(platform, result.future)) == paths(tree.parse(platform, intended))
    # ... and the rollback applied to that brings the running config back.
    assert paths(applied(platform, result.future, result.rollback)) == paths(tree.parse(platform, running))


@pytest.mark.parametrize("platform", list(CASES))
def test_all_changes_at_once_come_in_an_order_the_device_accepts(platform):
    build, cases = CASES[platform]
    running = build()
    intended = running
    for _, edits, _ in cases:
        try:
            intended = edit(intended, *edits)
        except AssertionError:  # a case that edits what an earlier one removed
            continue
    result = remediate(platform, running, intended)
    lines = [line.strip() for line in result.remediation]
    acl = next(i for i, line in enumerate(lines) if "access-list" in line or line.startswith("acl "))
    vty = next(i for i, line in enumerate(lines) if line.startswith(("user-interface vty", "line vty")))
    assert acl < vty  # the new ACL exists before the vty lines use it
    negations = [i for i, line in enumerate(result.remediation) if line.startswith(("undo ", "no "))]
    assert negations and min(negations) > vty  # removals after the additions at top level
    assert paths(tree.parse(platform, result.future)) == paths(tree.parse(platform, intended))
    assert paths(applied(platform, result.future, result.rollback)) == paths(tree.parse(platform, running))


def test_no_difference_gives_no_commands():
    running = vrp()
    result = remediate("huawei_vrp", running, running)
    assert result.remediation == [] and result.rollback == []
    assert paths(tree.parse("huawei_vrp", result.future)) == paths(tree.parse("huawei_vrp", running))


def test_scope_compares_only_the_fragments():
    running = comware()
    # The intended config is fragments only: NTP and SNMP as they should be.
    intended = ("#\n ntp-service enable\n ntp-service source M-GigabitEthernet0/0/0\n"
                " ntp-service unicast-server 192.0.2.22 vpn-instance internal\n"
                " ntp-service unicast-server 192.0.2.99 vpn-instance internal\n#\n"
                " snmp-agent\n snmp-agent sys-info version v3\n#\nreturn\n")
    result = remediate("hp_comware", running, intended, scope=["^ntp", "^snmp-agent"])
    assert result.remediation == [
        "ntp-service unicast-server 192.0.2.99 vpn-instance internal",
        "snmp-agent sys-info version v3",
        # removals after the additions, in the running config's order, each by its key
        "undo snmp-agent local-engineid",
        "undo snmp-agent community Test-Community",
        "undo snmp-agent sys-info contact",
        "undo snmp-agent sys-info location",
        "undo snmp-agent trap source",
        "undo ntp-service unicast-peer 192.0.2.10 vpn-instance internal",
        "undo ntp-service unicast-server ntp.example.com vpn-instance internal",
        "undo ntp-service unicast-server 192.0.2.27 vpn-instance internal",
        "undo ntp-service unicast-server 192.0.2.70 vpn-instance internal",
        "undo ntp-service unicast-server 192.0.2.251 vpn-instance internal",
        "undo ntp-service unicast-server 192.0.2.182 vpn-instance internal",
    ]
    future = tree.parse("hp_comware", result.future)
    assert future.get_child(equals="sysname NTC123456") is not None  # outside the scope: untouched
    assert future.get_child(equals="line vty 0 4") is not None
    ntp = {c.text for c in future.children if c.text.startswith("ntp-service")}
    assert ntp == {"ntp-service enable", "ntp-service source M-GigabitEthernet0/0/0",
                   "ntp-service unicast-server 192.0.2.22 vpn-instance internal",
                   "ntp-service unicast-server 192.0.2.99 vpn-instance internal"}


def test_unscoped_fragment_would_remove_everything_else():
    running = comware()
    result = remediate("hp_comware", running, "#\n sysname NTC123456\n#\nreturn\n")
    assert "undo line vty 0 4" in result.remediation
    assert remediate("hp_comware", running, "#\n sysname NTC123456\n#\n", scope=["^sysname"]).remediation == []


def test_vrp_lines_are_indented_one_space_per_level_with_quit_per_section():
    running = vrp()
    intended = edit(running, (" authentication-mode local radius\n", " authentication-mode hwtacacs local\n"))
    result = remediate("huawei_vrp", running, intended)
    assert result.remediation == ["aaa", " authentication-scheme default", "  authentication-mode hwtacacs local",
                                  " quit", "quit"]
    assert result.rollback == ["aaa", " authentication-scheme default", "  authentication-mode local radius",
                               " quit", "quit"]


def test_every_ruijie_config_under_tests_names_its_source_and_licence():
    # Real RGOS configs are added only with their repository, path, commit and licence; until one
    # is, the lab's RGOS config stands in (SOURCES.md says what was found and why it was not used).
    folder = Path(__file__).parent / "configs" / "ruijie_os"
    sources = (folder / "SOURCES.md").read_text(encoding="utf-8")
    for config in folder.glob("*.cfg"):
        row = next((line for line in sources.splitlines() if line.startswith(f"| {config.name} |")), None)
        assert row is not None and len(row.split("|")) >= 6, f"{config.name}: no row in SOURCES.md"


@pytest.mark.skipif(not CONFIGS, reason=f"corpus configs not found under {CORPUS}")
@pytest.mark.parametrize(("platform", "path"), CONFIGS, ids=[f"{p}/{f.name}" for p, f in CONFIGS])
def test_a_corpus_config_against_itself_needs_nothing(platform: str, path: Path):
    text = path.read_text(encoding="utf-8", errors="replace")
    result = remediate(platform, text, text)
    assert result.remediation == [] and result.rollback == []
    assert paths(tree.parse(platform, result.future)) == paths(tree.parse(platform, text))


@pytest.mark.parametrize(("platform", "running", "intended", "expected"), [
    ("huawei_vrp", "user-interface vty 0 4\n acl 2000 inbound\n idle-timeout 10 0\n#\n", "user-interface vty 0 4\n#\n",
     ["user-interface vty 0 4", " undo acl inbound", " undo idle-timeout", "quit"]),
    ("hp_comware", "#\nline vty 0 4\n acl 2000 inbound\n#\nacl advanced name HPE\n rule 1 permit ip\n#\n", "#\nline vty 0 4\n#\n",
     ["line vty 0 4", " undo acl inbound", "quit", "undo acl advanced name HPE"]),
    ("hp_comware", "#\n info-center loghost vpn-instance internal 192.0.2.1 facility local5\n#\n", "#\n",
     ["undo info-center loghost vpn-instance internal 192.0.2.1"]),
    ("huawei_vrp", "#\nacl number 3000\n rule 5 permit ip source 10.0.0.0 0.0.0.255\n rule 10 deny ip\n#\n",
     "#\nacl number 3000\n rule 5 permit ip source 10.1.0.0 0.0.0.255\n#\n",
     ["acl number 3000", " rule 5 permit ip source 10.1.0.0 0.0.0.255", " undo rule 10", "quit"]),
    ("ruijie_os", "username old privilege 15 secret 5 $1$x$y\nsnmp-server community pub ro\n!\n", "!\n",
     ["no username old", "no snmp-server community pub"]),
])
def test_undo_takes_the_key_the_device_expects(platform, running, intended, expected):
    assert remediate(platform, running, intended).remediation == expected


# One-value commands: the new value is typed over the old one. A `no OLD` / `undo OLD` after
# `NEW` would remove the new value on a real device (IOS `no snmp-server location OLD` clears it).
SINGLE_VALUE = {
    "cisco_ios": ["snmp-server location {}", "snmp-server contact noc-{}@example.net", "ip domain-name {}.example.net",
                  "logging source-interface Loopback{}", "ntp source Loopback{}", "clock timezone CST{} 8",
                  "ip ssh version {}", "service timestamps log datetime msec {}", "enable secret 5 $1${}$x"],
    "arista_eos": ["snmp-server location {}", "snmp-server contact noc-{}@example.net", "ip domain-name {}.example.net",
                   "logging source-interface Loopback{}", "ntp source Loopback{}", "clock timezone CST{}"],
    "cisco_nxos": ["snmp-server location {}", "snmp-server contact noc-{}@example.net", "ip domain-name {}.example.net",
                   "logging source-interface loopback{}", "ntp source-interface loopback{}", "clock timezone CST{} 8 0"],
    "ruijie_os": ["snmp-server location {}", "snmp-server contact noc-{}@example.net", "ip domain-name {}.example.net",
                  "logging source interface Loopback {}", "clock timezone CST{} 8", "ip ssh version {}"],
    "huawei_vrp": ["snmp-agent sys-info location {}", "snmp-agent sys-info contact noc-{}@example.net",
                   "info-center loghost source LoopBack{}", "ntp-service source-interface LoopBack{}",
                   "snmp-agent trap source LoopBack{}", "info-center source default channel 2 log level {}"],
    "hp_comware": ["snmp-agent sys-info location {}", "snmp-agent sys-info contact noc-{}@example.net",
                   "info-center loghost source LoopBack{}", "ntp-service source LoopBack{}",
                   "info-center source default loghost level {}"],
}
SINGLE_PARAMS = [(p, line) for p, lines in SINGLE_VALUE.items() for line in lines]


@pytest.mark.parametrize(("platform", "line"), SINGLE_PARAMS, ids=[f"{p}-{line.split('{')[0].strip()}" for p, line in SINGLE_PARAMS])
def test_a_one_value_command_is_replaced_without_removing_the_new_value(platform: str, line: str):
    end = "#\n" if platform in ("huawei_vrp", "hp_comware") else "!\n"
    old, new = (line.format(v) for v in ("2", "1"))
    if line.startswith("info-center source"):
        old, new = line.format("warning"), line.format("informational")
    running, intended = f"{old}\n{end}", f"{new}\n{end}"
    result = remediate(platform, running, intended)
    assert result.remediation == [new]
    assert result.rollback == [old]
    assert tree.render(tree.parse(platform, result.future)) == [new]


def test_ios_banner_replaced_by_a_new_body_is_typed_once():
    running = "banner motd ^C\nold text\n^C\n!\n"
    intended = "banner motd ^C\nnew text\n^C\n!\n"
    assert remediate("cisco_ios", running, intended).remediation == ["banner motd ^C\nnew text\n^C"]
