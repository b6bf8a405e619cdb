"""The device table: one row per inventory host with its last backup, last inspection and open
problems, and the filters on it.

Rows are built from the inventory, the device run records and each host's newest inspected period
(its summary.json map, web.period_view), and kept (web.memo) until one of those changes: HEAD, the
tags, the records file's size or mtime, the inventory files. A request then reads two refs and two
file stats and filters 10,000 rows in memory (bench/web.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from netpatrol.platforms import canonical_platform
from netpatrol.web.memo import remembered
from netpatrol.web.period_view import latest_by_host, snapshot
from netpatrol.web.state import WebState, file_key
from netpatrol.workspace.records import load_device_records

STATUSES = ("ok", "problems", "failed", "never")  # the status filter's values, worst last but one


@dataclass(frozen=True)
class DeviceRow:
    name: str
    site: str
    platform: str
    address: str
    role: str | None
    last_backup: datetime | None  # the last successful backup (UTC)
    backup_error: str | None  # the last attempt's error, when it failed
    last_inspection: str | None  # the period of the device's newest inspection result
    inspection_status: str | None  # that result's status (ok, unreachable ...)
    open_problems: dict[str, int] = field(default_factory=dict)  # severity -> problems in that result

    @property
    def status(self) -> str:
        """failed: its last backup or inspection failed; never: nothing stored yet; problems: open
        problems; ok otherwise."""
        if self.backup_error or (self.inspection_status not in (None, "ok")):
            return "failed"
        if self.last_backup is None and self.last_inspection is None:
            return "never"
        return "problems" if any(self.open_problems.values()) else "ok"

    @property
    def problems_total(self) -> int:
        return sum(self.open_problems.values())


def device_rows(state: WebState) -> list[DeviceRow]:
    """Every inventory host's row, sorted by site then name."""
    inv = state.inventory()
    found = snapshot(state)
    # devices.json: the name workspace.records writes the per-device records under.
    key = (id(inv), file_key(state.ws.state_dir / "devices.json"), found[1].key if found else None)
    # The inventory is held with the rows, so its id in the key is never another's.
    return remembered(state, "device_rows", key, lambda: (inv, _build(state, inv)))[1]


def _build(state: WebState, inv) -> list[DeviceRow]:
    records = load_device_records(state.ws)
    latest = latest_by_host(state)
    rows = []
    for h in inv.hosts.values():
        rec = records.get(h.name, {})
        period, r = latest.get(h.name, (None, None))
        rows.append(DeviceRow(
            name=h.name, site=h.site, platform=h.platform, address=h.hostname, role=h.data.role,
            last_backup=_when(rec.get("last_backup_success")), backup_error=rec.get("last_backup_error"),
            last_inspection=period, inspection_status=r.status if r else None,
            open_problems=dict(r.problems) if r else {},
        ))
    return sorted(rows, key=lambda row: (row.site, row.name))


def filter_rows(rows: list[DeviceRow], site: str | None = None, platform: str | None = None,
                status: str | None = None, text: str | None = None) -> list[DeviceRow]:
    """Rows matching every filter given; `text` is a case-insensitive part of the name or address."""
    needle = (text or "").strip().lower()
    # Typed as people type it (`huawei`, `IOS`): the folder name rows carry; unknown ones match nothing.
    wanted_platform = canonical_platform(platform) if platform else None
    return [r for r in rows
            if (not site or r.site == site) and (not platform or r.platform == wanted_platform)
            and (not status or r.status == status)
            and (not needle or needle in r.name.lower() or needle in r.address.lower())]


def _when(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
