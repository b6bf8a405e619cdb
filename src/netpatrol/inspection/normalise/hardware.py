"""Optical transceivers and stack members: their field maps (part of a platform's normalise.yaml)
and how their parsed rows become `Transceiver` / `StackMember` entries of the health model."""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import ConfigDict
from pydantic.dataclasses import dataclass

from netpatrol.inspection.normalise import _common as c
from netpatrol.inspection.results import ComponentStatus, StackMember, Transceiver

_FORBID = ConfigDict(extra="forbid")
NO_LIGHT_DBM = -40.0  # the floor Huawei and Cisco print for a receiver that sees no light
Fields = tuple[str, ...]
Where = tuple[tuple[str, str], ...]


@dataclass(frozen=True, config=_FORBID)
class TransceiverMap:
    item: str
    interface: Fields = ("interface",)
    rx: Fields = ("rx_power",)
    tx: Fields = ("tx_power",)
    celsius: Fields = ("temperature",)
    rx_low_alarm: Fields = ("rx_low_alarm",)
    rx_low_warning: Fields = ("rx_low_warning",)
    rx_high_alarm: Fields = ("rx_high_alarm",)
    tx_low_alarm: Fields = ("tx_low_alarm",)
    tx_high_alarm: Fields = ("tx_high_alarm",)
    temp_high_alarm: Fields = ("temperature_high_alarm",)
    # The device's own verdict (Huawei "normal"/"abnormal"); else it is derived from the thresholds.
    status: Fields = ()
    detail: Fields = ()
    # Rows with a `field` naming the measured quantity (one row per parameter, Huawei/H3C/EOS
    # diagnosis tables): field -> (row value regex -> value field). See `_pivot`.
    parameter: str | None = None
    value: Fields = ("value",)
    low_alarm: Fields = ("low_alarm",)
    low_warning: Fields = ("low_warning",)
    high_alarm: Fields = ("high_alarm",)
    high_warning: Fields = ("high_warning",)
    where: Where = ()


@dataclass(frozen=True, config=_FORBID)
class StackMap:
    item: str
    name: Fields = ("member",)
    state: Fields = ("state",)
    role: Fields = ("role",)
    priority: Fields = ("priority",)
    detail: Fields = ()
    where: Where = ()


# Parameter-per-row tables: which measured quantity a row's parameter word names.
_PARAMETERS = (
    (re.compile(r"(?i)^rx|rx\s*power|receive|input"), "rx"),
    (re.compile(r"(?i)^tx|tx\s*power|transmit|output"), "tx"),
    (re.compile(r"(?i)^temp"), "temp"),
)
_THRESHOLDS = ("low_alarm", "low_warning", "high_alarm", "high_warning")


def _kind(word: str) -> str | None:
    return next((kind for rx, kind in _PARAMETERS if rx.search(word)), None)


def _pivot(m: TransceiverMap, rows: list[dict]) -> list[dict]:
    """One row per interface from one row per (interface, parameter): {'rx_power', 'rx_low_alarm', ...}."""
    out: dict[str, dict] = {}
    for row in rows:
        name = c.first(row, m.interface)
        word = c.first(row, [m.parameter]) if m.parameter else None
        kind = _kind(word) if word else None
        if name is None or kind is None:
            continue
        slot = out.setdefault(name, {"interface": name})
        prefix = {"rx": "rx_", "tx": "tx_", "temp": "temperature_"}[kind]
        key, value = {"rx": "rx_power", "tx": "tx_power", "temp": "temperature"}[kind], c.first(row, m.value)
        if slot.get(key) is None or _below(value, slot[key]):  # lanes of one module: the weakest counts
            slot[key] = value
        for t in _THRESHOLDS:
            if (v := c.first(row, getattr(m, t))) is not None:
                slot.setdefault(prefix + t, v)
        for f in m.status:
            if (v := c.first(row, [f])) is not None and _worse(v, slot.get(f)):
                slot[f] = v
    return list(out.values())


def _below(a: str | None, b: str | None) -> bool:
    x, y = c.num(a), c.num(b)
    return x is not None and y is not None and x < y


def _worse(word: str, seen: object) -> bool:
    return seen is None or (str(seen).lower() in ("normal", "ok", "") and word.lower() not in ("normal", "ok"))


def _derived_status(t: Transceiver) -> ComponentStatus:
    """From the module's thresholds: outside an alarm threshold is failed, past a warning a warning."""
    rx, tx = t.rx_dbm, t.tx_dbm
    if (rx is not None and ((t.rx_low_alarm is not None and rx < t.rx_low_alarm)
                            or (t.rx_high_alarm is not None and rx > t.rx_high_alarm))) or (
            tx is not None and ((t.tx_low_alarm is not None and tx < t.tx_low_alarm)
                                or (t.tx_high_alarm is not None and tx > t.tx_high_alarm))) or (
            t.celsius is not None and t.temp_high_alarm is not None and t.celsius > t.temp_high_alarm):
        return "failed"
    if rx is not None and t.rx_low_warning is not None and rx < t.rx_low_warning:
        return "warning"
    known = (t.rx_low_alarm, t.rx_low_warning, t.rx_high_alarm, t.tx_low_alarm, t.tx_high_alarm)
    return "ok" if any(v is not None for v in known) else "unknown"


