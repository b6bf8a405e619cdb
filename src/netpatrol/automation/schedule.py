"""Cadence (how often each site is inspected and backed up) and what is due now.

Inspection history comes from the Git store (`inspections/<period>/<site>/<host>.json`, the
authority that travels with the workspace); backup history from the machine-local device records
(an unchanged backup makes no commit, so Git cannot tell when the last good backup was).

The strictest matching rule wins: a host in a monthly group is inspected monthly even if its site
says quarterly, and the shortest backup interval of its site, groups and the default applies.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone

from netpatrol.errors import UsageError
from netpatrol.store import layout
from netpatrol.store.open import open_store
from netpatrol.store.periods import current_period, parse_period, period_bounds
from netpatrol.store.repo import Store
from netpatrol.workspace.inventory import Inventory, ResolvedHost
from netpatrol.workspace.records import load_device_records
from netpatrol.workspace.settings import DURATION_UNITS, MAX_DURATION_SECONDS, ScheduleSettings, duration_seconds

# A daily job finishing a few minutes later each day must not skip a day: a backup is due once
# its age reaches the interval less this slack (10 % of the interval, at most one hour).
SLACK_FRACTION = 0.1
SLACK_MAX = timedelta(hours=1)


def parse_duration(text: str) -> timedelta:
    seconds = duration_seconds(text)
    if seconds is None or not 0 < seconds <= MAX_DURATION_SECONDS:
        from netpatrol.errors import UsageError

        raise UsageError(f"bad duration {text!r}: use a number and a unit s/m/h/d/w, more than 0 and at most 366d, "
                         f"e.g. 24h or 7d")
    return timedelta(seconds=seconds)


def format_age(delta: timedelta | None) -> str:
    if delta is None:
        return "never"
    secs = int(delta.total_seconds())
    if secs < 3600:
        return f"{secs // 60}m"
    if secs < 86400 * 2:
        return f"{secs // 3600}h{(secs % 3600) // 60:02d}m"
    return f"{secs // 86400}d"


@dataclass(frozen=True)
class Cadence:
    inspection: str  # quarterly / monthly
    backup_interval: timedelta


def cadence_for(host: ResolvedHost, inv: Inventory, sched: ScheduleSettings) -> Cadence:
    found = [sched.sites.get(host.site)] + [sched.groups.get(g) for g in inv.ancestry(host.groups)]
    rules = [r for r in found if r is not None]
    kinds = {r.inspection for r in rules if r.inspection} or {sched.inspection}
    intervals = [parse_duration(r.backup_interval) for r in rules if r.backup_interval]
    return Cadence(
        inspection="monthly" if "monthly" in kinds else "quarterly",
        backup_interval=min(intervals) if intervals else parse_duration(sched.backup_interval),
    )


def cycle_bounds(kind: str, now: datetime) -> tuple[datetime, datetime]:
    """The current inspection cycle [start, end) in UTC, matching store/periods.py's quarters."""
    if kind == "monthly":
        start = datetime(now.year, now.month, 1, tzinfo=timezone.utc)
        end = datetime(now.year + (now.month == 12), now.month % 12 + 1, 1, tzinfo=timezone.utc)
        return start, end
    return period_bounds(current_period(now))


def previous_cycle_start(kind: str, start: datetime) -> datetime:
    return cycle_bounds(kind, start - timedelta(seconds=1))[0]


@dataclass
class InspectionDue:
    host: str
    site: str
    cadence: str
    status: str  # done / due / overdue / never
    last: str | None  # collected_at of the last successful inspection
    due_by: str  # end of the current cycle
    note: str | None = None  # e.g. the last attempt failed

    @property
    def is_due(self) -> bool:
        return self.status != "done"


@dataclass
class BackupDue:
    host: str
    site: str
    interval: str
    status: str  # ok / due / never
    last_success: str | None
    age: str
    note: str | None = None

    @property
    def is_due(self) -> bool:
        return self.status != "ok"


