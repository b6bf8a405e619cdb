"""Ruijie RGOS field maps (templates written from documented layouts; see textfsm/README.md)."""

from netpatrol.inspection.normalise._spec import (
    ComponentMap, CpuMap, FactsMap, InterfaceMap, LogMap, MemoryMap, NtpMap, PeerMap, PlatformSpec,
    SensorMap, StorageMap,
)

SPEC = PlatformSpec(
    facts=FactsMap(
        fields={
            "model": ("version", ("model",)),
            "serial": ("version", ("serial",)),
            "os_version": ("version", ("software_version",)),
        },
        uptime=("version", ("uptime",)),  # "System uptime : 391:07:39:20" (days:h:m:s)
    ),
    cpu=CpuMap(),
    memory=MemoryMap(used=(), unit_field=None, total_unit_field="memory_total_unit",
                     free_unit_field="memory_free_unit", default_unit="KB"),
    temperatures=(SensorMap("temperature", name=("sensor", "slot"), prefix=("slot",), celsius=("temperature",),
                            warn=("upper_limit",), critical=("critical_limit",), status=("status",)),),
    fans=(ComponentMap("fans", name=("fan",), status=("status",)),),
    power_supplies=(ComponentMap("power", name=("power_supply",), status=("status",), detail=("type",)),),
    interfaces=(
        InterfaceMap("interfaces"),
        InterfaceMap("interfaces_brief", oper=("status",), in_errors=(), crc=(), out_errors=()),
    ),
    logs=LogMap(),
    ntp=NtpMap(),
    storage=StorageMap(unit_field=None, default_unit="bytes"),
    ospf=PeerMap("ospf", neighbor=("neighbor_id",), state=("state",), up=r"full.*", interface=("interface",)),
    bgp=PeerMap("bgp", neighbor=("neighbor",), state=("state_pfxrcd",), up=r"\d+", detail=("remote_as",)),
    status_words={"linkandpower": "ok", "nolink": "failed", "nopower": "failed", "linkandnopower": "failed", "linknopower": "failed",
                  "abnormal": "failed", "normal": "ok", "not exist": "absent", "absent": "absent"},
)
