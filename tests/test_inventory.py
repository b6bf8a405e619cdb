"""Inventory validation: every bad input is an error naming file, host/group and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from netpatrol.cli.root import app
from netpatrol.errors import InventoryError
from netpatrol.platforms import PLATFORMS
from netpatrol.workspace.inventory import load_inventory

GOOD_DEFAULTS = {"username": "netops", "password": "${NP_TEST_PW}", "port": 22}
GOOD_GROUPS = {"site-a": {"data": {"site": {"name": "Site A", "address": "1 Road"}}}, "core": {"data": {"role": "core"}}}
GOOD_HOSTS = {
    "sw1": {"hostname": "192.0.2.1", "platform": "huawei_vrp", "groups": ["site-a", "core"], "data": {"model": "S6730"}},
    "sw2": {"hostname": "192.0.2.2", "platform": "cisco_ios", "groups": ["site-a"]},
}


def write_ws(root: Path, hosts=None, groups=None, defaults=None, raw: dict[str, str] | None = None) -> Path:
    inv = root / "inventory"
    inv.mkdir(parents=True, exist_ok=True)
    files = {
        "hosts.yaml": yaml.safe_dump(GOOD_HOSTS if hosts is None else hosts),
        "groups.yaml": yaml.safe_dump(GOOD_GROUPS if groups is None else groups),
        "defaults.yaml": yaml.safe_dump(GOOD_DEFAULTS if defaults is None else defaults),
    }
    files.update(raw or {})
    for name, text in files.items():
        (inv / name).write_text(text, encoding="utf-8")
    (root / "netpatrol.yaml").write_text("client: Test\n", encoding="utf-8")
    return root


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    monkeypatch.setenv("NP_TEST_PW", "s3cr3t-value-xyz")


def h(**changes):
    hosts = json.loads(json.dumps(GOOD_HOSTS))
    for path, value in changes.items():
        host, _, key = path.partition("__")
        if value is None:
            hosts[host].pop(key, None)
        else:
            hosts[host][key] = value
    return hosts


# (id, writer kwargs, expected fragments of one issue: file, where, field, message)
BAD_CASES = [
    ("typo-platfrom", {"hosts": h(sw1__platfrom="huawei_vrp")}, ("hosts.yaml", "host sw1", "platfrom", "unknown key")),
    ("port-not-int", {"hosts": h(sw1__port="22x")}, ("hosts.yaml", "host sw1", "port", "integer")),
    ("port-range", {"hosts": h(sw1__port=70000)}, ("hosts.yaml", "host sw1", "port", "65535")),
    ("unknown-group", {"hosts": h(sw1__groups=["site-a", "cor"])}, ("hosts.yaml", "host sw1", "groups", "unknown group 'cor'")),
    ("unknown-platform", {"hosts": h(sw1__platform="huawai")}, ("hosts.yaml", "host sw1", "platform", "unknown platform 'huawai'")),
    ("missing-platform", {"hosts": h(sw2__platform=None)}, ("hosts.yaml", "host sw2", "platform", "missing")),
    ("missing-hostname", {"hosts": h(sw2__hostname=None)}, ("hosts.yaml", "host sw2", "hostname", "missing")),
    ("duplicate-address", {"hosts": h(sw2__hostname="192.0.2.1")}, ("hosts.yaml", "host sw2", "hostname", "already used by host sw1")),
    ("duplicate-name", {"raw": {"hosts.yaml": "sw1:\n  hostname: 192.0.2.1\n  platform: cisco_ios\n  groups: [site-a]\nsw1:\n  hostname: 192.0.2.9\n"}}, ("hosts.yaml", "line 5", "", "duplicate key 'sw1'")),
    ("plain-password", {"hosts": h(sw1__password="hunter2-plain")}, ("hosts.yaml", "host sw1", "password", "not plain text")),
    ("unset-env", {"defaults": {**GOOD_DEFAULTS, "password": "${NP_UNSET_VAR_42}"}}, ("defaults.yaml", "defaults", "password", "NP_UNSET_VAR_42")),
    ("missing-username", {"defaults": {"password": "${NP_TEST_PW}"}}, ("hosts.yaml", "host sw1", "username", "missing credentials")),
    ("missing-password", {"defaults": {"username": "netops"}}, ("hosts.yaml", "host sw1", "password", "missing credentials")),
    ("no-site", {"hosts": h(sw2__groups=["core"])}, ("hosts.yaml", "host sw2", "groups", "no site")),
    ("group-typo-key", {"groups": {**GOOD_GROUPS, "core": {"dta": {}}}}, ("groups.yaml", "group core", "dta", "unknown key")),
    ("site-typo-key", {"groups": {**GOOD_GROUPS, "site-a": {"data": {"site": {"name": "A", "adress": "x"}}}}}, ("groups.yaml", "group site-a", "data.site.adress", "unknown key")),
    ("unknown-extra", {"hosts": h(sw1__connection_options={"netmiko": {"extras": {"conn_timout": 5}}})}, ("hosts.yaml", "host sw1", "connection_options.netmiko.extras", "unknown connection option 'conn_timout'")),
    ("plain-enable-secret", {"hosts": h(sw1__connection_options={"netmiko": {"extras": {"secret": "enable123"}}})}, ("hosts.yaml", "host sw1", "extras.secret", "not plain text")),
    ("plain-jump-password", {"hosts": h(sw1__connection_options={"netmiko": {"extras": {"jump_host": "j@10.0.0.1", "jump_password": "pw-in-clear"}}})}, ("hosts.yaml", "host sw1", "extras.jump_password", "not plain text")),
    ("bad-yaml", {"raw": {"groups.yaml": "site-a: [unclosed\n"}}, ("groups.yaml", "line", "", "not valid YAML")),
    ("hosts-not-mapping", {"raw": {"hosts.yaml": "- sw1\n- sw2\n"}}, ("hosts.yaml", "", "", "must be a mapping")),
    ("bad-host-name", {"hosts": {**GOOD_HOSTS, "core sw/3": {"hostname": "192.0.2.3", "platform": "cisco_ios", "groups": ["site-a"]}}}, ("hosts.yaml", "host 'core sw/3'", "", "name must be")),
    ("bad-date", {"hosts": h(sw1__data={"purchase_date": "last spring"})}, ("hosts.yaml", "host sw1", "data.purchase_date", "date")),
    ("unknown-plugin", {"hosts": h(sw1__connection_options={"telnetlib": {}})}, ("hosts.yaml", "host sw1", "connection_options", "unknown connection plugin")),
    # Options that would otherwise fail only when the device is contacted.
    ("jump-host-form", {"hosts": h(sw1__connection_options={"netmiko": {"extras": {"jump_host": "a b@c", "jump_password": "${NP_TEST_PW}"}}})}, ("hosts.yaml", "host sw1", "extras.jump_host", "user@host[:port]")),
    ("jump-host-port", {"hosts": h(sw1__connection_options={"netmiko": {"extras": {"jump_host": "j@10.0.0.1:70000", "jump_password": "${NP_TEST_PW}"}}})}, ("hosts.yaml", "host sw1", "extras.jump_host", "1-65535")),
    ("jump-no-login", {"defaults": {**GOOD_DEFAULTS, "connection_options": {"netmiko": {"extras": {"jump_host": "j@10.0.0.1"}}}}}, ("hosts.yaml", "host sw1", "extras.jump_host", "needs jump_password")),
    ("jump-key-missing", {"hosts": h(sw1__connection_options={"netmiko": {"extras": {"jump_host": "j@10.0.0.1", "jump_key_file": "/nonexistent/jump_ed25519"}}})}, ("hosts.yaml", "host sw1", "extras.jump_key_file", "/nonexistent/jump_ed25519: no such file")),
    ("key-file-missing", {"hosts": h(sw2__connection_options={"netmiko": {"extras": {"use_keys": True, "key_file": "/nonexistent/id_rsa"}}})}, ("hosts.yaml", "host sw2", "extras.key_file", "no such file")),
]


@pytest.mark.parametrize("case_id,kwargs,expected", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_inventory_is_reported_precisely(tmp_path, case_id, kwargs, expected):
    root = write_ws(tmp_path, **kwargs)
    with pytest.raises(InventoryError) as info:
        load_inventory(root)
    file, where, field, message = expected
    rendered = [str(i) for i in info.value.issues]
    match = [r for r in rendered if file in r and where in r and field in r and message in r]
    assert match, f"no issue with {expected!r} among {rendered}"
    # Secrets never appear in error text.
    assert "s3cr3t-value-xyz" not in str(info.value)


def test_missing_key_file_only_matters_to_commands_that_log_in(tmp_path):
    root = write_ws(tmp_path, hosts=h(sw1__connection_options={"netmiko": {"extras": {"use_keys": True, "key_file": "/nonexistent/id_rsa"}}}))
    assert "sw1" in load_inventory(root, need_secrets=False).hosts
    with pytest.raises(InventoryError, match="key_file"):
        load_inventory(root)


def test_all_errors_reported_at_once(tmp_path):
    hosts = h(sw1__platfrom="x", sw2__port="abc")
    hosts["sw3"] = {"hostname": "192.0.2.3", "platform": "nokia_sros", "groups": ["nowhere"]}
    root = write_ws(tmp_path, hosts=hosts)
    with pytest.raises(InventoryError) as info:
        load_inventory(root)
    text = str(info.value)
    for fragment in ("host sw1", "platfrom", "host sw2", "port", "host sw3", "nokia_sros", "nowhere"):
        assert fragment in text
    assert len(info.value.issues) >= 4


def test_good_inventory_resolves_inheritance(tmp_path):
    groups = {**GOOD_GROUPS, "core": {"port": 2222, "data": {"role": "core", "inspection": {"thresholds": {"cpu_percent": 70}}}}}
    root = write_ws(tmp_path, groups=groups)
    inv = load_inventory(root)
    sw1, sw2 = inv.hosts["sw1"], inv.hosts["sw2"]
    assert sw1.port == 2222 and sw2.port == 22  # group beats defaults
    assert sw1.site == "site-a" and sw1.site_archive.address == "1 Road"
    assert sw1.inspection.thresholds == {"cpu_percent": 70}
    assert sw1.secret("password") == "s3cr3t-value-xyz"
    assert "s3cr3t" not in json.dumps(sw1.public()) and "s3cr3t" not in repr(sw1)
    assert [x.name for x in inv.select(platform="cisco_ios")] == ["sw2"]
    assert [x.name for x in inv.select(group="core")] == ["sw1"]


def test_cli_check_exit_codes_and_json_hides_secrets(tmp_path):
    runner = CliRunner()
    root = write_ws(tmp_path / "good")
    ok = runner.invoke(app, ["inventory", "check", "-w", str(root)])
    assert ok.exit_code == 0, ok.output
    listing = runner.invoke(app, ["inventory", "list", "-w", str(root), "--json"])
    assert listing.exit_code == 0
    doc = json.loads(listing.stdout)
    assert {d["name"] for d in doc} == {"sw1", "sw2"}
    assert "s3cr3t-value-xyz" not in listing.output
    bad = write_ws(tmp_path / "bad", hosts=h(sw1__platfrom="x"))
    res = runner.invoke(app, ["inventory", "check", "-w", str(bad)])
    assert res.exit_code == 2
    assert "platfrom" in res.output


def test_sample_workspace_is_valid(sample_workspace):
    inv = load_inventory(sample_workspace)
    assert len(inv.hosts) >= 14
    platforms = {x.platform for x in inv.hosts.values()}
    assert platforms == set(PLATFORMS)  # the sample lab shows every registered platform
    assert len(inv.sites()) == 3
    assert all(a and a.contacts and a.machine_room for a in inv.sites().values())


def test_init_creates_valid_workspace(tmp_path, monkeypatch):
    monkeypatch.setenv("NETPATROL_PASSWORD", "x")
    runner = CliRunner()
    res = runner.invoke(app, ["init", str(tmp_path / "new")])
    assert res.exit_code == 0, res.output
    for rel in ("netpatrol.yaml", "inventory/hosts.yaml", "inventory/groups.yaml", "inventory/defaults.yaml", "checks", "parsers", "tasks", "backups"):
        assert (tmp_path / "new" / rel).exists(), rel
    assert load_inventory(tmp_path / "new").hosts
    again = runner.invoke(app, ["init", str(tmp_path / "new")])
    assert again.exit_code == 2
