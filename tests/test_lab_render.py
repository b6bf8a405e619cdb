"""The lab's pure parts: command slugs, output filters, unknown-command replies, config edits."""

from __future__ import annotations

from pathlib import Path

import pytest

from netpatrol.lab import configedit, render
from netpatrol.lab.profile import get_profile, load_profiles
from netpatrol.platforms import PLATFORMS


@pytest.mark.parametrize(
    ("command", "slug"),
    [
        ("show processes cpu sorted", "show_processes_cpu_sorted"),
        ("display lldp neighbor-information list", "display_lldp_neighbor-information_list"),
        ("  show   ip  ospf neighbor ", "show_ip_ospf_neighbor"),
        ("show interfaces | include (CRC|errors)", "show_interfaces_include_CRC_errors_"),
    ],
)
def test_slug(command: str, slug: str):
    assert render.slug(command) == slug


def test_pipes_filter_generically():
    text = "a 1\nb 2\nc 3\nd 4"
    base, filters = render.split_pipes("show x | i [bd]")
    assert base == "show x" and render.apply_filters(text, filters) == "b 2\nd 4"
    assert render.apply_filters(text, render.split_pipes("display x | begin c")[1]) == "c 3\nd 4"
    assert render.apply_filters(text, render.split_pipes("show x | exclude a | no-more")[1]) == "b 2\nc 3\nd 4"
    with pytest.raises(render.FilterError):
        render.split_pipes("show x | frobnicate y")


def test_unsupported_marker_and_missing_template_mean_unknown_command(tmp_path: Path):
    (tmp_path / "huawei_vrp").mkdir()
    (tmp_path / "huawei_vrp" / "display_cpu-usage.j2").write_text("{% if state %}__UNSUPPORTED__{% endif %}\n")
    (tmp_path / "huawei_vrp" / "display_clock.j2").write_text("{{ hostname }} clock\n")
    ctx = {"state": object(), "hostname": "sw1", "config": "", "saved_config": ""}
    assert render.render_command("huawei_vrp", "display cpu-usage", ctx, tmp_path) is None
    assert render.render_command("huawei_vrp", "display nothing", ctx, tmp_path) is None
    assert render.render_command("huawei_vrp", "display  clock", ctx, tmp_path) == "sw1 clock"


def test_strict_undefined_in_templates(tmp_path: Path):
    (tmp_path / "cisco_ios").mkdir()
    (tmp_path / "cisco_ios" / "show_x.j2").write_text("{{ state.nope }}\n")
    with pytest.raises(Exception, match="nope"):
        render.render_command("cisco_ios", "show x", {"state": {}}, tmp_path)


@pytest.mark.parametrize("platform", sorted(load_profiles()))
def test_unknown_command_reply_is_an_error_netpatrol_recognises(platform: str):
    profile = get_profile(platform)
    reply = profile.unknown_reply("sw1#", "show bogus thing")
    assert PLATFORMS[platform].rejected(reply) is not None, reply
    # Every lab platform is a netpatrol platform with a profile of the same name.
    assert profile.platform in PLATFORMS


def test_caret_points_at_the_rejected_word():
    reply = get_profile("huawei_vrp").unknown_reply("<sw1>", "display bogus")
    assert reply.splitlines() == [" " * len("<sw1>display ") + "^", "Error: Unrecognized command found at '^' position."]


def test_config_lines_go_before_the_end_marker_and_hostname_is_replaced():
    ios = get_profile("cisco_ios")
    text = "!\nhostname r1\n!\nend\n"
    out = configedit.apply_lines(ios, text, ["hostname r2", "ntp server 1.1.1.1"])
    assert out == "!\nhostname r2\n!\nntp server 1.1.1.1\nend\n"
    vrp = get_profile("huawei_vrp")
    assert configedit.apply_lines(vrp, "#\nsysname a\n#\nreturn\n", ["sysname b"]) == "#\nsysname b\n#\nreturn\n"


def test_junos_set_lines_become_stanzas():
    junos = get_profile("juniper_junos")
    text = "system {\n    host-name r1;\n}\n"
    out = configedit.apply_lines(junos, text, ["set system host-name r9", 'set interfaces ge-0/0/1 description "to core"'])
    assert "    host-name r9;" in out
    assert out.endswith('interfaces {\n    ge-0/0/1 {\n        description "to core";\n    }\n}\n')
