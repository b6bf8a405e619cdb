"""`netpatrol due`, `run --due`, `schedule print|install` and `listen-syslog`: unattended operation."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from netpatrol.childenv import child_env
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
    table,
)
from netpatrol.errors import ExitCode, LockedError, NetpatrolError, UsageError

log = logging.getLogger("netpatrol.run")
STATUS_STYLE = {"done": "green", "ok": "green", "due": "yellow", "never": "yellow", "overdue": "bold red"}
WaitOpt = Annotated[float, typer.Option(
    "--wait", min=0, help="Seconds to wait for another run's lock (0: exit at once with status 75, see the README's exit codes).")]

schedule_app = typer.Typer(help="Cron / systemd entries that run 'netpatrol run --due' unattended.", no_args_is_help=True)


def _styled(status: str) -> Text:
    return Text(status, style=STATUS_STYLE.get(status, "white"))


def due(
    workspace: WorkspaceOpt = None,
    host: HostOpt = None,
    site: SiteOpt = None,
    group: GroupOpt = None,
    platform: PlatformOpt = None,
    show_all: Annotated[bool, typer.Option("--all", help="Also list devices that are not due.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Sites and devices due or overdue for inspection, and devices whose last good backup is too old."""
    from netpatrol.automation.schedule import due_for_workspace

    ws, inv = open_workspace(workspace, need_secrets=False)
    rep = due_for_workspace(ws, inv, selected(inv, host, site, group, platform))
    if json_out:
        print_json(rep.to_dict())
        return
    out.print(table(f"Inspection cadence, {rep.period} (now {rep.now[:16].replace('T', ' ')} UTC)",
                    ["site", "cadence", "status", "devices", "inspection due", "backup due", "due by"],
                    [[s["site"], s["cadence"], _styled(s["status"]), s["devices"], s["inspection_due"] or "-",
                      s["backup_due"] or "-", s["due_by"]] for s in rep.sites()]))
    rows = [[i.host, i.site, i.cadence, _styled(i.status), (i.last or "never")[:16].replace("T", " "), i.due_by, i.note or ""]
            for i in rep.inspections if show_all or i.is_due]
    if rows:
        out.print(table("Inspections", ["host", "site", "cadence", "status", "last inspected", "due by", "note"], rows))
    rows = [[b.host, b.site, b.interval, _styled(b.status), (b.last_success or "never")[:16].replace("T", " "), b.age, b.note or ""]
            for b in rep.backups if show_all or b.is_due]
    if rows:
        out.print(table("Backups", ["host", "site", "interval", "status", "last good backup", "age", "note"], rows))
    out.print(f"{len(rep.inspections_due)} device(s) due for inspection, {len(rep.backups_due)} due for backup.")


# Cron and systemd start netpatrol with the file's path instead of sourcing it (envfile.py).
EnvFileOpt = Annotated[Path | None, typer.Option(
    "--env-file", help="Load KEY=VALUE lines (the ${ENV} passwords) from this 0600 file first; read as data, never by a shell.")]