@dataclass
class DueReport:
    now: str
    period: str
    inspections: list[InspectionDue]
    backups: list[BackupDue]

    def sites(self) -> list[dict]:
        """Per site: the worst inspection status of its devices and how many are due."""
        order = ["done", "due", "never", "overdue"]
        out: dict[str, dict] = {}
        for i in self.inspections:
            s = out.setdefault(i.site, {"site": i.site, "cadence": i.cadence, "status": "done", "devices": 0,
                                        "inspection_due": 0, "backup_due": 0, "due_by": i.due_by})
            s["devices"] += 1
            s["inspection_due"] += i.is_due
            s["due_by"] = min(s["due_by"], i.due_by)
            if i.cadence == "monthly":
                s["cadence"] = "monthly"
            if order.index(i.status) > order.index(s["status"]):
                s["status"] = i.status
        for b in self.backups:
            if b.site in out:
                out[b.site]["backup_due"] += b.is_due
        return [out[k] for k in sorted(out)]

    def to_dict(self) -> dict:
        return {"now": self.now, "period": self.period, "sites": self.sites(),
                "inspections": [asdict(i) for i in self.inspections], "backups": [asdict(b) for b in self.backups]}

    @property
    def inspections_due(self) -> list[str]:
        return [i.host for i in self.inspections if i.is_due]

    @property
    def backups_due(self) -> list[str]:
        return [b.host for b in self.backups if b.is_due]


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def inspection_history(store: Store | None, hosts: set[str]) -> dict[str, tuple[datetime | None, str | None]]:
    """host -> (last successful collected_at, status of the latest attempt), from the store's
    result files, newest period first; only the files of the latest periods are read."""
    if store is None:
        return {}
    by_host: dict[str, list[tuple[tuple[int, int], str]]] = {}
    for path in store.list_files(layout.INSPECTIONS) if store is not None else []:
        found = layout.parse_result_path(path)
        if found and found[2] in hosts:
            try:
                by_host.setdefault(found[2], []).append((parse_period(found[0]), path))
            except UsageError:  # a directory that is not a period (hand-made) is ignored
                continue
    history: dict[str, tuple[datetime | None, str | None]] = {}
    for host, paths in by_host.items():
        last_ok, latest_status = None, None
        for _period, path in sorted(paths, reverse=True):
            try:
                doc = json.loads(store.read_file(path))
            except (ValueError, OSError):
                continue
            latest_status = latest_status or doc.get("status")
            if doc.get("status") == "ok":
                last_ok = _parse_time(doc.get("collected_at"))
                break
        history[host] = (last_ok, latest_status)
    return history


def compute_due(inv: Inventory, hosts: list[ResolvedHost], store: Store | None, records: dict,
                sched: ScheduleSettings, now: datetime | None = None) -> DueReport:
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    history = inspection_history(store, {h.name for h in hosts})
    inspections, backups = [], []
    for h in sorted(hosts, key=lambda h: (h.site, h.name)):
        cad = cadence_for(h, inv, sched)
        start, end = cycle_bounds(cad.inspection, now)
        last, latest = history.get(h.name, (None, None))
        if last is None:
            status = "never"
        elif last >= start:
            status = "done"
        elif last >= previous_cycle_start(cad.inspection, start):
            status = "due"
        else:
            status = "overdue"  # the whole previous cycle passed without an inspection
        note = f"last attempt: {latest}" if latest and latest != "ok" else None
        inspections.append(InspectionDue(h.name, h.site, cad.inspection, status,
                                         last.isoformat(timespec="seconds") if last else None,
                                         end.date().isoformat(), note))
        rec = records.get(h.name, {})
        success = _parse_time(rec.get("last_backup_success"))
        age = now - success if success else None
        slack = min(cad.backup_interval * SLACK_FRACTION, SLACK_MAX)
        b_status = "never" if age is None else ("due" if age >= cad.backup_interval - slack else "ok")
        failed = rec.get("last_backup_error") if rec.get("last_backup_attempt") != rec.get("last_backup_success") else None
        backups.append(BackupDue(h.name, h.site, _interval_text(cad.backup_interval), b_status,
                                 rec.get("last_backup_success"), format_age(age),
                                 f"last attempt failed: {failed}" if failed else None))
    return DueReport(now.isoformat(timespec="seconds"), current_period(now), inspections, backups)


def _interval_text(delta: timedelta) -> str:
    secs = int(delta.total_seconds())
    if secs % 3600 == 0 and secs < 2 * 86400:
        return f"{secs // 3600}h"  # "24h" reads as configured, "1d" would not
    for unit in ("w", "d", "h", "m"):
        if secs % DURATION_UNITS[unit] == 0:
            return f"{secs // DURATION_UNITS[unit]}{unit}"
    return f"{secs}s"


def due_for_workspace(ws, inv: Inventory, hosts: list[ResolvedHost], now: datetime | None = None) -> DueReport:
    # Looking at what is due must not create the backup repository as a side effect.
    store = open_store(ws) if (ws.backups / ".git").is_dir() else None
    return compute_due(inv, hosts, store, load_device_records(ws), ws.settings.schedule, now)


