"""Sheet rows -> devices: one Device per good row, one RowProblem per bad cell.

A row with any problem is imported nowhere (the contractor fixes the sheet and imports again);
the others go on. Duplicates within the sheet refuse the later row, naming the earlier one.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field

from netpatrol.inventory_import.model import Device, RowProblem, SourceRow, Table
from netpatrol.inventory_import.platform_guess import PlatformGuessError, guess_platform
from netpatrol.inventory_import.portable import portable_name
from netpatrol.inventory_import.site_keys import short_site_keys
from netpatrol.inventory_import.table import iso_date

# Text fields copied into the host's data as the sheet has them.
TEXT_DATA = ("model", "serial", "os_version", "location", "role", "maintainer", "notes")
DATE_DATA = ("purchase_date", "warranty_until")
_DNS_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
_SSH = re.compile(r"ssh-?(v?[12](\.0)?)?|stelnet")
_VERSION = re.compile(r"v?[12](\.0)?")
# A password written into a free-text cell: 密码/口令 then `:`, `=` or a space and a Latin
# character, or password/passwd/pwd/pass then `:` or `=`. "密码已修改" and "password changed" pass.
_PASSWORD_TEXT = re.compile(r"(密码|口令)\s*[:：=]\s*\S|(密码|口令)\s+[!-~]|\b(password|passwd|pwd|pass)\s*[:：=]\s*\S",
                            re.IGNORECASE)
# Cells whose text is copied into the inventory, where a password would be stored and printed.
FREE_TEXT = (*TEXT_DATA, "site", "name")


def _address(text: str) -> str:
    """The management address as netpatrol stores it; ValueError naming what is wrong."""
    text = unicodedata.normalize("NFKC", text).strip()
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        pass
    if "/" in text:  # an interface address with its prefix (10.1.1.1/24), as NetBox exports a primary IP
        try:
            return str(ipaddress.ip_interface(text).ip)
        except ValueError:
            pass
    labels = text.rstrip(".").split(".")
    if len(text) > 253 or not all(_DNS_LABEL.fullmatch(label) for label in labels):
        raise ValueError(f"{text[:60]!r} is not an IP address or DNS name")
    if all(label.isdigit() for label in labels):  # 10.1.1 or 10.1.1.300: a mistyped IPv4 address
        raise ValueError(f"{text!r} is not an IPv4 address (four numbers 0-255)")
    return text


def _port(text: str) -> int:
    # A number cell may come as "22.0" from a CSV that Excel saved.
    m = re.fullmatch(r"(\d{1,5})(?:\.0+)?", text.strip())
    if not m or not 1 <= int(m[1]) <= 65535:
        raise ValueError(f"port {text!r} is not a number 1-65535")
    return int(m[1])


def _telnet(text: str) -> bool:
    """True for Telnet. Telnet is opt-in per device because it sends the password in clear, so a
    cell naming both (SSH/Telnet) means SSH."""
    words = [w.lower() for w in re.split(r"[\s/,;、|+]+", unicodedata.normalize("NFKC", text).strip()) if w]
    kinds = {"ssh" if _SSH.fullmatch(w) else "telnet" if w == "telnet" else "version" if _VERSION.fullmatch(w) else "?"
             for w in words}
    if "?" in kinds or not kinds - {"version"}:
        raise ValueError(f"login method {text!r} is not SSH or Telnet")
    return "ssh" not in kinds


def _date(text: str) -> str:
    iso = iso_date(text)
    if iso is None:
        raise ValueError(f"{text!r} is not a date (2024-03-05, 2024/3/5, 2024.3.5 or 2024年3月5日)")
    return iso


def _unit_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


@dataclass
class _Seen:
    """What earlier rows claimed: names (casefolded), endpoints, site keys (casefolded)."""

    names: dict[str, tuple[int, str, str]] = field(default_factory=dict)  # folded name -> (row, sheet's name, name)
    endpoints: dict[tuple[str, int], int] = field(default_factory=dict)  # (address, port) -> row
    sites: dict[str, str] = field(default_factory=dict)  # folded group key -> unit as spelled


class _Row:
    """One row being read: its cells by field, and the problems found so far."""

    def __init__(self, table: Table, row: SourceRow) -> None:
        self.table, self.row = table, row
        self.problems: list[RowProblem] = []

    def get(self, name: str) -> str | None:
        return self.row.values.get(name) or None

    def problem(self, name: str | None, message: str) -> None:
        column = self.table.columns.get(name) if name else None
        self.problems.append(RowProblem(self.row.sheet, self.row.number, column.letter if column else None,
                                        column.header if column else None, message))


def to_devices(table: Table, sites: dict[str, str], groups: Collection[str] = ()) -> tuple[list[Device], list[RowProblem]]:
    """The table's rows as devices, and the problems of the rows left out. `sites`: a unit as
    groups.yaml spells it (data.site.name) -> that group's key, so a known unit reuses its group;
    `groups`: every group key groups.yaml has, which a new unit's short key must not take (`core`)."""
    known = {_unit_key(unit): key for unit, key in sites.items()}
    # A sheet may name a site by its group key (`jc-city`) as well as by the unit's name.
    for key in sites.values():
        known.setdefault(_unit_key(key), key)
    taken = {key.casefold(): unit for unit, key in sites.items()}
    # New units that share their organisation get short keys, decided once for the whole sheet.
    known.update(_short_keys(table, known, {**{g.casefold(): g for g in groups}, **taken}))
    seen = _Seen()
    devices: list[Device] = []
    problems: list[RowProblem] = []
    for source in table.rows:
        row = _Row(table, source)
        device = _device(row, known, taken, seen)
        if device is not None and not row.problems:
            devices.append(device)
        problems.extend(row.problems)
    return devices, problems