def _load_env_file(env_file: Path | None) -> None:
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

    _load_env_file(env_file)

    if not due_only:
        raise UsageError("'run' needs --due (run what is due now), e.g. 'netpatrol run --due -w /srv/netpatrol'")
    ws, inv = open_workspace(workspace)
    hosts = selected(inv, host, site, group, platform)
    doc: dict = {"inspection": None, "report": None, "backup": None, "notifications": []}
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
            doc["inspection"] = {**irun.summary(), "commit": irun.commit, "tag": irun.tag}
            doc["notifications"] += notify_inspection_run(ws, irun)
            failed |= bool(irun.failed)
            if not no_report:
                doc["report"] = _write_report(ws, inv, irun.period, wait)
                if "error" in doc["report"]:
                    failed = True
                    doc["notifications"] += _notify_step_failed(ws, "report_failed", f"report {irun.period}", [],
                                                                doc["report"]["error"], irun.period)
        else:
            failed = True
            doc["inspection"] = {"error": error}
            doc["notifications"] += _notify_step_failed(ws, "inspection_failed", "inspection",
                                                        [h.name for h in to_inspect], error)
    to_backup = [h for h in hosts if h.name in set(rep.backups_due)]
    if to_backup:
        brun, error = _isolated("backup", lambda: run_backup(
            ws, to_backup, lock_timeout=wait, show_progress=False if json_out else None))
        if brun is not None:
            doc["backup"] = {"commit": brun.commit, "counts": brun.counts,
                             "failed": {d.host: d.reason for d in brun.failed}}
            doc["notifications"] += notify_backup_run(ws, brun)
            failed |= bool(brun.failed)
        else:
            failed = True
            doc["backup"] = {"error": error}
            doc["notifications"] += _notify_step_failed(ws, "backup_failed", "backup",
                                                        [h.name for h in to_backup], error)
    report_deliveries(doc["notifications"])
    doc["notifications"] = [d.__dict__ for d in doc["notifications"]]
    if json_out:
        print_json(doc)
    else:
        _print_run(doc)
    if failed:
        raise typer.Exit(ExitCode.DEVICES_FAILED)


def _isolated(step: str, work):
    """(result, None), or (None, error text) when the step raised: one failing step of an
    unattended run must not cost the steps after it (the due backups above all)."""
    try:
        return work(), None
    except LockedError:
        raise
    except (NetpatrolError, OSError) as exc:
        return None, str(exc)
    except Exception as exc:
        log.error("run --due: the %s step failed", step, exc_info=True)
        return None, f"{type(exc).__name__}: {exc}"


def _notify_step_failed(ws, kind: str, step: str, hosts: list[str], error: str, period: str | None = None) -> list:
    from netpatrol.automation.notify import Event, notify

    return notify(ws, [Event(kind, f"{step} failed: {error}", hosts, period=period, reason=error)])


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


def _print_run(doc: dict) -> None:
    d = doc["due"]
    out.print(f"Due: {len(d['inspections'])} inspection(s), {len(d['backups'])} backup(s).")
    if doc["inspection"] and "error" in doc["inspection"]:
        out.print(f"Inspection [red]failed:[/red] {markup(doc['inspection']['error'])}", highlight=False)
    elif doc["inspection"]:
        i = doc["inspection"]
        out.print(f"Inspection {i['period']}: {i['devices']} device(s), status {i['status']}, findings "
                  + ", ".join(f"{n} {s}" for s, n in i["findings"].items() if n) + f"; {i['tag']}")
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


# -- schedule print / install -------------------------------------------------------------------
def _netpatrol_exe() -> str:
    """The netpatrol of this installation (cron's PATH is minimal, so always an absolute path)."""
    beside = Path(sys.executable).parent / "netpatrol"
    return str(beside) if beside.exists() else (shutil.which("netpatrol") or str(beside))


def _entries(workspace: Path | None, at: str | None, env_file: Path | None):
    from netpatrol.automation.schedule import run_command, run_plan
    from netpatrol.workspace.settings import Workspace

    ws = Workspace.locate(workspace)
    sched = ws.settings.schedule
    if at is not None and not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", at):
        raise UsageError(f"--at {at!r}: expected HH:MM, e.g. 02:30")
    env = (env_file or ws.state_dir / "env").resolve()
    return ws, run_plan(sched, at), run_command(_netpatrol_exe(), ws.root, sched.wait, env), env


def _ensure_env_file(ws, env: Path) -> None:
    """A 0600 env file naming the variables the run will need, unless one exists (then its mode is checked)."""
    from netpatrol.automation.envfile import read_env_file, write_env_file

    if env.exists():
        read_env_file(env)  # refuses a group/world-readable or malformed file now, not at 02:30
        return
    if env.parent == ws.state_dir:
        ws.ensure_state_dir()
    names = sorted(_referenced_vars(ws))
    write_env_file(env, {}, "".join(f"# {n}=\n" for n in names))
    out.print(f"Created {env} (mode 0600): set {', '.join(names) or 'the ${ENV} passwords'} there.", highlight=False, markup=False)