# -- cron / systemd entries ---------------------------------------------------------------------
CRON_MARKER = "# netpatrol run --due for {root}"


@dataclass(frozen=True)
class RunPlan:
    """When the unattended `run --due` starts: daily at run_at, or every N hours when a backup
    interval is shorter than a day."""

    hour: int
    minute: int
    every_hours: int | None

    def cron_time(self) -> str:
        hours = f"*/{self.every_hours}" if self.every_hours else str(self.hour)
        return f"{self.minute} {hours} * * *"

    def on_calendar(self) -> str:
        hours = f"00/{self.every_hours}" if self.every_hours else f"{self.hour:02d}"
        return f"*-*-* {hours}:{self.minute:02d}:00"


def run_plan(sched: ScheduleSettings, at: str | None = None) -> RunPlan:
    hour, minute = (int(x) for x in (at or sched.run_at).split(":"))
    intervals = [parse_duration(sched.backup_interval)] + [
        parse_duration(r.backup_interval) for r in [*sched.sites.values(), *sched.groups.values()] if r.backup_interval]
    shortest = min(intervals)
    every = max(1, int(shortest.total_seconds() // 3600)) if shortest < timedelta(days=1) else None
    return RunPlan(hour, minute, every)


def unit_name(root) -> str:
    """netpatrol-<workspace dir name>, safe for systemd unit names."""
    return "netpatrol-" + (re.sub(r"[^A-Za-z0-9_.-]+", "-", root.name).strip("-.") or "workspace")


def run_command(exe: str, root, wait: float, env_file) -> list[str]:
    # netpatrol reads the env file itself (envfile.py): a shell `source` would expand `$$` and run
    # what follows a `;` in a password, and systemd's EnvironmentFile= parses quotes its own way.
    return [exe, "run", "--due", "-w", str(root), "--wait", f"{wait:g}", "--env-file", str(env_file)]


def _one_line(argv: list[str], root) -> None:
    """Crontab entries and unit files are line-based: a line break in the workspace path (or the
    program's path) would end the entry there and make the rest a line of its own, such as a cron
    job of the directory name's choosing."""
    for text in (str(root), *argv):
        if any(ord(c) < 32 or ord(c) == 127 for c in text):
            from netpatrol.errors import UsageError

            raise UsageError(f"{text!r} holds a line break or control character, which cron and systemd would read "
                             f"as the start of another line; rename the directory (nothing was installed)")


def cron_entry(plan: RunPlan, argv: list[str], root) -> str:
    import shlex

    _one_line(argv, root)

    log = root / ".netpatrol" / "run.log"
    # umask 077: the log (device errors, host names) is created owner-only like the rest.
    cmd = f"umask 077; {shlex.join(argv)} >> {shlex.quote(str(log))} 2>&1"
    # An unescaped % in a crontab command line ends the command (cron feeds the rest as stdin).
    return f"{CRON_MARKER.format(root=root)}\n{plan.cron_time()} {cmd.replace('%', chr(92) + '%')}\n"


def replace_cron_entry(crontab: str, entry: str, root) -> str:
    """The crontab with this workspace's entry (marker line + command) replaced or appended."""
    marker = CRON_MARKER.format(root=root)
    lines, out, skip = crontab.splitlines(), [], False
    for line in lines:
        if skip:
            skip = False
            continue
        if line.strip() == marker:
            skip = True
            continue
        out.append(line)
    text = "\n".join(out).rstrip("\n")
    return (text + "\n" if text else "") + entry


def systemd_units(plan: RunPlan, argv: list[str], root) -> dict[str, str]:
    import shlex

    _one_line(argv, root)
    name = unit_name(root)
    # systemd expands % specifiers and $VARIABLES in ExecStart=: a path holding them is escaped.
    exec_start = shlex.join(argv).replace("%", "%%").replace("$", "$$")
    service = (f"[Unit]\nDescription=netpatrol due inspections, reports and backups for {root}\n"
               "Wants=network-online.target\nAfter=network-online.target\n\n"
               f"[Service]\nType=oneshot\nWorkingDirectory={root}\nUMask=0077\n"
               f"ExecStart={exec_start}\n# exit 75: another run held the workspace lock; the next timer retries\n"
               "SuccessExitStatus=75\n")
    timer = (f"[Unit]\nDescription=Run {name}.service on the netpatrol schedule\n\n"
             f"[Timer]\nOnCalendar={plan.on_calendar()}\nPersistent=true\nRandomizedDelaySec=120\n\n"
             "[Install]\nWantedBy=timers.target\n")
    return {f"{name}.service": service, f"{name}.timer": timer}
