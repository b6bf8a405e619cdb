"""Config trees: every real config parses with netpatrol's driver and its tree gives back the
config as the device printed it; drivers are built from config_tree.yaml and bad ones are refused."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hier_config import HConfig
from hier_config.platforms.huawei_vrp.driver import HConfigDriverHuaweiVrp

from netpatrol.compliance import drivers, tree
from netpatrol.lab.device import DeviceSpec, SimulatedDevice
from netpatrol.platforms import PLATFORMS
from netpatrol.platforms.registry import PlatformError, _load_profile

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/corpus")
CORPUS_PLATFORMS = ["huawei_vrp", "hp_comware", "cisco_ios", "arista_eos", "cisco_nxos", "juniper_junos"]
CONFIGS = [(p, f) for p in CORPUS_PLATFORMS for f in sorted((CORPUS / p / "configs").glob("*.cfg"))]
RUIJIE_DIR = Path(__file__).parent / "configs" / "ruijie_os"

# Lines a device prints that are not configuration: separators, comments, the end marker and
# (Comware) the software version; the round trip ignores them.
NOT_CONFIG = re.compile(r"^\s*(?:[#!].*|return|end|version \d.*)?\s*$")


def corpus_text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def lab_config(platform: str) -> str:
    spec = DeviceSpec(name="sw1", platform=platform, address="127.0.0.1", port=10022, username="u", password="p")
    return SimulatedDevice(spec, Path(tempfile.mkdtemp())).running


def paths(config: HConfig) -> set[tuple[str, ...]]:
    return {tuple(c.path()) for c in config.all_children()}


def child(config: HConfig, *path: str):
    node = config
    for text in path:
        node = node.get_child(equals=text)
        assert node is not None, f"{path}: {text!r} not found"
    return node


@pytest.mark.skipif(not CONFIGS, reason=f"corpus configs not found under {CORPUS}")
@pytest.mark.parametrize(("platform", "path"), CONFIGS, ids=[f"{p}/{f.name}" for p, f in CONFIGS])
def test_every_corpus_config_parses_and_its_tree_reads_back_the_same(platform: str, path: Path):
    config = tree.parse(platform, corpus_text(path))
    lines = tree.render(config)
    assert len(lines) > 10
    assert paths(tree.parse(platform, "\n".join(lines))) == paths(config)


VRP_COMWARE = [(p, f) for p, f in CONFIGS if p in ("huawei_vrp", "hp_comware")]


@pytest.mark.skipif(not VRP_COMWARE, reason=f"Huawei/H3C corpus configs not found under {CORPUS}")
@pytest.mark.parametrize(("platform", "path"), VRP_COMWARE, ids=[f"{p}/{f.name}" for p, f in VRP_COMWARE])
def test_vrp_and_comware_trees_print_every_line_in_device_order(platform: str, path: Path):
    device: list[str] = []
    delim = None  # inside a header's text every line is configuration
    for line in corpus_text(path).splitlines():
        if delim is None and (m := re.match(r"\s*header \S+(?: information)? (\S)(.*)", line)):
            delim = None if m[1] in m[2] else m[1]
        elif delim is not None:
            delim = None if delim in line else delim
        elif NOT_CONFIG.match(line):
            continue
        if line.strip():
            device.append(" ".join(line.split()))
    rendered = tree.render(tree.parse(platform, corpus_text(path)))
    assert [" ".join(line.split()) for line in rendered] == device
    # One space per level, as VRP and Comware print it.
    assert all(len(line) - len(line.lstrip()) <= 3 for line in rendered)


def _need(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"corpus config {path} not found")
    return path


def test_comware_global_commands_printed_indented_are_top_level():
    config = tree.parse("hp_comware", corpus_text(_need(CORPUS / "hp_comware/configs/netutils_hp_comware_full.cfg")))
    for line in ("sysname NTC123456", "clock timezone EST minus 05:00:00", "info-center timestamp loghost no-year-date",
                 "ntp-service unicast-server 192.0.2.27 vpn-instance internal", "snmp-agent sys-info version v2c v3"):
        assert child(config, line).depth() == 1
    assert child(config, "line vty 0 4", "idle-timeout 60 0")
    assert child(config, "line vty 0 4", "protocol inbound ssh")
    assert child(config, "local-user NTC-Admin class manage", "service-type ssh telnet terminal")
    assert child(config, "acl number 1234 name NTC-ACL", "rule 0 comment hello world")
    assert child(config, "bgp 65003", "ip vpn-instance vpn2", "address-family ipv4 unicast", "peer 192.0.2.62 enable")
    header = child(config, "header motd %")  # the banner stays one node with its body lines
    assert len(header.children) == 5 and header.children[-1].text == "%"
    assert config.get_child(startswith="version ") is None and config.get_child(equals="return") is None


def test_vrp_nested_sections_and_separators():
    config = tree.parse("huawei_vrp", corpus_text(_need(CORPUS / "huawei_vrp/configs/faddr_huawei-vrp-v800-ne40_rev2.cfg")))
    assert child(config, "aaa", "authentication-scheme default", "authentication-mode local radius")
    assert child(config, "aaa", "local-user faddr level 3")
    assert child(config, "user-interface vty 0 4", "authentication-mode aaa")
    assert child(config, "ospf 65534 vpn-instance __dcn_vpn__", "area 0.0.0.0", "network 0.0.0.0 255.255.255.255")
    assert all(not c.text.startswith(("#", "!")) and c.text != "return" for c in config.all_children())


def test_anonymised_repeated_lines_are_read_once():
    path = _need(CORPUS / "cisco_ios/configs/oxidized_asr920_16.8.1b.cfg")
    group = child(tree.parse("cisco_ios", corpus_text(path)), "aaa group server tacacs+ DES_ACS_GROUP")
    assert [c.text for c in group.children] == ["server-private 111.111.111.111 key 7 ABCDEFGH1234",
                                                "ip tacacs source-interface Loopback9"]


def test_repeated_lines_and_two_banners_with_the_same_body_parse():
    text = ("hostname x\nsnmp-server community <removed> RW\nsnmp-server community <removed> RW\n"
            "banner exec ^C\nhello\n^C\nbanner incoming ^C\nhello\n^C\nend\n")
    assert tree.render(tree.parse("cisco_ios", text)) == [
        "hostname x", "snmp-server community <removed> RW", "banner exec ^C\nhello\n^C", "banner incoming ^C\nhello\n^C"]
    full = tree.parse("cisco_ios", corpus_text(_need(CORPUS / "cisco_ios/configs/netutils_ios_full.cfg")))
    assert [c.text.split("\n")[0] for c in full.children if c.text.startswith("banner ")] == [
        "banner exec ^C", "banner incoming ^C"]


def test_a_junos_comment_inside_a_block_keeps_the_enclosing_levels():
    text = "system {\n    host-name r1;\n# Sensitive line SCRUBBED by netconan\n    services {\n        telnet;\n    }\n}\n"
    assert tree.render(tree.parse("juniper_junos", text)) == ["set system host-name r1", "set system services telnet"]
    path = _need(CORPUS / "juniper_junos/configs/batfish_gh-2658-vrf-import-export.cfg")
    lines = tree.render(tree.parse("juniper_junos", corpus_text(path)))
    assert "set system services ssh" in lines and not any(x.startswith("set services ") for x in lines)


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_every_lab_config_parses(platform: str):
    config = tree.parse(platform, lab_config(platform))
    assert len(tree.render(config)) > 20


def test_a_section_printed_twice_is_read_as_one():
    text = ("interface Gi0/0\n ip address 10.0.0.1 255.255.255.0\n!\n"
            "interface Gi0/0\n description up\n ip address 10.0.0.1 255.255.255.0\n!\n")
    config = tree.parse("cisco_ios", text)
    assert [c.text for c in child(config, "interface Gi0/0").children] == ["ip address 10.0.0.1 255.255.255.0", "description up"]


def ruijie_configs() -> list[Path]:
    return sorted(RUIJIE_DIR.glob("*.cfg"))


@pytest.mark.parametrize("source", ["lab", *[p.name for p in ruijie_configs()]])
def test_ruijie_configs_round_trip_like_ios(source: str):
    text = lab_config("ruijie_os") if source == "lab" else (RUIJIE_DIR / source).read_text(encoding="utf-8")
    config = tree.parse("ruijie_os", text)
    assert paths(tree.parse("ruijie_os", "\n".join(tree.render(config)))) == paths(config)
    vty = config.get_child(startswith="line vty ")
    assert vty is not None and all(line.startswith("  ") or not line.startswith(" ") for line in tree.render(config))
    assert config.get_child(equals="end") is None and config.get_child(startswith="!") is None


def test_drivers_are_subclasses_of_the_base_built_from_the_data():
    vrp = tree.driver("huawei_vrp")
    assert isinstance(vrp, HConfigDriverHuaweiVrp) and type(vrp) is not HConfigDriverHuaweiVrp
    assert tree.driver("huawei_vrp") is vrp and drivers.driver_class("huawei_vrp") is type(vrp)
    assert vrp.negation_prefix == "undo " and vrp.rules.indentation == 1
    assert tree.driver("hp_comware").negation_prefix == "undo " and tree.driver("ruijie_os").negation_prefix == "no "
    # The base's own rules are kept, netpatrol's come first.
    assert any(r.search == "^\\s*[#!].*" for r in vrp.rules.per_line_sub)
    assert vrp.rules.idempotent_commands[0].match_rules[0].startswith == "sysname "
    for platform in PLATFORMS:
        assert tree.parse(platform, "") is not None


@pytest.mark.parametrize(("yaml_text", "field"), [
    ("base: huawei_vrp9\n", "base"),
    ("base: huawei_vrp\nrules:\n  idempotent_commands:\n    - match_rules: [{starts_with: 'x'}]\n", "rules"),
    ("base: huawei_vrp\nrules:\n  orderin: []\n", "rules"),
    ("base: huawei_vrp\nrules:\n  per_line_sub:\n    - {search: '([', replace: ''}\n", "rules"),
    ("base: huawei_vrp\nmultiline: ['^header (\\S)']\n", "multiline"),
    ("base: juniper_junos\ncomments: ['^\\s*(#']\n", "comments"),
    ("base: huawei_vrp\nrules:\n  idempotent_commands:\n    - match_rules: [{re_search: '^acl (\\d+'}]\n", "rules"),
])
def test_a_bad_config_tree_yaml_names_the_file_and_field(tmp_path: Path, yaml_text: str, field: str):
    folder = tmp_path / "huawei_vrp"
    shutil.copytree(PLATFORMS["huawei_vrp"].folder, folder)
    (folder / "config_tree.yaml").write_text(yaml_text, encoding="utf-8")
    with pytest.raises(PlatformError) as err:
        _load_profile(folder)
    message = str(err.value)
    assert str(folder / "config_tree.yaml") in message and f"field '{field}'" in message
