"""What a simulated device knows about itself: the context every output template renders with.

A device's state is derived deterministically from its name and platform (so outputs are stable
between runs), then a health scenario bends it (cpu_high, fan_failed, ...). Output templates in
each platform folder's `lab/*.j2` read only these fields.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from netpatrol.lab import hardware

# interface_errors: counters grow by ERRORS_PER_SECOND from this moment (2026-11-01 UTC) on, so two
# inspections even seconds apart see growth above the packs' per-period threshold.
ERRORS_SINCE = 1_793_491_200
ERRORS_PER_SECOND = 60

SCENARIOS = (
    "healthy",
    "cpu_high",
    "memory_high",
    "fan_failed",
    "psu_failed",
    "interface_errors",
    "recently_rebooted",
    "ntp_unsynced",
    "log_alarms",
    # Config-only: the running config gets telnet/HTTP/SNMP public weaknesses (security checks).
    "weak_security",
    # Config-only: known secret values, one per secret form (platform folder lab/planted_secrets.yaml), for the secrets scan.
    "planted_secrets",
    *hardware.SCENARIOS,
    # A VRRP/HSRP group stuck in Initialize (its interface or tracked object down).
    "vrrp_init",
    # A flapping edge port: thousands of spanning-tree topology changes, the last seconds ago.
    "stp_flapping",
)


@dataclass
class Cpu:
    five_sec: int
    one_min: int
    five_min: int


@dataclass
class Memory:
    total_kb: int
    used_kb: int

    @property
    def free_kb(self) -> int:
        return self.total_kb - self.used_kb

    @property
    def percent(self) -> int:
        return round(100 * self.used_kb / self.total_kb)


@dataclass
class Sensor:
    name: str
    celsius: int
    warn: int = 65
    critical: int = 80

    @property
    def status(self) -> str:
        if self.celsius >= self.critical:
            return "critical"
        return "warning" if self.celsius >= self.warn else "ok"


@dataclass
class Fan:
    name: str
    ok: bool = True
    rpm: int = 6200


@dataclass
class Psu:
    name: str
    ok: bool = True
    watts: int = 120
    capacity: int = 350


@dataclass
class Interface:
    name: str
    description: str = ""
    admin_up: bool = True
    oper_up: bool = True
    speed_mbps: int = 1000
    mtu: int = 1500
    mac: str = "0000.0000.0000"
    ip: str | None = None
    prefixlen: int = 24
    in_pkts: int = 0
    out_pkts: int = 0
    in_bytes: int = 0
    out_bytes: int = 0
    in_errors: int = 0
    crc: int = 0
    out_errors: int = 0


@dataclass
class LogEntry:
    when: datetime
    severity: int  # syslog 0 (emergency) .. 7 (debug)
    facility: str
    mnemonic: str
    message: str


@dataclass
class Neighbor:
    local_if: str
    remote_host: str
    remote_if: str
    remote_ip: str = ""


@dataclass
class OspfPeer:
    router_id: str
    address: str
    interface: str
    state: str = "Full"
    area: str = "0.0.0.0"


@dataclass
class BgpPeer:
    address: str
    remote_as: int
    state: str = "Established"
    prefixes: int = 12
    uptime: str = "5w2d"


@dataclass
class Ntp:
    synced: bool = True
    server: str = "10.255.0.1"
    stratum: int = 3
    offset_ms: float = 0.42


@dataclass
class StpInstance:
    instance: int
    bridge_priority: int
    bridge_mac: str  # dotted Cisco form, aaaa.bbbb.cccc; templates respell it per platform
    root_priority: int
    root_mac: str
    root_port: str  # "" on the root bridge
    root_cost: int
    topology_changes: int
    last_change_seconds: int

    @property
    def is_root(self) -> bool:
        return self.root_mac == self.bridge_mac and self.root_priority == self.bridge_priority


@dataclass
class VrrpGroup:
    vlan: int  # on the VLAN interface, named as each platform names it (Vlanif10, Vlan10, irb.10 ...)
    vrid: int
    virtual_ip: str
    priority: int = 100
    state: str = "Master"  # Master | Backup | Initialize (HSRP templates say Active/Standby/Init)


@dataclass
class ArpEntry:
    ip: str
    mac: str
    interface: str
    vlan: int
    age_minutes: int


@dataclass
class DeviceState:
    hostname: str
    platform: str
    model: str
    serial: str
    version: str
    now: datetime
    uptime_seconds: int
    cpu: Cpu
    memory: Memory
    temperatures: list[Sensor]
    fans: list[Fan]
    psus: list[Psu]
    interfaces: list[Interface]
    ntp: Ntp
    logs: list[LogEntry]
    alarms: list[LogEntry]
    neighbors: list[Neighbor]
    ospf: list[OspfPeer]
    bgp: list[BgpPeer]
    storage_total_kb: int
    storage_free_kb: int
    mgmt_ip: str
    router_id: str
    local_as: int
    scenarios: list[str] = field(default_factory=list)
    last_reboot_reason: str = "power-on"
    optics: list[hardware.Optic] = field(default_factory=list)
    stack: list[hardware.StackUnit] = field(default_factory=list)
    stp: list[StpInstance] = field(default_factory=list)
    vrrp: list[VrrpGroup] = field(default_factory=list)
    arp: list[ArpEntry] = field(default_factory=list)  # the MAC table holds the same hosts

    @property
    def boot_time(self) -> datetime:
        return self.now - timedelta(seconds=self.uptime_seconds)

    @property
    def uptime_parts(self) -> dict[str, int]:
        """weeks/days/hours/minutes/seconds, as most `show version` outputs spell uptime."""
        s = self.uptime_seconds
        return {
            "years": s // (365 * 86400),
            "weeks": s // (7 * 86400),
            "days_total": s // 86400,
            "days": (s // 86400) % 7,
            "days_in_year": (s % (365 * 86400)) // 86400,
            "hours": (s // 3600) % 24,
            "minutes": (s // 60) % 60,
            "seconds": s % 60,
        }


def _rng(hostname: str) -> random.Random:
    return random.Random(int.from_bytes(hashlib.sha256(hostname.encode()).digest()[:8], "big"))


def build_state(
    hostname: str,
    platform: str,
    model: str,
    version: str,
    interface_names: list[str],
    scenarios: list[str] | None = None,
    now: datetime | None = None,
) -> DeviceState:
    """Healthy baseline from the device's name, then the scenarios applied on top."""
    r = _rng(hostname)
    now = now or datetime.now(timezone.utc).replace(microsecond=0)
    n = r.randint(1, 250)
    interfaces = []
    for i, name in enumerate(interface_names):
        pk = r.randint(10**6, 10**9)
        interfaces.append(
            Interface(
                name=name,
                description=("uplink-to-core" if i == 0 else f"access-port-{i}") if i < 3 else "",
                oper_up=i < 3,
                admin_up=True,
                mac=f"00{r.randint(0, 255):02x}.{r.randint(0, 65535):04x}.{i:04x}",
                ip=f"10.{n}.{i}.1" if i == 0 else None,
                in_pkts=pk,
                out_pkts=pk // 2,
                in_bytes=pk * 512,
                out_bytes=pk * 256,
            )
        )
    state = DeviceState(
        hostname=hostname,
        platform=platform,
        model=model,
        serial=f"{platform[:3].upper()}{r.randint(10**8, 10**9 - 1)}",
        version=version,
        now=now,
        uptime_seconds=r.randint(120, 400) * 86400 + r.randint(0, 86399),
        cpu=Cpu(r.randint(3, 15), r.randint(3, 12), r.randint(3, 10)),
        memory=Memory(total_kb=2_097_152, used_kb=r.randint(600_000, 1_100_000)),
        temperatures=[Sensor("Inlet", r.randint(28, 36)), Sensor("CPU", r.randint(40, 52))],
        fans=[Fan("Fan1", rpm=r.randint(5000, 7000)), Fan("Fan2", rpm=r.randint(5000, 7000))],
        psus=[Psu("PSU1", watts=r.randint(80, 160)), Psu("PSU2", watts=r.randint(80, 160))],
        interfaces=interfaces,
        ntp=Ntp(offset_ms=round(r.uniform(0.1, 3.0), 2)),
        logs=[
            LogEntry(now - timedelta(hours=30), 5, "SYS", "CONFIG_I", "Configured from console by admin on vty0"),
            LogEntry(now - timedelta(hours=6), 6, "SEC_LOGIN", "LOGIN_SUCCESS", "Login Success [user: admin]"),
        ],
        alarms=[],
        neighbors=[Neighbor(interface_names[0], f"core-{n % 3 + 1}", "Gi1/0/1", f"10.{n}.0.2")] if interface_names else [],
        ospf=[OspfPeer(f"10.255.{n}.2", f"10.{n}.0.2", interface_names[0] if interface_names else "")],
        bgp=[BgpPeer(f"10.{n}.0.2", 65000 + n % 10)],
        storage_total_kb=1_048_576,
        storage_free_kb=r.randint(400_000, 800_000),
        mgmt_ip=f"10.{n}.0.1",
        router_id=f"10.255.{n}.1",
        local_as=65100 + n % 50,
    )
    state.optics = hardware.optics_for(hostname, interface_names)
    state.stack = hardware.stack_for(hostname)
    _protocols(state, r, n)
    for name in scenarios or []:
        apply_scenario(state, name)
    return state


