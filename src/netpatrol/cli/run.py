"""`netpatrol run --due`: what is due (inspections, their report, backups) in one unattended run, then notify."""

from __future__ import annotations

import logging
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
    markup,
    open_workspace,
    out,
    print_json,
    report_deliveries,
    selected,
)
from netpatrol.errors import BrokerError, ExitCode, LockedError, NetpatrolError, UsageError

log = logging.getLogger("netpatrol.run")
WaitOpt = Annotated[float, typer.Option(
    "--wait", min=0, help="Seconds to wait for another run's lock (0: exit at once with status 75, see the README's exit codes).")]


# Cron and systemd start netpatrol with the file's path instead of sourcing it (envfile.py).
EnvFileOpt = Annotated[Path | None, typer.Option(
    "--env-file", help="Load KEY=VALUE lines (the ${ENV} passwords) from this 0600 file first; read as data, never by a shell.")]


def load_env_option(env_file: Path | None) -> None:
    if env_file is not None:
        from netpatrol.automation.envfile import load_env_file

        load_env_file(env_file)


def run(
    workspace: WorkspaceOpt = None,
    host: HostOpt = None,
    site: SiteOpt = None,
    group: GroupOpt = None,
    platform: PlatformOpt = None,
    due_only: Annotated[bool, typer.Option("--due", help="Run what is due: inspections, then their report, then backups.")] = False,
    wait: WaitOpt = 0.0,
    no_report: Annotated[bool, typer.Option("--no-report", help="Do not write the report after inspections.")] = False,
    json_out: JsonOpt = False,
    env_file: EnvFileOpt = None,
) -> None:
    """One command for cron: the inspections that are due, the period report, then the due backups; notifies."""
    from netpatrol.automation.notify import notify_backup_run, notify_inspection_run
    from netpatrol.automation.schedule import due_for_workspace
    from netpatrol.backup.service import run_backup
    from netpatrol.inspection.service import run_inspection
    from netpatrol.store.open import open_store

    load_env_option(env_file)

    if not due_only:
        raise UsageError("'run' needs --due (run what is due now), e.g. 'netpatrol run --due -w /srv/netpatrol'")
    ws, inv = open_workspace(workspace)
    hosts = selected(inv, host, site, group, platform)
    doc: dict = {"inspection": None, "report": None, "backup": None, "notifications": []}
    _check_zones_broker(ws, hosts)
    # Busy now: say so (the boundary's exit 75) before doing anything, rather than after the inspections.
    with open_store(ws).lock(timeout=wait):
        pass
    rep = due_for_workspace(ws, inv, hosts)
    doc["due"] = {"inspections": rep.inspections_due, "backups": rep.backups_due}
    failed = False
    to_inspect = [h for h in hosts if h.name in set(rep.inspections_due)]
    if to_inspect:
        irun, error = _isolated("inspection", lambda: run_inspection(
            ws, to_inspect, lock_timeout=wait, show_progress=False if json_out else None))
        if irun is not None:
            doc["inspection"] = {**irun.summary(), "commit": irun.commit, "tag": irun.tag,
                                 "compliance_warning": irun.compliance.warning}
            doc["notifications"] += notify_inspection_run(ws, irun)
            failed |= bool(irun.failed)
            if not no_report:
                doc["report"] = _write_report(ws, inv, irun.period, wait)
                if "error" in doc["report"]:
                    failed = True
                    doc["notifications"] += _notify_step_failed(ws, "report_failed", "step.report", [],
                                                                doc["report"]["error"], irun.period)
        else:
            failed = True
            doc["inspection"] = {"error": error}
            doc["notifications"] += _notify_step_failed(ws, "inspection_failed", "step.inspection",
                                                        [h.name for h in to_inspect], error)
    to_backup = [h for h in hosts if h.name in set(rep.backups_due)]
    if to_backup:
        brun, error = _isolated("backup", lambda: run_backup(
            ws, to_backup, lock_timeout=wait, show_progress=False if json_out else None))
        if brun is not None:
            doc["backup"] = {"commit": brun.commit, "counts": brun.counts,
                             "failed": {d.host: d.reason for d in brun.failed},
                             "compliance_warning": brun.compliance_warning}
            doc["notifications"] += notify_backup_run(ws, brun)
            failed |= bool(brun.failed)
        else:
            failed = True
            doc["backup"] = {"error": error}
            doc["notifications"] += _notify_step_failed(ws, "backup_failed", "step.backup",
                                                        [h.name for h in to_backup], error)
    report_deliveries(doc["notifications"])
    for step in ("inspection", "backup"):
        if (doc[step] or {}).get("compliance_warning"):
            # Not a failure of the run: the step itself completed.
            err.print(f"[yellow]warning:[/yellow] {markup(doc[step]['compliance_warning'])}", highlight=False)
    doc["notifications"] = [d.__dict__ for d in doc["notifications"]]
    if json_out:
        print_json(doc)
    else:
        _print_run(doc, ws.settings)
    if failed:
        raise typer.Exit(ExitCode.DEVICES_FAILED)


