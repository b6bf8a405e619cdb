"""`netpatrol inspect`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from netpatrol.cli.common import (
    GroupOpt,
    HostOpt,
    JsonOpt,
    PlatformOpt,
    ProcessesOpt,
    SiteOpt,
    WaitOpt,
    WorkersOpt,
    WorkspaceOpt,
    open_workspace,
    out,
    print_json,
    red,
    report_deliveries,
    selected,
    table,
)
from netpatrol.errors import ExitCode
from netpatrol.inspection.results import PARSE_PROBLEMS

SEV_STYLE = {"critical": "bold red", "major": "red", "minor": "yellow", "info": "cyan"}


def inspect(
    workspace: WorkspaceOpt = None,
    host: HostOpt = None,
    site: SiteOpt = None,
    group: GroupOpt = None,
    platform: PlatformOpt = None,
    period: Annotated[str | None, typer.Option("--period", help="Inspection period, e.g. 2026Q4 (default: the current quarter).")] = None,
    backfill: Annotated[bool, typer.Option(
        "--backfill", help="Allow a --period before the current quarter (recording a missed inspection).")] = False,
    workers: WorkersOpt = None,
    processes: ProcessesOpt = None,
    wait: WaitOpt = 0.0,
    json_out: JsonOpt = False,
) -> None:
    """The quarterly inspection (巡检): health and security checks, stored per period in backups/ and compared with the last one."""
    from netpatrol.automation.notify import notify_inspection_run
    from netpatrol.collect.shard import parse_processes
    from netpatrol.inspection.service import run_inspection
    from netpatrol.store.periods import inspection_period

    period = inspection_period(period, backfill)
    ws, inv = open_workspace(workspace)
    hosts = selected(inv, host, site, group, platform)
    run = run_inspection(ws, hosts, period=period, workers=workers, lock_timeout=wait, processes=parse_processes(processes))
    report_deliveries(notify_inspection_run(ws, run))
    kept = {r.host: r for r in run.kept}
    if json_out:
        print_json({"summary": run.summary(), "commit": run.commit, "tag": run.tag,
                    "devices": [r.model_dump(mode="json", exclude={"parsed"}) for r in run.results],
                    "kept": [{"host": r.host, "status": r.status, "error": r.error} for r in run.kept]})
    else:
        rows = []
        for r in run.results:
            if r.host in kept:
                k = kept[r.host]
                rows.append([r.host, r.platform, red(k.status), "-", "-", "-", "-",
                             f"{k.error}; kept the result of {r.collected_at}"])
                continue
            sev = {s: sum(1 for f in r.findings if f.severity == s) for s in SEV_STYLE}
            items = r.items.values()
            rows.append([
                r.host, r.platform, r.status if r.status == "ok" else red(r.status),
                Text.from_markup(" ".join(f"[{SEV_STYLE[s]}]{n} {s}[/]" for s, n in sev.items() if n) or "-"),
                sum(1 for i in items if i.status == "parsed"), sum(1 for i in items if i.status == "unsupported"),
                sum(1 for i in items if i.status in PARSE_PROBLEMS), r.error or "",
            ])
        columns = ["host", "platform", "status", "findings", "parsed", "unsupported", "parse issues", "error"]
        out.print(table(f"Inspection {run.period}", columns, rows))
        s = run.summary()
        out.print(f"{s['devices']} devices; findings: " + ", ".join(f"{v} {k}" for k, v in s["findings"].items())
                  + f"; stored as {run.tag} ({(run.commit or 'no change')[:10]})")
    if run.failed:
        raise typer.Exit(ExitCode.DEVICES_FAILED)


def register(app: typer.Typer) -> None:
    app.command()(inspect)