def _short_keys(table: Table, known: dict[str, str], taken: dict[str, str]) -> dict[str, str]:
    units: dict[str, dict[str, str]] = {}  # sheet -> folded unit -> the unit as first spelled
    for row in table.rows:
        unit = row.values.get("site")
        if unit and _unit_key(unit) not in known:
            units.setdefault(row.sheet, {}).setdefault(_unit_key(unit), unit)
    return {_unit_key(unit): key for spelled in units.values()
            for unit, key in short_site_keys(list(spelled.values()), taken).items()}


def _device(row: _Row, known: dict[str, str], taken: dict[str, str], seen: _Seen) -> Device | None:
    address = port = platform = site = None
    raw_address = row.get("address")
    if raw_address is None:
        row.problem("address", "no management address (管理IP)" if "address" in row.table.columns else
                    "no management address column (管理IP): --map COLUMN=address names it")
    else:
        try:
            address = _address(raw_address)
        except ValueError as exc:
            row.problem("address", str(exc))
    if (text := row.get("port")) is not None:
        try:
            port = _port(text)
        except ValueError as exc:
            row.problem("port", str(exc))
    telnet = False
    if (text := row.get("protocol")) is not None:
        try:
            telnet = _telnet(text)
        except ValueError as exc:
            row.problem("protocol", str(exc))
    elif port == 23:
        # SSH on Telnet's port is nearly always a Telnet device whose login method was left out;
        # guessing either way is wrong half the time, and Telnet is opt-in.
        row.problem("port", "port 23 is Telnet's: write Telnet in 登录方式 (it sends the password in clear) "
                            "or give the SSH port")
    try:
        platform = guess_platform(row.get("vendor"), row.get("model"), row.get("platform"))
    except PlatformGuessError as exc:
        row.problem(exc.field if exc.field in row.table.columns else None, str(exc))
    name, source_name = _name(row, address, seen)
    site_name = row.get("site")
    if site_name is not None:
        site = _site(row, site_name, known, taken, seen)
    elif "site" in row.table.columns:
        row.problem("site", "no unit (所属单位): every device belongs to a site group")
    else:
        row.problem(None, "no unit column (所属单位): every device belongs to a site group; "
                          "--site-column COLUMN (or --map COLUMN=site) names the column that holds it")
    data = _data(row)
    if address is not None:
        endpoint = (address.lower().rstrip("."), port or 22)
        earlier = seen.endpoints.setdefault(endpoint, row.row.number)
        if earlier != row.row.number:
            row.problem("address", f"address {address}:{endpoint[1]} is already row {earlier}'s (a stack member? a stack "
                                   "is one device at one management address: one row for it)")
    if name is None or address is None or platform is None or site is None or site_name is None:
        return None
    return Device(row=row.row, name=name, hostname=address, platform=platform, site=site, site_name=site_name,
                  source_name=source_name, port=port, telnet=telnet, username=row.get("username"), data=data)


