"""Failed logins, counted per (client address, user name) and per address, in bounded memory.

Five failures for one name from one address within 15 minutes lock that pair out until the oldest
of them is 15 minutes old; another name, or the same name from another address, is not affected,
so nobody can lock a colleague out from elsewhere. An address that tries many names meets the
address-wide limit, which also keeps one client from pushing other entries out of the table.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

WINDOW = 15 * 60
PER_NAME = 5
PER_ADDRESS = 50
MAX_KEYS = 10_000  # ~2 MB at most; past it the entries failed longest ago are forgotten first


class Throttle:
    def __init__(self, per_name: int = PER_NAME, per_address: int = PER_ADDRESS, window: float = WINDOW,
                 max_keys: int = MAX_KEYS, clock: Callable[[], float] = time.monotonic):
        self.per_name, self.per_address, self.window, self.max_keys = per_name, per_address, window, max_keys
        self._clock = clock
        self._failures: OrderedDict[tuple[str, str | None], deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def wait(self, address: str, name: str) -> int:
        """Seconds before `name` may be tried again from `address`; 0: now."""
        now = self._clock()
        with self._lock:
            waits = [self._wait(key, limit, now) for key, limit in self._keys(address, name)]
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
        with self._lock:
            self._failures.pop(self._keys(address, name)[0][0], None)

    def _keys(self, address: str, name: str) -> list[tuple[tuple[str, str | None], int]]:
        return [((address[:64], name.casefold()[:128]), self.per_name), ((address[:64], None), self.per_address)]

    def _wait(self, key: tuple[str, str | None], limit: int, now: float) -> int:
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