def _check_zones_broker(ws, hosts) -> None:
    """With devices in zones, the broker is checked before the store is opened or initialised:
    down, the run ends with BrokerError (exit 2) having written nothing."""
    from netpatrol.collect.runner import default_collector

    collector = default_collector(ws, hosts)  # a zones' collector checks its broker as it is made
    getattr(collector, "close", lambda: None)()


def _isolated(step: str, work):
    """(result, None), or (None, error text) when the step raised: one failing step of an
    unattended run must not cost the steps after it (the due backups above all)."""
    try:
        return work(), None
    except (LockedError, BrokerError):
        # Busy (exit 75) or no broker (exit 2): the whole run's answer, not one step's.
        raise
    except (NetpatrolError, OSError) as exc:
        return None, str(exc)
    except Exception as exc:
        log.error("run --due: the %s step failed", step, exc_info=True)
        return None, f"{type(exc).__name__}: {exc}"


def _notify_step_failed(ws, kind: str, step: str, hosts: list[str], error: str, period: str | None = None) -> list:
    """`step`: the message key of the failed step (step.inspection, step.backup, step.report)."""
    from netpatrol.automation.messages import voice_of
    from netpatrol.automation.notify import Event, notify

    v = voice_of(ws.settings)
    return notify(ws, [Event(kind, v.t(step, error=error, period=v.period(period)), hosts, period=period, reason=error,
                             lang=v.lang)])


def _write_report(ws, inv, period: str, wait: float) -> dict:
    from netpatrol.report import ReportRequest, write_report
    from netpatrol.report.publish import parse_formats
    from netpatrol.store.open import open_store

    result, error = _isolated("report", lambda: write_report(
        ws, inv, open_store(ws), ReportRequest(period=period, lang=ws.settings.language),
        parse_formats(None, ws.settings.report_formats), lock_timeout=wait))
    if result is None:
        return {"period": period, "error": error}
    return {"period": period, "files": {k: str(v) for k, v in result.files.items()}, "commit": result.commit}


def _print_run(doc: dict, settings) -> None:
    d = doc["due"]
    out.print(f"Due: {len(d['inspections'])} inspection(s), {len(d['backups'])} backup(s).")
    if doc["inspection"] and "error" in doc["inspection"]:
        out.print(f"Inspection [red]failed:[/red] {markup(doc['inspection']['error'])}", highlight=False)
    elif doc["inspection"]:
        i = doc["inspection"]
        from netpatrol.cli.inspect import problem_counts

        # Problems by the contract's level names, in the workspace language (one vocabulary).
        counts = problem_counts(i["problems"], lambda s: settings.contract.name(s, settings.language))
        out.print(f"Inspection {i['period']}: {i['devices']} device(s), status {i['status']}, problems "
                  + markup(counts) + f"; {i['tag']}", highlight=False)
    if doc["report"]:
        r = doc["report"]
        outcome = f"[red]failed:[/red] {markup(r['error'])}" if "error" in r else markup(", ".join(r["files"].values()))
        out.print(f"Report {r['period']}: {outcome}", highlight=False)
    if doc["backup"] and "error" in doc["backup"]:
        out.print(f"Backup [red]failed:[/red] {markup(doc['backup']['error'])}", highlight=False)
    elif doc["backup"]:
        b = doc["backup"]
        c = b["counts"]
        out.print(f"Backup: {c['saved']} saved, {c['unchanged']} unchanged, {c['failed']} failed; commit {(b['commit'] or 'none')[:10]}")
        for name, reason in b["failed"].items():
            out.print(f"  [red]{markup(name)}[/red]: {markup(reason)}", highlight=False)
    for n in doc["notifications"]:
        out.print(f"Notified {n['event']} via {markup(n['channel'])}: {'ok' if n['ok'] else 'FAILED'} ({markup(n['detail'])})",
                  highlight=False)
    if not (doc["inspection"] or doc["backup"]):
        out.print("Nothing due.")
