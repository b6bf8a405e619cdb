"""`netpatrol lab ...`: the bundled simulated network the sample workspace points at."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from netpatrol.cli.common import JsonOpt, WorkspaceOpt, open_workspace, out, print_json, selected, table
from netpatrol.errors import ExitCode

lab_app = typer.Typer(help="The bundled lab: simulated SSH devices on loopback.", no_args_is_help=True)


@lab_app.command("up")
def lab_up(
    workspace: WorkspaceOpt = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait until every device answers.")] = 120.0,
) -> None:
    """Start one simulated device per inventory host (reads lab.yaml for scenarios and faults)."""
    from netpatrol.lab import control
    from netpatrol.lab.labfile import build_specs, port_field

    ws, inv = open_workspace(workspace)
    specs = build_specs(inv)
    # The lab's state sits in .netpatrol/ by default, beside the host keys and device records:
    # made owner-only here, not left to mkdir under whatever umask the shell has.
    ws.ensure_state_dir()
    status = control.up(ws.lab_dir, specs, timeout=timeout, port_field=port_field(inv))
    out.print(f"Lab up: {len(specs)} devices ({_describe(status)}).")


@lab_app.command("down")
def lab_down(workspace: WorkspaceOpt = None) -> None:
    """Stop the lab."""
    from netpatrol.lab import control

    ws, _ = open_workspace(workspace, need_secrets=False)
    control.down(ws.lab_dir)
    out.print("Lab stopped.")


@lab_app.command("status")
def lab_status(workspace: WorkspaceOpt = None, json_out: JsonOpt = False) -> None:
    """Whether the lab runs, and each device's address, scenarios and faults."""
    from netpatrol.lab import control

    ws, _ = open_workspace(workspace, need_secrets=False)
    status = control.status(ws.lab_dir)
    doc = _status_doc(status)
    if json_out:
        print_json(doc)
        return
    out.print(f"Lab {'running' if doc.get('running') else 'not running'}.")
    rows = [[d.get("name"), d.get("platform"), f"{d.get('address')}:{d.get('port')}", ",".join(d.get("scenarios") or []),
             ",".join(d.get("faults") or [])] for d in doc.get("devices", [])]
    if rows:
        out.print(table("Lab devices", ["host", "platform", "address", "scenarios", "faults"], rows))
    if not doc.get("running"):
        raise typer.Exit(ExitCode.USAGE)


@lab_app.command("set-config")
def lab_set_config(
    host: Annotated[str, typer.Argument(help="Inventory host name.")],
    file: Annotated[Path, typer.Argument(help="File with the new running configuration.", exists=True, dir_okay=False)],
    workspace: WorkspaceOpt = None,
) -> None:
    """Replace a lab device's running configuration (to produce drift)."""
    from netpatrol.lab import control

    ws, inv = open_workspace(workspace, need_secrets=False)
    selected(inv, [host], None, None, None)
    control.set_config(ws.lab_dir, host, file.read_text(encoding="utf-8"))
    out.print(f"{host}: running configuration replaced.", markup=False)


@lab_app.command("scenario")
def lab_scenario(
    host: Annotated[str, typer.Argument(help="Inventory host name.")],
    scenarios: Annotated[list[str], typer.Argument(help="Health scenarios, e.g. cpu_high fan_failed (or 'healthy').")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Set a lab device's health scenarios (no restart needed)."""
    from netpatrol.errors import UsageError
    from netpatrol.lab import control
    from netpatrol.lab.state import SCENARIOS

    bad = [s for s in scenarios if s not in SCENARIOS]
    if bad:
        raise UsageError(f"unknown scenario(s) {', '.join(bad)}; known: {', '.join(SCENARIOS)}")
    ws, inv = open_workspace(workspace, need_secrets=False)
    selected(inv, [host], None, None, None)
    control.set_scenarios(ws.lab_dir, host, scenarios)
    out.print(f"{host}: scenarios {', '.join(scenarios)}.", markup=False)


@lab_app.command("fault")
def lab_fault(
    host: Annotated[str, typer.Argument(help="Inventory host name.")],
    faults: Annotated[list[str] | None, typer.Argument(help="Fault modes (none to clear).")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Set a lab device's fault modes: refuse_connection, reject_password, hang_after_login, drop_mid_output,
    truncate_config, error_all, slow, refuse_chained."""
    from netpatrol.lab import control

    ws, inv = open_workspace(workspace, need_secrets=False)
    selected(inv, [host], None, None, None)
    control.set_faults(ws.lab_dir, host, list(faults or []))
    out.print(f"{host}: faults {', '.join(faults or []) or 'cleared'}.", markup=False)


@lab_app.command("rotate-hostkey")
def lab_rotate_hostkey(
    host: Annotated[str, typer.Argument(help="Inventory host name.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Give a lab device a new SSH host key (to see netpatrol refuse it)."""
    from netpatrol.lab import control

    ws, inv = open_workspace(workspace, need_secrets=False)
    selected(inv, [host], None, None, None)
    control.rotate_hostkey(ws.lab_dir, host)
    out.print(f"{host}: new host key generated.", markup=False)


def _status_doc(status) -> dict:
    if hasattr(status, "to_dict"):
        return status.to_dict()
    if hasattr(status, "__dataclass_fields__"):
        from dataclasses import asdict

        return asdict(status)
    return dict(status or {})


def _describe(status) -> str:
    doc = _status_doc(status)
    parts = []
    for key in ("pid", "startup_seconds", "rss_mib"):
        if doc.get(key) is not None:
            parts.append(f"{key}={doc[key]}")
    return ", ".join(parts) or "ready"


def register(app: typer.Typer) -> None:
    app.add_typer(lab_app, name="lab")
