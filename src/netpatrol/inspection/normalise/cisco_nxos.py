"""Cisco NX-OS field maps. `show system resources` reports idle CPU, so usage = 100 - idle."""

from netpatrol.inspection.normalise._spec import (
    ComponentMap, CpuMap, FactsMap, InterfaceMap, LogMap, MemoryMap, NtpMap, PeerMap, PlatformSpec,
    SensorMap, StorageMap,
)

SPEC = PlatformSpec(
    facts=FactsMap(
        fields={
            "hostname": ("version", ("hostname",)),
            "model": ("version", ("platform",)),
            "serial": ("version", ("serial",)),
            "os_version": ("version", ("os",)),
            "last_reboot_reason": ("version", ("last_reboot_reason",)),
        },
        uptime=("version", ("uptime",)),
    ),
    # Only the current split is printed: the same figure serves as average and peak.
    cpu=CpuMap(average=("cpu_idle",), peak=("cpu_idle",), idle=True),
    memory=MemoryMap(default_unit="K"),
    temperatures=(
        SensorMap("environment", name=("temperature_sensor",), prefix=("temperature_module",),
                  celsius=("temperature_current",), warn=("temperature_minor_thresh",),
                  critical=("temperature_major_thresh",), status=("temperature_status",)),
    ),
    fans=(ComponentMap("environment", name=("fan",), status=("fan_status",)),),
    power_supplies=(
        ComponentMap("environment", name=("power_supply",), status=("power_supply_status",),
                     detail=("power_supply_model",)),
    ),
    interfaces=(InterfaceMap("interfaces", oper=("link_status",), admin=("admin_state",)),),
    logs=LogMap(),
    ntp=NtpMap(stratum=("stratum",), reference=("remote",), selected="selected"),
    storage=StorageMap(),
    ospf=PeerMap("ospf", neighbor=("neighbor_id",), state=("state",), up=r"full.*|2way.*",
                 interface=("interface",)),
    bgp=PeerMap("bgp", neighbor=("bgp_neigh",), state=("state_pfxrcd",), up=r"\d+", detail=("neigh_as",)),
    licenses=ComponentMap("license", name=("feature",), status=("status",), detail=("expiry_date",)),
    status_words={"shutdown": "failed", "fail/shutdown": "failed", "absent": "absent", "powered-dn": "failed",
                  "in use": "ok", "unused": "ok"},
)
