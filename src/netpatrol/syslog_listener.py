"""`netpatrol listen-syslog`: back up a device soon after it logs a configuration change.

Datagrams (RFC 3164 or 5424) are matched against the config-change patterns of the sender's
platform. The sender is found by source address (the inventory `hostname`, resolved once) or,
for relayed logs, by the host name in the syslog header. Changes are debounced per device: a
backup runs once the device has been quiet for `debounce` seconds (a config session logs many
lines), at the latest `MAX_HOLD` debounce windows after the first message.
"""

from __future__ import annotations

import logging
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from netpatrol.errors import LockedError, NetpatrolError
from netpatrol.inventory import Inventory, ResolvedHost
from netpatrol.workspace import Workspace

log = logging.getLogger("netpatrol.syslog")

# Platform knowledge as data: (pattern, ignore-if) per platform. Huawei's CMDRECORD logs every
# command typed, display commands too, so those are ignored.
_CISCO = (r"%SYS-5-CONFIG_I\b", None)
CONFIG_CHANGE: dict[str, tuple[tuple[str, str | None], ...]] = {
    "cisco_ios": (_CISCO,),
    "ruijie_os": (_CISCO,),
    "cisco_nxos": ((r"%VSHD-5-VSHD_SYSLOG_CONFIG_I\b", None),),
    "arista_eos": ((r"%SYS-5-CONFIG_[IE]\b", None),),
    "juniper_junos": ((r"\bUI_COMMIT\b", None),),
    # VRP prefixes the module with "%%01", so no leading \b.
    "huawei_vrp": ((r"CFG/4/CFG_CHANGE\b", None), (r"CFM/4/SAVE\b", None),
                   (r"SHELL/5/CMDRECORD\b", r'Command="\s*(dis(play)?|screen-length|quit|return|ping|tracert)\b')),
    "hp_comware": ((r"CFGMAN/5/CFGMAN_CFGCHANGED\b", None),),
}
_COMPILED = {p: [(re.compile(a), re.compile(b, re.I) if b else None) for a, b in pats] for p, pats in CONFIG_CHANGE.items()}
_RFC5424 = re.compile(r"^<\d{1,3}>\d{1,2} \S+ (?P<host>\S+) (?P<app>\S+) (?P<proc>\S+) (?P<msgid>\S+) (?:-|(?:\[.*?\])+) ?(?P<msg>.*)$", re.S)
_RFC3164 = re.compile(r"^<\d{1,3}>(?:[A-Z][a-z]{2} [ \d]\d(?: \d{4})? \d\d:\d\d:\d\d(?:[:.]\d+)?(?: \d{4})?|\d{4}-\d\d-\d\dT\S+) +(?P<host>[^\s:]+) (?P<msg>.*)$", re.S)
_PRI = re.compile(r"^<\d{1,3}>")
MAX_HOLD = 10
MAX_REASON = 200


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


def is_config_change(platform: str, text: str) -> bool:
    return any(rx.search(text) and not (skip and skip.search(text)) for rx, skip in _COMPILED.get(platform, ()))


class HostResolver:
    """Find the inventory host a message came from: by source address, then by header name."""

    def __init__(self, hosts: list[ResolvedHost]):
        self.by_addr: dict[str, list[ResolvedHost]] = {}
        self.by_name: dict[str, ResolvedHost] = {}
        for h in hosts:
            for addr in _addresses(h.hostname):
                self.by_addr.setdefault(addr, []).append(h)
            self.by_name[h.name.lower()] = h
            self.by_name.setdefault(h.hostname.lower(), h)

    def find(self, msg: Message) -> ResolvedHost | None:
        candidates = self.by_addr.get(msg.source, [])
        # Several inventory entries on one address (NAT, a jump host) can't be told apart by address.
        if len(candidates) == 1:
            return candidates[0]
        if msg.hostname:
            name = msg.hostname.lower()
            return self.by_name.get(name) or self.by_name.get(name.split(".")[0])
        return None


def _addresses(hostname: str) -> set[str]:
    try:
        return {info[4][0] for info in socket.getaddrinfo(hostname, None, type=socket.SOCK_DGRAM)}
    except OSError:
        log.warning("cannot resolve %s; its syslog is matched by the name in the message only", hostname)
        return set()


@dataclass
class Pending:
    host: ResolvedHost
    first: float
    last: float
    messages: list[str] = field(default_factory=list)


BackupFn = Callable[[list[ResolvedHost], str], object]


class SyslogListener:
    def __init__(self, ws: Workspace, inv: Inventory, bind: str = "127.0.0.1", port: int = 514,
                 debounce: float = 30.0, lock_wait: float = 60.0, backup: BackupFn | None = None):
        self.ws, self.inv = ws, inv
        self.debounce, self.lock_wait = debounce, lock_wait
        self.resolver = HostResolver(list(inv.hosts.values()))
        self.pending: dict[str, Pending] = {}
        self.backups_run = 0
        self.seen = 0
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

    def handle(self, data: bytes, source: str, now: float) -> ResolvedHost | None:
        self.seen += 1
        msg = parse_datagram(data, source)
        host = self.resolver.find(msg)
        if host is None:
            if any(is_config_change(p, msg.text) for p in _COMPILED):
                log.warning("config change from unknown sender %s (%s): not in the inventory", source, msg.hostname or "-")
            return None
        if not is_config_change(host.platform, msg.text):
            return None
        p = self.pending.setdefault(host.name, Pending(host, now, now))
        p.last = now
        p.messages.append(msg.text)
        log.info("%s: config change logged; backup after %g s quiet", host.name, self.debounce)
        return host

    def ready(self, now: float, flush: bool = False) -> list[Pending]:
        return [p for p in self.pending.values()
                if flush or now - p.last >= self.debounce or now - p.first >= MAX_HOLD * self.debounce]

    def fire(self, now: float, flush: bool = False) -> int:
        """Back up every device whose window closed; one run per distinct reason."""
        due = self.ready(now, flush)
        for p in due:
            first = " ".join(p.messages[0].split())[:MAX_REASON]
            more = f" (+{len(p.messages) - 1} more)" if len(p.messages) > 1 else ""
            try:
                self._backup([p.host], f"syslog: {first}{more}")
            except LockedError as exc:
                log.warning("%s: backup postponed, workspace busy: %s", p.host.name, exc)
                p.last = now  # try again after another quiet window
                continue
            except NetpatrolError as exc:
                log.error("%s: backup after syslog failed: %s", p.host.name, exc)
            del self.pending[p.host.name]
            self.backups_run += 1
        return len(due)

    def _run_backup(self, hosts: list[ResolvedHost], reason: str) -> object:
        from netpatrol.backup import run_backup
        from netpatrol.notify import notify_backup_run

        run = run_backup(self.ws, hosts, reason=reason, show_progress=False, lock_timeout=self.lock_wait)
        for d in notify_backup_run(self.ws, run, reason):
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
                self.sock.settimeout(min(waits))
                try:
                    data, addr = self.sock.recvfrom(65535)
                    self.handle(data, addr[0], time.monotonic())
                except socket.timeout:
                    pass
                self.fire(time.monotonic())
            self.fire(time.monotonic(), flush=True)
            return self.backups_run
        finally:
            self.sock.close()
