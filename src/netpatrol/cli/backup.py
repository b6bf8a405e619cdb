"""`netpatrol backup`, `drift` and `history`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.syntax import Syntax
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
    report_deliveries,
    selected,
    table,
    terminal,
)
from netpatrol.errors import ExitCode

STATUS_STYLE = {"saved": "green", "unchanged": "dim", "failed": "red"}


def backup(
    workspace: WorkspaceOpt = None,
    host: HostOpt = None,
    site: SiteOpt = None,
    group: GroupOpt = None,
    platform: PlatformOpt = None,
    reason: Annotated[str | None, typer.Option(
        "--reason", help="Pre-change backup: 'CHG-1234 replace uplink'; tagged pre-change/CHG-1234/<UTC time>.")] = None,
    workers: WorkersOpt = None,
    processes: ProcessesOpt = None,
    wait: WaitOpt = 0.0,
    json_out: JsonOpt = False,
) -> None:
    """Back up the selected devices' configs into backups/ (Git): secrets removed, incomplete configs refused."""
    from netpatrol.automation.notify import notify_backup_run
    from netpatrol.backup.service import run_backup
    from netpatrol.collect.shard import parse_processes
    from netpatrol.store.refs import check_reason

    if reason is not None:
        reason = check_reason(reason)
    ws, inv = open_workspace(workspace)
    hosts = selected(inv, host, site, group, platform)
    run = run_backup(ws, hosts, reason=reason, workers=workers, lock_timeout=wait, processes=parse_processes(processes))
    report_deliveries(notify_backup_run(ws, run, reason))
    if run.compliance_warning:
        err.print(f"[yellow]warning:[/yellow] {markup(run.compliance_warning)}", highlight=False)
    if json_out:
        print_json(run.to_dict())
    else:
        rows = []
        for d in run.devices:
            saved_state = {True: "yes", False: "NO (running ≠ saved)", None: "-"}[d.saved_matches] if d.status != "failed" else ""
            rows.append([d.host, d.site, Text(d.status, style=STATUS_STYLE[d.status]), d.lines or "", saved_state,
                         d.reason or d.warning or ""])
        out.print(table("Backup", ["host", "site", "result", "lines", "saved", "reason"], rows))
        c = run.counts
        out.print(f"{c['saved']} saved, {c['unchanged']} unchanged, {c['failed']} failed; "
                  f"commit {run.commit[:10] if run.commit else 'none (nothing changed)'}"
                  + (f"; tag {run.tag}" if run.tag else "") + (f"; push: {run.pushed}" if run.pushed else ""))
    if run.failed:
        raise typer.Exit(ExitCode.DEVICES_FAILED)


def drift(
    workspace: WorkspaceOpt = None,
    host: HostOpt = None,
    site: SiteOpt = None,
    since: Annotated[str | None, typer.Option(
        "--since", help="REF: commit, tag, date (YYYY-MM-DD), period (2026Q3) or change id (CHG-1234).")] = None,
    until: Annotated[str | None, typer.Option("--until", help="REF (default: the last backup).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="text (coloured diff) or patch (git apply-able).")] = "text",
    json_out: JsonOpt = False,
) -> None:
    """What changed in the stored configs between two points."""
    from netpatrol.errors import UsageError
    from netpatrol.store.drift import drift as compute
    from netpatrol.store.drift import drift_range, to_patch
    from netpatrol.store.open import open_store

    if fmt not in ("text", "patch"):
        raise UsageError(f"--format must be text or patch, not {fmt!r}")
    ws, inv = open_workspace(workspace, need_secrets=False)
    store = open_store(ws)
    hosts = {h.name for h in selected(inv, host, site, None, None)} if (host or site) else None
    rng = drift_range(store, since, until)
    drifts = compute(store, since, until, hosts=hosts) if rng else []
    if json_out:
        print_json({"since": rng.since if rng else None, "until": rng.until if rng else None,
                    "devices": [d.__dict__ for d in drifts]})
        return
    if fmt == "patch":
        typer.echo(to_patch(drifts), nl=False)
        return
    if rng is None or not drifts:
        out.print("No configuration changes in that range.")
        return
    out.print(table(f"Drift {(rng.since or 'empty')[:10]}..{rng.until[:10]}", ["host", "site", "status", "+", "-"],
                    [[d.host, d.site, d.status, d.added, d.removed] for d in drifts]))
    for d in drifts:
        out.print(Syntax(terminal(d.diff), "diff", theme="ansi_dark", background_color="default"))


def history(
    host: Annotated[str, typer.Argument(help="Inventory host name.")],
    workspace: WorkspaceOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """One device's stored config versions with date and lines added/removed."""
    from netpatrol.localtime import show
    from netpatrol.store.drift import history as versions
    from netpatrol.store.open import open_store

    ws, inv = open_workspace(workspace, need_secrets=False)
    selected(inv, [host], None, None, None)
    rows = versions(open_store(ws), host)
    if json_out:
        print_json([v.__dict__ for v in rows])
        return
    out.print(table(f"History of {host}", ["commit", "date", "+", "-", "tags", "message"],
                    [[v.sha[:10], show(v.date, ws.settings.tz), v.added, v.removed, ", ".join(v.tags),
                      v.message.splitlines()[0]] for v in rows]))


def register(app: typer.Typer) -> None:
    app.command()(backup)
    app.command()(drift)
    app.command()(history)
