"""Juniper Junos field maps. CPU is reported as idle; uptime is current time minus boot time."""

from __future__ import annotations

from datetime import datetime

from netpatrol.inspection.results import Facts, Health
from netpatrol.inspection.normalise import _common as c
from netpatrol.inspection.normalise._spec import (
    ComponentMap, CpuMap, FactsMap, InterfaceMap, LogMap, MemoryMap, NeighborMap, NtpMap, Parsed, PeerMap,
    PlatformSpec, Raw, SensorMap, StorageMap,
)


def _stamp(row: dict, prefix: str) -> datetime | None:
    parts = [c.first(row, [f"{prefix}{k}"]) for k in ("year", "month", "day", "time")]
    if not all(parts):
        return None
    try:
        return datetime.strptime(" ".join(parts), "%Y %m %d %H:%M:%S")  # type: ignore[arg-type]
    except ValueError:
        return None


def uptime_from_boot_time(facts: Facts, health: Health, parsed: Parsed, raw: Raw) -> None:
    """`show system uptime`: "Current time" and "System booted" stamps; their difference is exact,
    where the routing engine's "Uptime" text is only a fallback."""
    rows = parsed.get("clock") or []
    if rows:
        seconds = c.seconds_between(_stamp(rows[0], "boot_"), _stamp(rows[0], ""))
        if seconds is not None and seconds >= 0:
            facts.uptime_seconds = seconds


SPEC = PlatformSpec(
    facts=FactsMap(
        fields={
            "hostname": ("version", ("hostname",)),
            "model": ("version", ("model",)),
            "serial": ("inventory", ("chassis_serial_number",)),
            "os_version": ("version", ("junos_version",)),
            "last_reboot_reason": ("cpu", ("last_reboot_reason",)),
        },
        uptime=("cpu", ("uptime",)),
    ),
    cpu=CpuMap(average=("cpu_idle_5_min", "cpu_idle_1_min", "cpu_idle"),
               peak=("cpu_idle_5_sec", "cpu_idle", "cpu_idle_1_min"), idle=True),
    memory=MemoryMap(total=("memory_total",), used=(), free=(), default_unit="MB"),
    temperatures=(
        SensorMap("environment", name=("item",), celsius=("temperature",), status=("status",),
                  where=(("class", "temp.*"),)),
    ),
    fans=(ComponentMap("environment", name=("item",), status=("status",), detail=("measurement",),
                       where=(("class", "fans?"),)),),
    power_supplies=(ComponentMap("environment", name=("item",), status=("status",),
                                 where=(("class", "power"),)),),
    interfaces=(InterfaceMap("interfaces", oper=("link_status",), admin=("admin_state",),
                             in_errors=("input_errors",), crc=("crc_errors",), out_errors=("output_errors",)),),
    logs=LogMap(source=("process",)),
    alarms=LogMap(item="alarms", when=("time",), source=(), mnemonic=(), message=("description",)),
    ntp=NtpMap(status=("sync_source",)),
    # /var holds logs, cores and images: the file system that fills up (else the first listed)
    storage=StorageMap(total=("size",), free=("available",), used=("used",), unit_field=None,
                       where=(("mounted_on", r"(/\.mount)?/var"),)),
    neighbors=NeighborMap(remote_host=("neighbor_name", "system_name", "chassis_id"),
                          remote_interface=("neighbor_interface", "port_info")),
    ospf=PeerMap("ospf", neighbor=("neighbor_id",), state=("state",), up=r"full", interface=("interface",)),
    bgp=PeerMap("bgp", neighbor=("peer_ip", "peer_address", "neighbor"), state=("state", "status"),
                up=r"establ?|\d+/\d+/\d+/\d+|\d+", detail=("peer_as", "remote_as")),
    licenses=ComponentMap("license", name=("feature",), status=("expires",), detail=("used", "installed")),
    # Junos "Check": the component needs attention (a PSU without input shows it): a failure here.
    status_words={"check": "failed", "testing": "ok", "empty": "absent", "present": "ok",
                  "permanent": "ok", "invalid": "failed", "expired": "failed"},
    hooks=(uptime_from_boot_time,),
)
