"""Devices from a sheet planned against the inventory files: added, changed (only the fields the
sheet gives), unchanged, and the site groups to create.

A device is the existing host of the same name (letter case aside), else the host at the same
address (and port): someone renamed it by hand, so its name is kept. Values a host inherits from
its groups or defaults count, so a sheet never pins on a host what a group already gives it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from netpatrol import safe_yaml
from netpatrol.inventory_import.model import Device, HostChange, Plan, RowProblem
from netpatrol.platforms import canonical_platform
from netpatrol.workspace.inventory import Inventory, ResolvedHost, load_inventory
from netpatrol.workspace.names import same_address

# The HostData fields a sheet can give (Device.data keys).
DATA_FIELDS = ("model", "serial", "os_version", "location", "role", "maintainer", "notes", "purchase_date", "warranty_until")


def read_raw(path: Path) -> Any:
    """A file's data as the one reader of user YAML gives it (errors name file and line); None when
    missing or empty. Only write.py needs ruamel.yaml's round-trip view, to keep comments."""
    try:
        return safe_yaml.load_file(path, f"{path.parent.name}/{path.name}")
    except FileNotFoundError:
        return None


def round_trip() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line the user wrote
    return yaml


def existing_sites(inventory_dir: Path) -> dict[str, str]:
    """Unit name as groups.yaml spells it (`data.site.name`) -> the group's key."""
    return _sites_of(read_raw(inventory_dir / "groups.yaml"))


def existing_groups(inventory_dir: Path) -> set[str]:
    """Every group key groups.yaml has, sites or not."""
    return _keys_of(read_raw(inventory_dir / "groups.yaml"))


def _keys_of(groups: Any) -> set[str]:
    return {str(k) for k in groups} if isinstance(groups, dict) else set()


def _sites_of(groups: Any) -> dict[str, str]:
    sites: dict[str, str] = {}
    if not isinstance(groups, dict):
        return sites
    for key, body in groups.items():
        site = ((body or {}).get("data") or {}).get("site") if isinstance(body, dict) else None
        if isinstance(site, dict) and isinstance(site.get("name"), str):
            sites.setdefault(site["name"], str(key))
    return sites


def current_inventory(inventory_dir: Path) -> Inventory | None:
    """The inventory as it is; None when there is none yet. A broken one refuses the import: merging
    into it would bury its problems under the imported hosts."""
    if not (inventory_dir / "hosts.yaml").exists():
        return None
    return load_inventory(inventory_dir.parent, inventory_dir.name, need_secrets=False)


