"""The typed boundary of `inventory import`: a sheet read into rows (table.py), rows turned into
devices (devices.py), devices planned against the inventory files (plan.py) and written (write.py).

Every message about the sheet names sheet, row and column the way the spreadsheet shows them
(`台账 row 17, column E (厂商)`), so a contractor finds the cell without counting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from netpatrol.errors import WorkspaceError

# What a column can hold: field -> what it becomes. `--map COLUMN=FIELD` takes these names.
FIELDS: dict[str, str] = {
    "name": "device name (设备名称): the host name; one that cannot be a file name is transliterated, "
            "the sheet's spelling kept in data.custom.source_name",
    "address": "management address (管理IP): hostname",
    "vendor": "vendor (厂商): chooses the platform, with the model",
    "model": "model (型号): data.model, and chooses the platform where the vendor does not",
    "platform": "platform as typed (huawei, h3c, ios …): overrides vendor and model",
    "serial": "serial number (序列号): data.serial",
    "site": "client unit (所属单位): the site group (data.site.name keeps the sheet's spelling)",
    "location": "machine room or location (机房): data.location",
    "port": "SSH port; for a Telnet device its Telnet port (extras.telnet_port)",
    "protocol": "login method (登录方式): SSH, or Telnet (telnet_fallback)",
    "username": "login user name (never a password)",
    "os_version": "software version (软件版本): data.os_version",
    "purchase_date": "purchase date (采购日期): data.purchase_date",
    "warranty_until": "end of warranty (维保到期): data.warranty_until",
    "role": "role (用途): data.role",
    "maintainer": "maintainer (维护人): data.maintainer",
    "notes": "remarks (备注): data.notes",
    "ignore": "a column to leave out (also the way to pass over a password column)",
}
# A column recognised as holding passwords refuses the import (`--map COLUMN=ignore` passes it
# over); no field can receive one.
PASSWORD_FIELD = "password"


class ImportInputError(WorkspaceError):
    """The file or the options cannot be imported at all (exit 2): missing file, .xls, unknown
    sheet, no header row, a password column, a bad --map."""


@dataclass(frozen=True)
class Column:
    letter: str  # the spreadsheet's column letter ("E"); CSV fields are lettered the same way
    header: str  # the header as the sheet shows it; a two-row header joined with " / "


@dataclass
class SourceRow:
    sheet: str
    number: int  # the row number the spreadsheet shows (CSV: the 1-based line number)
    values: dict[str, str]  # field -> cell text, stripped; empty cells left out


@dataclass
class Table:
    file: str  # as given on the command line
    sheet: str  # the sheet's name; CSV: the file name
    header_rows: list[int]  # row numbers that make up the header (merged cells span several)
    columns: dict[str, Column]  # field -> the column it is read from
    unused: list[Column]  # header cells that are no field: shown, not imported
    rows: list[SourceRow]  # device rows in sheet order; blank rows left out
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row, why): rows that are no device (totals, notes)
    encoding: str | None = None  # CSV: the text encoding it was read in (utf-8-sig, gb18030); None for a workbook
    rows_read: int = 0  # sheet rows looked at, header included: bounded however far the sheet is formatted


@dataclass(frozen=True)
class RowProblem:
    sheet: str
    row: int
    column: str | None  # letter, or None when the whole row is meant
    header: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet} row {self.row}"
        if self.column:
            where += f", column {self.column}" + (f" ({self.header})" if self.header else "")
        return f"{where}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "header": self.header, "message": self.message}


@dataclass
class Device:
    row: SourceRow
    name: str  # portable host name (workspace.names rules)
    hostname: str  # the management address
    platform: str  # canonical platform name
    site: str  # the site group's key (portable)
    site_name: str  # the unit as the sheet spells it (the group's data.site.name)
    source_name: str | None = None  # the sheet's device name, where it differs from `name`
    port: int | None = None  # the sheet's port: the Telnet port of a Telnet device (see ssh_port)
    telnet: bool = False  # login method Telnet: connection_options.netmiko.extras.telnet_fallback
    username: str | None = None
    # HostData fields from the sheet: model, serial, os_version, location, role, maintainer, notes
    # (text), purchase_date / warranty_until (ISO dates).
    data: dict[str, Any] = field(default_factory=dict)

    # netpatrol tries SSH on `port` first and falls back to Telnet on extras.telnet_port (default
    # 23): the port a Telnet row gives is the second, else SSH would be tried on the Telnet port.
    @property
    def ssh_port(self) -> int | None:
        return None if self.telnet else self.port

    @property
    def telnet_port(self) -> int | None:
        return self.port if self.telnet else None


@dataclass
class HostChange:
    name: str  # the host's name in hosts.yaml
    device: Device
    fields: dict[str, tuple[Any, Any]]  # dotted field (hostname, data.model, site …) -> (old, new)
    matched_by: str = "name"  # or "address": the host was renamed by hand, its name is kept


@dataclass
class Plan:
    added: list[Device] = field(default_factory=list)
    changed: list[HostChange] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # hosts the sheet names with nothing new
    sites_added: list[str] = field(default_factory=list)  # group keys of new site groups
    refused: list[RowProblem] = field(default_factory=list)  # rows imported nowhere
    # Existing host name -> the sheet's device name, for hosts found by address (renamed by hand).
    matched_by_address: dict[str, str] = field(default_factory=dict)
    table: Table | None = None  # what was read (sheet, header rows, columns), for the summary

    def to_json(self) -> dict[str, Any]:
        return {
            "added": [{"name": d.name, "hostname": d.hostname, "platform": d.platform, "site": d.site,
                       "sheet": d.row.sheet, "row": d.row.number} for d in self.added],
            "changed": [{"name": c.name, "sheet": c.device.row.sheet, "row": c.device.row.number,
                         "fields": {k: {"old": o, "new": n} for k, (o, n) in c.fields.items()}} for c in self.changed],
            "unchanged": list(self.unchanged),
            "sites_added": list(self.sites_added),
            "refused": [p.to_json() for p in self.refused],
            "matched_by_address": [{"host": h, "sheet_name": n} for h, n in self.matched_by_address.items()],
        }