def _referenced_vars(ws) -> set[str]:
    from netpatrol.workspace.inventory import load_inventory

    names = {m.password[2:-1] for m in ws.settings.notify.mail if m.password}
    try:
        inv = load_inventory(ws.root, need_secrets=False)
    except NetpatrolError:
        return names  # `inventory check` reports those problems
    return names | {ref[2:-1] for h in inv.hosts.values() for ref in h.secret_refs.values() if ref.startswith("${")}


AtOpt = Annotated[str | None, typer.Option("--at", help="Local time HH:MM of the run (default: schedule.run_at in netpatrol.yaml).")]
EnvOpt = Annotated[Path | None, typer.Option("--env-file", help=(
    "KEY=VALUE file with the ${ENV} passwords, mode 0600, read by netpatrol itself (default: <workspace>/.netpatrol/env)."))]


@schedule_app.command("print")
def schedule_print(workspace: WorkspaceOpt = None, at: AtOpt = None, env_file: EnvOpt = None) -> None:
    """Show the crontab entry and the systemd units without installing anything."""
    from netpatrol.automation.schedule import cron_entry, systemd_units

    ws, plan, argv, _env = _entries(workspace, at, env_file)
    typer.echo("# crontab entry ('netpatrol schedule install --cron --apply' installs it)")
    typer.echo(cron_entry(plan, argv, ws.root))
    for name, text in systemd_units(plan, argv, ws.root).items():
        typer.echo(f"# ~/.config/systemd/user/{name}\n{text}")


@schedule_app.command("install")
def schedule_install(
    workspace: WorkspaceOpt = None,
    cron: Annotated[bool, typer.Option("--cron", help="Write a crontab entry.")] = False,
    systemd: Annotated[bool, typer.Option("--systemd", help="Write systemd user units (service + timer).")] = False,
    file: Annotated[Path | None, typer.Option("--file", help="With --cron: crontab file to write the entry into.")] = None,
    apply: Annotated[bool, typer.Option("--apply", help="With --cron: install into your crontab via 'crontab -'.")] = False,
    directory: Annotated[Path | None,
                         typer.Option("--dir", help="With --systemd: unit directory (default ~/.config/systemd/user).")] = None,
    at: AtOpt = None,
    env_file: EnvOpt = None,
) -> None:
    """Install the schedule: a crontab entry (into --file, or your crontab with --apply) or systemd user units."""
    from netpatrol.automation.schedule import cron_entry, replace_cron_entry, systemd_units, unit_name

    if cron == systemd:
        raise UsageError("choose one of --cron or --systemd")
    ws, plan, argv, env = _entries(workspace, at, env_file)
    root = ws.root
    if cron and bool(file) == apply:
        raise UsageError("--cron needs --file PATH (write into a crontab file) or --apply (your crontab via 'crontab -')")
    # Built before anything is written: a path the entry cannot hold is refused with nothing created.
    entry = cron_entry(plan, argv, root) if cron else ""
    units = {} if cron else systemd_units(plan, argv, root)
    if file is not None and not file.parent.is_dir():
        raise UsageError(f"{file}: No such file or directory (its folder does not exist; nothing was written)")
    _ensure_env_file(ws, env)
    if cron:
        if file:
            current = file.read_text(encoding="utf-8") if file.exists() else ""
            file.write_text(replace_cron_entry(current, entry, root), encoding="utf-8")
            out.print(f"Wrote the entry into {file}", highlight=False, markup=False)
        else:
            _apply_crontab(entry, root, replace_cron_entry)
            out.print("Installed into your crontab ('crontab -l' shows it).")
        out.print(f"Runs '{' '.join(argv[1:])}' at {plan.cron_time()} (cron time); log: {root}/.netpatrol/run.log",
                  highlight=False, markup=False)
    else:
        target = directory or Path.home() / ".config" / "systemd" / "user"
        target.mkdir(parents=True, exist_ok=True)
        for name, text in units.items():
            (target / name).write_text(text, encoding="utf-8")
            out.print(f"Wrote {target / name}", highlight=False, markup=False)
        out.print(f"Enable with: systemctl --user daemon-reload && systemctl --user enable --now {unit_name(root)}.timer",
                  highlight=False, markup=False)
    out.print(f"The run reads the ${{ENV}} passwords from {env}: KEY=VALUE lines taken literally (no quotes, no $ expansion), mode 0600.",
              highlight=False, markup=False)


