"""The inventory's zones against netpatrol.yaml: every `data.zone` declared under `zones:`, and a
`distributed:` broker whenever a device is in a zone other than `local`.

A zone nobody declared is most often a typo (`county-a` vs `county_a`): its devices would wait for a
worker that never comes and end as `no_collector`. Checked before any run sends a message, and by
`inventory check` with the rest of the workspace.
"""

from __future__ import annotations

from collections.abc import Iterable

from netpatrol.errors import InventoryError, InventoryIssue
from netpatrol.workspace.distributed import LOCAL_ZONE
from netpatrol.workspace.inventory import Inventory, ResolvedHost
from netpatrol.workspace.settings import Settings

FIELD = "data.zone"


def zone_problems(settings: Settings, inventory: Inventory, inventory_dir: str = "inventory") -> list[InventoryIssue]:
    """Every undeclared zone where it is written (host, group, defaults), and a missing `distributed:`
    when any host resolves to a non-local zone; each names its file, host/group and field."""
    rel_h, rel_g, rel_d = (f"{inventory_dir}/{f}.yaml" for f in ("hosts", "groups", "defaults"))
    places: list[tuple[str, str, str | None]] = [(rel_h, f"host {h.name}", h.data.zone) for h in inventory.hosts.values()]
    places += [(rel_g, f"group {n}", g.data.zone) for n, g in inventory.groups.items()]
    places.append((rel_d, "defaults", inventory.defaults.data.zone))
    return _issues(settings, places, list(inventory.hosts.values()), rel_h)


def check_zones(settings: Settings, hosts: Iterable[ResolvedHost], inventory_dir: str = "inventory") -> None:
    """InventoryError before a run when the chosen hosts use a zone netpatrol.yaml does not declare,
    or a non-local zone without `distributed:`."""
    chosen = list(hosts)
    rel_h = f"{inventory_dir}/hosts.yaml"
    issues = _issues(settings, [(rel_h, f"host {h.name}", h.zone) for h in chosen], chosen, rel_h)
    if issues:
        raise InventoryError(issues, hosts_read=len(chosen))


def _issues(settings: Settings, places: list[tuple[str, str, str | None]], hosts: list[ResolvedHost],
            rel_h: str) -> list[InventoryIssue]:
    """An issue per (file, where, zone) place whose zone is undeclared, and one when any of `hosts` is
    in a non-local zone while netpatrol.yaml has no `distributed:`."""
    issues = [InventoryIssue(rel, where, FIELD, _undeclared(zone, settings))
              for rel, where, zone in places if zone is not None and zone != LOCAL_ZONE and zone not in settings.zones]
    remote = [h for h in hosts if h.zone != LOCAL_ZONE]
    if remote and settings.distributed is None:
        issues.append(_no_broker(remote, rel_h))
    return issues


def _undeclared(zone: str, settings: Settings) -> str:
    declared = ", ".join(sorted(settings.zones)) or "none"
    return (f"zone '{zone}' is not declared in netpatrol.yaml 'zones:' (declared: {declared}; "
            f"'{LOCAL_ZONE}' is this machine); add  zones: {{{zone}: {{description: ...}}}}")


def _no_broker(remote: list[ResolvedHost], rel_h: str) -> InventoryIssue:
    zones = sorted({h.zone for h in remote})
    first = remote[0]
    return InventoryIssue(rel_h, f"host {first.name}", FIELD,
                          f"{len(remote)} host(s) are in zone(s) {', '.join(zones)} but netpatrol.yaml has no "
                          "'distributed:' section: a zone's devices are collected by its workers through a broker "
                          "(distributed: {broker: 'redis://:${NETPATROL_BROKER_PASSWORD}@HOST:6379/0'})")
