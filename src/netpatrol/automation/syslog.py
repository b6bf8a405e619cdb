"""`netpatrol listen-syslog`: back up a device soon after it logs a configuration change.

Datagrams (RFC 3164 or 5424) are matched against the config-change patterns of the sender's
platform. The sender is the device whose inventory address the datagram came from, or one a
relay listed in netpatrol.yaml may speak for (syslog_senders.py); anything else is dropped and
counted. Changes are debounced per device: a backup runs once the device has been quiet for
`debounce` seconds (a config session logs many lines), at the latest `MAX_HOLD` debounce windows
after the first message. Memory is bounded: at most `syslog.max_datagram` bytes are read per
datagram and a pending device keeps a count, two times and one short sample line.
"""

from __future__ import annotations

import logging
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

from netpatrol.automation.syslog_senders import DropReport, SenderPolicy, printable
from netpatrol.backup.sanitize import sanitize
from netpatrol.errors import LockedError, NetpatrolError
from netpatrol.platforms import PLATFORMS, PlatformProfile
from netpatrol.workspace.inventory import Inventory, ResolvedHost
from netpatrol.workspace.settings import Workspace

log = logging.getLogger("netpatrol.syslog")

_RFC5424 = re.compile(
    r"^<\d{1,3}>\d{1,2} \S+ (?P<host>\S+) (?P<app>\S+) (?P<proc>\S+) (?P<msgid>\S+) (?:-|(?:\[.*?\])+) ?(?P<msg>.*)$", re.S)
_RFC3164 = re.compile(
    r"^<\d{1,3}>(?:[A-Z][a-z]{2} [ \d]\d(?: \d{4})? \d\d:\d\d:\d\d(?:[:.]\d+)?(?: \d{4})?|\d{4}-\d\d-\d\dT\S+)"
    r" +(?P<host>[^\s:]+) (?P<msg>.*)$", re.S)
_PRI = re.compile(r"^<\d{1,3}>")
# platform -> (profile, its compiled change patterns); a reloaded registry recompiles.
_COMPILED: dict[str, tuple[PlatformProfile, list[tuple[re.Pattern[str], re.Pattern[str] | None]]]] = {}
MAX_HOLD = 10


@dataclass(frozen=True)
class Message:
    source: str
    hostname: str | None  # from the header, when there is one
    text: str  # the message part (whole datagram without <PRI> when the header is not recognised)


def parse_datagram(data: bytes, source: str) -> Message:
    raw = data.decode("utf-8", "replace").lstrip("\ufeff").strip()
    m = _RFC5424.match(raw)
    if m:
        # Junos puts the event name (UI_COMMIT) in MSGID: keep it in the text, 3164-style.
        app = "" if m["app"] == "-" else m["app"] + ("" if m["proc"] == "-" else f"[{m['proc']}]")
        head = ": ".join(x for x in (app, "" if m["msgid"] == "-" else m["msgid"]) if x)
        msg = m["msg"].lstrip("\ufeff").strip()
        return Message(source, None if m["host"] == "-" else m["host"], f"{head}: {msg}" if head else msg)
    m = _RFC3164.match(raw)
    if m:
        return Message(source, m["host"], m["msg"].strip())
    return Message(source, None, _PRI.sub("", raw))


def _change_patterns(platform: str) -> list[tuple[re.Pattern[str], re.Pattern[str] | None]]:
    """The platform's `syslog_changes` (platform.yaml), compiled once per loaded profile."""
    profile = PLATFORMS.get(platform)
    if profile is None:
        return []
    cached = _COMPILED.get(platform)
    if cached is None or cached[0] is not profile:
        compiled = [(re.compile(c.pattern), re.compile(c.unless, re.I) if c.unless else None) for c in profile.syslog_changes]
        cached = _COMPILED[platform] = (profile, compiled)
    return cached[1]


