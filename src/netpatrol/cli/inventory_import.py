"""`inventory import FILE`: a device sheet merged into the inventory files (exit 1: rows refused)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from netpatrol.cli.common import JsonOpt, WorkspaceOpt, err, out, print_json, table, terminal
from netpatrol.errors import ExitCode

MapOpt = Annotated[list[str] | None, typer.Option(
    "--map", metavar="COLUMN=FIELD",
    help="Read a column (its header text or letter) as FIELD (repeatable); FIELD=ignore passes over it.")]


def parse_maps(values: list[str] | None) -> dict[str, str]:
    from netpatrol.inventory_import.model import FIELDS, ImportInputError

    maps: dict[str, str] = {}
    for value in values or []:
        column, sep, field = value.rpartition("=")
        column, field = column.strip(), field.strip()
        if not sep or not column or not field:
            raise ImportInputError(f"--map {value!r}: expected COLUMN=FIELD, e.g. --map '资产编号=serial'")
        if field not in FIELDS:
            raise ImportInputError(f"--map {value!r}: unknown field '{field}' (fields: {', '.join(FIELDS)})")
        maps[column] = field
    return maps


def inventory_import(
    file: Annotated[Path, typer.Argument(help="The device sheet: .xlsx or .csv (UTF-8 or GBK).")],
    workspace: WorkspaceOpt = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="The sheet to read (default: the one with a device header).")] = None,
    maps: MapOpt = None,
    site_column: Annotated[str | None, typer.Option(
        "--site-column", help="The column (header text or letter) naming each device's client unit (site).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be added and changed; write nothing.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Import a device sheet (Excel or CSV) into the inventory files, keeping comments and hand edits.

    New hosts and sites are added; an existing host (by name, then by address) gets only the
    fields the sheet gives. Exit 1 when rows were refused (the rest imported)."""
    from netpatrol.inventory_import.service import import_inventory
    from netpatrol.workspace.settings import Workspace

    parsed = parse_maps(maps)
    ws = Workspace.locate(workspace)
    plan = import_inventory(ws, file, sheet=sheet, maps=parsed, site_column=site_column, dry_run=dry_run)
    written = not dry_run and bool(plan.added or plan.changed or plan.sites_added)
    if json_out:
        t = plan.table
        print_json({**plan.to_json(), "file": str(file), "sheet": t.sheet if t else None,
                    "header_rows": t.header_rows if t else [], "dry_run": dry_run, "written": written})
    else:
        _show(plan, file, dry_run, written)
    if plan.refused:
        raise typer.Exit(ExitCode.DEVICES_FAILED)


def _show(plan, file: Path, dry_run: bool, written: bool) -> None:
    t = plan.table
    if t is not None:
        header = ", ".join(str(r) for r in t.header_rows)
        out.print(f"{terminal(file.name)}: sheet {terminal(t.sheet)}, header row(s) {header}", markup=False, highlight=False)
        used = ", ".join(f"{c.letter} {terminal(c.header)} -> {f}" for f, c in t.columns.items())
        out.print(f"  columns read: {used or 'none'}", markup=False, highlight=False)
        if t.unused:
            left = ", ".join(f"{c.letter} {terminal(c.header)}" for c in t.unused)
            out.print(f"  columns left unused: {left} (--map COLUMN=FIELD to read one)", markup=False, highlight=False)
    if plan.added:
        out.print(table("added", ["host", "address", "platform", "site", "row"],
                        [[d.name, _endpoint(d), d.platform, d.site, d.row.number]
                         for d in plan.added]))
    if plan.changed:
        rows = []
        for c in plan.changed:
            host = c.name + (f" (sheet: {c.device.name})" if c.matched_by == "address" else "")
            for key, (old, new) in c.fields.items():
                rows.append([host, key, f"{_shown(old)} → {_shown(new)}", c.device.row.number])
        out.print(table("changed", ["host", "field", "old → new", "row"], rows))
    renamed = {h: n for h, n in plan.matched_by_address.items() if h in plan.unchanged}
    for host, name in renamed.items():
        out.print(f"  {terminal(name)} is host {terminal(host)} (same address; its name is kept)", markup=False, highlight=False)
    if plan.sites_added:
        units = {d.site: d.site_name for d in [*plan.added, *(c.device for c in plan.changed)]}
        sites = [k if units.get(k, k) == k else f"{k} ({units[k]})" for k in plan.sites_added]
        out.print(f"  sites added: {_few(sites)}", markup=False, highlight=False)
    if plan.unchanged:
        out.print(f"  left as they are: {_few(plan.unchanged)}", markup=False, highlight=False)
    if plan.refused:
        err.print(f"{len(plan.refused)} row(s) refused, imported nowhere:", markup=False)
        for p in plan.refused:
            err.print(f"  - {terminal(p)}", markup=False, highlight=False)
    out.print(f"added {len(plan.added)}, changed {len(plan.changed)}, unchanged {len(plan.unchanged)}, "
              f"sites added {len(plan.sites_added)}, refused {len(plan.refused)}", markup=False, highlight=False)
    if dry_run:
        out.print("dry run: nothing written", markup=False)
    elif written:
        out.print("Written inventory/hosts.yaml" + (" and groups.yaml" if plan.sites_added else "")
                  + " (previous files in .netpatrol/import-backup/). Next: netpatrol inventory check",
                  markup=False, highlight=False)
    else:
        out.print("nothing to write: the inventory already holds the sheet", markup=False)


def _endpoint(d) -> str:  # a Device (model imported only when the command runs)
    if d.telnet:
        return f"{d.hostname} (Telnet{f' :{d.telnet_port}' if d.telnet_port else ''})"
    return d.hostname + (f":{d.ssh_port}" if d.ssh_port else "")


def _few(names: list[str], shown: int = 10) -> str:
    """The first names, then how many more: a re-import of 3,000 devices is one line, not a page."""
    text = ", ".join(terminal(n) for n in names[:shown])
    return text + (f" and {len(names) - shown} more" if len(names) > shown else "")


def _shown(value) -> str:
    return "(none)" if value is None else str(value)


def register(app: typer.Typer) -> None:
    from netpatrol.cli.workspace import inventory_app

    inventory_app.command("import")(inventory_import)
