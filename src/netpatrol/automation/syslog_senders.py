"""Who may speak for which device on the syslog port: the sender allow-list.

Syslog over UDP is unauthenticated and its header host name is whatever the sender wrote, so a
datagram is attributed to a device only when its *source address* vouches for it: the device's own
inventory address, or a relay listed under `syslog.relays` in netpatrol.yaml for that device (or for
any device, `devices: "*"`, whose header host name is then believed). Everything else is dropped,
counted, and reported in a rate-limited warning that names the sources.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections import Counter
from collections.abc import Sequence

from netpatrol.errors import WorkspaceError
from netpatrol.workspace.inventory import ResolvedHost
from netpatrol.workspace.settings import SyslogRelay

log = logging.getLogger("netpatrol.syslog")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Distinct sources named per warning; the rest are only counted, so a flood of spoofed addresses
# costs a bounded amount of memory.
MAX_NAMED_SOURCES = 8


def normalise(addr: str) -> IPAddress | None:
    """The address a datagram came from; IPv4-mapped IPv6 (a dual-stack socket) as IPv4."""
    try:
        ip = ipaddress.ip_address(addr.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        return ip.ipv4_mapped
    return ip


def printable(text: str, limit: int) -> str:
    """Sender-controlled text made safe for one log line: no control characters, bounded."""
    return "".join(c if c.isprintable() else "?" for c in text[:limit]) + ("..." if len(text) > limit else "")


class SenderPolicy:
    """Maps (source address, header host name) to an inventory host, or None (drop)."""

    def __init__(self, hosts: list[ResolvedHost], relays: Sequence[SyslogRelay] = ()):
        self.by_addr: dict[IPAddress, list[ResolvedHost]] = {}
        self.by_name: dict[str, ResolvedHost] = {}
        for h in hosts:
            for addr in _addresses(h.hostname):
                self.by_addr.setdefault(addr, []).append(h)
            self.by_name[h.name.lower()] = h
            self.by_name.setdefault(h.hostname.lower(), h)
        known = {h.name for h in hosts}
        self.relays: list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, set[str] | None]] = []
        for i, relay in enumerate(relays):
            names = None if relay.devices == "*" else set(relay.devices)
            unknown = sorted((names or set()) - known)
            if unknown:
                raise WorkspaceError(f"netpatrol.yaml: field 'syslog.relays.{i}.devices': not in the inventory: "
                                     + ", ".join(unknown))
            self.relays.append((ipaddress.ip_network(relay.source, strict=False), names))

    def find(self, source: str, header_host: str | None) -> ResolvedHost | None:
        ip = normalise(source)
        if ip is None:
            return None
        candidates = self.by_addr.get(ip, [])
        named = self._by_header(header_host)
        # The header may choose among the devices this address vouches for, never outside them.
        if named is not None and (named in candidates or self._relay_allows(ip, named)):
            return named
        # Several inventory entries on one address (NAT, a jump host) can't be told apart by address.
        if len(candidates) == 1:
            return candidates[0]
        if not candidates and header_host is None:
            only = self._relay_sole_device(ip)
            return self.by_name.get(only.lower()) if only else None
        return None

    def _by_header(self, header_host: str | None) -> ResolvedHost | None:
        if not header_host:
            return None
        name = header_host.lower()
        return self.by_name.get(name) or self.by_name.get(name.split(".")[0])

    def _relay_allows(self, ip: IPAddress, host: ResolvedHost) -> bool:
        return any(ip in net and (names is None or host.name in names) for net, names in self.relays)

    def _relay_sole_device(self, ip: IPAddress) -> str | None:
        """A relay entry for exactly one device speaks for it even without a header host name."""
        allowed = [names for net, names in self.relays if ip in net]
        if len(allowed) == 1 and allowed[0] is not None and len(allowed[0]) == 1:
            return next(iter(allowed[0]))
        return None


def _addresses(hostname: str) -> set[IPAddress]:
    try:
        infos = socket.getaddrinfo(hostname, None, type=socket.SOCK_DGRAM)
    except OSError:
        log.warning("cannot resolve %s; syslog from it is dropped unless a syslog.relays entry allows its sender",
                    hostname)
        return set()
    return {ip for info in infos if (ip := normalise(str(info[4][0]))) is not None}


class DropReport:
    """Counts dropped datagrams; warns at most once per `interval` seconds, naming the sources."""

    def __init__(self, interval: float):
        self.interval = interval
        self.total = 0
        self._since_warning = 0
        self._sources: Counter[str] = Counter()
        self._last_warning: float | None = None

    def drop(self, source: str, header_host: str | None, now: float) -> None:
        self.total += 1
        self._since_warning += 1
        if source in self._sources or len(self._sources) < MAX_NAMED_SOURCES:
            self._sources[source] += 1
        if self._last_warning is None or now - self._last_warning >= self.interval:
            self._warn(now, header_host)

    def _warn(self, now: float, header_host: str | None) -> None:
        named = ", ".join(f"{s} ({n})" for s, n in self._sources.most_common())
        others = self._since_warning - sum(self._sources.values())
        log.warning("dropped %d syslog datagram(s) from senders not allowed to speak for an inventory device: %s%s"
                    "%s; allow a relay under syslog.relays in netpatrol.yaml",
                    self._since_warning, named, f" and {others} from other sources" if others else "",
                    f" (latest header host {printable(header_host, 64)!r})" if header_host else "")
        self._last_warning = now
        self._since_warning = 0
        self._sources.clear()