def is_config_change(platform: str, text: str) -> bool:
    return any(rx.search(text) and not (skip and skip.search(text)) for rx, skip in _change_patterns(platform))


MAX_SAMPLE = 200  # bytes of the first matched line kept per pending device; it becomes the trigger


@dataclass
class Pending:
    """What a device's coming backup needs, and no more: never the messages themselves."""

    host: ResolvedHost
    first: float
    last: float
    count: int
    sample: str  # the first matched line, printable, at most MAX_SAMPLE bytes of UTF-8

    def retained_bytes(self) -> int:
        return len(self.sample.encode("utf-8"))


def sample_line(text: str) -> str:
    """One line of sender-controlled text fit for a commit message: no control characters or
    newlines, cut to MAX_SAMPLE bytes of UTF-8 (on a character boundary)."""
    flat = printable(" ".join(text.split()), MAX_SAMPLE)
    return flat.encode("utf-8")[:MAX_SAMPLE].decode("utf-8", "ignore").rstrip()


@dataclass
class Stats:
    received: int = 0
    truncated: int = 0  # longer than syslog.max_datagram: the rest was never read
    dropped_sender: int = 0  # the source address may not speak for any device the datagram names
    dropped_pending_full: int = 0  # syslog.max_pending devices were already waiting
    ignored: int = 0  # from an allowed sender, but not a config change
    changes: int = 0  # config-change lines attributed to a device
    backups: int = 0
    backups_failed: int = 0

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


BackupFn = Callable[[list[ResolvedHost], str], object]


