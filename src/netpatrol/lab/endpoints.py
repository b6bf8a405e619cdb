"""Where lab devices may listen: loopback only, and only on an address:port nobody else holds.

Checked before the server starts, so `lab up` names the device, the address:port and what to change
instead of reporting a bind error from inside the server.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
from collections.abc import Callable, Iterable

from netpatrol.errors import LabError

# A name some inventories use for the machine itself; it resolves to loopback only.
_LOOPBACK_NAMES = ("localhost",)
# How far above the wanted port a free replacement is looked for.
_SEARCH = 400


def is_loopback(address: str) -> bool:
    if address.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def check_loopback(name: str, address: str) -> None:
    """The lab simulates devices with known passwords and no hardening: it must never be reachable
    from the network, so a wildcard or interface address is refused, whatever the inventory says."""
    if not is_loopback(address):
        raise LabError(
            f"lab device {name!r}: address {address!r} is not a loopback address; the lab listens only on "
            f"127.0.0.0/8 or ::1 (set host {name}'s 'hostname' in the inventory to one, e.g. 127.31.0.1)"
        )


def in_use(address: str, port: int) -> bool:
    """Whether another socket already holds address:port (bound the way the lab server binds)."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((address, port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False


def free_port(addresses: Iterable[str], start: int) -> int | None:
    """The first port from `start` that is free on every address (the sample shares one port)."""
    addresses = sorted(set(addresses))
    for port in range(start, min(start + _SEARCH, 65536)):
        if not any(in_use(a, port) for a in addresses):
            return port
    return None


def check_free(endpoints: list[tuple[str, str, int]], port_field: Callable[[str], str] | None = None) -> None:
    """Raise LabError naming every (device, address, port) another process holds, and how to move."""
    busy = [(name, address, port) for name, address, port in endpoints if in_use(address, port)]
    if not busy:
        return
    shown = ", ".join(f"{address}:{port} ({name})" for name, address, port in busy[:5])
    more = f" and {len(busy) - 5} more" if len(busy) > 5 else ""
    ports = sorted({port for _, _, port in busy})
    suggestion = free_port([a for _, a, p in endpoints if p in ports], max(ports) + 1)
    fields = sorted({port_field(name) for name, _, _ in busy}) if port_field else ["the devices' 'port'"]
    to = f"a free port such as {suggestion}" if suggestion else "a free port"
    raise LabError(
        f"{len(busy)} lab address:port(s) already in use by another process: {shown}{more}. "
        f"Stop that process, or move the lab: set {' and '.join(fields)} to {to}"
    )