def _apply_crontab(entry: str, root: Path, replace) -> None:
    try:
        listed = subprocess.run(["crontab", "-l"], capture_output=True, text=True, timeout=30, env=child_env())
        # "no crontab for user" exits 1 with nothing to keep.
        current = listed.stdout if listed.returncode == 0 else ""
        done = subprocess.run(["crontab", "-"], input=replace(current, entry, root), capture_output=True, text=True,
                              timeout=30, env=child_env())
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError(f"cannot run crontab: {exc}; use --file PATH or --systemd instead") from None
    if done.returncode != 0:
        raise UsageError(f"crontab - failed: {done.stderr.strip()[:300]}")


# -- listen-syslog ------------------------------------------------------------------------------
def listen_syslog(
    workspace: WorkspaceOpt = None,
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="UDP port (514 needs root; e.g. 5514 and forward).")] = 5514,
    bind: Annotated[str, typer.Option("--bind", help="Address to listen on.")] = "127.0.0.1",
    debounce: Annotated[float, typer.Option(
        "--debounce", min=0, help="Seconds of quiet after a device's last change message before its backup.")] = 30.0,
    max_events: Annotated[int | None, typer.Option(
        "--max-events", min=1, help="Stop after this many backups (tests, one-shot use).")] = None,
    duration: Annotated[float | None, typer.Option(
        "--duration", min=0, help="Stop after this many seconds (pending backups still run).")] = None,
    wait: Annotated[float, typer.Option(
        "--wait", min=0, help="Seconds a backup waits for another run's lock before it is postponed.")] = 60.0,
    json_out: JsonOpt = False,
    env_file: EnvFileOpt = None,
) -> None:
    """Receive syslog and back up each device that logs a configuration change (debounced), then notify.

    Only datagrams from a device's inventory address, or from a relay listed under syslog.relays
    in netpatrol.yaml, count; the rest are dropped and counted."""
    from netpatrol.automation.syslog import SyslogListener

    _load_env_file(env_file)
    ws, inv = open_workspace(workspace)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    listener = SyslogListener(ws, inv, bind=bind, port=port, debounce=debounce, lock_wait=wait)
    relays = len(ws.settings.syslog.relays)
    err.print(f"listening for syslog on {bind} UDP {listener.port} ({len(inv.hosts)} devices"
              + (f", {relays} relay(s)" if relays else "") + f", debounce {debounce:g} s)", highlight=False, soft_wrap=True, markup=False)
    try:
        listener.serve(max_events=max_events, duration=duration)
    except KeyboardInterrupt:
        pass
    s = listener.stats
    if json_out:
        print_json(s.to_dict())
    err.print(f"stopped: {s.received} datagram(s): {s.changes} config change(s) from inventory devices, "
              f"{s.dropped_sender} dropped (sender not allowed), {s.truncated} truncated to "
              f"{listener.max_datagram} bytes; {s.backups} backup run(s)"
              + (f", {s.backups_failed} failed" if s.backups_failed else "")
              + (f"; {s.dropped_pending_full} change(s) not queued (syslog.max_pending)" if s.dropped_pending_full else ""),
              highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command()(due)
    app.command("run")(run)
    app.command("listen-syslog")(listen_syslog)
    app.add_typer(schedule_app, name="schedule")
