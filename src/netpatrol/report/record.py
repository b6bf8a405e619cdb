"""A device's inspection record (巡检记录表): every catalogue item of its job, what was read and
whether it is normal.

Whether an item is abnormal is read from the checks, not decided here: a problem's checks name
the result fields their conditions read (`path`, `each`) or the catalogue item (`rows:`), and the
platform's field maps (normalise.yaml) say which catalogue item fills each result field. An item
one of the device's problems reads is abnormal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from netpatrol.checks.model import Check, Condition, Ref
from netpatrol.inspection.normalise import NormaliseError, platform_spec
from netpatrol.inspection.problems import Problem
from netpatrol.inspection.results import PARSE_PROBLEMS, Component, Facts, Health, InspectionResult, StackMember
from netpatrol.report.i18n import Translator
from netpatrol.report.model import RecordRow

NOT_COLLECTED = (*PARSE_PROBLEMS, "failed", "empty")
# The running configuration a job with `collect_config` reads beside its items: a row of its own,
# abnormal when a configuration check (or the saved-config check) raised a problem.
CONFIG = "running_config"
# Result fields filled by catalogue items of the same name on every platform (no field map names them).
_FIXED = {"health.clock": ("clock",), "health.clock_skew_seconds": ("clock",), "health.config_saved": (CONFIG,)}


def feeds(platform: str) -> dict[str, tuple[str, ...]]:
    """Result field ("health.cpu_percent", "health.fans", "facts.uptime_seconds") -> the catalogue
    items the platform's field maps fill it from."""
    try:
        spec, _ = platform_spec(platform)
    except NormaliseError:
        return dict(_FIXED)
    out: dict[str, tuple[str, ...]] = dict(_FIXED)

    def put(fields: Iterable[str], items: Iterable[str | None]) -> None:
        chosen = tuple(dict.fromkeys(i for i in items if i))
        for name in fields:
            out[name] = chosen

    for name, (item, _) in spec.facts.fields.items():
        put([f"facts.{name}"], [item])
    if spec.facts.uptime:
        put(["facts.uptime_seconds", "facts.last_reboot_reason"], [spec.facts.uptime[0]])
    put(["health.cpu_percent", "health.cpu_peak_percent"], [spec.cpu.item])
    put(["health.memory_percent", "health.memory_total_kb", "health.memory_used_kb"], [spec.memory.item])
    put(["health.temperatures"], [m.item for m in spec.temperatures])
    put(["health.fans"], [m.item for m in spec.fans])
    put(["health.power_supplies"], [m.item for m in spec.power_supplies])
    put(["health.boards"], [m.item for m in spec.boards])
    put(["health.interfaces"], [m.item for m in spec.interfaces])
    put(["health.logs"], [spec.logs.item])
    put(["health.alarms"], [spec.alarms.item if spec.alarms else None])
    put(["health.ntp_synced", "health.ntp_stratum", "health.ntp_reference"], [spec.ntp.item])
    put(["health.storage_total_kb", "health.storage_free_kb", "health.storage_percent"], [spec.storage.item])
    put(["health.neighbors"], [spec.neighbors.item])
    put(["health.ospf"], [spec.ospf.item if spec.ospf else None])
    put(["health.bgp"], [spec.bgp.item if spec.bgp else None])
    put(["health.licenses"], [spec.licenses.item if spec.licenses else None])
    put(["health.transceivers"], [m.item for m in spec.transceivers])
    put(["health.stack_members"], [m.item for m in spec.stack])
    p = spec.protocols
    put(["health.stp"], [p.stp.item])
    put(["health.vrrp"], [m.item for m in p.vrrp])
    put(["health.arp_entries", "health.arp_capacity", "health.arp_percent"], [p.arp.item if p.arp else None])
    put(["health.mac_entries", "health.mac_capacity", "health.mac_percent"], [p.mac.item if p.mac else None])
    return out


