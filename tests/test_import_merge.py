"""`inventory import`'s merge: devices planned against hand-edited inventory files and written
back with every comment and hand field kept (plan.py, write.py)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netpatrol.cli.root import app
from netpatrol.errors import InventoryError, LockedError
from netpatrol.inventory_import.model import Device, SourceRow
from netpatrol.inventory_import.plan import existing_sites, make_plan
from netpatrol.inventory_import.write import import_lock, write_plan
from netpatrol.store.open import open_store
from netpatrol.workspace.inventory import load_inventory
from netpatrol.workspace.settings import Workspace

ALIAS = "huawei"  # huawei_vrp as people type it: no platform change
# Spelled the way hands write YAML (a `---` start, extra spaces, a tight flow mapping): ruamel.yaml
# would re-space these lines, the import must not.
HOSTS = f"""\
---
# Hosts of the client.  Keep alphabetical!
core-sw1:
    platform: {ALIAS}   # VRP 8, typed as people type it
    hostname: 192.0.2.10
    groups: [site-main]
    data:
        role:   core
        model: S6730-H24X6C
        custom: {{rack: "A-03",owner:   'net team'}}   # asset tag on the front

# Renamed by hand; the sheet still calls it dist-sw1
dist-1:
    hostname: 192.0.2.11
    groups:
      - site-main
    data:
        model: "S5735"
        serial: '0001'
        repairs:
          - {{date: 2025-03-01, action: replaced PSU}}
"""
GROUPS_TAIL = """\
# Branch office, typed by hand
site-branch:
  platform: huawei_vrp
  data:
    site: {name: Branch office}
