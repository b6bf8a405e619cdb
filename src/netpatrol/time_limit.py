"""A time limit for work on device text that a workspace file steers: check-pack and compliance regexes.

A check pack's regex runs over every device's configuration, and a pattern such as `(\\S|\\S\\S|\\s)+\\d`
backtracks exponentially on an ordinary config line: `inspect` would never finish and never say
why. `limit(seconds)` bounds such work in two ways:

- Patterns compiled here (`compile`: the `regex` package, in its `re`-compatible VERSION0) are
  given the time left under the innermost `limit` as their `timeout`. That engine checks it while
  it matches and releases the GIL on str, so the limit holds in any thread and the other threads
  run meanwhile: config checks are matched in the collection threads (inspection/task.py) and
  backup-time compliance rules judged there (backup/task.py), centrally or in a zone worker.
  Python's `re` keeps the GIL for the whole match: a pattern there would freeze every thread of
  the process, the zone worker's answer to `inspect` included.
- In the main thread a SIGALRM timer also stops other work (CPython's `re` checks for signals while
  it matches: web/search_view.py's searches run in a child's main thread). The timer is left alone
  when someone else has set it.
"""

from __future__ import annotations

import contextlib
import functools
import re
import signal
import threading
import time
from collections.abc import Iterator, Mapping
from contextvars import ContextVar

import regex

# When the innermost `limit` of this thread (context) ends, on time.monotonic().
_deadline: ContextVar[float | None] = ContextVar("netpatrol_time_limit_deadline", default=None)

Match = regex.Match


class Overrun(Exception):
    """The limited work ran past its limit."""


@contextlib.contextmanager
def limit(seconds: float) -> Iterator[None]:
    ends = time.monotonic() + seconds
    outer = _deadline.get()
    token = _deadline.set(ends if outer is None else min(outer, ends))
    try:
        with _alarm(seconds):
            yield
    finally:
        _deadline.reset(token)


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
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


def _timeout() -> float | None:
    """Seconds left under the innermost limit (None: no limit); Overrun when none are left."""
    deadline = _deadline.get()
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise Overrun()
    return left


class Pattern:
    """A compiled pattern whose matching ends with Overrun at the enclosing `limit`'s deadline."""

    __slots__ = ("_rx",)

    def __init__(self, rx: regex.Pattern[str]):
        self._rx = rx

    @property
    def groupindex(self) -> Mapping[str, int]:
        return self._rx.groupindex

    def search(self, text: str) -> Match[str] | None:
        try:
            return self._rx.search(text, timeout=_timeout())
        except TimeoutError:
            raise Overrun() from None

    def matches(self, text: str) -> list[Match[str]]:
        """Every non-overlapping match, in order (the timeout covers the whole scan)."""
        try:
            return list(self._rx.finditer(text, timeout=_timeout()))
        except TimeoutError:
            raise Overrun() from None


@functools.lru_cache(maxsize=2048)
def compile(pattern: str, *, multiline: bool = False) -> Pattern:
    """`pattern` for matching under `limit`. A pattern the engine refuses raises re.error, as
    re.compile would: the callers' (and the pack loaders') handling stays one."""
    try:
        return Pattern(regex.compile(pattern, regex.VERSION0 | (regex.MULTILINE if multiline else 0)))
    except regex.error as exc:
        raise re.error(str(exc)) from None
