"""Failed logins, counted per (client, user name), per client, and per name from everywhere, in
bounded memory. A client is its address, or its /64 for IPv6 (one host commonly holds a whole /64).

Five failures for one name from one client within 15 minutes lock that pair out until the oldest
of them is 15 minutes old; an address that tries many names meets the client-wide limit (50),
which also keeps one client from pushing other entries out of the table. Twenty failures for one
name from all clients together lock that name out everywhere but where it logged in successfully
during the last week: many addresses buy an attacker no more guesses, and a colleague who keeps
using the view from their usual address is not locked out by someone elsewhere.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

WINDOW = 15 * 60
PER_NAME = 5
PER_ADDRESS = 50
PER_NAME_EVERYWHERE = 20
KNOWN_GOOD_SECONDS = 7 * 24 * 3600
MAX_KEYS = 10_000  # ~2 MB at most; past it the entries failed longest ago are forgotten first
TOKEN = "\0token"  # the "name" Bearer failures count under: a token names nobody

Key = tuple[str, str | None]
_EVERYWHERE = "\0everywhere"


def client_group(address: str) -> str:
    """What the limits count per: an IPv4 address as it is, an IPv6 address's /64."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


class Throttle:
    def __init__(self, per_name: int = PER_NAME, per_address: int = PER_ADDRESS, window: float = WINDOW,
                 max_keys: int = MAX_KEYS, clock: Callable[[], float] = time.monotonic,
                 per_name_everywhere: int = PER_NAME_EVERYWHERE):
        self.per_name, self.per_address, self.window, self.max_keys = per_name, per_address, window, max_keys
        self.per_name_everywhere = per_name_everywhere
        self._clock = clock
        self._failures: OrderedDict[Key, deque[float]] = OrderedDict()
        self._good: OrderedDict[Key, float] = OrderedDict()  # (client, name) -> when it last logged in
        self._lock = threading.Lock()

    def wait(self, address: str, name: str) -> int:
        """Seconds before `name` may be tried again from `address`; 0: now."""
        now = self._clock()
        with self._lock:
            keys = self._keys(address, name)
            if self._known_good(keys[0][0], now):
                keys = keys[:2]
            waits = [self._wait(key, limit, now) for key, limit in keys]
        return max(waits)

    def failed(self, address: str, name: str) -> None:
        now = self._clock()
        with self._lock:
            for key, limit in self._keys(address, name):
                times = self._failures.pop(key, None) or deque(maxlen=limit)
                times.append(now)
                self._failures[key] = times  # to the end: the most recent failure is forgotten last
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def succeeded(self, address: str, name: str) -> None:
        now = self._clock()
        with self._lock:
            pair = self._keys(address, name)[0][0]
            self._failures.pop(pair, None)
            self._good.pop(pair, None)
            self._good[pair] = now
            while len(self._good) > self.max_keys:
                self._good.popitem(last=False)

    def _keys(self, address: str, name: str) -> list[tuple[Key, int]]:
        client, folded = client_group(address), name.casefold()[:128]
        keys = [((client, folded), self.per_name), ((client, None), self.per_address)]
        if name != TOKEN:  # a token is 32 random bytes: guessing it needs no limit per name
            keys.append(((_EVERYWHERE, folded), self.per_name_everywhere))
        return keys

    def _known_good(self, pair: Key, now: float) -> bool:
        when = self._good.get(pair)
        return when is not None and when > now - KNOWN_GOOD_SECONDS

    def _wait(self, key: Key, limit: int, now: float) -> int:
        times = self._failures.get(key)
        if times is None:
            return 0
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
            return 0
        if len(times) < limit:
            return 0
        return max(1, math.ceil(times[0] + self.window - now))
