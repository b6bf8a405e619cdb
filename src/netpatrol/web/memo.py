"""What the views derive from the store and the records, kept per workspace until what it was read
from changes (its key: HEAD, a tag, a file's size and mtime), so a request reads no more than that key.

One build at a time per value: at 10,000 devices a build takes a second, and the requests arriving
meanwhile wait for it instead of repeating it. Bounded: the oldest values are dropped first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from netpatrol.web.state import WebState

V = TypeVar("V")
MAX_VALUES = 256

_lock = threading.Lock()
_values: OrderedDict[tuple, tuple[Hashable, Any]] = OrderedDict()
_building: dict[tuple, threading.Lock] = {}


def remembered(state: WebState, name: str, key: Hashable, build: Callable[[], V]) -> V:
    """The value `build` made for `key` (under `name` for this workspace), built again when the key differs."""
    slot = (state.ws.root, name)
    with _lock:
        found = _values.get(slot)
        if found is not None and found[0] == key:
            _values.move_to_end(slot)
            return found[1]
        building = _building.setdefault(slot, threading.Lock())
    with building:
        with _lock:
            found = _values.get(slot)
            if found is not None and found[0] == key:
                return found[1]
        value = build()
        with _lock:
            _values[slot] = (key, value)
            _values.move_to_end(slot)
            while len(_values) > MAX_VALUES:
                _values.popitem(last=False)
        return value


def forget(state: WebState) -> None:
    """Drop every value of this workspace (tests; a server never needs to)."""
    with _lock:
        for slot in [s for s in _values if s[0] == state.ws.root]:
            del _values[slot]
