"""`netpatrol inspect`."""

from __future__ import annotations

from collections.abc import Callable
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
    err,
    markup,
    open_workspace,
    out,
    print_json,
    red,
    report_deliveries,
    selected,
    table,
)
from netpatrol.errors import ExitCode
from netpatrol.inspection.problems import count as count_problems
from netpatrol.inspection.results import PARSE_PROBLEMS


def problem_counts(counts: dict[str, int], level: Callable[[str], str]) -> str:
    """"重大一级 1, 一般故障 5": problems per contract level, strongest first (severities the
    contract maps to one level are added up); "0" when there are none."""
    by_level: dict[str, int] = {}
    for severity, n in counts.items():
        if n:
            by_level[level(severity)] = by_level.get(level(severity), 0) + n
    return ", ".join(f"{name} {n}" for name, n in by_level.items()) or "0"


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

    def level(severity: str) -> str:
        return ws.settings.contract.name(severity, ws.settings.language)
    if run.compliance.warning:
        err.print(f"[yellow]warning:[/yellow] {markup(run.compliance.warning)}", highlight=False)
    if json_out:
        print_json({"summary": run.summary(), "commit": run.commit, "tag": run.tag,
                    "compliance": run.compliance.summary, "compliance_warning": run.compliance.warning,
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
            sev = count_problems(r.findings)
            items = r.items.values()
            rows.append([
                r.host, r.platform, r.status if r.status == "ok" else red(r.status),
                Text(" ".join(f"{n} {level(s)}" for s, n in sev.items() if n) or "-"),
                sum(1 for i in items if i.status == "parsed"), sum(1 for i in items if i.status == "unsupported"),
                sum(1 for i in items if i.status in PARSE_PROBLEMS), r.error or "",
            ])
        columns = ["host", "platform", "status", "problems", "parsed", "unsupported", "parse issues", "error"]
        out.print(table(f"Inspection {run.period}", columns, rows))
        out.print(f"{run.summary()['devices']} devices; problems: " + problem_counts(run.summary()["problems"], level)
                  + f"; stored as {run.tag} ({(run.commit or 'no change')[:10]})")
        c = run.compliance.summary
        if c:
            out.print(f"baseline compliance: {c['status']['fail']} failing rules on {c['devices_failing']} of "
                      f"{c['devices']} devices ({c['status']['pass']} pass, {c['status']['unknown']} unknown)")
        elif run.compliance.warning:
            out.print("baseline compliance: not evaluated (pack error, see the warning); no compliance records for this period")
    if run.failed:
        raise typer.Exit(ExitCode.DEVICES_FAILED)


def register(app: typer.Typer) -> None:
    app.command()(inspect)
