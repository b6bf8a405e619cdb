"""The schema of a platform's normalise.yaml: which parsed item and row fields feed which part of
the health model. Declaring data keeps platforms free of parsing branches."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import field

from pydantic import ConfigDict
from pydantic.dataclasses import dataclass

from netpatrol.inspection.normalise.hardware import StackMap, TransceiverMap
from netpatrol.inspection.normalise.protocols import ProtocolsMap
from netpatrol.inspection.results import Facts, Health

# A misspelt key in normalise.yaml is an error rather than a silently ignored map.
_FORBID = ConfigDict(extra="forbid")

Parsed = Mapping[str, list[dict]]
Raw = Mapping[str, str]
# A platform's escape hatch for what no map can say (e.g. Junos uptime from two timestamps).
Hook = Callable[[Facts, Health, Parsed, Raw], None]
Fields = tuple[str, ...]
# (field, regex): a row is used only when every field fullmatches its regex (case-insensitive).
Where = tuple[tuple[str, str], ...]


@dataclass(frozen=True, config=_FORBID)
class FactsMap:
    # Facts attribute -> (item, candidate fields in preference order)
    fields: Mapping[str, tuple[str, Fields]]
    uptime: tuple[str, Fields] | None = None  # uptime text, parsed by uptime_seconds()
    row_where: Mapping[str, Where] = field(default_factory=dict)  # item -> which row holds the facts


@dataclass(frozen=True, config=_FORBID)
class CpuMap:
    item: str = "cpu"
    average: Fields = ("cpu_usage_5_min", "cpu_usage_1_min", "cpu_usage")  # preference order
    peak: Fields = ("cpu_usage_5_sec", "cpu_usage", "cpu_usage_1_min")
    idle: bool = False  # fields hold idle %, usage = 100 - idle (NX-OS, Junos)
    where: Where = ()  # which row is the system's CPU when every board prints one (the first match)
    # every board's CPU counts and the busiest (highest average) is reported: on a chassis a line
    # card may be the loaded one, and reading only the supervisor would hide it
    busiest: bool = False


@dataclass(frozen=True, config=_FORBID)
class MemoryMap:
    item: str = "memory"
    total: Fields = ("memory_total",)
    used: Fields = ("memory_used",)
    free: Fields = ("memory_free",)
    used_percent: Fields = ("memory_used_percent",)
    free_percent: Fields = ("memory_free_percent",)
    unit_field: str | None = "memory_unit"
    default_unit: str = "bytes"
    total_unit_field: str | None = None  # when total and free carry units of their own (Ruijie)
    free_unit_field: str | None = None


@dataclass(frozen=True, config=_FORBID)
class ComponentMap:
    item: str
    name: Fields
    status: Fields
    prefix: Fields = ()  # e.g. slot: "1/FAN2"
    present: Fields = ()  # a presence column: an absence word there wins over the status
    detail: Fields = ()
    where: Where = ()


@dataclass(frozen=True, config=_FORBID)
class SensorMap:
    item: str
    name: Fields
    celsius: Fields
    prefix: Fields = ()
    warn: Fields = ()
    critical: Fields = ()
    status: Fields = ()
    where: Where = ()


@dataclass(frozen=True, config=_FORBID)
class InterfaceMap:
    item: str
    name: Fields = ("interface",)
    oper: Fields = ("link_status", "protocol_status")
    admin: Fields = ()  # an explicit admin column; else derived from the oper words
    # Columns that must read up as well for the port to count up (IOS: 'up, line protocol is down').
    oper_all: Fields = ()
    description: Fields = ("description",)
    speed: Fields = ("speed",)
    in_errors: Fields = ("input_errors",)
    crc: Fields = ("crc",)
    out_errors: Fields = ("output_errors",)
    where: Where = ()  # which rows are ports (Junos prints a row per logical unit as well)


@dataclass(frozen=True, config=_FORBID)
class LogMap:
    item: str = "logs"
    when: Fields = ("timestamp",)
    severity: Fields = ("severity",)
    source: Fields = ("facility",)
    mnemonic: Fields = ("mnemonic",)
    message: Fields = ("message",)
    newest_first: bool = False  # Huawei/H3C buffers list the newest entry first
    # How a message wrapped over several lines is rejoined: " " where lines break at words,
    # "" where the device cuts a fixed-width column mid-word (Huawei CE alarm table).
    message_join: str = " "


@dataclass(frozen=True, config=_FORBID)
class NtpMap:
    item: str = "ntp"
    status: Fields = ("clock_status",)
    stratum: Fields = ("clock_stratum", "stratum")
    reference: Fields = ("reference_clock_id", "system_peer", "remote")
    selected: str | None = None  # NX-OS peer list: '*' marks the peer the clock is synced to


@dataclass(frozen=True, config=_FORBID)
class StorageMap:
    item: str = "storage"
    total: Fields = ("total_size",)
    free: Fields = ("total_free",)
    used: Fields = ()
    unit_field: str | None = "size_unit"
    default_unit: str = "bytes"
    where: Where = ()  # which file-system row counts (the first match)


@dataclass(frozen=True, config=_FORBID)
class PeerMap:
    item: str
    neighbor: Fields
    state: Fields
    up: str  # regex (fullmatch, case-insensitive) on the state: the session is up
    interface: Fields = ()
    detail: Fields = ()


@dataclass(frozen=True, config=_FORBID)
class NeighborMap:
    item: str = "neighbors"
    local: Fields = ("local_interface",)
    remote_host: Fields = ("neighbor_name", "neighbor", "system_name", "chassis_id")
    remote_interface: Fields = ("neighbor_interface",)


@dataclass(frozen=True, config=_FORBID)
class PlatformSpec:
    facts: FactsMap
    cpu: CpuMap = CpuMap()
    memory: MemoryMap = MemoryMap()
    temperatures: tuple[SensorMap, ...] = ()
    fans: tuple[ComponentMap, ...] = ()
    power_supplies: tuple[ComponentMap, ...] = ()
    boards: tuple[ComponentMap, ...] = ()
    interfaces: tuple[InterfaceMap, ...] = ()  # merged in order: earlier maps win, later ones fill gaps
    logs: LogMap = LogMap()
    alarms: LogMap | None = None
    ntp: NtpMap = NtpMap()
    storage: StorageMap = StorageMap()
    neighbors: NeighborMap = NeighborMap()
    ospf: PeerMap | None = None
    bgp: PeerMap | None = None
    licenses: ComponentMap | None = None
    transceivers: tuple[TransceiverMap, ...] = ()
    stack: tuple[StackMap, ...] = ()
    status_words: Mapping[str, str] = field(default_factory=dict)  # added to COMMON_STATUS
    hooks: tuple[str, ...] = ()  # names in normalise/hooks.py, run after the maps
    protocols: ProtocolsMap = ProtocolsMap()  # spanning tree, VRRP/HSRP, ARP/MAC sizes (normalise/protocols.py)