def _name(row: _Row, address: str | None, seen: _Seen) -> tuple[str | None, str | None]:
    """The host name and, where it differs, the sheet's spelling; without a name cell the address
    (10.1.2.3 -> 10-1-2-3) names the host."""
    raw = row.get("name")
    if raw is None:
        if address is None:
            return None, None
        raw = re.sub(r"[.:]+", "-", address) if _is_ip(address) else address
    try:
        name = portable_name(raw)
    except ValueError as exc:
        row.problem("name", str(exc))
        return None, None
    earlier_row, earlier_raw, earlier_name = seen.names.setdefault(name.casefold(), (row.row.number, raw, name))
    if earlier_row != row.row.number:
        # Two sheet names that read alike in pinyin (or differ in letter case only: one file on
        # Windows and macOS) would be one host; a numbered suffix would be a name nobody typed.
        row.problem("name", f"device name {raw!r} is already row {earlier_row}'s" if earlier_raw == raw else
                    f"device name {raw!r} gives host name {name!r}, the same as {earlier_raw!r} of row {earlier_row} "
                    f"({earlier_name!r}{', apart from letter case' if earlier_name != name else ''}); rename one")
        return None, None
    return name, (raw if raw != name and row.get("name") is not None else None)


def _is_ip(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def _site(row: _Row, unit: str, known: dict[str, str], taken: dict[str, str], seen: _Seen) -> str | None:
    key = known.get(_unit_key(unit))
    if key is not None:
        return key
    try:
        key = portable_name(unit)
    except ValueError as exc:
        row.problem("site", str(exc))
        return None
    # Two units that read alike would share one group (and one configs/ folder) unnoticed.
    other = taken.get(key.casefold())
    if other is not None:
        row.problem("site", f"unit {unit!r} would be site group {key!r}, which is unit {other!r} in groups.yaml; "
                            "write the unit as groups.yaml spells it, or rename one")
        return None
    other = seen.sites.setdefault(key.casefold(), unit)
    if _unit_key(other) != _unit_key(unit):
        row.problem("site", f"unit {unit!r} would be site group {key!r}, as would unit {other!r} of an earlier row; "
                            "rename one")
        return None
    return key


def _data(row: _Row) -> dict[str, str]:
    data = {f: v for f in TEXT_DATA if (v := row.get(f)) is not None}
    for f in DATE_DATA:
        value = row.get(f)
        if value is not None:
            try:
                data[f] = _date(value)
            except ValueError as exc:
                row.problem(f, str(exc))
    username = row.get("username")
    if username is not None and any(not c.isprintable() for c in username):
        row.problem("username", "the user name holds a line break or control character")
    elif username is not None and re.search(r"[/:：\s]", username.strip()):
        # `admin/Huawei@123`, `admin Huawei@123`, `admin:pass`: the password would be stored and printed.
        row.problem("username", "holds more than a user name (a password?): netpatrol stores no passwords; "
                                "write only the user")
    for f in FREE_TEXT:
        value = row.get(f)
        if value is not None and _PASSWORD_TEXT.search(unicodedata.normalize("NFKC", value)):
            row.problem(f, f"the {f} cell reads like it holds a password: netpatrol stores no passwords; "
                           "take the password out of the sheet")
    return data
