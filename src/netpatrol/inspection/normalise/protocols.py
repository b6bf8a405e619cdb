"""Protocol items of the health model: spanning tree, first-hop redundancy groups (VRRP/HSRP) and
the ARP/MAC table sizes. The field maps (`ProtocolsMap`, the `protocols:` key of a normalise.yaml)
default to the column names our templates share, so a platform names only what differs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import field

from pydantic import ConfigDict
from pydantic.dataclasses import dataclass

from netpatrol.inspection.normalise import _common as c
from netpatrol.inspection.results import Health, RedundancyGroup, StpInstance

_FORBID = ConfigDict(extra="forbid")
Fields = tuple[str, ...]
Parsed = Mapping[str, list[dict]]


@dataclass(frozen=True, config=_FORBID)
class StpMap:
    item: str = "stp"
    instance: Fields = ("instance",)
    bridge_id: Fields = ("bridge_id", "bridge_mac")
    root_id: Fields = ("root_id", "root_mac")
    # where priority and address are printed apart (Cisco): the id is "<priority>.<address>"
    bridge_priority: Fields = ("bridge_priority",)
    root_priority: Fields = ("root_priority",)
    root_port: Fields = ("root_port",)
    # a column that says so ("yes", "This bridge is the root"); else bridge id == root id
    is_root: Fields = ("is_root",)
    topology_changes: Fields = ("topology_changes",)
    last_change: Fields = ("last_change",)
    # an instance without a name (single-instance STP/RSTP) is called this
    default_instance: str = "0"


@dataclass(frozen=True, config=_FORBID)
class RedundancyMap:
    item: str = "vrrp"
    protocol: str = "vrrp"
    interface: Fields = ("interface",)
    group: Fields = ("group",)
    state: Fields = ("state",)
    virtual_ip: Fields = ("virtual_ip",)
    priority: Fields = ("priority",)
    state_changes: Fields = ("state_changes",)
    up: str = r"master|backup|active|standby|listen"  # fullmatch, case-insensitive


@dataclass(frozen=True, config=_FORBID)
class TableMap:
    """A table's size: a total the device prints (a list of per-VLAN totals is summed), else the
    number of entry rows; its capacity printed, or in use + still available."""

    item: str
    total: Fields = ("total", "vlan_totals")
    capacity: Fields = ("capacity",)
    available: Fields = ("available",)
    entry: Fields = ()  # a field every entry row has (rows without it are summary rows)


@dataclass(frozen=True, config=_FORBID)
class ProtocolsMap:
    stp: StpMap = StpMap()
    vrrp: tuple[RedundancyMap, ...] = (RedundancyMap(),)
    arp: TableMap | None = TableMap(item="arp")
    mac: TableMap | None = TableMap(item="mac")  # null where the platform collects no such item
    root_words: Fields = field(default=("yes", "true", "root", "this bridge is the root", "we are the root of the spanning tree"))


def seconds(value: object) -> int | None:
    """Time since an event as the platforms print it ("0 days 0h:17m:53s", "1d02h", "00:01:23",
    "1234 seconds", "1234"), in seconds."""
    s = c.text(value)
    if s is None:
        return None
    if m := re.fullmatch(r"(\d+)(?:\s*s(?:ec(?:ond)?s?)?)?", s, re.IGNORECASE):
        return int(m.group(1))
    if m := re.fullmatch(r"(\d+):(\d\d):(\d\d)(?:\.\d+)?", s):  # NX-OS counts hours past 99: "142:22:13"
        h, mi, sec = (int(x) for x in m.groups())
        return h * 3600 + mi * 60 + sec
    return c.uptime_seconds(s)


def _mac_digits(bridge_id: str | None) -> str | None:
    """The MAC part of a bridge id in any spelling ('32768.4c1f-cc44-4163', '8000.0011.2233.4455'...)."""
    if not bridge_id:
        return None
    hexes = re.sub(r"[^0-9a-f]", "", bridge_id.lower().split(".", 1)[-1] if "." in bridge_id else bridge_id.lower())
    return hexes[-12:] if len(hexes) >= 12 else None


def _id(row: dict, priority: Fields, fields: Fields) -> str | None:
    value = c.first(row, fields)
    if value is None:
        return None
    value = re.sub(r"\s+", "", value)  # "4096 .4c1f-cc44-4163": the S series pads a short priority
    prio = c.first(row, priority)
    return f"{prio}.{value}" if prio and _priority_apart(value) else value


def _priority_apart(value: str) -> bool:
    """A bare MAC address (aaaa.bbbb.cccc / aa:bb:..), printed without its priority."""
    return bool(re.fullmatch(r"[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}|([0-9a-f]{2}[:-]){5}[0-9a-f]{2}", value, re.IGNORECASE))


def stp(m: StpMap, rows: list[dict], root_words: Fields) -> list[StpInstance]:
    out: dict[str, StpInstance] = {}
    for row in rows:
        instance = c.first(row, m.instance) or m.default_instance
        bridge, root = _id(row, m.bridge_priority, m.bridge_id), _id(row, m.root_priority, m.root_id)
        changes, last = c.integer(c.first(row, m.topology_changes)), seconds(c.first(row, m.last_change))
        if bridge is None and root is None and changes is None and last is None:
            continue  # a row the map cannot read: the item is then reported as giving nothing
        said = c.first(row, m.is_root)
        is_root: bool | None
        if said is not None:
            is_root = said.lower() in root_words
        elif bridge and root:
            is_root = _mac_digits(bridge) == _mac_digits(root) and c.num(bridge.split(".")[0]) == c.num(root.split(".")[0])
        elif root and any(f in row for f in m.is_root):  # the template looks for a root line; none was printed
            is_root = False
        else:
            is_root = None
        if is_root and root is None:  # Cisco prints no root line on the root itself
            root = bridge
        root_port = c.first(row, m.root_port)
        if is_root and root_port and re.fullmatch(r"0(\.0)?", root_port):  # Huawei/H3C "RootPortId :0.0"
            root_port = None
        found = StpInstance(instance=instance, bridge_id=bridge, root_id=root, is_root=is_root, root_port=root_port,
                            topology_changes=changes, last_change_seconds=last)
        seen = out.get(instance)
        # One instance may span several rows (a root row, then a counters row): fill the gaps.
        out[instance] = found if seen is None else seen.model_copy(update={
            k: v for k, v in found.model_dump().items() if getattr(seen, k) is None and v is not None})
    return list(out.values())


def groups(maps: tuple[RedundancyMap, ...], parsed: Parsed) -> list[RedundancyGroup]:
    out: list[RedundancyGroup] = []
    for m in maps:
        for row in parsed.get(m.item) or []:
            interface, group, state = c.first(row, m.interface), c.first(row, m.group), c.first(row, m.state)
            if interface is None and group is None:
                continue
            name = " ".join(p for p in (interface, m.protocol, group) if p)
            out.append(RedundancyGroup(
                name=name, protocol=m.protocol, interface=interface, group=group, state=state,
                up=None if state is None else bool(re.fullmatch(m.up, state.strip(), re.IGNORECASE)),
                virtual_ip=c.first(row, m.virtual_ip), priority=c.integer(c.first(row, m.priority)),
                state_changes=c.integer(c.first(row, m.state_changes))))
    return out


def _number(rows: list[dict], fields: Fields) -> int | None:
    for row in rows:
        for f in fields:
            value = row.get(f)
            if isinstance(value, list):
                numbers = [n for v in value if (n := c.integer(v)) is not None]
                if numbers:
                    return sum(numbers)
            elif (n := c.integer(value)) is not None:
                return n
    return None


def table(m: TableMap | None, rows: list[dict] | None) -> tuple[int | None, int | None, float | None]:
    """(entries, capacity, percent); None when the item was not collected."""
    if m is None or rows is None:
        return None, None, None
    total = _number(rows, m.total)
    if total is None:
        total = len([r for r in rows if not m.entry or c.first(r, m.entry) is not None])
    capacity = _number(rows, m.capacity)
    if capacity is None and (available := _number(rows, m.available)) is not None:
        capacity = total + available
    return total, capacity, c.percent(total, capacity) if capacity else None


def apply(m: ProtocolsMap, parsed: Parsed, health: Health) -> None:
    """Fill the protocol fields of `health` from the parsed items (absent items leave None/empty)."""
    get = parsed.get
    health.stp = stp(m.stp, get(m.stp.item) or [], m.root_words)
    health.vrrp = groups(m.vrrp, parsed)
    health.arp_entries, health.arp_capacity, health.arp_percent = table(m.arp, get(m.arp.item) if m.arp else None)
    health.mac_entries, health.mac_capacity, health.mac_percent = table(m.mac, get(m.mac.item) if m.mac else None)
