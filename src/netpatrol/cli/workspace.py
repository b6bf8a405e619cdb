"""Workspace commands: `netpatrol init`, `inventory check|list` and `facts`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from netpatrol.cli.common import (
    GroupOpt,
    HostOpt,
    JsonOpt,
    PlatformOpt,
    SiteOpt,
    WorkspaceOpt,
    err,
    open_workspace,
    out,
    print_json,
    red,
    selected,
    table,
    terminal,
)
from netpatrol.errors import ExitCode

inventory_app = typer.Typer(help="Validate and list the inventory.", no_args_is_help=True)


def init(
    directory: Annotated[Path, typer.Argument(help="Directory for the new workspace (created if missing).")],
    lang: Annotated[str, typer.Option(
        "--lang", help="Workspace language, zh-CN or en (zh-CN also sets timezone: Asia/Shanghai).")] = "zh-CN",
) -> None:
    """Create a new workspace with the standard layout and commented examples."""
    from netpatrol.workspace.skeleton import create_workspace

    created = create_workspace(directory, lang)
    out.print(f"Created workspace {directory} ({len(created)} files). "
              f"Next: edit inventory/*.yaml, then 'netpatrol inventory check -w {directory}'.", markup=False)


def inventory_check(workspace: WorkspaceOpt = None, json_out: JsonOpt = False) -> None:
    """Validate inventory files (and the workspace settings); exit 2 when anything is invalid."""
    from netpatrol.workspace.validate import validate_workspace

    problems, count = validate_workspace(workspace)
    if json_out:
        print_json({"valid": not problems, "hosts": count, "problems": [str(p) for p in problems]})
    elif problems:
        err.print(f"[red]{len(problems)} problem(s) found:[/red]")
        for p in problems:
            err.print(f"  - {terminal(p)}", markup=False, highlight=False)
    else:
        out.print(f"[green]Inventory valid:[/green] {count} hosts.")
    if problems:
        raise typer.Exit(ExitCode.USAGE)


def inventory_list(
    workspace: WorkspaceOpt = None,
    host: HostOpt = None,
    site: SiteOpt = None,
    group: GroupOpt = None,
    platform: PlatformOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Hosts with site, zone (once zones are used), platform, model, version, the last backup/inspection
    and the baseline compliance of the newest period record (failing rules / rules evaluated)."""
    from netpatrol.compliance.records import latest_counts
    from netpatrol.store.repo import Store
    from netpatrol.workspace.distributed import LOCAL_ZONE
    from netpatrol.workspace.records import load_device_records

    ws, inv = open_workspace(workspace, need_secrets=False)
    hosts = selected(inv, host, site, group, platform)
    records = load_device_records(ws)
    compliance = latest_counts(Store(ws.backups), hosts)
    tz = ws.settings.tz
    if json_out:
        print_json([{**h.public(), "status": records.get(h.name, {}), "compliance": compliance.get(h.name)} for h in hosts])
        return
    # The zone column only once zones are in play: a one-machine workspace lists as it always did.
    zoned = bool(ws.settings.zones) or any(h.zone != LOCAL_ZONE for h in hosts)
    rows = []
    for h in hosts:
        rec = records.get(h.name, {})
        rows.append([
            h.name, h.site, *([h.zone] if zoned else []), h.platform, f"{h.hostname}:{h.port}", h.data.model,
            rec.get("os_version") or h.data.os_version, _short(rec.get("last_backup_success"), tz), _backup_problem(rec, tz),
            _short(rec.get("last_inspection"), tz), _compliance(compliance.get(h.name)),
        ])
    cols = ["host", "site", *(["zone"] if zoned else []), "platform", "address", "model", "version", "last backup",
            "last attempt failed", "last inspection", "baseline"]
    out.print(table(f"{len(hosts)} hosts", cols, rows))


def _compliance(counts: dict | None) -> str | None:
    """`3 fail / 21 (2026Q4)`: failing rules of all rules evaluated in the newest period record."""
    if counts is None:
        return None
    total = sum(v for k, v in counts.items() if k != "period")
    return f"{counts['fail']} fail / {total} ({counts['period']})"


def _backup_problem(rec: dict, tz) -> str | None:
    if rec.get("last_backup_error") and rec.get("last_backup_attempt") != rec.get("last_backup_success"):
        return f"{_short(rec.get('last_backup_attempt'), tz)}: {rec['last_backup_error']}"
    return None


def _short(ts: str | None, tz) -> str | None:
    from netpatrol.localtime import show

    return show(ts, tz) if ts else None


def facts(
    workspace: WorkspaceOpt = None,
    host: HostOpt = None,
    site: SiteOpt = None,
    group: GroupOpt = None,
    platform: PlatformOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Log in to each selected device and read its software version, parsed as the inspection does (a connectivity check)."""
    from netpatrol.inspection.facts import read_facts

    ws, inv = open_workspace(workspace)
    found = read_facts(ws, selected(inv, host, site, group, platform))
    if json_out:
        print_json([f.to_dict() for f in found])
    else:
        rows = [[f.host, f.platform, f.status if f.ok else red(f.status), f.model,
                 f.version or (f.error if not f.ok else f"(not parsed: {f.parse_status})")] for f in found]
        out.print(table("Device versions", ["host", "platform", "status", "model", "version / error"], rows))
    if any(not f.ok for f in found):
        raise typer.Exit(ExitCode.DEVICES_FAILED)


def register(app: typer.Typer) -> None:
    app.command()(init)
    inventory_app.command("check")(inventory_check)
    inventory_app.command("list")(inventory_list)
    app.add_typer(inventory_app, name="inventory")
    app.command()(facts)
