"""H3C / HPE Comware field maps."""

from __future__ import annotations

from netpatrol.inspection.results import Facts, Health
from netpatrol.inspection.normalise import _common as c
from netpatrol.inspection.normalise._spec import (
    ComponentMap, CpuMap, FactsMap, InterfaceMap, LogMap, MemoryMap, NtpMap, Parsed, PeerMap, PlatformSpec,
    Raw, SensorMap, StorageMap,
)


def version_with_release(facts: Facts, health: Health, parsed: Parsed, raw: Raw) -> None:
    """Comware versions are only meaningful with their release: '7.1.070, Release 6616'."""
    row = (parsed.get("version") or [{}])[0]
    release = c.first(row, ["release"])
    if facts.os_version and release and release not in facts.os_version:
        facts.os_version = f"{facts.os_version}, Release {release}"


SPEC = PlatformSpec(
    facts=FactsMap(
        fields={
            "model": ("version", ("model",)),
            "serial": ("inventory", ("device_serial_number",)),
            "os_version": ("version", ("software_version",)),
            "last_reboot_reason": ("version", ("last_reboot_reason",)),
        },
        uptime=("version", ("uptime",)),
        # manuinfo lists chassis/slot first, then fans and power modules with serials of their own
        row_where={"inventory": (("slot_type", r"(chassis|slot).*"),)},
    ),
    cpu=CpuMap(),
    memory=MemoryMap(default_unit="KB"),
    temperatures=(
        SensorMap("temperature", name=("sensor",), prefix=("slot",), celsius=("temperature",),
                  warn=("upper_limit",), critical=("critical_limit",)),
    ),
    fans=(ComponentMap("fans", name=("fan",), prefix=("slot",), status=("status",)),),
    power_supplies=(ComponentMap("power", name=("power_supply",), prefix=("slot",), status=("status",),
                                 detail=("mode", "power")),),
    boards=(ComponentMap("device", name=("slot",), status=("status",), detail=("type",)),),
    interfaces=(
        InterfaceMap("interfaces", oper=("line_status",), in_errors=(), crc=(), out_errors=()),
        InterfaceMap("interfaces_brief", oper=("link",), in_errors=(), crc=(), out_errors=()),
    ),
    logs=LogMap(),
    alarms=LogMap(item="alarms", when=(), source=("slot",), mnemonic=(), message=("description",)),
    ntp=NtpMap(),
    storage=StorageMap(default_unit="KB"),
    ospf=PeerMap("ospf", neighbor=("neighbor_id",), state=("state",), up=r"full.*", interface=("interface",)),
    bgp=PeerMap("bgp", neighbor=("peer",), state=("state",), up=r"established", detail=("remote_asn",)),
    licenses=ComponentMap("license", name=("feature",), status=("state",), detail=("expires",)),
    status_words={"fault": "failed", "absent": "absent", "normal": "ok", "in use": "ok", "usable": "ok",
                  "expired": "failed", "master": "ok", "standby": "ok"},
    hooks=(version_with_release,),
)