def _mac(r: random.Random) -> str:
    return f"{r.randint(0, 0xfeff) & 0xfeff:04x}.{r.randint(0, 0xffff):04x}.{r.randint(0, 0xffff):04x}"


def _protocols(state: DeviceState, r: random.Random, n: int) -> None:
    """Spanning tree (not root: the core is), one VRRP group per user VLAN, a few ARP/MAC entries."""
    me, root = _mac(r), _mac(r)
    uplink = state.interfaces[0].name if state.interfaces else ""
    state.stp = [StpInstance(0, 32768, me, 4096, root, uplink, 20000, r.randint(3, 40), r.randint(3, 60) * 86400)]
    state.vrrp = [VrrpGroup(vlan, i + 1, f"10.{n}.{vlan}.254", 120 if i == 0 else 100, "Master" if i == 0 else "Backup")
                  for i, vlan in enumerate((10, 20))]
    ports = [i.name for i in state.interfaces[:3]]
    state.arp = [ArpEntry(f"10.{n}.{10 if k % 2 else 20}.{10 + k}", _mac(r), ports[k % len(ports)] if ports else "",
                          10 if k % 2 else 20, r.randint(1, 20)) for k in range(r.randint(4, 9))]


def apply_scenario(state: DeviceState, name: str) -> None:
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}")
    state.scenarios.append(name)
    if name == "cpu_high":
        state.cpu = Cpu(97, 95, 93)
    elif name == "memory_high":
        state.memory.used_kb = int(state.memory.total_kb * 0.94)
    elif name == "fan_failed":
        state.fans[-1].ok = False
        state.fans[-1].rpm = 0
    elif name == "psu_failed":
        state.psus[-1].ok = False
        state.psus[-1].watts = 0
    elif name == "interface_errors":
        if state.interfaces:
            # A live fault keeps counting with the wall clock, so a later
            # inspection sees the counters grown, as on a port with a bad optic or cable.
            ticks = max(0, int(state.now.timestamp()) - ERRORS_SINCE) * ERRORS_PER_SECOND
            state.interfaces[0].in_errors = 48213 + ticks
            state.interfaces[0].crc = 47990 + ticks
            state.interfaces[0].out_errors = 12
    elif name == "recently_rebooted":
        state.uptime_seconds = 3 * 3600 + 17 * 60
        state.last_reboot_reason = "power failure"
    elif name == "ntp_unsynced":
        state.ntp.synced = False
        state.ntp.stratum = 16
    elif name in hardware.SCENARIOS:
        hardware.apply(state, name)
    elif name == "log_alarms":
        t = state.now - timedelta(hours=2)
        entry = LogEntry(t, 2, "PLATFORM", "TEMP_CRITICAL", "Temperature sensor CPU exceeded critical threshold")
        state.logs.append(entry)
        state.logs.append(LogEntry(t + timedelta(minutes=5), 3, "LINK", "UPDOWN", "Interface link flapping detected"))
        state.alarms.append(entry)
    elif name == "vrrp_init":
        state.vrrp[-1].state = "Initialize"
    elif name == "stp_flapping":
        state.stp[0].topology_changes = 4817
        state.stp[0].last_change_seconds = 37
