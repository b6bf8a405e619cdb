"""`netpatrol archive`: the device archive (设备档案) — the inventory's archive fields merged with
what inspections and backups found: model, serial and version as the device last reported them,
last backup, last inspection, and the repair/replacement records."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path

from netpatrol.inspection.results import InspectionResult
from netpatrol.localtime import show, show_date
from netpatrol.report.i18n import Translator
from netpatrol.report.inert import csv_cell
from netpatrol.report.publish import file_stem
from netpatrol.report.render import ROOM_FIELDS, environment, render, tidy_markdown
from netpatrol.report.results import inspected_periods, load_results
from netpatrol.store import layout
from netpatrol.store.files import owner_only
from netpatrol.store.repo import Store
from netpatrol.workspace.inventory import Inventory
from netpatrol.workspace.models import RepairRecord, SiteArchive
from netpatrol.workspace.records import load_device_records
from netpatrol.workspace.settings import Workspace

ARCHIVE_FORMATS = ("xlsx", "csv", "md")


@dataclass
class ArchiveRow:
    site: str
    host: str
    platform: str
    role: str | None
    model: str | None
    serial: str | None
    version: str | None
    purchase_date: str | None
    warranty_until: str | None
    maintainer: str | None
    location: str | None
    last_backup: str | None
    last_inspection: str | None  # "2026Q3 (2026-09-20)"
    repairs: list[RepairRecord] = field(default_factory=list)


def build_archive(ws: Workspace, inv: Inventory, store: Store) -> list[ArchiveRow]:
    latest = _latest_results(store)
    records = load_device_records(ws)
    tz = ws.settings.tz
    rows = []
    for h in inv.hosts.values():
        r, rec, d = latest.get(h.name), records.get(h.name, {}), h.data
        facts = r.facts if r else None
        rows.append(ArchiveRow(
            site=h.site, host=h.name, platform=h.platform, role=d.role,
            model=(facts and facts.model) or rec.get("model") or d.model,
            serial=(facts and facts.serial) or rec.get("serial") or d.serial,
            version=(facts and facts.os_version) or rec.get("os_version") or d.os_version,
            purchase_date=d.purchase_date.isoformat() if d.purchase_date else None,
            warranty_until=d.warranty_until.isoformat() if d.warranty_until else None,
            maintainer=d.maintainer, location=d.location,
            last_backup=show(rec.get("last_backup_success"), tz, empty="") or _git_backup(store, h.site, h.name, tz),
            last_inspection=f"{r.period} ({show_date(r.collected_at, tz)})" if r else None,
            repairs=sorted(d.repairs, key=lambda x: x.date),
        ))
    return rows


def write_archive(ws: Workspace, inv: Inventory, store: Store, fmt: str, lang: str) -> Path:
    rows = build_archive(ws, inv, store)
    t = Translator(lang)
    sites = {s: a for s, a in inv.sites().items()}
    path = ws.reports / "archive" / f"{file_stem(ws.settings.client, 'archive', lang)}.{fmt}"
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if fmt == "md":
        text = render(environment(ws.reports / "templates"), "archive.md.j2", rows=rows, sites=sites, t=t,
                      room_fields=ROOM_FIELDS, client=ws.settings.client, provider=ws.settings.provider)
        path.write_text(tidy_markdown(text), encoding="utf-8")
    elif fmt == "csv":
        # utf-8-sig: Excel opens a BOM-less UTF-8 CSV as the local code page and garbles Chinese.
        path.write_text(_csv(rows, t), encoding="utf-8-sig")
    else:
        _xlsx(rows, sites, t, path)
    # Serials, versions and repair records of the client's devices: owner-only like the reports,
    # whatever the umask (the writers create files with it).
    owner_only(ws.reports)
    return path


def _header(t: Translator) -> list[str]:
    return [t("col.site"), t("col.device"), t("col.platform"), t("col.role"), t("col.model"), t("col.serial"),
            t("col.version"), t("col.purchase_date"), t("col.warranty_until"), t("col.maintainer"),
            t("col.location"), t("col.last_backup"), t("col.last_inspection"), t("col.repairs")]


def _values(r: ArchiveRow) -> list[object]:
    repairs = "; ".join(_repair_text(x) for x in r.repairs)
    return [r.site, r.host, r.platform, r.role, r.model, r.serial, r.version, r.purchase_date,
            r.warranty_until, r.maintainer, r.location, r.last_backup, r.last_inspection, repairs]


def _repair_text(x: RepairRecord) -> str:
    extra = [v for v in (x.part, x.ticket, x.serial_old and f"{x.serial_old}→{x.serial_new or '?'}", x.note) if v]
    return f"{x.date.isoformat()} {x.action}" + (f" ({', '.join(extra)})" if extra else "")


def _csv(rows: list[ArchiveRow], t: Translator) -> str:
    buf = io.StringIO()
    # Every field quoted: a spreadsheet whose list separator is ";" must not split a field either.
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(_header(t))
    for r in rows:
        writer.writerow([csv_cell(v) for v in _values(r)])
    return buf.getvalue()


def _xlsx(rows: list[ArchiveRow], sites: dict[str, SiteArchive | None], t: Translator, path: Path) -> None:
    from openpyxl import Workbook

    from netpatrol.report.xlsx import write_table

    wb = Workbook()
    wb.worksheets[0].title = t("archive.devices")  # the sheet a new workbook starts with
    write_table(wb.worksheets[0], _header(t), [_values(r) for r in rows])
    write_table(wb.create_sheet(t("archive.sites")),
           [t("col.site"), t("col.unit"), t("col.address"), t("col.contacts"), *[t(f"room.{f}") for f in ROOM_FIELDS]],
           [[a.name, a.unit, a.address, "; ".join(" ".join(v for v in (c.name, c.role, c.phone, c.email) if v)
                                                 for c in a.contacts),
             *[getattr(a.machine_room, f) if a.machine_room else None for f in ROOM_FIELDS]]
            for a in sites.values() if a])
    write_table(wb.create_sheet(t("archive.repairs")), [t("col.device"), t("col.site"), t("col.repairs")],
           [[r.host, r.site, _repair_text(x)] for r in rows for x in r.repairs])
    wb.save(path)


def _latest_results(store: Store) -> dict[str, InspectionResult]:
    """Each host's newest successful inspection (a device missed last quarter keeps its older one)."""
    latest: dict[str, InspectionResult] = {}
    for period in reversed(inspected_periods(store)):
        for host, r in load_results(store, period).items():
            if r.status == "ok" and host not in latest:
                latest[host] = r
    return latest


def _git_backup(store: Store, site: str, host: str, tz: tzinfo) -> str | None:
    if store.head() is None:
        return None
    entries = store.log([layout.config_path(site, host)], max_count=1)
    return show(entries[0].date, tz) if entries else None
