"""Huawei VRP field maps, for both families: CE (`display device fan/power/temperature all`,
`display cpu`, `display memory`) and S (`display fan/power/temperature all`, `display cpu-usage`)."""

from __future__ import annotations

from netpatrol.inspection.results import Facts, Health
from netpatrol.inspection.normalise._spec import (
    ComponentMap, CpuMap, FactsMap, InterfaceMap, LogMap, MemoryMap, NtpMap, Parsed, PeerMap, PlatformSpec,
    Raw, SensorMap, StorageMap,
)


def version_without_product(facts: Facts, health: Health, parsed: Parsed, raw: Raw) -> None:
    """'CE6881 V200R019C10SPC500' -> 'V200R019C10SPC500': the product name is already the model."""
    if facts.os_version and " " in facts.os_version:
        facts.os_version = facts.os_version.split()[-1]


SPEC = PlatformSpec(
    facts=FactsMap(
        fields={
            "model": ("version", ("model",)),
            "serial": ("inventory", ("esn",)),
            "os_version": ("version", ("product_version", "vrp_version")),
        },
        uptime=("version", ("uptime",)),
    ),
    cpu=CpuMap(),
    memory=MemoryMap(default_unit="bytes"),
    temperatures=(
        SensorMap("temperature", name=("sensor",), prefix=("slot",), celsius=("temperature",),
                  warn=("upper_limit",), critical=("critical_limit",), status=("status",)),
    ),
    fans=(ComponentMap("fans", name=("fan",), prefix=("slot",), status=("status", "registered"),
                       present=("present",), detail=("speed",)),),
    power_supplies=(ComponentMap("power", name=("power_supply",), prefix=("slot",), status=("status",),
                                 present=("present",), detail=("mode", "power")),),
    boards=(ComponentMap("device", name=("card",), prefix=("slot",), status=("alarm_status", "register_status"),
                         present=("online_status",), detail=("pid",)),),
    interfaces=(
        InterfaceMap("interfaces", description=("interface_description",), in_errors=(), crc=(), out_errors=()),
        InterfaceMap("interfaces_brief", oper=("phy",), description=(), speed=(),
                     in_errors=("inerrors",), crc=(), out_errors=("outerrors",)),
    ),
    logs=LogMap(newest_first=True),
    alarms=LogMap(item="alarms", when=("date", "time"), source=("alarm_name",), mnemonic=(),
                  message=("description",), message_join=""),
    ntp=NtpMap(),
    # "1,048,576 KB total (509,167 KB free)"
    storage=StorageMap(default_unit="KB"),
    ospf=PeerMap("ospf", neighbor=("neighbor_id",), state=("state",), up=r"full", interface=("interface",)),
    bgp=PeerMap("bgp", neighbor=("peer",), state=("state",), up=r"established", detail=("asn",)),
    licenses=ComponentMap("license", name=("item_name", "license_file", "esn"), status=("state",),
                          detail=("item_value",)),
    # "no" in a status column is "Register NO"; presence columns are read separately (ABSENT_WORDS)
    status_words={"supply": "ok", "notsupply": "failed", "no supply": "failed", "abnormal": "failed",
                  "registered": "ok", "unregistered": "failed", "present": "ok", "absent": "absent",
                  "yes": "ok", "no": "failed", "normal": "ok", "nosupply": "failed", "trial": "warning"},
    hooks=(version_without_product,),
)
