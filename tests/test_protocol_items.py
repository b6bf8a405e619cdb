"""The protocol items: spanning tree, VRRP/HSRP groups and the ARP/MAC table sizes, from parsed rows
to the health model, the checks on them, every platform's lab outputs, and one inspection over SSH
of a lab device whose VRRP group is down and whose spanning tree flaps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fault_world import cli
from netpatrol.checks.engine import CheckContext, evaluate
from netpatrol.checks.loader import load_packs
from netpatrol.inspection.catalogue import load_job
from netpatrol.inspection.normalise import normalise, normalise_items
from netpatrol.inspection.normalise.protocols import seconds
from netpatrol.inspection.parsing import parse
from netpatrol.inspection.results import Facts, Health, InspectionResult, RedundancyGroup, StpInstance
from netpatrol.lab.device import DeviceSpec, SimulatedDevice
from netpatrol.platforms import PLATFORMS

CHECKS = {c.id: c for c in load_packs(["health"], None)}
PROTOCOL_CHECKS = ["vrrp_group_not_ready", "vrrp_group_flapping", "stp_topology_changes", "stp_root_changed",
                   "arp_table_near_capacity", "mac_table_near_capacity"]
DAY = 86400


# --- normalisation --------------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("0 days 0h:17m:53s", 1073),  # Huawei, H3C
    ("00:00:34", 34),  # IOS
    ("142:22:13", 142 * 3600 + 22 * 60 + 13),  # NX-OS counts hours past 99
    ("1d02h", 93600),
    ("2741 seconds", 2741),  # Junos
    ("0d:0h:4m:37s", 277),  # RGOS
    ("--", None),
])
def test_time_since_the_last_change_in_every_spelling(text, expected):
    assert seconds(text) == expected


def test_cisco_root_bridge_prints_no_root_line_and_the_id_joins_priority_and_address():
    rows = [{"instance": "VLAN0100", "bridge_priority": "24576", "bridge_mac": "3820.56ff.76db",
             "is_root": "We are the root of the spanning tree", "root_priority": "", "root_mac": "",
             "root_port": "", "topology_changes": "1", "last_change": "00:00:34"},
            {"instance": "VLAN0201", "bridge_priority": "28672", "bridge_mac": "ecbd.1dff.5f89", "is_root": "",
             "root_priority": "24777", "root_mac": "58bf.eaff.e5b6", "root_port": "Port-channel14",
             "topology_changes": "1", "last_change": "00:00:14"}]
    _, h = normalise("cisco_ios", {"stp": rows})
    root, other = h.stp
    assert (root.is_root, root.root_id, root.root_port) == (True, "24576.3820.56ff.76db", None)
    assert (other.is_root, other.root_id, other.root_port, other.last_change_seconds) == (
        False, "24777.58bf.eaff.e5b6", "Port-channel14", 14)


def test_huawei_padded_priority_is_one_id_and_the_root_has_no_root_port():
    row = {"instance": "", "bridge_id": "0    .4c1f-ccbc-796a", "root_id": "0    .4c1f-ccbc-796a",
           "root_port": "0.0", "topology_changes": "38", "last_change": "0 days 0h:2m:21s"}
    _, h = normalise("huawei_vrp", {"stp": [row]})
    assert h.stp == [StpInstance(instance="0", bridge_id="0.4c1f-ccbc-796a", root_id="0.4c1f-ccbc-796a",
                                 is_root=True, root_port=None, topology_changes=38, last_change_seconds=141)]


def test_comware_counts_the_topology_changes_it_received():
    row = {"instance": "", "bridge_id": "32768.7aef-e4ea-0100", "root_id": "0.bcea-fa14-f0a4",
           "root_port": "128.1", "tc_received": "19824", "topology_changes": "", "last_change": "0 days 1h:3m:4s"}
    _, h = normalise("hp_comware", {"stp": [row]})
    assert (h.stp[0].is_root, h.stp[0].topology_changes, h.stp[0].last_change_seconds) == (False, 19824, 3784)


def test_groups_are_up_only_in_a_settled_state_and_named_by_interface_protocol_group():
    rows = [{"interface": "Vl1", "group": "1", "state": "Active", "virtual_ip_address": "10.1.1.1", "priority": "120"},
            {"interface": "Vl51", "group": "1", "state": "Init", "virtual_ip_address": "10.1.51.1", "priority": "120"}]
    _, h = normalise("cisco_ios", {"hsrp": rows, "vrrp": []})
    assert [(g.name, g.up) for g in h.vrrp] == [("Vl1 hsrp 1", True), ("Vl51 hsrp 1", False)]
    assert h.vrrp[0].virtual_ip == "10.1.1.1" and h.vrrp[0].priority == 120


def test_table_sizes_count_rows_or_take_the_printed_total_and_none_when_not_collected():
    _, h = normalise("huawei_vrp", {"arp": [{"ip_address": "10.0.0.1"}, {"ip_address": "10.0.0.2"}]})
    assert (h.arp_entries, h.arp_percent, h.mac_entries) == (2, None, None)
    ruijie = [{"ip_address": "10.0.0.1", "total": ""}, {"ip_address": "", "total": "1500"}]
    assert normalise("ruijie_os", {"arp": ruijie})[1].arp_entries == 1500
    _, empty = normalise("cisco_ios", {"mac": []})
    assert empty.mac_entries == 0  # collected: an empty table, not "unknown"


def test_mac_capacity_is_in_use_plus_still_available():
    row = {"total": "32778", "vlan_totals": ["9", "1", "32768"], "available": "98294"}
    _, h = normalise("cisco_ios", {"mac": [row]})
    assert (h.mac_entries, h.mac_capacity, h.mac_percent) == (32778, 131072, 25.0)
    # an older Catalyst prints no switch total: the VLAN totals are summed
    _, old = normalise("cisco_ios", {"mac": [{"vlan_totals": ["3", "4"], "available": "7981"}]})
    assert (old.mac_entries, old.mac_capacity) == (7, 7988)


def test_protocol_rows_the_map_cannot_read_are_reported_not_silent():
    result = normalise_items("huawei_vrp", {"stp": [{"port": "GE0/0/1", "role": "DESI"}],
                                            "vrrp": [{"vrid": "1", "state": "Master", "interface": "Vlanif10"}]})
    assert set(result.unused) == {"stp"} and result.unused["stp"].no_facts
    assert result.health.stp == [] and len(result.health.vrrp) == 1


# --- checks ---------------------------------------------------------------------------------------

def _result(health: Health, period: str = "2026Q3") -> InspectionResult:
    return InspectionResult(host="dist-01", site="s", platform="huawei_vrp", period=period,
                            collected_at="2026-09-20T02:00:00+00:00", status="ok",
                            facts=Facts(uptime_seconds=300 * DAY), health=health)


def _found(result: InspectionResult, previous: InspectionResult | None = None) -> list[tuple[str, str | None]]:
    ctx = CheckContext(result=result, previous=previous, seconds_since_previous=91.0 * DAY if previous else None)
    return [(f.check, f.subject) for f in evaluate([CHECKS[c] for c in PROTOCOL_CHECKS], ctx)]


def _stp(root: str = "4096.c04a-c069-e45a", changes: int = 12, last: int = 30 * DAY) -> StpInstance:
    return StpInstance(instance="0", root_id=root, is_root=False, topology_changes=changes, last_change_seconds=last)


def test_every_init_spelling_is_a_major_finding_and_settled_states_are_not():
    states = ["Master", "Backup", "Active", "Standby", "Listen", "Initialize", "Init", "Initial", "init"]
    health = Health(vrrp=[RedundancyGroup(name=f"g{i}", state=s) for i, s in enumerate(states)])
    assert _found(_result(health)) == [("vrrp_group_not_ready", f"g{i}") for i in (5, 6, 7, 8)]
    assert CHECKS["vrrp_group_not_ready"].severity == "major"


def test_flapping_is_the_growth_of_the_state_change_counter_since_the_last_inspection():
    def group(changes: int) -> Health:
        return Health(vrrp=[RedundancyGroup(name="Vlan10 hsrp 10", state="Active", state_changes=changes)])

    before = _result(group(2), period="2026Q2")
    assert _found(_result(group(40)), before) == [("vrrp_group_flapping", "Vlan10 hsrp 10")]
    assert _found(_result(group(5)), before) == []
    assert _found(_result(group(40))) == []  # a first inspection has no growth to judge


def test_topology_changes_count_only_when_the_last_one_is_recent():
    assert _found(_result(Health(stp=[_stp(changes=4817, last=37)]))) == [("stp_topology_changes", "0")]
    assert _found(_result(Health(stp=[_stp(changes=4817, last=40 * DAY)]))) == []  # old history
    assert _found(_result(Health(stp=[_stp(changes=12, last=37)]))) == []  # one recent change


def test_a_root_change_needs_the_previous_inspection_of_the_same_instance():
    before = _result(Health(stp=[_stp()]), period="2026Q2")
    moved = _result(Health(stp=[_stp(root="32768.00e0-fc12-3456")]))
    assert _found(moved, before) == [("stp_root_changed", "0")]
    assert _found(moved) == []  # first inspection: nothing to compare with
    assert _found(_result(Health(stp=[_stp()])), before) == []
    renamed = _result(Health(stp=[StpInstance(instance="1", root_id="32768.00e0-fc12-3456")]))
    assert _found(renamed, before) == []  # a new instance is not a changed root


def test_tables_near_capacity_only_where_the_device_prints_its_size():
    assert _found(_result(Health(arp_entries=15000, arp_capacity=16384, arp_percent=91.6))) == [
        ("arp_table_near_capacity", None)]
    assert _found(_result(Health(mac_entries=15000))) == []


# --- lab outputs on every platform ------------------------------------------------------------------

CATALOGUE = load_job(None, "quarterly").platforms


def _collect(platform: str, scenarios: list[str], tmp: Path):
    device = SimulatedDevice(DeviceSpec(name=f"lab-{platform}", platform=platform, address="127.0.0.1", port=22,
                                        username="u", password="p", scenarios=scenarios), tmp)
    parsed = {}
    for item in ("stp", "hsrp", "vrrp", "arp", "mac"):
        for command in CATALOGUE[platform].get(item, []):
            text = device.output(command)
            if text is not None:
                outcome = parse(platform, command, text)
                assert outcome.status in ("parsed", "empty"), (platform, command, outcome.error)
                parsed[item] = outcome.rows
                break
    return device.state(), normalise(platform, parsed)[1]


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_lab_outputs_normalise_to_the_device_state(platform: str, tmp_path: Path):
    state, h = _collect(platform, [], tmp_path)
    st = state.stp[0]
    assert [(s.is_root, s.topology_changes) for s in h.stp] == [(False, st.topology_changes)]
    assert h.stp[0].last_change_seconds == st.last_change_seconds
    assert h.stp[0].root_id and st.root_mac.replace(".", "")[-4:] in h.stp[0].root_id.replace(":", "").replace("-", "")
    assert sorted(int(g.group or 0) for g in h.vrrp) == [g.vrid for g in state.vrrp]
    assert all(g.up for g in h.vrrp)
    if platform == "cisco_nxos":  # the one platform whose group output counts state changes
        assert [g.state_changes for g in h.vrrp] == [2, 2]
    assert h.arp_entries is not None and h.arp_entries >= len(state.arp)
    if "mac" in CATALOGUE[platform]:
        assert h.mac_entries == len(state.arp)
    else:
        assert h.mac_entries is None


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_lab_faults_reach_the_checks(platform: str, tmp_path: Path):
    _, h = _collect(platform, ["vrrp_init", "stp_flapping"], tmp_path)
    found = _found(_result(h))
    assert ("stp_topology_changes", h.stp[0].instance) in found
    assert [c for c, _ in found if c == "vrrp_group_not_ready"] == ["vrrp_group_not_ready"]


# --- over SSH ----------------------------------------------------------------------------------------

@pytest.mark.lab
def test_inspecting_a_lab_device_with_the_faults_reports_them(make_lab, tmp_path: Path):
    ws = tmp_path / "ws"
    make_lab({"dist-hw": "huawei_vrp", "dist-ok": "huawei_vrp"}, workspace=ws,
             scenarios={"dist-hw": ["vrrp_init", "stp_flapping"]})
    run = cli(ws, "inspect", "--json", timeout=300)
    assert run.returncode in (0, 1), run.stdout + run.stderr
    by_host = {d["host"]: d for d in json.loads(run.stdout)["devices"]}
    for host in by_host.values():
        assert {host["items"][i]["status"] for i in ("stp", "vrrp", "arp", "mac")} == {"parsed"}, host["items"]
    faulty = {(f["check"], f["severity"], f["subject"]) for f in by_host["dist-hw"]["findings"]}
    assert ("vrrp_group_not_ready", "major", "Vlanif20 vrrp 2") in faulty
    assert ("stp_topology_changes", "minor", "0") in faulty
    healthy = {f["check"] for f in by_host["dist-ok"]["findings"]}
    assert not healthy & set(PROTOCOL_CHECKS)
