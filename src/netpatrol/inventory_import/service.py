"""`inventory import`: read the sheet, map its rows to devices, plan them against the inventory
and (unless a dry run) write them, all under the workspace lock so no backup reads half of it."""

from __future__ import annotations

import contextlib
from pathlib import Path

from netpatrol.inventory_import.model import ImportInputError, Plan
from netpatrol.inventory_import.plan import existing_groups, existing_sites, make_plan
from netpatrol.inventory_import.write import import_lock, write_plan
from netpatrol.workspace.settings import Workspace


def import_inventory(ws: Workspace, path: Path, *, sheet: str | None = None, maps: dict[str, str] | None = None,
                     site_column: str | None = None, dry_run: bool = False) -> Plan:
    # Imported here: the reader and the mapping pull in openpyxl and pypinyin, which only this command needs.
    from netpatrol.inventory_import.devices import to_devices
    from netpatrol.inventory_import.table import read_table

    table = read_table(path, sheet, maps, site_column)
    inv_dir = ws.root / "inventory"
    if not inv_dir.is_dir():
        # The imported hosts need the login user and password reference that defaults.yaml gives.
        raise ImportInputError(f"{ws.root}: no inventory/ folder to import into; `netpatrol init {ws.root}` creates it "
                               "with defaults.yaml (login user, password: ${NETPATROL_PASSWORD}), or create it by hand")
    with contextlib.nullcontext() if dry_run else import_lock(ws):
        devices, problems = to_devices(table, existing_sites(inv_dir), existing_groups(inv_dir))
        plan = make_plan(inv_dir, devices, problems)
        plan.table = table
        if not dry_run:
            write_plan(ws, plan, f"{Path(path).name} ({table.sheet})")
    return plan
