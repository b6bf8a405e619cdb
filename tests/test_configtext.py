"""clean(): chatter, volatile lines and paging debris go; check_complete(): each failure kind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import CORPUS, SKIP_NO_CORPUS, corpus_dir
from netpatrol.backup.configtext import check_complete, clean, content_line_count
from netpatrol.backup.sanitize import sanitize
from netpatrol.errors import IncompleteOutput, UsageError
from netpatrol.platforms import PLATFORMS

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=SKIP_NO_CORPUS)


def corpus_configs() -> list[Path]:
    # Listed at collection time, so CORPUS is read directly; the marks skip with the reason.
    return sorted(CORPUS.glob("*/configs/*.cfg")) if CORPUS.is_dir() else []


def read(rel: str) -> str:
    return (corpus_dir() / rel).read_text(encoding="utf-8")


# Lines each real capture carries that must not reach the store (one or more per platform).
VOLATILE_SEEN = {
    "cisco_ios/configs/oxidized_C9200L-24P-4G_17.09.04a.cfg": [
        "Building configuration...",
        "Current configuration : 20546 bytes",
        "! Last configuration change at 09:37:40 CEST Tue Aug 20 2024 by oxidized",
        "! NVRAM config last updated at 09:37:37 CEST Tue Aug 20 2024 by oxidized",
    ],
    "cisco_ios/configs/batfish_lhr-border-02.cfg": ["! Last configuration change at 05:37:35 UTC Tue Nov 21 2017"],
    "cisco_nxos/configs/batfish_evpn-nxos-symmetric_exitgw.cfg": [
        "!Running configuration last done at: Tue Jun 25 17:15:29 2019",
        "!Time: Tue Jun 25 17:32:37 2019",
    ],
    "cisco_nxos/configs/napalm_nxos_ssh_nxos1.cfg": ["!Time: Sun Aug  6 16:43:18 2017"],
    "arista_eos/configs/n2g_ceos1.cfg": ["! Command: show running-config"],
    "arista_eos/configs/napalm_eos_veos_startup.cfg": [],  # indented capture: nothing at column 0
    "huawei_vrp/configs/faddr_huawei-vrp-v800-ne40_rev1.cfg": [
        "!Last configuration was updated at 2022-03-13 13:40:26+00:00",
        "!Last configuration was saved at 2022-03-13 13:40:31+00:00",
    ],
    "juniper_junos/configs/oxidized_srx300_22.4.cfg": ["## Last commit: 2024-12-06 11:41:05 UTC by root"],
    "juniper_junos/configs/batfish_gh-2658-vrf-import-export.cfg": ["## Last commit: 2018-11-12 09:04:10 GMT-10"],
}


@needs_corpus
@pytest.mark.corpus
@pytest.mark.parametrize("rel", sorted(VOLATILE_SEEN))
def test_clean_drops_the_volatile_lines_of_real_captures(rel: str) -> None:
    platform = rel.split("/")[0]
    raw = read(rel)
    out = clean(raw, PLATFORMS[platform]).splitlines()
    for line in VOLATILE_SEEN[rel]:
        assert line in raw.splitlines()
        assert line not in out


@needs_corpus
@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_configs(), ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_clean_on_every_corpus_config(path: Path) -> None:
    profile = PLATFORMS[path.parent.parent.name]
    raw = path.read_text(encoding="utf-8")
    out = clean(raw, profile)
    assert clean(out, profile) == out  # idempotent
    assert out.endswith("\n") and not out.endswith("\n\n")
    volatile = [re.compile(p) for p in profile.backup.volatile]
    raw_lines = {line.rstrip() for line in raw.splitlines()}
    for line in out.splitlines():
        assert line == line.rstrip()
        assert not any(v.search(line) for v in volatile), line
        assert line in raw_lines  # nothing invented
    kept = [line for line in raw.splitlines() if line.strip() and not any(v.search(line.rstrip()) for v in volatile)]
    if not profile.backup.collapse_separator_runs:
        # Every non-volatile, non-blank line of a real config survives (no config line lost as "chatter").
        assert len([line for line in out.splitlines() if line.strip()]) == len(kept)


NOISE_TOP = {
    "cisco_ios": "\r\nBuilding configuration...\r\n\r\nCurrent configuration : 4242 bytes\r\n",
    "arista_eos": "! Command: show running-config\r\n! Time: Fri Nov 27 22:00:00 2026\r\n",
    "cisco_nxos": "\r\n!Time: Fri Nov 27 22:00:00 2026\r\n!Running configuration last done at: Fri Nov 27 21:00:00 2026\r\n\r\n",
    "huawei_vrp": "\x1b[16D                \x1b[16D2026-11-27 22:00:00.123+08:00\r\n"
    "!Last configuration was updated at 2026-11-27 21:59:00+08:00\r\n",
    "hp_comware": "\r\n2026/11/27 22:00:00\r\n"
    "%Nov 27 22:00:00:123 2026 H3C SHELL/5/SHELL_LOGIN: admin logged in from 10.0.0.1.\r\n",
    "juniper_junos": "{master:0}\r\n## Last commit: 2026-11-27 22:00:00 UTC by netpatrol\r\n",
}


@needs_corpus
@pytest.mark.corpus
@pytest.mark.parametrize(
    "rel",
    [
        "cisco_ios/configs/faddr_cisco-ios-15-7206.cfg",
        "arista_eos/configs/avd_dual-dc-l3ls_dc1-leaf2a.cfg",
        "cisco_nxos/configs/netutils_nxos_full.cfg",
        "huawei_vrp/configs/faddr_huawei-vrp-v800-ne40_rev2.cfg",
        "hp_comware/configs/netutils_hp_comware_full.cfg",
        "juniper_junos/configs/faddr_juniper-junos-17-vmx.cfg",
    ],
)
def test_clean_of_a_noisy_fetch_equals_clean_of_the_quiet_one(rel: str) -> None:
    """Chatter, timestamps, CRLF, trailing blanks and paging on top of a real config change nothing."""
    platform = rel.split("/")[0]
    profile = PLATFORMS[platform]
    quiet = read(rel)
    lines = quiet.splitlines()
    # A pager prompt in the middle, the way the device draws and erases it.
    if profile.comment_char == "#":
        pager = "  ---- More ----\x1b[42D                                          \x1b[42D"
    else:
        pager = " --More-- \x08\x08\x08\x08\x08\x08\x08\x08\x08\x08          \x08\x08\x08\x08\x08\x08\x08\x08\x08\x08"
    mid = len(lines) // 2
    lines[mid] = pager + lines[mid]
    noisy = NOISE_TOP[platform] + "\r\n".join(line + "  " for line in lines) + "\r\n\r\n"
    assert clean(noisy, profile) == clean(quiet, profile)


def test_paging_artefacts_keep_indentation() -> None:
    ios = PLATFORMS["cisco_ios"]
    raw = ("interface Gi1\n --More-- \x08\x08\x08\x08\x08\x08\x08\x08\x08         \x08\x08\x08\x08\x08\x08\x08\x08\x08"
           " ip address 10.0.0.1 255.255.255.0\nend\n")
    assert clean(raw, ios) == "interface Gi1\n ip address 10.0.0.1 255.255.255.0\nend\n"
    vrp = PLATFORMS["huawei_vrp"]
    raw = "#\ninterface GE0/0/1\n  ---- More ----\x1b[42D                                          \x1b[42D description uplink\n#\nreturn\n"
    assert clean(raw, vrp) == "#\ninterface GE0/0/1\n description uplink\n#\nreturn\n"


def test_ansi_colour_and_cr_rewrites_are_removed() -> None:
    eos = PLATFORMS["arista_eos"]
    raw = "hostname \x1b[1mleaf1\x1b[0m\r\nold text\rntp server 10.0.0.1\r\nend\r\n"
    assert clean(raw, eos) == "hostname leaf1\nntp server 10.0.0.1\nend\n"


def test_comware_separator_runs_collapse_and_vrp_keeps_them() -> None:
    raw = "#\n sysname S1\n#\n# \n#\nvlan 10\n#\n#\nreturn\n"
    assert clean(raw, PLATFORMS["hp_comware"]) == "#\n sysname S1\n#\nvlan 10\n#\nreturn\n"
    assert clean(raw, PLATFORMS["huawei_vrp"]).count("#\n") == 6


def test_chatter_before_the_start_marker_is_dropped() -> None:
    raw = "Last login: Fri Nov 27 21:00:00 2026 from 10.0.0.5\nBuilding configuration...\n\n!\nversion 15.2\nend\n"
    assert clean(raw, PLATFORMS["cisco_ios"]) == "!\nversion 15.2\nend\n"


def test_clean_of_empty_output_is_empty() -> None:
    assert clean("", PLATFORMS["cisco_ios"]) == ""
    assert clean(" \r\n\r\n", PLATFORMS["huawei_vrp"]) == ""


# --- check_complete -----------------------------------------------------------------------------


def _lines(previous: str | None) -> int | None:
    return None if previous is None else content_line_count(previous)


def _fail(config: str, platform: str, previous: str | None = None, **kw) -> str:
    with pytest.raises(IncompleteOutput) as info:
        check_complete(config, PLATFORMS[platform], _lines(previous), host="core-sw1", **kw)
    assert info.value.host == "core-sw1"
    assert str(info.value).startswith("core-sw1: ")
    return info.value.reason


@needs_corpus
@pytest.mark.corpus
@pytest.mark.parametrize(
    "rel",
    [
        "cisco_ios/configs/oxidized_asr920_16.8.1b.cfg",
        "arista_eos/configs/avd_campus-fabric_LEAF1A.cfg",
        "cisco_nxos/configs/napalm_nxos_ssh_nxos1.cfg",
        "huawei_vrp/configs/faddr_huawei-vrp-v800-ne40_rev1.cfg",
        "hp_comware/configs/netutils_hp_comware_full.cfg",
        "juniper_junos/configs/oxidized_srx300_22.4.cfg",
    ],
)
def test_complete_real_configs_pass_and_their_truncation_fails(rel: str) -> None:
    platform = rel.split("/")[0]
    profile = PLATFORMS[platform]
    good = clean(read(rel), profile)
    check_complete(good, profile, previous_lines=content_line_count(good), host="core-sw1")
    truncated = "\n".join(good.splitlines()[: len(good.splitlines()) * 2 // 3]) + "\n"
    if profile.backup.end_markers:
        reason = _fail(truncated, platform)
        assert reason.startswith("no end marker '") and "in the last 5 lines" in reason
    else:
        check_complete(truncated, profile, host="core-sw1")  # NX-OS: no marker to miss
    # ...and a capture cut to a third of the last good one is refused for shrinking.
    third = good.splitlines()[: len(good.splitlines()) // 3] + good.splitlines()[-3:]
    reason = _fail("\n".join(third), platform, previous=good)
    assert "against the last good backup; limit 50%" in reason


@pytest.mark.parametrize("text", ["", "   \n\n", "\r\n"])
def test_empty_output_fails(text: str) -> None:
    assert _fail(text, "huawei_vrp") == "'display current-configuration' returned empty output"


@pytest.mark.parametrize(
    ("platform", "reply"),
    [
        ("cisco_ios", "                    ^\n% Invalid input detected at '^' marker.\n"),
        ("cisco_ios", "% Authorization failed.\n"),
        ("huawei_vrp", "              ^\nError: Unrecognized command found at '^' position.\n"),
        ("huawei_vrp", "Error: You do not have permission to run the command or the command is incomplete.\n"),
        ("hp_comware", "              ^\n % Unrecognized command found at '^' position.\n"),
        ("juniper_junos", "error: permission denied\n"),
    ],
)
def test_cli_error_reply_fails(platform: str, reply: str) -> None:
    reason = _fail(reply, platform)
    assert "answered with a CLI error" in reason
    assert PLATFORMS[platform].backup.running in reason
    # clean() must not strip the error away as "chatter before the config".
    assert _fail(clean(reply, PLATFORMS[platform]), platform) == reason


def test_missing_end_marker_message_names_the_marker() -> None:
    config = "#\n sysname S1\n#\ninterface GE1/0/1\n port link-type trunk\n#\n local-user admin password cipher %^%#S3cret%^%#\n"
    reason = _fail(config, "hp_comware")
    assert reason == "no end marker 'return' in the last 5 lines; output truncated?"
    assert "S3cret" not in reason  # never quote config text that may hold a secret


def test_end_marker_may_be_followed_by_a_few_lines() -> None:
    check_complete("!\nhostname r1\nend\n\n\n", PLATFORMS["cisco_ios"], host="r1")


def test_shrink_message_is_exact() -> None:
    previous = "\n".join(f"line {i}" for i in range(411)) + "\nend\n"
    current = "\n".join(f"line {i}" for i in range(95)) + "\nend\n"
    reason = _fail(current, "cisco_ios", previous)
    assert reason == "shrank from 412 to 96 lines (77%) against the last good backup; limit 50%"


def test_shrink_within_the_limit_or_growth_passes() -> None:
    ios = PLATFORMS["cisco_ios"]
    previous = "\n".join(f"line {i}" for i in range(99)) + "\nend\n"
    check_complete("\n".join(f"line {i}" for i in range(49)) + "\nend\n", ios, _lines(previous), host="r1")  # 50% exactly
    check_complete(previous + previous, ios, _lines(previous), host="r1")
    reason = _fail("\n".join(f"line {i}" for i in range(89)) + "\nend\n", "cisco_ios", previous, max_shrink=0.05)
    assert reason.endswith("(10%) against the last good backup; limit 5%")


def test_nxos_needs_a_minimum_of_lines() -> None:
    assert _fail("!Command: show running-config\nversion 9.3(3)\n", "cisco_nxos") == (
        "only 2 config lines; at least 5 expected for Cisco NX-OS"
    )


def test_max_shrink_out_of_range_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="max_shrink"):
        check_complete("end\n", PLATFORMS["cisco_ios"], None, 1.5, host="r1")


def test_clean_before_sanitize_catches_a_secret_split_by_the_pager() -> None:
    # The pipeline order is clean() then sanitize(): the pager erase sequence sits at the start of
    # the next line, in front of anchored rules such as `username ... secret`.
    raw = (
        "hostname r1\n --More-- \x08\x08\x08\x08\x08\x08\x08\x08\x08         \x08\x08\x08\x08\x08\x08\x08\x08\x08"
        "username admin privilege 15 password Plain1pw\nend\n"
    )
    out = sanitize(clean(raw, PLATFORMS["cisco_ios"]), "cisco_ios")
    assert out == "hostname r1\nusername admin privilege 15 password <removed>\nend\n"


def test_cut_short_against_saved_only_without_end_marker():
    from netpatrol.backup.configtext import check_not_cut_short
    from netpatrol.errors import IncompleteOutput
    from netpatrol.platforms import PLATFORMS

    nxos, ios = PLATFORMS["cisco_nxos"], PLATFORMS["cisco_ios"]
    saved = "\n".join(f"line {i}" for i in range(100)) + "\n"
    cut = "\n".join(f"line {i}" for i in range(60)) + "\n"
    with pytest.raises(IncompleteOutput, match="stopped after 60 lines"):
        check_not_cut_short(cut, saved, nxos, host="n1")
    check_not_cut_short(saved, saved, nxos, host="n1")  # complete
    check_not_cut_short(cut + "new line\n", saved, nxos, host="n1")  # an edit, not a prefix
    check_not_cut_short(cut, saved, ios, host="i1")  # IOS has 'end': the marker check decides


def test_split_sentinel():
    from netpatrol.backup.configtext import split_sentinel
    from netpatrol.errors import IncompleteOutput
    from netpatrol.platforms import PLATFORMS

    nxos = PLATFORMS["cisco_nxos"]
    body = "version 9.3(10)\nhostname n9k1\ninterface Ethernet1/1\n  no shutdown\n"
    assert split_sentinel(body + "n9k1 \n", nxos, host="n") == body
    with pytest.raises(IncompleteOutput, match="did not follow"):
        split_sentinel(body, nxos, host="n")  # cut short: the hostname line never came
    with pytest.raises(IncompleteOutput):
        split_sentinel("version 9.3(10)\ninterface Ethernet1/1\n", nxos, host="n")  # no hostname at all
