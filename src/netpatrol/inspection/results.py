"""The inspection result model: one document per device and period (schema documented in docs/).

Every platform's parsed rows are normalised into these vendor-neutral types, so checks and reports
never look at vendor field names. `None` always means "not collected / not known", never "fine".
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.3"

Severity = Literal["critical", "major", "minor", "info"]
SEVERITIES: tuple[str, ...] = ("critical", "major", "minor", "info")
ComponentStatus = Literal["ok", "warning", "failed", "absent", "unknown"]
ItemStatus = Literal["parsed", "empty", "no_template", "parse_error", "unrecognised", "unsupported", "failed", "raw"]
# Item statuses that mean "the output was collected but gave no usable data": parse problems.
PARSE_PROBLEMS: tuple[str, ...] = ("no_template", "parse_error", "unrecognised")
DeviceStatus = Literal["ok", "unreachable", "auth_failed", "timeout", "hostkey_changed", "error",
                       "not_inspected", "no_collector"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Facts(_Model):
    hostname: str | None = None
    vendor: str | None = None
    model: str | None = None
    serial: str | None = None
    os_version: str | None = None
    uptime_seconds: int | None = None
    last_reboot_reason: str | None = None


class Sensor(_Model):
    name: str
    celsius: float | None = None
    status: ComponentStatus = "unknown"
    warn: float | None = None
    critical: float | None = None


class Component(_Model):
    """A fan, power supply or board: present and working, or not."""

    name: str
    status: ComponentStatus = "unknown"
    detail: str | None = None


class Transceiver(_Model):
    """An optical module's diagnostics (DOM), with the alarm/warning thresholds the module itself
    reports where the device prints them. Multi-lane modules keep their weakest lane."""

    interface: str
    rx_dbm: float | None = None
    tx_dbm: float | None = None
    celsius: float | None = None
    rx_low_alarm: float | None = None
    rx_low_warning: float | None = None
    rx_high_alarm: float | None = None
    tx_low_alarm: float | None = None
    tx_high_alarm: float | None = None
    temp_high_alarm: float | None = None
    status: ComponentStatus = "unknown"
    detail: str | None = None


class StackMember(_Model):
    """A member of a stack / IRF / CSS / VSU / virtual chassis."""

    name: str  # member or slot id as the device numbers it
    status: ComponentStatus = "unknown"
    role: str | None = None  # master / standby / slave / member, as printed
    priority: int | None = None
    state: str | None = None  # the state word as printed (Ready, Prsnt, ...)
    detail: str | None = None


class InterfaceHealth(_Model):
    name: str
    description: str | None = None
    admin_up: bool | None = None
    oper_up: bool | None = None
    speed: str | None = None
    in_errors: int | None = None
    crc: int | None = None
    out_errors: int | None = None


class LogEntry(_Model):
    when: str | None = None  # as the device printed it; devices disagree on formats and zones
    severity: int | None = None  # syslog 0 (emergency) .. 7 (debug)
    source: str | None = None  # facility/module/mnemonic
    message: str


class Peer(_Model):
    neighbor: str
    state: str | None = None
    up: bool | None = None
    interface: str | None = None
    detail: str | None = None


class Neighbor(_Model):
    local_interface: str | None = None
    remote_host: str | None = None
    remote_interface: str | None = None


class StpInstance(_Model):
    """One spanning-tree instance (CIST/MSTI, or a VLAN under PVST) as this bridge sees it."""

    instance: str  # as the device names it: "0", "VLAN0010", "MST0"
    bridge_id: str | None = None  # this bridge: priority.mac as printed
    root_id: str | None = None
    is_root: bool | None = None
    root_port: str | None = None
    topology_changes: int | None = None  # since the counter was last reset (boot, mostly)
    last_change_seconds: int | None = None  # time since the last topology change


class RedundancyGroup(_Model):
    """A first-hop redundancy group (VRRP, HSRP) on one interface."""

    name: str  # "<interface> <protocol> <group>", unique on the device
    protocol: str | None = None  # vrrp | hsrp
    interface: str | None = None
    group: str | None = None
    state: str | None = None  # as printed: Master, Backup, Initialize, Active, Standby, Init ...
    up: bool | None = None  # the state is a settled one (Master/Backup, Active/Standby, Listen)
    virtual_ip: str | None = None
    priority: int | None = None
    state_changes: int | None = None  # where the device counts them (NX-OS HSRP)


class Health(_Model):
    cpu_percent: float | None = None  # the 5-minute (or closest) average
    cpu_peak_percent: float | None = None  # the shortest interval the device reports
    memory_percent: float | None = None
    memory_total_kb: int | None = None
    memory_used_kb: int | None = None
    temperatures: list[Sensor] = Field(default_factory=list)
    fans: list[Component] = Field(default_factory=list)
    power_supplies: list[Component] = Field(default_factory=list)
    boards: list[Component] = Field(default_factory=list)
    interfaces: list[InterfaceHealth] = Field(default_factory=list)
    ntp_synced: bool | None = None
    ntp_stratum: int | None = None
    ntp_reference: str | None = None
    clock: str | None = None
    clock_skew_seconds: float | None = None
    logs: list[LogEntry] = Field(default_factory=list)
    alarms: list[LogEntry] = Field(default_factory=list)
    storage_total_kb: int | None = None
    storage_free_kb: int | None = None
    storage_percent: float | None = None
    config_saved: bool | None = None
    neighbors: list[Neighbor] = Field(default_factory=list)
    ospf: list[Peer] = Field(default_factory=list)
    bgp: list[Peer] = Field(default_factory=list)
    licenses: list[Component] = Field(default_factory=list)
    transceivers: list[Transceiver] = Field(default_factory=list)
    stack_members: list[StackMember] = Field(default_factory=list)
    stp: list[StpInstance] = Field(default_factory=list)
    vrrp: list[RedundancyGroup] = Field(default_factory=list)
    arp_entries: int | None = None
    arp_capacity: int | None = None  # only where the device prints its table size
    arp_percent: float | None = None
    mac_entries: int | None = None
    mac_capacity: int | None = None
    mac_percent: float | None = None


class ItemOutcome(_Model):
    """How one catalogue item went: which command answered and how it parsed."""

    item: str
    command: str | None = None
    status: ItemStatus
    template: str | None = None
    error: str | None = None
    rows: int = 0
    candidates: list[str] = Field(default_factory=list)  # templates tried, in the order tried
    unexplained: str | None = None  # the first line of the output no template accounted for
    problem: str | None = None  # what the normaliser could not use of the rows, and why


class Finding(_Model):
    check: str
    severity: Severity
    title: dict[str, str]
    detail: str | dict[str, str]  # the evidence sentence per language (a plain string before 1.3)
    value: object = None
    threshold: object = None
    recommendation: dict[str, str] = Field(default_factory=dict)
    subject: str | None = None  # the fan, interface, peer ... the finding is about
    problem: str | None = None  # the problem's key: findings with the same key are one problem

    def detail_in(self, lang: str) -> str:
        """The evidence sentence in `lang` (results before 1.3 hold one string)."""
        if isinstance(self.detail, str):
            return self.detail
        return self.detail.get(lang) or next(iter(self.detail.values()), "")


class Comparison(_Model):
    previous_period: str | None = None
    new: list[str] = Field(default_factory=list)  # problem keys (Finding.problem; see problems.py)
    resolved: list[str] = Field(default_factory=list)
    persisting: list[str] = Field(default_factory=list)
    metrics: dict[str, dict[str, float | None]] = Field(default_factory=dict)  # name -> previous/current/delta


class Attempt(_Model):
    """A later inspection of the same period that failed; the good result it would have replaced was kept."""

    at: str
    status: DeviceStatus
    error: str | None = None


class InspectionResult(_Model):
    schema_version: str = SCHEMA_VERSION
    host: str
    site: str
    platform: str
    period: str
    collected_at: str
    status: DeviceStatus
    error: str | None = None
    facts: Facts = Field(default_factory=Facts)
    health: Health = Field(default_factory=Health)
    items: dict[str, ItemOutcome] = Field(default_factory=dict)
    parsed: dict[str, list[dict[str, object]]] = Field(default_factory=dict)
    findings: list[Finding] = Field(default_factory=list)
    comparison: Comparison | None = None
    attempts: list[Attempt] = Field(default_factory=list)


def finding_key(f: Finding) -> str:
    return f"{f.check}:{f.subject}" if f.subject else f.check
