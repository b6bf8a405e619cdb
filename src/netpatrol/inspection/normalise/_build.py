"""Turn parsed rows into health-model parts, driven by a platform's field maps (see _spec)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from netpatrol.inspection.normalise import _common as c
from netpatrol.inspection.normalise import protocols
from netpatrol.inspection.normalise._rows import Notes, Positions, given, named_rows, note, part_name, raw_value, where_ok
from netpatrol.inspection.normalise._spec import (
    ComponentMap,
    CpuMap,
    FactsMap,
    InterfaceMap,
    LogMap,
    MemoryMap,
    NeighborMap,
    NtpMap,
    Parsed,
    PeerMap,
    SensorMap,
    StorageMap,
    Where,
)
from netpatrol.inspection.normalise.hardware import stack_members, transceivers
from netpatrol.inspection.results import Component, ComponentStatus, Facts, Health, InterfaceHealth, LogEntry, Neighbor, Peer, Sensor

LOG_CAP = 200  # newest entries kept in health.logs


def rows_where(rows: list[dict], where: Where) -> list[dict]:
    if not where:
        return rows
    return [r for r in rows if where_ok(r, where)]


def facts(m: FactsMap, parsed: Parsed) -> Facts:
    values: dict[str, object] = {}

    def row_of(item: str) -> list[dict]:
        return rows_where(parsed.get(item) or [], m.row_where.get(item, ()))

    for attr, (item, fields) in m.fields.items():
        values[attr] = next((v for r in row_of(item) if (v := c.first_scalar(r, fields))), None)
    if m.uptime:
        item, fields = m.uptime
        text = next((v for r in row_of(item) if (v := c.first(r, fields))), None)
        values["uptime_seconds"] = c.uptime_seconds(text)
    return Facts.model_validate(values)


def cpu(m: CpuMap, parsed: Parsed) -> tuple[float | None, float | None]:
    rows = parsed.get(m.item) or []
    rows = rows_where(rows, m.where) or rows
    if not rows:
        return None, None

    def value(row: dict, fields: tuple[str, ...]) -> float | None:
        v = c.num(c.first(row, fields))
        if v is None:
            return None
        return round(100.0 - v, 1) if m.idle else v

    # per-process tables repeat the global figures on every row, so the first row is the CPU's
    def load(r: dict) -> float:
        v = value(r, m.average)
        return -1.0 if v is None else v

    row = max(rows, key=load) if m.busiest else rows[0]
    return value(row, m.average), value(row, m.peak)


def memory(m: MemoryMap, parsed: Parsed) -> tuple[float | None, int | None, int | None]:
    """(percent, total_kb, used_kb)"""
    rows = parsed.get(m.item) or []
    if not rows:
        return None, None, None
    row = rows[0]
    unit = c.first(row, [m.unit_field]) if m.unit_field else None
    unit = unit or m.default_unit
    total_unit = (c.first(row, [m.total_unit_field]) if m.total_unit_field else None) or unit
    free_unit = (c.first(row, [m.free_unit_field]) if m.free_unit_field else None) or unit
    total = c.kb(c.first(row, m.total), total_unit)
    used = c.kb(c.first(row, m.used), unit)
    free = c.kb(c.first(row, m.free), free_unit)
    if used is None and total is not None and free is not None:
        used = total - free
    pct = c.num(c.first(row, m.used_percent))
    if pct is None and (fp := c.num(c.first(row, m.free_percent))) is not None:
        pct = round(100.0 - fp, 1)
    if pct is None:
        pct = c.percent(used, total)
    if used is None and pct is not None and total is not None:
        used = int(total * pct / 100)
    return pct, total, used


# When several rows describe one component (a PSU's Vin/Iin/Vout sensors), the worst one counts.
_RANK = {"failed": 4, "warning": 3, "absent": 2, "ok": 1, "unknown": 0}


def components(maps: tuple[ComponentMap, ...], parsed: Parsed, table: Mapping[str, ComponentStatus],
               kind: str = "part") -> list[Component]:
    out: dict[str, Component] = {}
    named = named_rows(maps, parsed)
    for m in maps:
        positions = Positions(kind)
        for row in parsed.get(m.item) or []:
            if not where_ok(row, m.where) or not given(row, (*m.name, *m.status, *m.present)):
                continue
            name = part_name(row, m.prefix, m.name)
            if name is None and id(row) in named:
                continue
            name = name or positions.name(row, m.prefix)
            status = c.status_of(c.first(row, m.status), table)
            if m.present and (c.first(row, m.present) or "").lower() in c.ABSENT_WORDS:
                status = "absent"
            detail = " ".join(v for f in m.detail if (v := c.first(row, [f]))) or None
            seen = out.get(name)
            if seen is None or _RANK[status] > _RANK[seen.status]:
                out[name] = Component(name=name, status=status, detail=detail or (seen.detail if seen else None))
    return list(out.values())


def sensors(maps: tuple[SensorMap, ...], parsed: Parsed, table: Mapping[str, ComponentStatus],
            notes: Notes | None = None) -> list[Sensor]:
    out: list[Sensor] = []
    named = named_rows(maps, parsed)
    for m in maps:
        positions = Positions("sensor")
        for index, row in enumerate(parsed.get(m.item) or [], start=1):
            if not where_ok(row, m.where) or not given(row, (*m.name, *m.celsius, *m.status)):
                continue
            name = part_name(row, m.prefix, m.name)
            if name is None and id(row) in named:
                continue
            celsius = c.num(c.first(row, m.celsius))
            status = c.status_of(c.first(row, m.status), table) if m.status else "unknown"
            if celsius is None and status == "unknown":
                value = raw_value(row, m.celsius)
                note(notes, m.item, f"row {index}: no temperature value" + (f" {value!r}" if value else ""))
                continue
            # A sensor with only a state ("SYSTEM TEMPERATURE is OK") is kept: its state is a fact.
            name = name or positions.name(row, m.prefix)
            warn, crit = c.num(c.first(row, m.warn)), c.num(c.first(row, m.critical))
            if status == "unknown" and celsius is not None:
                status = "failed" if crit and celsius >= crit else "warning" if warn and celsius >= warn else (
                    "ok" if warn or crit else "unknown")
            out.append(Sensor(name=name, celsius=celsius, status=status, warn=warn, critical=crit))
    return out


def _up_word(value: str | None) -> bool | None:
    if value is None:
        return None
    v = value.lower().lstrip()
    if v.startswith(("up", "enabled", "connected", "link-up")):
        return True
    if v.startswith(("down", "*down", "^down", "disabled", "notconnect", "adm", "administratively", "err",
                     "disconnected", "inactive", "not ")):
        return False
    return None


def _admin_word(oper_text: str | None) -> bool | None:
    """Admin state as the oper column implies it: 'administratively down' / Huawei '*down'."""
    if oper_text is None:
        return None
    v = oper_text.lower().strip()
    if v.startswith(("adm", "administratively", "*down", "disabled")):
        return False
    return True if _up_word(v) is not None else None


def canonical_interface(name: str) -> str:
    from netutils.interface import canonical_interface_name

    return canonical_interface_name(name.replace(" ", ""))


def interfaces(maps: tuple[InterfaceMap, ...], parsed: Parsed, notes: Notes | None = None) -> list[InterfaceHealth]:
    merged: dict[str, dict[str, object]] = {}
    for m in maps:
        for index, row in enumerate(rows_where(parsed.get(m.item) or [], m.where), start=1):
            name = c.first(row, m.name)
            if name is None:
                note(notes, m.item, f"row {index}: no interface name")
                continue
            oper_text = c.first(row, m.oper)
            admin_text = c.first(row, m.admin) if m.admin else None
            values = {
                "name": name,
                "description": c.first(row, m.description),
                "admin_up": _up_word(admin_text) if admin_text else _admin_word(oper_text),
                "oper_up": _up_word(oper_text),
                "speed": c.first(row, m.speed),
                "in_errors": c.integer(c.first(row, m.in_errors)),
                "crc": c.integer(c.first(row, m.crc)),
                "out_errors": c.integer(c.first(row, m.out_errors)),
            }
            if values["oper_up"] and any(_up_word(c.text(row.get(f))) is False for f in m.oper_all):
                values["oper_up"] = False
            slot = merged.setdefault(canonical_interface(name), {})
            for k, v in values.items():
                if slot.get(k) is None and v is not None:
                    slot[k] = v
    return [InterfaceHealth.model_validate(v) for v in merged.values()]


def _message(m: LogMap, row: dict) -> str:
    for f in m.message:
        value = row.get(f)
        if isinstance(value, list):
            value = m.message_join.join(str(v).strip() for v in value if str(v).strip())
        if (found := c.text(value)) is not None:
            return found
    return ""


def log_entries(m: LogMap, parsed: Parsed) -> list[LogEntry]:
    out: list[LogEntry] = []
    for row in parsed.get(m.item) or []:
        message = _message(m, row)
        severity = c.severity_of(c.first(row, m.severity))
        source = c.first(row, m.source)
        mnemonic = c.first(row, m.mnemonic)
        if severity is None:
            sev, fac, mnem = c.severity_in_message(message)
            severity, source, mnemonic = sev, source or fac, mnemonic or mnem
        if mnemonic and source and mnemonic not in source:
            source = f"{source}-{mnemonic}"
        out.append(LogEntry(when=" ".join(v for f in m.when if (v := c.first(row, [f]))) or None,
                            severity=severity, source=source or mnemonic, message=message))
    if m.newest_first:
        out.reverse()
    return out[-LOG_CAP:]


def ntp(m: NtpMap, parsed: Parsed) -> tuple[bool | None, int | None, str | None]:
    rows = parsed.get(m.item)
    if rows is None:
        return None, None, None
    if m.selected:
        chosen = [r for r in rows if (c.text(r.get(m.selected)) or "").startswith("*")]
        row = chosen[0] if chosen else (rows[0] if rows else None)
        stratum = c.integer(c.first(row, m.stratum))
        return bool(chosen), stratum, c.first(row, m.reference)
    if not rows:
        return None, None, None
    row = rows[0]
    stratum = c.integer(c.first(row, m.stratum))
    word = (c.first(row, m.status) or "").lower()
    if stratum == 16 or "unsynchron" in word or word in ("sync_unspec", "unsynced", "not synchronized"):
        synced: bool | None = False
    elif "synchron" in word or word.startswith("sync_"):
        synced = True
    else:
        synced = None
    return synced, stratum, c.first(row, m.reference)


def storage(m: StorageMap, parsed: Parsed) -> tuple[int | None, int | None, float | None]:
    all_rows = parsed.get(m.item) or []
    for row in rows_where(all_rows, m.where) or all_rows:
        unit = (c.first(row, [m.unit_field]) if m.unit_field else None) or m.default_unit
        total = c.kb(c.first(row, m.total), unit)
        free = c.kb(c.first(row, m.free), unit)
        if free is None and m.used and total is not None:
            used = c.kb(c.first(row, m.used), unit)
            free = None if used is None else total - used
        if total:
            return total, free, c.percent(None if free is None else total - free, total)
    return None, None, None


def peers(m: PeerMap | None, parsed: Parsed, notes: Notes | None = None) -> list[Peer]:
    if m is None:
        return []
    out = []
    for index, row in enumerate(parsed.get(m.item) or [], start=1):
        neighbor = c.first(row, m.neighbor)
        if neighbor is None:
            note(notes, m.item, f"row {index}: no neighbour")
            continue
        state = c.first(row, m.state)
        out.append(Peer(neighbor=neighbor, state=state,
                        up=None if state is None else bool(re.fullmatch(m.up, state, re.IGNORECASE)),
                        interface=c.first(row, m.interface), detail=c.first(row, m.detail)))
    return out


def neighbors(m: NeighborMap, parsed: Parsed) -> list[Neighbor]:
    return [Neighbor(local_interface=c.first(r, m.local), remote_host=c.first(r, m.remote_host),
                     remote_interface=c.first(r, m.remote_interface))
            for r in parsed.get(m.item) or []]


def health_from(spec, parsed: Parsed, notes: Notes | None = None) -> Health:
    """The health model from the parsed items; `notes` (when given) collects why rows were skipped."""
    table = {**c.COMMON_STATUS, **spec.status_words}
    h = Health()
    h.cpu_percent, h.cpu_peak_percent = cpu(spec.cpu, parsed)
    h.memory_percent, h.memory_total_kb, h.memory_used_kb = memory(spec.memory, parsed)
    h.temperatures = sensors(spec.temperatures, parsed, table, notes)
    h.fans = components(spec.fans, parsed, table, "fan")
    h.power_supplies = components(spec.power_supplies, parsed, table, "power")
    h.boards = components(spec.boards, parsed, table, "board")
    h.interfaces = interfaces(spec.interfaces, parsed, notes)
    h.logs = log_entries(spec.logs, parsed)
    h.alarms = log_entries(spec.alarms, parsed) if spec.alarms else []
    h.ntp_synced, h.ntp_stratum, h.ntp_reference = ntp(spec.ntp, parsed)
    h.storage_total_kb, h.storage_free_kb, h.storage_percent = storage(spec.storage, parsed)
    h.neighbors = neighbors(spec.neighbors, parsed)
    h.ospf = peers(spec.ospf, parsed, notes)
    h.bgp = peers(spec.bgp, parsed, notes)
    h.licenses = components((spec.licenses,), parsed, table, "licence") if spec.licenses else []
    h.transceivers = transceivers(spec.transceivers, parsed, table)
    h.stack_members = stack_members(spec.stack, parsed, table)
    protocols.apply(spec.protocols, parsed, h)
    return h


_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}


def clock(parsed: Parsed, item: str = "clock") -> str | None:
    """The device clock as 'YYYY-MM-DD HH:MM:SS TZ' from the clock templates' shared fields."""
    rows = parsed.get(item) or []
    if not rows:
        return None
    r = rows[0]
    year, month, day, time = (c.first(r, [f]) for f in ("year", "month", "day", "time"))
    if not (year and month and day and time):
        return None
    mon = int(month) if month.isdigit() else _MONTHS.get(month[:3].lower())
    if mon is None or not day.isdigit():
        return None
    tz = c.first(r, ["timezone"])
    return f"{year}-{mon:02d}-{int(day):02d} {time.split('.')[0]}" + (f" {tz}" if tz else "")
