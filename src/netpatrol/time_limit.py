"""A time limit for work on device text that a workspace file steers: check-pack regexes.

A check pack's regex runs over every device's configuration, and a pattern such as `(\\s*\\S+)*x`
backtracks exponentially on an ordinary config line: `inspect` would never finish and never say
why. CPython's regex engine checks for signals while it matches, so a SIGALRM timer stops it.
Signals reach only the main thread, and the timer is left alone when someone else has set it:
in those cases the work runs without a limit.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


class Overrun(Exception):
    """The limited work ran past its limit."""


@contextlib.contextmanager
def limit(seconds: float) -> Iterator[None]:
    usable = (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
              and signal.getitimer(signal.ITIMER_REAL)[0] == 0)
    if not usable:
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise Overrun()

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