"""


def _workspace(tmp_path: Path) -> Workspace:
    root = tmp_path / "ws"
    assert CliRunner().invoke(app, ["init", str(root)]).exit_code == 0
    inv = root / "inventory"
    groups = (inv / "groups.yaml").read_text(encoding="utf-8")
    # dist-1 has no platform of its own: site-main gives it
    groups = groups.replace("site-main:\n", "site-main:\n  platform: huawei_vrp\n", 1)
    (inv / "groups.yaml").write_text(groups + GROUPS_TAIL, encoding="utf-8")
    (inv / "hosts.yaml").write_text(HOSTS, encoding="utf-8")
    load_inventory(root, need_secrets=False)  # the starting point is valid
    return Workspace(root)


def _device(row: int, name: str, address: str, platform: str = "huawei_vrp", site: str = "site-main",
            site_name: str = "Main office", **kw) -> Device:
    values = {"name": name, "address": address, "site": site_name}
    if "telnet" in kw:
        values["protocol"] = "Telnet" if kw["telnet"] else "SSH"
    return Device(SourceRow("台账", row, values), name, address, platform, site, site_name, **kw)


def _digests(ws: Workspace) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((ws.root / "inventory").glob("*.yaml"))}


SHEET = [
    _device(3, "core-sw1", "192.0.2.10", data={"model": "S6730-H24X6C"}),  # platform inherited alias, model same
    _device(4, "dist-sw1", "192.0.2.11", data={"model": "S5735", "serial": "0001"}),  # found by address
    _device(5, "acc-km-1", "192.0.2.20", "hp_comware", "kunming", "昆明局", telnet=True, source_name="昆明接入1",
            data={"purchase_date": "2024-01-31", "serial": "123456", "location": "3楼机房"}),
]


def test_import_adds_hosts_and_sites_keeping_every_hand_edit(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    inv = ws.root / "inventory"
    groups_before = (inv / "groups.yaml").read_text(encoding="utf-8")
    plan = make_plan(inv, SHEET, [])
    assert [d.name for d in plan.added] == ["acc-km-1"] and plan.sites_added == ["kunming"]
    assert plan.unchanged == ["core-sw1", "dist-1"] and plan.changed == []
    assert plan.matched_by_address == {"dist-1": "dist-sw1"}
    write_plan(ws, plan, "devices.xlsx (台账)")

    hosts = (inv / "hosts.yaml").read_text(encoding="utf-8")
    assert hosts.startswith(HOSTS)  # every byte of the hand-written file, comments and quotes included
    added = hosts[len(HOSTS):]
    assert added.splitlines()[0].startswith("# imported from devices.xlsx (台账) on ")
    assert "    platform: hp_comware\n    groups: [kunming]\n" in added
    assert "telnet_fallback: true" in added and "purchase_date: 2024-01-31\n" in added
    assert "serial: '123456'" in added  # stays text, not a number
    assert "source_name: 昆明接入1" in added
    groups = (inv / "groups.yaml").read_text(encoding="utf-8")
    assert groups.startswith(groups_before)
    assert groups[len(groups_before):].endswith("kunming:\n  data:\n    site:\n      name: 昆明局\n")
    loaded = load_inventory(ws.root, need_secrets=False)
    assert loaded.hosts["acc-km-1"].site == "kunming" and loaded.hosts["acc-km-1"].extras["telnet_fallback"] is True
    assert existing_sites(inv)["昆明局"] == "kunming"
    backups = list((ws.state_dir / "import-backup").iterdir())
    assert len(backups) == 1 and (backups[0] / "hosts.yaml").read_text(encoding="utf-8") == HOSTS


def test_reimporting_the_same_sheet_changes_nothing(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    write_plan(ws, make_plan(ws.root / "inventory", SHEET, []), "devices.xlsx (台账)")
    before = _digests(ws)
    again = make_plan(ws.root / "inventory", SHEET, [])
    assert (again.added, again.changed, again.sites_added) == ([], [], [])
    assert sorted(again.unchanged) == ["acc-km-1", "core-sw1", "dist-1"]
    write_plan(ws, again, "devices.xlsx (台账)")
    assert _digests(ws) == before


def test_changes_only_the_fields_the_sheet_gives_in_place(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    inv = ws.root / "inventory"
    sheet = [_device(3, "CORE-SW1", "192.0.2.10", data={"model": "S6730-H48X6C", "os_version": "V200R022"}, port=2222),
             _device(4, "dist-sw1", "192.0.2.11", "hp_comware", data={"serial": "0001"})]
    plan = make_plan(inv, sheet, [])
    fields = {c.name: c.fields for c in plan.changed}
    assert fields["core-sw1"] == {"port": (22, 2222), "data.model": ("S6730-H24X6C", "S6730-H48X6C"),
                                  "data.os_version": (None, "V200R022")}
    assert fields["dist-1"] == {"platform": ("huawei_vrp", "hp_comware")}
    assert {c.name: c.matched_by for c in plan.changed} == {"core-sw1": "name", "dist-1": "address"}
    write_plan(ws, plan, "devices.xlsx (台账)")
    expected = (HOSTS.replace("    hostname: 192.0.2.10\n", "    hostname: 192.0.2.10\n    port: 2222\n")  # after hostname
                .replace("        model: S6730-H24X6C\n", "        model: S6730-H48X6C\n")
                .replace("# asset tag on the front\n", "# asset tag on the front\n        os_version: V200R022\n")
                .replace("    hostname: 192.0.2.11\n", "    hostname: 192.0.2.11\n    platform: hp_comware\n"))
    assert (inv / "hosts.yaml").read_text(encoding="utf-8") == expected  # every other byte as it was, dist-1's name kept


def test_site_move_replaces_the_site_group(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    inv = ws.root / "inventory"
    plan = make_plan(inv, [_device(4, "dist-1", "192.0.2.11", site="site-branch", site_name="Branch office"),
                           _device(5, "core-sw1", "192.0.2.10", site="yunnan", site_name="云南")], [])
    assert {c.name: c.fields["site"] for c in plan.changed} == {"dist-1": ("site-main", "site-branch"),
                                                                "core-sw1": ("site-main", "yunnan")}
    assert plan.sites_added == ["yunnan"]
    write_plan(ws, plan, "devices.xlsx (台账)")
    hosts = load_inventory(ws.root, need_secrets=False).hosts
    assert (hosts["dist-1"].site, hosts["dist-1"].groups) == ("site-branch", ["site-branch"])
    assert hosts["core-sw1"].groups == ["yunnan"]
    text = (inv / "hosts.yaml").read_text(encoding="utf-8")
    assert "    groups: [yunnan]\n" in text and "      - site-branch\n" in text


def test_a_result_that_fails_inventory_check_writes_nothing(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    inv = ws.root / "inventory"
    defaults = (inv / "defaults.yaml").read_text(encoding="utf-8")
    # the hand-written hosts have their password from site-main; a new site has none
    (inv / "defaults.yaml").write_text(defaults.replace("password: ${NETPATROL_PASSWORD}\n", ""), encoding="utf-8")
    groups = (inv / "groups.yaml").read_text(encoding="utf-8")
    groups = groups.replace("site-main:\n", "site-main:\n  password: ${NETPATROL_PASSWORD}\n", 1)
    (inv / "groups.yaml").write_text(groups.replace("site-branch:\n", "site-branch:\n  password: ${NETPATROL_PASSWORD}\n"),
                                     encoding="utf-8")
    before = _digests(ws)
    plan = make_plan(inv, [_device(5, "new-1", "192.0.2.30", site="yunnan", site_name="云南")], [])
    with pytest.raises(InventoryError) as exc:
        write_plan(ws, plan, "devices.xlsx (台账)")
    assert "host new-1: field 'password' missing credentials" in str(exc.value)
    assert _digests(ws) == before
    assert not (ws.state_dir / "import-backup").exists()
    assert [p.name for p in ws.state_dir.iterdir() if p.name.startswith("import-")] == []  # the trial copy is gone


def test_a_sheet_without_units_moves_no_host_and_an_address_clash_is_refused(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    unitless = _device(3, "core-sw1", "192.0.2.10", site="imported", site_name="")
    del unitless.row.values["site"]
    clash = _device(4, "dist-1", "192.0.2.10")  # core-sw1's address
    plan = make_plan(ws.root / "inventory", [unitless, clash], [])
    assert plan.unchanged == ["core-sw1"] and plan.changed == [] and plan.sites_added == []
    assert [str(p) for p in plan.refused] == ["台账 row 4: dist-1: new address 192.0.2.10 is already host core-sw1's"]


def test_a_unit_whose_group_is_no_site_is_refused(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    groups = ws.root / "inventory" / "groups.yaml"
    groups.write_text(groups.read_text(encoding="utf-8") + "core:\n  data: {role: core}\n", encoding="utf-8")
    plan = make_plan(ws.root / "inventory", [_device(5, "n-1", "192.0.2.40", site="core", site_name="Core"),
                                             _device(6, "n-2", "192.0.2.41", site="Site-Branch", site_name="分部")], [])
    assert plan.added == []
    assert [p.row for p in plan.refused] == [5, 6]
    assert "a group 'core' that is no site" in plan.refused[0].message
    assert "only in letter case" in plan.refused[1].message


def test_a_broken_inventory_is_refused(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    inv = ws.root / "inventory"
    (inv / "hosts.yaml").write_text(HOSTS.replace("    groups: [site-main]\n", "    groups: [site-nowhere]\n"), encoding="utf-8")
    with pytest.raises(InventoryError, match="unknown group 'site-nowhere'"):
        make_plan(inv, SHEET, [])


def test_an_address_already_claimed_refuses_the_later_row(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    plan = make_plan(ws.root / "inventory", [_device(3, "dist-1", "192.0.2.11"), _device(9, "other", "192.0.2.11"),
                                             _device(10, "new-a", "192.0.2.50"), _device(11, "NEW-A", "192.0.2.51")], [])
    assert plan.unchanged == ["dist-1"] and [d.name for d in plan.added] == ["new-a"]
    assert [str(p) for p in plan.refused] == [
        "台账 row 9: other (192.0.2.11) is host dist-1, which row 3 already imports; one row per device",
        "台账 row 11: NEW-A: same host name as row 10 (new-a) apart from letter case"]


def test_into_an_empty_inventory(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    inv = ws.root / "inventory"
    (inv / "hosts.yaml").write_text("# filled by netpatrol inventory import\n", encoding="utf-8")
    (inv / "groups.yaml").unlink()
    write_plan(ws, make_plan(inv, SHEET, []), "台账.csv (台账)")
    hosts = load_inventory(ws.root, need_secrets=False).hosts
    assert sorted(hosts) == ["acc-km-1", "core-sw1", "dist-sw1"]
    assert (inv / "hosts.yaml").read_text(encoding="utf-8").startswith("# filled by netpatrol inventory import\n# imported from ")
    assert (inv / "groups.yaml").read_text(encoding="utf-8").startswith("# imported from 台账.csv (台账) on ")


def test_import_waits_for_no_backup_it_fails_busy(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    store = open_store(ws)
    with store.lock(writing=False), pytest.raises(LockedError), import_lock(ws):
        pass
    with import_lock(ws):  # free again
        pass


def test_no_password_is_ever_written(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    write_plan(ws, make_plan(ws.root / "inventory", SHEET, []), "devices.xlsx (台账)")
    text = (ws.root / "inventory" / "hosts.yaml").read_text(encoding="utf-8")
    assert "password" not in text


def test_a_symlinked_hosts_file_is_written_only_once_checked(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    inv = ws.root / "inventory"
    kept = tmp_path / "shared-hosts.yaml"
    kept.write_text(HOSTS, encoding="utf-8")
    (inv / "hosts.yaml").unlink()
    (inv / "hosts.yaml").symlink_to(kept)
    plan = make_plan(inv, [_device(5, "n-1", "192.0.2.40", site="nowhere-unit", site_name="X")], [])
    (inv / "defaults.yaml").write_text("username: netops\n", encoding="utf-8")  # no password: the result fails
    with pytest.raises(InventoryError):
        write_plan(ws, plan, "x.csv (x)")
    assert kept.read_text(encoding="utf-8") == HOSTS  # the trial copy did not write through the link
    (inv / "defaults.yaml").write_text("username: netops\npassword: ${NETPATROL_PASSWORD}\n", encoding="utf-8")
    write_plan(ws, plan, "x.csv (x)")
    assert (inv / "hosts.yaml").is_symlink() and "n-1:" in kept.read_text(encoding="utf-8")


def test_a_telnet_rows_port_is_the_telnet_port_never_the_ssh_port(tmp_path: Path) -> None:
    # SSH is tried first on `port`, Telnet after on extras.telnet_port: a Telnet row's 23 in `port`
    # would send SSH to the Telnet port.
    ws = _workspace(tmp_path)
    inv = ws.root / "inventory"
    sheet = [_device(5, "tel-23", "192.0.2.60", telnet=True, port=23),
             _device(6, "tel-2323", "192.0.2.61", telnet=True, port=2323),
             _device(3, "core-sw1", "192.0.2.10", telnet=True, port=23),  # existing host, SSH on 22 until now
             _device(4, "dist-1", "192.0.2.11", telnet=True, port=2323)]
    plan = make_plan(inv, sheet, [])
    assert [d.name for d in plan.added] == ["tel-23", "tel-2323"]
    assert {c.name: c.fields for c in plan.changed} == {
        "core-sw1": {"telnet_fallback": (False, True)},
        "dist-1": {"telnet_fallback": (False, True), "telnet_port": (23, 2323)}}
    write_plan(ws, plan, "devices.xlsx (台账)")
    text = (inv / "hosts.yaml").read_text(encoding="utf-8")
    assert "port: 23\n" not in text and "    port:" not in text  # no SSH port written anywhere
    assert "telnet_port: 2323" in text and text.count("telnet_port:") == 2  # 23 is the default: not written
    hosts = load_inventory(ws.root, need_secrets=False).hosts
    for name, telnet_port in [("tel-23", None), ("tel-2323", 2323), ("core-sw1", None), ("dist-1", 2323)]:
        assert (hosts[name].port, hosts[name].extras.get("telnet_port")) == (22, telnet_port), name
        assert hosts[name].extras["telnet_fallback"] is True

    before = _digests(ws)
    again = make_plan(inv, sheet, [])
    assert (again.added, again.changed, again.sites_added) == ([], [], [])
    write_plan(ws, again, "devices.xlsx (台账)")
    assert _digests(ws) == before

    # back to the default Telnet port: the key goes, as a new host would not have it
    plan = make_plan(inv, [_device(4, "dist-1", "192.0.2.11", telnet=True, port=23)], [])
    assert plan.changed[0].fields == {"telnet_port": (2323, 23)}
    write_plan(ws, plan, "devices.xlsx (台账)")
    assert "telnet_port" not in load_inventory(ws.root, need_secrets=False).hosts["dist-1"].extras
    assert make_plan(inv, [_device(4, "dist-1", "192.0.2.11", telnet=True, port=23)], []).unchanged == ["dist-1"]


def test_an_existing_telnet_hosts_ssh_port_is_left_as_it_is(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    inv = ws.root / "inventory"
    hosts = HOSTS.replace("    hostname: 192.0.2.10\n", "    hostname: 192.0.2.10\n    port: 2222\n")
    (inv / "hosts.yaml").write_text(hosts, encoding="utf-8")
    plan = make_plan(inv, [_device(3, "core-sw1", "192.0.2.10", telnet=True, port=2323)], [])
    assert plan.changed[0].fields == {"telnet_fallback": (False, True), "telnet_port": (23, 2323)}
    write_plan(ws, plan, "devices.xlsx (台账)")
    host = load_inventory(ws.root, need_secrets=False).hosts["core-sw1"]
    assert (host.port, host.extras["telnet_port"], host.extras["telnet_fallback"]) == (2222, 2323, True)


def test_commented_out_keys_of_the_last_host_stay_with_it(tmp_path: Path) -> None:
    # `netpatrol init`'s hosts.yaml ends with core-sw1's commented-out keys (`# purchase_date: …`):
    # they are core-sw1's, so the appended hosts come after them, and the file as it was is the
    # new file's start, byte for byte.
    root = tmp_path / "ws"
    assert CliRunner().invoke(app, ["init", str(root)]).exit_code == 0
    ws = Workspace.locate(root)
    before = (root / "inventory" / "hosts.yaml").read_text(encoding="utf-8")
    assert before.rstrip().splitlines()[-1].startswith("    #")
    write_plan(ws, make_plan(root / "inventory", [_device(2, "new-1", "192.0.2.50")], []), "devices.xlsx (台账)")
    after = (root / "inventory" / "hosts.yaml").read_text(encoding="utf-8")
    assert after.startswith(before) and after[len(before):].startswith("# imported from devices.xlsx (台账) on ")


# Hand-written YAML shares nodes: an alias is the same map as its anchor, a merge key's values are
# the base's. Editing one host through them would silently edit the others.
SHARED = """\
sw0:
  hostname: 192.0.2.50
  groups: [site-main]
  data: &common {role: access, model: S5720}   # both access switches