def make_plan(inventory_dir: Path, devices: list[Device], problems: list[RowProblem]) -> Plan:
    inv = current_inventory(inventory_dir)
    hosts = inv.hosts if inv else {}
    groups = read_raw(inventory_dir / "groups.yaml")
    group_keys = _keys_of(groups)
    site_keys = set(_sites_of(groups).values())
    folded = {k.casefold(): k for k in group_keys}
    plan = Plan(refused=list(problems))
    by_name = {name.casefold(): h for name, h in hosts.items()}
    by_address: dict[str, list[ResolvedHost]] = {}
    for h in hosts.values():
        by_address.setdefault(same_address(h.hostname), []).append(h)
    claimed: dict[str, Device] = {}  # existing host -> the device that matched it
    added: dict[str, Device] = {}  # casefolded name -> the device added under it
    for dev in devices:
        clash = folded.get(dev.site.casefold())
        if clash is not None and (clash != dev.site or clash not in site_keys):
            plan.refused.append(RowProblem(dev.row.sheet, dev.row.number, None, None, (
                f"unit {dev.site_name!r} would be site group '{dev.site}', but groups.yaml has a group '{clash}' "
                "that is no site (no data.site)" if clash == dev.site else
                f"unit {dev.site_name!r} would be site group '{dev.site}', which differs from group '{clash}' only in "
                "letter case; give the unit its spelling in that group's data.site.name")))
            continue
        host = by_name.get(dev.name.casefold())
        matched_by = "name"
        if host is None:
            host = next((h for h in by_address.get(same_address(dev.hostname), [])
                         if dev.ssh_port is None or dev.ssh_port == h.port), None)
            matched_by = "address"
        if host is not None and host.name in claimed:
            first = claimed[host.name]
            plan.refused.append(RowProblem(dev.row.sheet, dev.row.number, None, None,
                                           f"{dev.name} ({dev.hostname}) is host {host.name}, which row {first.row.number} "
                                           "already imports; one row per device"))
            continue
        if host is None:
            twin = added.setdefault(dev.name.casefold(), dev)
            if twin is not dev:  # one file on Windows and macOS: the inventory refuses case twins
                plan.refused.append(RowProblem(dev.row.sheet, dev.row.number, None, None,
                                               f"{dev.name}: same host name as row {twin.row.number} ({twin.name}) apart from letter case"))
                continue
            plan.added.append(dev)
            if dev.site not in group_keys and dev.site not in plan.sites_added:
                plan.sites_added.append(dev.site)
            continue
        taken = _address_taken(by_address, host, dev)
        if taken:
            plan.refused.append(RowProblem(dev.row.sheet, dev.row.number, None, None,
                                           f"{dev.name}: new address {dev.hostname} is already host {taken}'s"))
            continue
        claimed[host.name] = dev
        if matched_by == "address":
            plan.matched_by_address[host.name] = dev.name
        fields = changed_fields(host, dev)
        if fields:
            plan.changed.append(HostChange(host.name, dev, fields, matched_by))
        else:
            plan.unchanged.append(host.name)
        if dev.site not in group_keys and dev.site not in plan.sites_added and "site" in fields:
            plan.sites_added.append(dev.site)
    return plan


def _address_taken(by_address: dict[str, list[ResolvedHost]], host: ResolvedHost, dev: Device) -> str | None:
    """Another host already at the address (and port) the sheet moves `host` to."""
    port = dev.ssh_port or host.port
    return next((h.name for h in by_address.get(same_address(dev.hostname), []) if h.name != host.name and h.port == port), None)


DEFAULT_TELNET_PORT = 23  # what collect/task.py dials when extras.telnet_port is not set


def telnet_port(host: ResolvedHost) -> int:
    """The port the Telnet fallback dials."""
    return int(host.extras.get("telnet_port") or DEFAULT_TELNET_PORT)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def changed_fields(host: ResolvedHost, dev: Device) -> dict[str, tuple[Any, Any]]:
    """Dotted field -> (old, new), for the fields the sheet gives that differ from the resolved host."""
    fields: dict[str, tuple[Any, Any]] = {}
    if same_address(host.hostname) != same_address(dev.hostname):
        fields["hostname"] = (host.hostname, dev.hostname)
    if dev.ssh_port is not None and dev.ssh_port != host.port:
        fields["port"] = (host.port, dev.ssh_port)
    if dev.platform != (canonical_platform(host.platform) or host.platform):
        fields["platform"] = (host.platform, dev.platform)
    if dev.username and dev.username != host.username:
        fields["username"] = (host.username, dev.username)
    for key in DATA_FIELDS:
        if key in dev.data:
            old, new = _plain(getattr(host.data, key)), _plain(dev.data[key])
            if old is None or str(old) != str(new):
                fields[f"data.{key}"] = (old, new)
    if dev.source_name and host.data.custom.get("source_name") != dev.source_name:
        fields["data.custom.source_name"] = (host.data.custom.get("source_name"), dev.source_name)
    if "protocol" in dev.row.values and bool(host.extras.get("telnet_fallback")) != dev.telnet:
        fields["telnet_fallback"] = (bool(host.extras.get("telnet_fallback")), dev.telnet)
    if dev.telnet_port is not None and dev.telnet_port != telnet_port(host):
        fields["telnet_port"] = (telnet_port(host), dev.telnet_port)
    if "site" in dev.row.values and dev.site != host.site:  # a sheet without units moves no host
        fields["site"] = (host.site, dev.site)
    return fields
