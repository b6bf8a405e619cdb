"""Command line: thin typer commands over service functions; one error boundary in main()."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from netpatrol import __version__
from netpatrol.cli.common import (
    GroupOpt,
    HostOpt,
    JsonOpt,
    PlatformOpt,
    SiteOpt,
    WorkspaceOpt,
    err,
    markup,
    open_workspace,
    out,
    print_json,
    red,
    selected,
    table,
    terminal,
)
from netpatrol.errors import NetpatrolError

class _ErrorBoundary(typer.core.TyperGroup):
    """The one place where netpatrol errors become a red line and an exit code."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except NetpatrolError as exc:
            # The message may quote a file, a host field or a device reply: never markup or escapes.
            err.print(f"[red]error:[/red] {markup(exc)}", highlight=False)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err.print("interrupted: nothing half-written was kept")
            raise typer.Exit(130) from None


app = typer.Typer(
    cls=_ErrorBoundary,
    help="netpatrol: back up network device configs into Git and run the quarterly inspection (巡检).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
inventory_app = typer.Typer(help="Validate and list the inventory.", no_args_is_help=True)
hostkeys_app = typer.Typer(help="SSH host keys (trust on first use, stored in .netpatrol/known_hosts).", no_args_is_help=True)
app.add_typer(inventory_app, name="inventory")
app.add_typer(hostkeys_app, name="hostkeys")


def _version(value: bool) -> None:
    if value:
        out.print(f"netpatrol {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    """netpatrol: back up network device configs into Git and run the quarterly inspection (巡检)."""


@app.command()
def init(directory: Annotated[Path, typer.Argument(help="Directory for the new workspace (created if missing).")]) -> None:
    """Create a new workspace with the standard layout and commented examples."""
    from netpatrol.workspace.skeleton import create_workspace

    created = create_workspace(directory)
    out.print(f"Created workspace {directory} ({len(created)} files). "
              f"Next: edit inventory/*.yaml, then 'netpatrol inventory check -w {directory}'.", markup=False)


@inventory_app.command("check")
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
        raise typer.Exit(2)


@inventory_app.command("list")
def inventory_list(
    workspace: WorkspaceOpt = None,
    host: HostOpt = None,
    site: SiteOpt = None,
    group: GroupOpt = None,
    platform: PlatformOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Hosts with site, platform, model, version and the last backup/inspection."""
    from netpatrol.workspace.records import load_device_records

    ws, inv = open_workspace(workspace, need_secrets=False)
    hosts = selected(inv, host, site, group, platform)
    records = load_device_records(ws)
    if json_out:
        print_json([{**h.public(), "status": records.get(h.name, {})} for h in hosts])
        return
    rows = []
    for h in hosts:
        rec = records.get(h.name, {})
        rows.append([
            h.name, h.site, h.platform, f"{h.hostname}:{h.port}", h.data.model, rec.get("os_version") or h.data.os_version,
            _short(rec.get("last_backup_success")), _backup_problem(rec), _short(rec.get("last_inspection")),
        ])
    cols = ["host", "site", "platform", "address", "model", "version", "last backup", "last attempt failed", "last inspection"]
    out.print(table(f"{len(hosts)} hosts", cols, rows))


def _backup_problem(rec: dict) -> str | None:
    if rec.get("last_backup_error") and rec.get("last_backup_attempt") != rec.get("last_backup_success"):
        return f"{_short(rec.get('last_backup_attempt'))}: {rec['last_backup_error']}"
    return None


def _short(ts: str | None) -> str | None:
    return ts[:16].replace("T", " ") if ts else None


@app.command()
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
        raise typer.Exit(1)


@hostkeys_app.command("list")
def hostkeys_list(workspace: WorkspaceOpt = None, json_out: JsonOpt = False) -> None:
    """Stored host keys with their SHA256 fingerprints."""
    from netpatrol.collect.hostkeys import HostKeyStore, entry_name, fingerprint

    ws, inv = open_workspace(workspace, need_secrets=False)
    store = HostKeyStore(ws.known_hosts)
    rows = []
    for h in inv.hosts.values():
        key = store.lookup(entry_name(h.hostname, h.port))
        rows.append([h.name, f"{h.hostname}:{h.port}", key.get_name() if key else None, fingerprint(key) if key else "(not yet seen)"])
    if json_out:
        print_json([dict(zip(["host", "address", "type", "fingerprint"], r, strict=True)) for r in rows])
    else:
        out.print(table("Known host keys", ["host", "address", "type", "fingerprint"], rows))


@hostkeys_app.command("accept")
def hostkeys_accept(
    hosts: Annotated[list[str], typer.Argument(help="Host names whose current key should be trusted.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Trust the key a device presents now (after a device replacement or re-key)."""
    from netpatrol.collect.hostkeys import HostKeyStore, entry_name, fetch_host_key, fingerprint

    ws, inv = open_workspace(workspace)
    targets = selected(inv, hosts, None, None, None)
    store = HostKeyStore(ws.known_hosts)
    for h in targets:
        name = entry_name(h.hostname, h.port)
        old = store.lookup(name)
        new = fetch_host_key(h.hostname, h.port)
        store.replace(name, new)
        was = fingerprint(old) if old else "none"
        out.print(f"{h.name}: now trusting {new.get_name()} {fingerprint(new)} (was {was})", markup=False)


@hostkeys_app.command("forget")
def hostkeys_forget(
    hosts: Annotated[list[str], typer.Argument(help="Host names to forget; their next key is trusted on first use.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Remove stored keys."""
    from netpatrol.collect.hostkeys import HostKeyStore, entry_name

    ws, inv = open_workspace(workspace, need_secrets=False)
    store = HostKeyStore(ws.known_hosts)
    for h in selected(inv, hosts, None, None, None):
        found = store.forget(entry_name(h.hostname, h.port))
        out.print(f"{h.name}: {'forgotten' if found else 'no stored key'}", markup=False)


def _register_subcommands() -> None:
    from netpatrol.cli import backup as cli_backup
    from netpatrol.cli import inspect as cli_inspect
    from netpatrol.cli import lab as cli_lab
    from netpatrol.cli import report as cli_report
    from netpatrol.cli import schedule as cli_schedule

    cli_backup.register(app)
    cli_inspect.register(app)
    cli_report.register(app)
    cli_schedule.register(app)
    app.add_typer(cli_lab.lab_app, name="lab")


_register_subcommands()


def main() -> None:
    app()
