"""Names and encodings a first round of hardening let through: names whose files collide or
cannot exist on the systems the backups are cloned to, and UTF-16/32 files without a BOM."""

from __future__ import annotations

import pytest

from test_hostile_input import GROUPS, HOSTS, _env, assert_clean_exit2, backups_state, invoke, workspace  # noqa: F401


@pytest.mark.parametrize("name", ["CON", "con", "nul.cfg", "Aux", "COM1", "lpt9"])
def test_windows_device_names_are_refused(tmp_path, name):
    ws = workspace(tmp_path, hosts={**HOSTS, name: {"hostname": "192.0.2.9", "platform": "cisco_ios", "groups": ["site-a"]}})
    assert_clean_exit2(invoke("inventory", "check", "-w", str(ws)), "inventory/hosts.yaml", repr(name), "Windows reserves")
    before = backups_state(ws)
    assert_clean_exit2(invoke("backup", "-w", str(ws)), "inventory/hosts.yaml")
    assert backups_state(ws) == before


def test_names_are_fine_when_only_containing_a_device_name(tmp_path):
    ws = workspace(tmp_path, hosts={**HOSTS, "console-1": {"hostname": "192.0.2.9", "platform": "cisco_ios", "groups": ["site-a"]},
                                    "com10": {"hostname": "192.0.2.10", "platform": "cisco_ios", "groups": ["site-a"]}})
    res = invoke("inventory", "check", "-w", str(ws))
    assert res.exit_code == 0, res.output


def test_host_names_differing_only_in_case_are_refused(tmp_path):
    ws = workspace(tmp_path, hosts={**HOSTS, "SW1": {"hostname": "192.0.2.9", "platform": "cisco_ios", "groups": ["site-a"]}})
    res = invoke("inventory", "check", "-w", str(ws))
    assert_clean_exit2(res, "inventory/hosts.yaml", "'SW1'", "sw1", "letter case")
    assert "1 problem(s) found" in res.output
    before = backups_state(ws)
    assert_clean_exit2(invoke("backup", "-w", str(ws)), "letter case")
    assert backups_state(ws) == before


def test_site_groups_differing_only_in_case_are_refused_without_a_cascade(tmp_path):
    groups = {**GROUPS, "Site-A": {"data": {"site": {"name": "Site A again"}}}}
    hosts = {**HOSTS, "sw3": {"hostname": "192.0.2.3", "platform": "cisco_ios", "groups": ["Site-A"]}}
    res = invoke("inventory", "check", "-w", str(workspace(tmp_path, hosts=hosts, groups=groups)))
    assert_clean_exit2(res, "inventory/groups.yaml", "letter case")
    assert "unknown group" not in res.output


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32"])
@pytest.mark.parametrize("rel", ["netpatrol.yaml", "inventory/hosts.yaml"])
def test_utf16_and_utf32_files_are_named_as_such(tmp_path, encoding, rel):
    text = {"netpatrol.yaml": "client: Test\n", "inventory/hosts.yaml": "sw1: {hostname: 192.0.2.1, groups: [site-a]}\n"}[rel]
    ws = workspace(tmp_path, raw={rel: text.encode(encoding)})
    assert_clean_exit2(invoke("inventory", "check", "-w", str(ws)), rel, "UTF-16 or UTF-32", "save it as UTF-8")


@pytest.mark.parametrize("field,value,fragment", [
    ("hostname", "192.0.2.1\n", "not an IP address or DNS name"),
    ("hostname", "192.0.2.1\n192.0.2.66 ssh-ed25519 AAAA", "not an IP address or DNS name"),
    ("hostname", "192.0.2.1 -oProxyCommand=x", "not an IP address or DNS name"),
    ("hostname", "-oProxyCommand=x", "not an IP address or DNS name"),
    ("hostname", "a" * 300, "not an IP address or DNS name"),
    ("port", True, "not true/false"),
    ("username", "netops\nroot", "line break"),
])
@pytest.mark.parametrize("where", ["hosts", "groups"])
def test_connection_fields_that_cannot_be_used_are_refused(tmp_path, field, value, fragment, where):
    if where == "hosts":
        ws = workspace(tmp_path, hosts={**HOSTS, "sw1": {**HOSTS["sw1"], field: value}})
        file = "inventory/hosts.yaml"
    else:
        ws = workspace(tmp_path, groups={"site-a": {**GROUPS["site-a"], field: value}})
        file = "inventory/groups.yaml"
    res = invoke("inventory", "check", "-w", str(ws))
    assert_clean_exit2(res, file, f"field '{field}'", fragment)
    assert "Value error" not in res.output
    before = backups_state(ws)
    assert_clean_exit2(invoke("backup", "-w", str(ws)), file)
    assert backups_state(ws) == before


@pytest.mark.parametrize("address", ["192.0.2.1", "2001:db8::1", "fe80::1%eth0", "core-sw1.example.org", "交换机.example.cn"])
def test_usual_addresses_are_accepted(tmp_path, address):
    ws = workspace(tmp_path, hosts={**HOSTS, "sw1": {**HOSTS["sw1"], "hostname": address, "port": "22"}})
    res = invoke("inventory", "check", "-w", str(ws))
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize("first,second", [("2001:db8::1", "2001:DB8:0:0::1"), ("core.example.org", "Core.Example.org.")])
def test_one_address_spelled_two_ways_is_a_duplicate(tmp_path, first, second):
    hosts = {"sw1": {**HOSTS["sw1"], "hostname": first}, "sw2": {**HOSTS["sw2"], "hostname": second}}
    res = invoke("inventory", "check", "-w", str(workspace(tmp_path, hosts=hosts)))
    assert_clean_exit2(res, "inventory/hosts.yaml", "already used by host")