def _paths(c: Condition) -> list[str]:
    """The result fields a condition reads (a `rows:` condition reads its item directly)."""
    if c.config is not None or c.rows is not None:
        return []
    found = [p for p in (c.each, None if c.each else c.path) if p]
    found += [v.ref for v in [c.value, *(w.value for w in c.where)] if isinstance(v, Ref)]
    return found


def items_read(problems: list[Problem], checks: dict[str, Check], platform: str) -> set[str]:
    """The catalogue items the device's problems were raised from."""
    fed = feeds(platform)
    out: set[str] = set()
    for p in problems:
        for cid in p.checks or [p.check]:
            check = checks.get(cid)
            if check is None:
                continue
            if check.condition.rows:
                out.add(check.condition.rows)
            if check.condition.config is not None:
                out.add(CONFIG)
            for path in _paths(check.condition):
                out.update(fed.get(".".join(path.split(".")[:2]), ()))
    return out


def record(t: Translator, items: list[str], r: InspectionResult | None, abnormal: set[str],
           config: bool = False) -> list[RecordRow]:
    """One row per catalogue item (the job's order, then items the result holds beyond it), and
    with `config` (the job collects the configuration) one for the running configuration."""
    if r is None:
        return [RecordRow(i, label(t, i), "not_collected", "—") for i in [*items, *([CONFIG] if config else [])]]
    names = list(dict.fromkeys([*items, *r.items]))
    rows = []
    for name in names:
        outcome = r.items.get(name)
        value = _value(t, name, r.facts, r.health) if r.status == "ok" else None
        if r.status != "ok" or (outcome is not None and outcome.status in NOT_COLLECTED):
            status = "not_collected"
        elif outcome is not None and outcome.status == "unsupported":
            status = "unsupported"
        elif name in abnormal:
            status = "abnormal"
        elif outcome is not None or value is not None:
            status = "normal"
        else:
            status = "not_collected"
        if status not in ("normal", "abnormal"):
            value = "—"
        elif value is None:
            value = t("record.raw" if outcome is not None and outcome.status == "raw" else "record.collected")
        rows.append(RecordRow(name, label(t, name), status, value))
    if config:
        rows.append(_config_row(t, r, abnormal))
    return rows


def _config_row(t: Translator, r: InspectionResult, abnormal: set[str]) -> RecordRow:
    saved = r.health.config_saved if r.status == "ok" else None
    if r.status == "ok" and CONFIG in abnormal:
        return RecordRow(CONFIG, label(t, CONFIG), "abnormal", t("record.config_problems"))
    if saved is None:
        return RecordRow(CONFIG, label(t, CONFIG), "not_collected", "—")
    return RecordRow(CONFIG, label(t, CONFIG), "normal", t("record.config_saved" if saved else "record.config_unsaved"))


def label(t: Translator, item: str) -> str:
    """The item's name in the report language; a workspace's own item keeps its key."""
    return t.get(f"record.item.{item}") or item


def _parts(t: Translator, parts: Sequence[Component | StackMember]) -> str | None:
    present = [p for p in parts if p.status != "absent"]
    if not present:
        return None
    good = sum(1 for p in present if p.status == "ok")
    return t("record.parts", ok=good, total=len(present))


def _up(t: Translator, h: Health) -> str | None:
    known = [i for i in h.interfaces if i.oper_up is not None]
    if not known:
        return None
    up = sum(1 for i in known if i.oper_up)
    return t("record.interfaces", up=up, down=len(known) - up)


def _ntp(t: Translator, h: Health) -> str | None:
    if h.ntp_synced is None:
        return None
    if not h.ntp_synced:
        return t("record.ntp_unsynced")
    return t("record.ntp_stratum", stratum=h.ntp_stratum) if h.ntp_stratum is not None else t("record.ntp_synced")


def _peers(t: Translator, peers: list) -> str | None:
    if not peers:
        return None
    down = sum(1 for p in peers if p.up is False)
    return t("record.peers_down", n=len(peers), down=down) if down else t("record.peers_up", n=len(peers))


