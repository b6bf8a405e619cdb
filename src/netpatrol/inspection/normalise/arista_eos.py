"""Arista EOS field maps. `show processes top once` gives the current CPU split only."""

from netpatrol.inspection.normalise._spec import (
    ComponentMap, CpuMap, FactsMap, InterfaceMap, LogMap, MemoryMap, NtpMap, PeerMap, PlatformSpec,
    SensorMap, StorageMap,
)

SPEC = PlatformSpec(
    facts=FactsMap(
        fields={
            "model": ("version", ("model",)),
            "serial": ("version", ("serial_number",)),
            "os_version": ("version", ("image",)),
        },
        uptime=("version", ("uptime",)),
    ),
    cpu=CpuMap(average=("global_cpu_percent_idle",), peak=("global_cpu_percent_idle",), idle=True),
    # `show version`: "Total memory: 2097152 kB", "Free memory: 1420246 kB"
    memory=MemoryMap(item="memory", total=("total_memory",), free=("free_memory",), used=(),
                     unit_field=None, default_unit="KB"),
    temperatures=(
        SensorMap("temperature", name=("description", "sensor"), prefix=("module",), celsius=("current_value",),
                  warn=("alert_limit",), critical=("critical_limit",)),
    ),
    fans=(ComponentMap("fans", name=("fan",), status=("status",), detail=("actual_speed",)),),
    power_supplies=(
        ComponentMap("power", name=("power_supply_location",), status=("power_supply_status",),
                     detail=("power_supply_pid",)),
    ),
    interfaces=(InterfaceMap("interfaces"),),
    logs=LogMap(),
    ntp=NtpMap(),
    storage=StorageMap(),
    ospf=PeerMap("ospf", neighbor=("neighbor_id",), state=("state",), up=r"full.*|2way.*",
                 interface=("interface",)),
    bgp=PeerMap("bgp", neighbor=("bgp_neigh",), state=("state",), up=r"estab.*", detail=("neigh_as",)),
    status_words={"power loss": "failed", "powerloss": "failed", "powered off": "failed", "notinserted": "absent", "not inserted": "absent",
                  "failed": "failed", "unsupported": "warning"},
)
