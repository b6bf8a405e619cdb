"""`netpatrol due`, `schedule print|install` and `listen-syslog`: unattended operation (`run --due`: run.py)."""

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
    open_workspace,
    out,
    print_json,
    selected,
    table,
)
from netpatrol.cli.run import EnvFileOpt, load_env_option
from netpatrol.cli.run import run as run_due
from netpatrol.errors import NetpatrolError, UsageError

STATUS_STYLE = {"done": "green", "ok": "green", "due": "yellow", "never": "yellow", "overdue": "bold red"}

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
    from netpatrol.localtime import show

    ws, inv = open_workspace(workspace, need_secrets=False)
    rep = due_for_workspace(ws, inv, selected(inv, host, site, group, platform))
    if json_out:
        print_json(rep.to_dict())
        return
    tz = ws.settings.tz
    out.print(table(f"Inspection cadence, {rep.period} (now {show(rep.now, tz)})",
                    ["site", "cadence", "status", "devices", "inspection due", "backup due", "due by"],
                    [[s["site"], s["cadence"], _styled(s["status"]), s["devices"], s["inspection_due"] or "-",
                      s["backup_due"] or "-", s["due_by"]] for s in rep.sites()]))
    rows = [[i.host, i.site, i.cadence, _styled(i.status), show(i.last, tz, empty="never"), i.due_by, i.note or ""]
            for i in rep.inspections if show_all or i.is_due]
    if rows:
        out.print(table("Inspections", ["host", "site", "cadence", "status", "last inspected", "due by", "note"], rows))
    rows = [[b.host, b.site, b.interval, _styled(b.status), show(b.last_success, tz, empty="never"), b.age, b.note or ""]
            for b in rep.backups if show_all or b.is_due]
    if rows:
        out.print(table("Backups", ["host", "site", "interval", "status", "last good backup", "age", "note"], rows))
    out.print(f"{len(rep.inspections_due)} device(s) due for inspection, {len(rep.backups_due)} due for backup.")


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
    for w in ws.settings.notify.webhooks:
        names |= {w.secret[2:-1]} if w.secret else set()
        names |= set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", w.url))
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

    load_env_option(env_file)
    ws, inv = open_workspace(workspace)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
        for handler in logging.getLogger().handlers:
            handler.setFormatter(LocalTimeFormatter(ws.settings.tz, "%(asctime)s %(levelname)s %(message)s"))
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


class LocalTimeFormatter(logging.Formatter):
    """Log lines stamped in the workspace's zone with the offset, like every time a person reads."""

    def __init__(self, tz, fmt: str):
        super().__init__(fmt)
        self.tz = tz

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        from datetime import datetime, timezone

        from netpatrol.localtime import show

        return show(datetime.fromtimestamp(record.created, timezone.utc), self.tz, seconds=True)


def register(app: typer.Typer) -> None:
    app.command()(due)
    app.command("run")(run_due)
    app.command("listen-syslog")(listen_syslog)
    app.add_typer(schedule_app, name="schedule")
