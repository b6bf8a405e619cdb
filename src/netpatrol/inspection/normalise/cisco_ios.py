"""Cisco IOS / IOS-XE field maps (ntc-templates fields plus netpatrol's own `show environment`)."""

from netpatrol.inspection.normalise._spec import (
    ComponentMap, CpuMap, FactsMap, InterfaceMap, LogMap, MemoryMap, NtpMap, PeerMap, PlatformSpec,
    SensorMap, StorageMap,
)

# `show environment` rows come in kinds (see the template): ISR sensor table rows fill SENSOR_*,
# Catalyst rows fill FAN_* / TEMPERATURE_* / POWER_SUPPLY_*.
_PSU_SENSOR = (("slot", r"P\d+"), ("sensor", r"(Vin|Iin|Vout|Iout|Pin|Pout|Status).*"))

SPEC = PlatformSpec(
    facts=FactsMap(
        fields={
            "hostname": ("version", ("hostname",)),
            "model": ("version", ("hardware",)),
            "serial": ("version", ("serial",)),
            "os_version": ("version", ("version",)),
            "last_reboot_reason": ("version", ("reload_reason",)),
        },
        uptime=("version", ("uptime",)),
    ),
    cpu=CpuMap(),
    memory=MemoryMap(default_unit="bytes"),
    temperatures=(
        SensorMap("environment", name=("temperature_sensor",), celsius=("temperature_current",),
                  warn=("temperature_yellow_thresh",), critical=("temperature_red_thresh",),
                  status=("temperature_status",)),
        SensorMap("environment", name=("sensor",), prefix=("slot",), celsius=("sensor_reading",),
                  status=("sensor_status",), where=(("sensor_unit", "celsius"),)),
    ),
    fans=(
        ComponentMap("environment", name=("fan",), prefix=("slot",), status=("fan_status",)),
        ComponentMap("environment", name=("sensor",), prefix=("slot",), status=("sensor_status",),
                     detail=("sensor_reading", "sensor_unit"), where=(("sensor", r"fan.*"),)),
    ),
    power_supplies=(
        ComponentMap("environment", name=("power_supply",), status=("power_supply_status",),
                     detail=("power_supply_model",)),
        ComponentMap("environment", name=("slot",), status=("sensor_status",), where=_PSU_SENSOR),
        ComponentMap("power", name=("ps_module", "ps"), status=("status",), present=("pid",), detail=("pid", "model")),
    ),
    interfaces=(InterfaceMap("interfaces"),),
    logs=LogMap(when=("month", "day", "time", "timezone")),
    ntp=NtpMap(),
    storage=StorageMap(),
    ospf=PeerMap("ospf", neighbor=("neighbor_id",), state=("state",), up=r"full.*|2way.*",
                 interface=("interface",)),
    bgp=PeerMap("bgp", neighbor=("bgp_neighbor",), state=("state_or_prefixes_received",), up=r"\d+",
                detail=("neighbor_as",)),
    licenses=ComponentMap("license", name=("feature",), status=("license_state",),
                          detail=("license_type", "period_left")),
    status_words={"green": "ok", "not ok": "failed", "no input power": "failed", "not present": "absent",
                  "active, not in use": "ok", "active, in use": "ok", "yellow": "warning", "red": "failed"},
)