class SyslogListener:
    def __init__(self, ws: Workspace, inv: Inventory, bind: str = "127.0.0.1", port: int = 514,
                 debounce: float = 30.0, lock_wait: float = 60.0, backup: BackupFn | None = None):
        self.ws, self.inv = ws, inv
        self.debounce, self.lock_wait = debounce, lock_wait
        settings = ws.settings.syslog
        self.max_datagram, self.max_pending = settings.max_datagram, settings.max_pending
        self.senders = SenderPolicy(list(inv.hosts.values()), settings.relays)
        self.drops = DropReport(settings.warn_interval)
        self._full_warned: float | None = None
        self.pending: dict[str, Pending] = {}
        self.stats = Stats()
        self._backup = backup or self._run_backup
        family = socket.AF_INET6 if ":" in bind else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            self.sock.bind((bind, port))
        except OSError as exc:
            self.sock.close()
            raise NetpatrolError(f"listen-syslog: cannot listen on {bind} UDP port {port}: {exc.strerror}"
                                 + (" (ports below 1024 need root; use e.g. --port 5514)" if port < 1024 else "")) from None
        self.port = self.sock.getsockname()[1]

    @property
    def seen(self) -> int:
        return self.stats.received

    @property
    def backups_run(self) -> int:
        return self.stats.backups

    def retained_bytes(self) -> int:
        """Message bytes held for pending backups (bounded: MAX_SAMPLE per pending device)."""
        return sum(p.retained_bytes() for p in self.pending.values())

    def receive(self, timeout: float | None) -> bool:
        """Read and handle one datagram; False when none came within `timeout` seconds."""
        self.sock.settimeout(timeout)
        try:
            # Only max_datagram bytes are ever copied out of the kernel; UDP discards the rest.
            data, _, flags, addr = self.sock.recvmsg(self.max_datagram)
        except TimeoutError:
            return False
        if flags & socket.MSG_TRUNC:
            self.stats.truncated += 1
        self.handle(data, addr[0], time.monotonic())
        return True

    def handle(self, data: bytes, source: str, now: float) -> ResolvedHost | None:
        self.stats.received += 1
        msg = parse_datagram(data[:self.max_datagram], source)
        host = self.senders.find(msg.source, msg.hostname)
        if host is None:
            self.stats.dropped_sender += 1
            self.drops.drop(source, msg.hostname, now)
            return None
        if not is_config_change(host.platform, msg.text):
            self.stats.ignored += 1
            return None
        p = self.pending.get(host.name)
        if p is None:
            if len(self.pending) >= self.max_pending:
                self.stats.dropped_pending_full += 1
                if self._full_warned is None or now - self._full_warned >= self.drops.interval:
                    self._full_warned = now
                    log.warning("%s: config change not queued: %d devices already wait for a backup "
                                "(syslog.max_pending)", host.name, len(self.pending))
                return None
            # The sample becomes a commit message, a run record and a notification: a VRP CMDRECORD
            # line quotes the typed command (`Command="snmp-agent community read NAME"`), so it
            # loses its secrets like a config line first.
            p = self.pending[host.name] = Pending(host, now, now, 0, sample_line(sanitize(msg.text, host.platform)))
        p.last = now
        p.count += 1
        self.stats.changes += 1
        log.info("%s: config change logged; backup after %g s quiet", host.name, self.debounce)
        return host

    def ready(self, now: float, flush: bool = False) -> list[Pending]:
        return [p for p in self.pending.values()
                if flush or now - p.last >= self.debounce or now - p.first >= MAX_HOLD * self.debounce]

    def fire(self, now: float, flush: bool = False) -> int:
        """Back up every device whose window closed, one run each, the logged line as trigger."""
        due = self.ready(now, flush)
        for p in due:
            more = f" (+{p.count - 1} more)" if p.count > 1 else ""
            try:
                self._backup([p.host], f"syslog: {p.sample}{more}")
            except LockedError as exc:
                log.warning("%s: backup postponed, workspace busy: %s", p.host.name, exc)
                p.last = now  # try again after another quiet window
                continue
            except NetpatrolError as exc:
                log.error("%s: backup after syslog failed: %s", p.host.name, exc)
                self.stats.backups_failed += 1
            del self.pending[p.host.name]
            self.stats.backups += 1
        return len(due)

    def _run_backup(self, hosts: list[ResolvedHost], trigger: str) -> object:
        from netpatrol.automation.notify import notify_backup_run
        from netpatrol.backup.service import run_backup
        from netpatrol.workspace.records import update_device_records

        # A trigger, not a change id: it goes in the commit message and the device record, and
        # never becomes a pre-change/... tag (those mark human changes given with --reason).
        run = run_backup(self.ws, hosts, trigger=trigger, show_progress=False, lock_timeout=self.lock_wait)
        update_device_records(self.ws, {h.name: {"last_syslog_trigger": trigger,
                                                  "last_syslog_backup": run.finished.isoformat(timespec="seconds")}
                                        for h in hosts})
        if run.compliance_warning:
            log.warning("%s", run.compliance_warning)
        for d in notify_backup_run(self.ws, run, trigger):
            (log.info if d.ok else log.warning)("notify %s via %s: %s", d.event, d.channel, d.detail)
        log.info("backup of %s: %s (commit %s)", ", ".join(h.name for h in hosts),
                 ", ".join(d.status for d in run.devices), run.commit)
        return run

    def serve(self, max_events: int | None = None, duration: float | None = None,
              stop: Callable[[], bool] | None = None) -> int:
        """Receive until `max_events` backups ran, `duration` s passed or `stop()` is true; then
        back up what is still pending (a bounded run leaves no change unsaved). Returns backups run."""
        start = time.monotonic()
        try:
            while True:
                now = time.monotonic()
                if (duration is not None and now - start >= duration) or (stop and stop()):
                    break
                if max_events is not None and self.backups_run >= max_events:
                    return self.backups_run
                waits = [0.5] + [max(0.01, min(p.last + self.debounce, p.first + MAX_HOLD * self.debounce) - now)
                                 for p in self.pending.values()]
                if duration is not None:
                    waits.append(max(0.01, start + duration - now))
                self.receive(min(waits))
                self.fire(time.monotonic())
            self.fire(time.monotonic(), flush=True)
            return self.backups_run
        finally:
            self.sock.close()
