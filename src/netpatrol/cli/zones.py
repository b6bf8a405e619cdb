"""`worker --zone NAME` and `workers`: a zone's collector, and the live workers per zone."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.text import Text

from netpatrol.cli.common import JsonOpt, WorkspaceOpt, out, print_json, table
from netpatrol.workspace.settings import Workspace


def worker(
    zone: Annotated[str, typer.Option("--zone", help="The zone this worker collects (declared in netpatrol.yaml zones:).")],
    workspace: WorkspaceOpt = None,
    concurrency: Annotated[int | None, typer.Option(
        "--concurrency", min=1, max=256, help="Batches at once, each in a process of its own (default: the CPU count).")] = None,
) -> None:
    """Run a collector for one network zone: a Celery worker consuming only that zone's queue (foreground, until stopped)."""
    from netpatrol.zones.worker import run_worker

    ws = Workspace.locate(workspace)
    raise typer.Exit(run_worker(ws, zone, concurrency))


def workers(
    workspace: WorkspaceOpt = None,
    json_out: JsonOpt = False,
    timeout: Annotated[float, typer.Option("--timeout", min=0.1, max=60, help="Seconds to wait for the workers' answers.")] = 1.0,
) -> None:
    """The live workers of each zone (they answer Celery's inspect within --timeout)."""
    from netpatrol.zones.app import check_broker, distributed_settings, make_app, shown_broker
    from netpatrol.zones.live import live_workers

    ws = Workspace.locate(workspace)
    dist = distributed_settings(ws)
    app = make_app(ws)
    check_broker(app, dist)
    live = live_workers(app, dist, timeout=timeout)
    declared = ws.settings.zones
    zones: list[dict[str, Any]] = [
        {"zone": name, "declared": name in declared,
         "description": declared[name].description if name in declared else None,
         "workers": [{"name": w.name, "active": w.active} for w in live.get(name, [])]}
        for name in sorted(set(declared) | set(live))
    ]
    if json_out:
        print_json({"broker": shown_broker(dist), "zones": zones})
        return
    rows: list[list[Any]] = []
    for z in zones:
        name = z["zone"] if z["declared"] else f"{z['zone']} (not declared)"
        if not z["workers"]:
            rows.append([name, Text("no live worker", style="red"), ""])
        for w in z["workers"]:
            rows.append([name, w["name"], "?" if w["active"] is None else w["active"]])
    out.print(table(f"Zone workers on {shown_broker(dist)}", ["zone", "worker", "active tasks"], rows))


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
    app.command("workers")(workers)