def _table(t: Translator, entries: int | None, percent: float | None) -> str | None:
    if entries is None:
        return None
    return t("record.table_percent", n=entries, percent=t.percent(percent)) if percent is not None \
        else t("record.table", n=entries)


def _logs(t: Translator, h: Health) -> str | None:
    if not h.logs:
        return None
    high = sum(1 for e in h.logs if e.severity is not None and e.severity <= 3)
    return t("record.logs", n=len(h.logs), high=high)


def _version(t: Translator, f: Facts) -> str | None:
    if f.os_version is None:
        return None if f.uptime_seconds is None else t("record.uptime", uptime=t.duration(f.uptime_seconds))
    if f.uptime_seconds is None:
        return f.os_version
    return t("record.version_uptime", version=f.os_version, uptime=t.duration(f.uptime_seconds))


def _temperature(t: Translator, h: Health) -> str | None:
    values = [s.celsius for s in h.temperatures if s.celsius is not None]
    return t("record.temperature_max", value=t.celsius(max(values))) if values else None


# What each built-in catalogue item read, in words; None when the result holds nothing from it.
READINGS: dict[str, Callable[[Translator, Facts, Health], str | None]] = {
    "version": lambda t, f, h: _version(t, f),
    "inventory": lambda t, f, h: f.serial,
    "cpu": lambda t, f, h: None if h.cpu_percent is None else t.percent(h.cpu_percent),
    "memory": lambda t, f, h: None if h.memory_percent is None else t.percent(h.memory_percent),
    "temperature": lambda t, f, h: _temperature(t, h),
    "fans": lambda t, f, h: _parts(t, h.fans),
    "power": lambda t, f, h: _parts(t, h.power_supplies),
    "device": lambda t, f, h: _parts(t, [*h.boards, *h.stack_members]),
    "interfaces": lambda t, f, h: _up(t, h),
    "interfaces_brief": lambda t, f, h: _up(t, h),
    "logs": lambda t, f, h: _logs(t, h),
    "alarms": lambda t, f, h: t("record.alarms", n=len(h.alarms)) if h.alarms else None,
    "ntp": lambda t, f, h: _ntp(t, h),
    "clock": lambda t, f, h: None if h.clock_skew_seconds is None else
    t("record.clock_skew", seconds=f"{abs(h.clock_skew_seconds):.0f}"),
    "neighbors": lambda t, f, h: t("record.neighbors", n=len(h.neighbors)) if h.neighbors else None,
    "ospf": lambda t, f, h: _peers(t, h.ospf),
    "bgp": lambda t, f, h: _peers(t, h.bgp),
    "storage": lambda t, f, h: None if h.storage_percent is None else t("record.storage", percent=t.percent(h.storage_percent)),
    "license": lambda t, f, h: _parts(t, h.licenses),
    "transceivers": lambda t, f, h: t("record.transceivers", n=len(h.transceivers)) if h.transceivers else None,
    "stp": lambda t, f, h: t("record.stp", n=len(h.stp)) if h.stp else None,
    "vrrp": lambda t, f, h: t("record.vrrp", n=len(h.vrrp)) if h.vrrp else None,
    "hsrp": lambda t, f, h: t("record.vrrp", n=len(h.vrrp)) if h.vrrp else None,
    "modules": lambda t, f, h: _parts(t, h.boards),
    "stack": lambda t, f, h: _parts(t, h.stack_members),
    "environment": lambda t, f, h: _temperature(t, h),
    "arp": lambda t, f, h: _table(t, h.arp_entries, h.arp_percent),
    "mac": lambda t, f, h: _table(t, h.mac_entries, h.mac_percent),
}


def _value(t: Translator, item: str, f: Facts, h: Health) -> str | None:
    read = READINGS.get(item)
    return read(t, f, h) if read else None
