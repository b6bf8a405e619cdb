"""Junos `show version` and `show chassis hardware` layouts that ntc's templates lose: read by
this repository's own candidates. The texts below are layout fragments written for these tests
(values made up), not captures; real captures are the pairs in tests/parsers/juniper_junos/."""

from __future__ import annotations

from pathlib import Path

from netpatrol.inspection.capture import parse_capture
from netpatrol.inspection.parsing import parse

VERSION_WITHOUT_HOSTNAME = """\
Model: srx345
Junos: 21.4R3-S5.4
JUNOS Software Release [21.4R3-S5.4]
"""

DUAL_RE = """\
re0:
--------------------------------------------------------------------------
Hostname: edge-1
Model: mx480
Junos: 21.2R3-S4.8
JUNOS OS Kernel 64-bit  [20230101.abcdef0_builder_stable_12]
JUNOS Packet Forwarding Engine Support (MX Common) [21.2R3-S4.8]

re1:
--------------------------------------------------------------------------
Hostname: edge-1-re1
Model: mx480
Junos: 21.2R3-S4.8
JUNOS OS Kernel 64-bit  [20230101.abcdef0_builder_stable_12]

{master}
"""

BEFORE_THE_JUNOS_LINE = """\
Hostname: core-2
Model: mx960
JUNOS Base OS boot [12.3R12.4]
JUNOS Base OS Software Suite [12.3R12.4]
JUNOS Kernel Software Suite [12.3R12.4]
JUNOS Routing Software Suite [12.3R12.4]
"""


def test_show_version_without_a_hostname_line_still_gives_model_and_release():
    out = parse_capture("juniper_junos", "show version", VERSION_WITHOUT_HOSTNAME)
    assert (out["status"], Path(out["template"]).name) == ("parsed", "juniper_junos_show_version_members.textfsm")
    assert (out["facts"]["model"], out["facts"]["os_version"]) == ("srx345", "21.4R3-S5.4")
    # SRX branch releases before the `Junos:` line: the release is the Software Release package's
    older = "Model: srx240h2\nJUNOS Software Release [12.1X46-D40.2]\n"
    assert parse_capture("juniper_junos", "show version", older)["facts"]["os_version"] == "12.1X46-D40.2"


def test_each_routing_engine_block_is_a_row_and_the_first_gives_the_facts():
    outcome = parse("juniper_junos", "show version", DUAL_RE)
    assert outcome.unexplained is None
    assert [(r["member"], r["hostname"]) for r in outcome.rows] == [("re0", "edge-1"), ("re1", "edge-1-re1")]
    out = parse_capture("juniper_junos", "show version", DUAL_RE)
    assert (out["facts"]["hostname"], out["facts"]["os_version"]) == ("edge-1", "21.2R3-S4.8")


def test_release_from_the_base_os_package_before_junos_printed_its_own_line():
    out = parse_capture("juniper_junos", "show version", BEFORE_THE_JUNOS_LINE)
    assert (out["facts"]["model"], out["facts"]["os_version"]) == ("mx960", "12.3R12.4")


CLUSTER_HARDWARE = """\
node0:
--------------------------------------------------------------------------
Hardware inventory:
Item             Version  Part number  Serial number     Description
Chassis                                CZ1234AB0001      SRX1500 [SRX1500-SYS-JB-AC]
Midplane         REV 09   750-058562   ACMB1234          SRX1500
Midplane 1       REV 02   711-012345   ACMB5678          Upper Midplane
Routing Engine 0 REV 05   711-053832   ACMA9999          RE-SRX1500
FPC 0            REV 07   711-053832   ACMB0000          FEB
  PIC 0                   BUILTIN      BUILTIN           12x1G-T-4x1G-SFP-4x10G
    Xcvr 12      REV 01   740-021308   AS90ABCD          SFP+-10G-SR
    Xcvr 13               NON-JNPR     G1234567          SFP-T
Power Supply 0
Fan Tray 0                                               SRX1500 0, Front to Back Airflow - AFO

node1:
--------------------------------------------------------------------------
Hardware inventory:
Item             Version  Part number  Serial number     Description
Chassis                                CZ1234AB0002      SRX1500 [SRX1500-SYS-JB-AC]
Routing Engine 0 REV 05   711-053832   ACMA9998          RE-SRX1500

{primary:node0}
"""
# the device pads a bare item to the column width
CLUSTER_HARDWARE = CLUSTER_HARDWARE.replace("Power Supply 0\n", "Power Supply 0  \n")


def test_inventory_columns_are_told_apart_by_their_form():
    outcome = parse("juniper_junos", "show chassis hardware", CLUSTER_HARDWARE)
    assert (Path(outcome.template).name, outcome.unexplained) == ("juniper_junos_show_chassis_hardware_items.textfsm", None)
    rows = {r["item"]: r for r in outcome.rows if r["item"]}
    assert (rows["Midplane 1"]["version"], rows["Midplane 1"]["serial_number"]) == ("REV 02", "ACMB5678")
    assert (rows["Routing Engine 0"]["version"], rows["Routing Engine 0"]["part_number"]) == ("REV 05", "711-053832")
    assert (rows["Xcvr 13"]["version"], rows["Xcvr 13"]["part_number"]) == ("", "NON-JNPR")
    assert (rows["PIC 0"]["serial_number"], rows["PIC 0"]["description"]) == ("BUILTIN", "12x1G-T-4x1G-SFP-4x10G")
    assert rows["Power Supply 0"]["description"] == ""
    assert rows["Fan Tray 0"]["part_number"] == "" and rows["Fan Tray 0"]["description"].startswith("SRX1500 0,")


def test_chassis_serial_is_the_serial_column_even_when_the_description_has_spaces():
    out = parse_capture("juniper_junos", "show chassis hardware", CLUSTER_HARDWARE)
    assert out["facts"]["serial"] == "CZ1234AB0001"  # the local node's, not "SRX1500" nor the node1 chassis
    vc = CLUSTER_HARDWARE.replace("CZ1234AB0001      SRX1500 [SRX1500-SYS-JB-AC]", "ZZ0000000001      Virtual Chassis")
    assert parse_capture("juniper_junos", "show chassis hardware", vc)["facts"]["serial"] == "ZZ0000000001"


def test_a_chassis_line_with_one_value_does_not_guess_the_serial():
    text = "Hardware inventory:\nItem             Version  Part number  Serial number     Description\n" \
           "Chassis                                                  FIREFLY-PERIMETER\n" \
           "Routing Engine   REV 01   650-000000   AB0000000000      RE-X\n"
    out = parse_capture("juniper_junos", "show chassis hardware", text)
    assert out["facts"].get("serial") is None
    assert out["status"] == "unrecognised"  # said, not silent: no fact came out of the rows