sw1:
  hostname: 192.0.2.51
  groups: [site-main]
  data: *common
base: &base
  hostname: 192.0.2.52
  groups: [site-main]
  data:
    role: core
    model: S6730
sw2:
  <<: *base
  hostname: 192.0.2.53
"""


def _shared(tmp_path: Path) -> Workspace:
    ws = _workspace(tmp_path)
    (ws.root / "inventory" / "hosts.yaml").write_text(SHARED, encoding="utf-8")
    load_inventory(ws.root, need_secrets=False)
    return ws


def _host_text(text: str, name: str) -> str:
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{name}:"))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith((" ", "#"))), len(lines))
    return "".join(lines[start:end])


def test_an_alias_shared_with_another_host_is_copied_not_edited(tmp_path: Path) -> None:
    ws = _shared(tmp_path)
    plan = make_plan(ws.root / "inventory", [_device(3, "sw1", "192.0.2.51", data={"model": "S5735"})], [])
    assert {c.name: c.fields for c in plan.changed} == {"sw1": {"data.model": ("S5720", "S5735")}}
    write_plan(ws, plan, "x.xlsx (台账)")
    text = (ws.root / "inventory" / "hosts.yaml").read_text(encoding="utf-8")
    assert _host_text(text, "sw0") == _host_text(SHARED, "sw0")  # its anchor and comment included
    assert _host_text(text, "base") == _host_text(SHARED, "base")
    hosts = load_inventory(ws.root, need_secrets=False).hosts
    assert (hosts["sw0"].data.model, hosts["sw1"].data.model) == ("S5720", "S5735")
    assert hosts["sw1"].data.role == "access"  # its other values as they were


def test_a_value_from_a_merge_key_is_set_on_the_host_not_on_the_base(tmp_path: Path) -> None:
    ws = _shared(tmp_path)
    plan = make_plan(ws.root / "inventory", [_device(3, "sw2", "192.0.2.53", data={"model": "S6730-H"}, port=2222)], [])
    assert {c.name: c.fields for c in plan.changed} == {"sw2": {"port": (22, 2222), "data.model": ("S6730", "S6730-H")}}
    write_plan(ws, plan, "x.xlsx (台账)")
    text = (ws.root / "inventory" / "hosts.yaml").read_text(encoding="utf-8")
    assert _host_text(text, "base") == _host_text(SHARED, "base")
    assert _host_text(text, "sw0") == _host_text(SHARED, "sw0") and _host_text(text, "sw1") == _host_text(SHARED, "sw1")
    assert "  <<: *base\n" in _host_text(text, "sw2")
    hosts = load_inventory(ws.root, need_secrets=False).hosts
    assert (hosts["base"].data.model, hosts["base"].port) == ("S6730", 22)
    assert (hosts["sw2"].data.model, hosts["sw2"].data.role, hosts["sw2"].port) == ("S6730-H", "core", 2222)


def test_groups_yaml_is_replaced_before_hosts_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A kill between the two renames must leave an inventory that loads: new site groups without
    # hosts are harmless, hosts in site groups that do not exist are not.
    ws = _workspace(tmp_path)
    real, done = os.replace, []

    def replace_once(src: str, dst: str) -> None:
        if done:
            raise OSError("killed")
        done.append(Path(dst).name)
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace_once)
    with pytest.raises(OSError):
        write_plan(ws, make_plan(ws.root / "inventory", SHEET, []), "x.xlsx (台账)")
    monkeypatch.setattr(os, "replace", real)
    assert done == ["groups.yaml"]
    assert "acc-km-1" not in load_inventory(ws.root, need_secrets=False).hosts


def test_a_relative_symbolic_link_in_inventory_is_followed_in_the_trial_copy(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    inv = ws.root / "inventory"
    (ws.root / "shared").mkdir()
    (inv / "defaults.yaml").rename(ws.root / "shared" / "defaults.yaml")
    (inv / "defaults.yaml").symlink_to("../shared/defaults.yaml")
    load_inventory(ws.root, need_secrets=False)
    write_plan(ws, make_plan(inv, SHEET, []), "x.xlsx (台账)")
    assert "acc-km-1" in load_inventory(ws.root, need_secrets=False).hosts
    assert (inv / "defaults.yaml").is_symlink()


@pytest.mark.parametrize(("bom", "newline"), [(b"", b"\r\n"), (b"\xef\xbb\xbf", b"\n"), (b"\xef\xbb\xbf", b"\r\n")])
def test_line_endings_and_a_byte_order_mark_are_kept(tmp_path: Path, bom: bytes, newline: bytes) -> None:
    ws = _workspace(tmp_path)
    inv = ws.root / "inventory"
    originals = {}
    for name in ("hosts.yaml", "groups.yaml"):
        raw = bom + (inv / name).read_bytes().replace(b"\n", newline)
        (inv / name).write_bytes(raw)
        originals[name] = raw
    load_inventory(ws.root, need_secrets=False)
    write_plan(ws, make_plan(inv, SHEET, []), "x.xlsx (台账)")
    for name, raw in originals.items():
        now = (inv / name).read_bytes()
        assert now.startswith(raw) and len(now) > len(raw)
        added = now[len(raw):]
        assert not added.startswith(b"\xef\xbb\xbf") and added.count(b"\n") == added.count(newline)
    assert "acc-km-1" in load_inventory(ws.root, need_secrets=False).hosts


def test_import_backups_are_owner_only_and_the_last_twenty_kept(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    inv = ws.root / "inventory"
    for i in range(22):
        write_plan(ws, make_plan(inv, [_device(3, f"n-{i}", f"192.0.2.{100 + i}")], []), "x.xlsx (台账)")
    kept = ws.state_dir / "import-backup"
    assert kept.stat().st_mode & 0o777 == 0o700
    backups = sorted(kept.iterdir())
    assert len(backups) == 20
    assert all(b.stat().st_mode & 0o777 == 0o700 for b in backups)
    assert "n-20:" in (backups[-1] / "hosts.yaml").read_text(encoding="utf-8")  # the one before the last import
    oldest = (backups[0] / "hosts.yaml").read_text(encoding="utf-8")
    assert "n-1:" in oldest and "n-2:" not in oldest  # the two oldest (before n-0 and n-1) pruned


def test_an_alias_of_a_map_with_its_own_merge_key_is_copied_flat(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    hosts = SHARED.replace("  data: *common\n", "  data: &x\n    <<: *common\n    serial: A1\n") + \
        "sw3:\n  hostname: 192.0.2.54\n  groups: [site-main]\n  data: *x\n"
    (ws.root / "inventory" / "hosts.yaml").write_text(hosts, encoding="utf-8")
    write_plan(ws, make_plan(ws.root / "inventory", [_device(3, "sw3", "192.0.2.54", data={"serial": "B2"})], []), "x")
    text = (ws.root / "inventory" / "hosts.yaml").read_text(encoding="utf-8")
    assert text.startswith(hosts[:hosts.index("sw3:")])  # sw0, sw1 (anchor &x), base and sw2 as they were
    assert _host_text(text, "sw3").endswith("  data:\n    serial: B2\n    role: access\n    model: S5720\n")
    loaded = load_inventory(ws.root, need_secrets=False).hosts
    assert (loaded["sw1"].data.serial, loaded["sw3"].data.serial, loaded["sw3"].data.model) == ("A1", "B2", "S5720")