def _reading(value: object) -> float | None:
    """A power reading; lanes printed on one line ("-0.27|-0.62") give the weakest."""
    s = c.text(value)
    if s and re.search(r"-\s?inf", s, re.IGNORECASE):
        return NO_LIGHT_DBM  # Junos prints "- Inf" for 0 mW
    found = [float(n) for n in re.findall(r"[-+]?\d+(?:\.\d+)?", s)] if s else []
    return min(found) if found else None


def _weakest(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else min(a, b)


def transceivers(maps: tuple[TransceiverMap, ...], parsed: Mapping[str, list[dict]],
                 table: Mapping[str, ComponentStatus]) -> list[Transceiver]:
    out: dict[str, Transceiver] = {}
    for m in maps:
        rows = [r for r in parsed.get(m.item) or []
                if all(re.fullmatch(rx, c.text(r.get(f)) or "", re.IGNORECASE) for f, rx in m.where)]
        # Pivoted rows carry the default field names, whatever the map called the table's columns.
        fm = TransceiverMap(item=m.item, status=m.status) if m.parameter else m
        for row in _pivot(m, rows) if m.parameter else rows:
            name = c.first(row, fm.interface)
            if name is None:
                continue
            values = {k: c.num(c.first(row, getattr(fm, k))) for k in (
                "rx_low_alarm", "rx_low_warning", "rx_high_alarm", "tx_low_alarm", "tx_high_alarm",
                "temp_high_alarm")}
            t = Transceiver.model_validate({
                "interface": name, "rx_dbm": _reading(c.first(row, fm.rx)), "tx_dbm": _reading(c.first(row, fm.tx)),
                "celsius": c.num(c.first(row, fm.celsius)),
                "detail": " ".join(d for f in fm.detail if (d := c.first(row, [f]))) or None, **values})
            seen = out.get(name)
            if seen is not None:  # another lane of the same module: keep the weakest reading
                t.rx_dbm, t.tx_dbm = _weakest(seen.rx_dbm, t.rx_dbm), _weakest(seen.tx_dbm, t.tx_dbm)
                for k, val in values.items():
                    if val is None:
                        setattr(t, k, getattr(seen, k))
            device = c.status_of(c.first(row, m.status), table) if m.status else "unknown"
            t.status = device if device != "unknown" else _derived_status(t)
            out[name] = t
    return list(out.values())


_STACK_WORDS: dict[str, ComponentStatus] = {
    "ready": "ok", "up": "ok", "normal": "ok", "ok": "ok", "running": "ok", "active": "ok", "prsnt": "ok",
    "present": "ok", "online": "ok", "master": "ok", "backup": "ok", "standby": "ok", "slave": "ok",
    "down": "failed", "not ready": "failed", "notready": "failed", "removed": "absent",
    "provisioned": "absent", "not-present": "absent", "notprsnt": "absent", "absent": "absent",
    "offline": "failed", "inactive": "failed", "initializing": "warning", "progressing": "warning",
    "invalid": "failed", "mismatch": "failed", "version mismatch": "failed", "v-mismatch": "failed",
    "feature mismatch": "failed", "new master pending": "warning", "syncing": "warning", "waiting": "warning",
    "sdm mismatch": "failed", "lic-mismatch": "failed", "halted": "failed", "unprvsnd": "warning",
}


def stack_members(maps: tuple[StackMap, ...], parsed: Mapping[str, list[dict]],
                  table: Mapping[str, ComponentStatus]) -> list[StackMember]:
    out: list[StackMember] = []
    words = {**table, **_STACK_WORDS}
    for m in maps:
        for row in parsed.get(m.item) or []:
            if not all(re.fullmatch(rx, c.text(row.get(f)) or "", re.IGNORECASE) for f, rx in m.where):
                continue
            name = c.first(row, m.name)
            if name is None:
                continue
            state, role = c.first(row, m.state), c.first(row, m.role)
            # Without a state column, a member listed with a role is one the stack sees.
            status = c.status_of(state, words) if state else c.status_of(role, words) if role else "unknown"
            out.append(StackMember(name=name, status=status, role=role, state=state,
                                   priority=c.integer(c.first(row, m.priority)),
                                   detail=" ".join(v for f in m.detail if (v := c.first(row, [f]))) or None))
    return out
