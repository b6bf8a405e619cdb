"""Search over the latest stored configs for the web: the CLI's engine (store.search) on the same
snapshot reader, with the same fields as `search --json`, bounded for a server.

The regex is hostile input, and a pattern that backtracks without end (`(a+)+$` on a long line)
would hold whatever thread runs it: the engine's SIGALRM limit works only in a main thread, and a
server runs requests in a thread pool. So each search runs in a child process (forked from a
forkserver that has the engine imported, a few milliseconds), whose main thread has the alarm,
and which the server kills when it does not answer in time. Output is bounded in lines and
characters (`truncated`), and at most MAX_RUNNING searches run at once: a burst waits briefly,
then is told the server is busy, instead of taking every CPU.
"""

from __future__ import annotations

import multiprocessing
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netpatrol import time_limit
from netpatrol.errors import NetpatrolError, UsageError
from netpatrol.platforms import canonical_platform
from netpatrol.store import search as engine
from netpatrol.store.repo import Store
from netpatrol.store.snapshot import iter_configs
from netpatrol.web.state import HTTPError, WebState

MAX_LINES = 5000  # matching lines returned at most; `truncated` says when more matched
MAX_CHARS = 4_000_000  # characters of matching lines returned at most: one hostile line can be huge
SEARCH_SECONDS = 20.0  # a web search's time limit: 10,000 configs take about a second (bench/search.py)
KILL_GRACE = 3.0  # past the limit by this, the child is killed (the alarm stops a regex, not a stuck git)
MAX_RUNNING = 2  # searches at once
QUEUE_SECONDS = 3.0  # how long a search waits for a free slot before "busy"
SLOTS = threading.BoundedSemaphore(MAX_RUNNING)
_CONTEXT = multiprocessing.get_context("forkserver")
# The forkserver imports this module once; each search's child is a fork of it. A child also runs
# the parent's main script again (the forkserver's "__main__" preload looks for a `main_path` that
# spawn's preparation data calls `init_main_from_path`, so it never happens), and under `netpatrol
# serve` that script imports the CLI: loaded here, that costs ~1 ms a search instead of ~80.
_CONTEXT.set_forkserver_preload([__name__, "netpatrol.cli.root"])


class SearchBusy(HTTPError):
    """MAX_RUNNING searches are running and none ended within QUEUE_SECONDS: 503, try again soon
    (app.py answers JSON under /api/, the error page elsewhere)."""

    def __init__(self) -> None:
        super().__init__(503, f"{MAX_RUNNING} searches are running; try again in a moment", key="error.busy",
                         headers={"Retry-After": "5"})


@dataclass(frozen=True)
class SearchHit:
    host: str
    site: str
    platform: str
    line_no: int
    line: str


@dataclass(frozen=True)
class SearchResult:
    hits: list[SearchHit]
    devices: int  # devices with at least one hit (among the configs read, when truncated)
    searched: int  # stored configs read (a truncated search stops reading)
    commit: str | None
    truncated: bool = False


@dataclass(frozen=True)
class Job:
    """What a search child needs, all plain data (it is pickled to the child)."""

    backups: Path
    commit: str
    hosts: list[tuple[str, str, str]]  # (name, site, platform) of the selected hosts
    q: str
    ignore_case: bool
    under: str | None
    seconds: float
    max_lines: int
    max_chars: int


def search_configs(state: WebState, q: str, *, ignore_case: bool = False, under: str | None = None,
                   site: str | None = None, platform: str | None = None) -> SearchResult:
    """The lines of the latest stored configs `q` matches; UsageError for a bad regex or one that
    runs past SEARCH_SECONDS, SearchBusy when too many searches are running."""
    # Checked before the store is touched, as the CLI does (and without a child for a typo).
    engine.compile_regex(q, ignore_case, what="q")
    if under:
        engine.compile_regex(under, ignore_case, what="under")
    store = state.store()
    head = store.head() if store is not None else None
    if store is None or head is None:
        return SearchResult([], 0, 0, None)
    wanted = (canonical_platform(platform) or platform) if platform else None  # an alias as the CLI takes it
    hosts = state.inventory().select(site=site or None, platform=wanted)
    job = Job(store.path, head, [(h.name, h.site, h.platform) for h in hosts], q, ignore_case, under or None,
              SEARCH_SECONDS, MAX_LINES, MAX_CHARS)
    if not SLOTS.acquire(timeout=QUEUE_SECONDS):
        raise SearchBusy()
    try:
        return in_child(job)
    finally:
        SLOTS.release()


def prepare() -> None:
    """Start the forkserver now (about half a second), so the first search does not wait for it."""
    _CONTEXT.Process(target=_nothing, daemon=True).start()


def in_child(job: Job) -> SearchResult:
    """`run(job)` in a child process, killed when it does not answer within the limit and grace."""
    reader, writer = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(target=_child, args=(writer, job), daemon=True, name="netpatrol-search")
    child.start()
    writer.close()
    try:
        if not reader.poll(max(0.0, job.seconds + KILL_GRACE)):
            raise UsageError(_overrun(job.seconds, None))
        try:
            answer = reader.recv()
        except EOFError:
            raise RuntimeError(f"the search process ended without an answer (exit code {child.exitcode})") from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        reader.close()
    if answer[0] == "usage":
        raise UsageError(answer[1])
    hits, devices, searched, truncated = answer[1:]
    return SearchResult([SearchHit(*hit) for hit in hits], devices, searched, job.commit, truncated)


def run(job: Job) -> tuple[list[tuple[str, str, str, int, str]], int, int, bool]:
    """The search itself (in the child): (hits as tuples, devices, configs read, truncated)."""
    pattern = engine.compile_regex(job.q, job.ignore_case, what="q")
    parent = engine.compile_regex(job.under, job.ignore_case, what="under") if job.under else None
    hosts = [_Host(name, site) for name, site, _ in job.hosts]
    platforms = {name: platform for name, _, platform in job.hosts}
    hits: list[tuple[str, str, str, int, str]] = []
    devices = searched = chars = 0
    host = ""
    store = Store(job.backups).open_readonly()
    try:
        with time_limit.limit(job.seconds):
            for config in iter_configs(store, job.commit, hosts):  # type: ignore[arg-type]  # needs .name, .site
                searched, host = searched + 1, config.host
                lines = engine.search_text(config.text, pattern, under=parent)
                devices += bool(lines)
                for ln in lines:
                    chars += len(ln.text)
                    if len(hits) >= job.max_lines or chars > job.max_chars:
                        return hits, devices, searched, True
                    hits.append((config.host, config.site, platforms.get(config.host, ""), ln.line_no, ln.text))
    except time_limit.Overrun:
        raise UsageError(_overrun(job.seconds, host)) from None
    finally:
        store.close()
    return hits, devices, searched, False


@dataclass(frozen=True)
class _Host:
    name: str
    site: str


def _overrun(seconds: float, host: str | None) -> str:
    where = f" (it was reading {host}'s config)" if host else ""
    return (f"the search ran longer than {seconds:g} s{where}: the regex backtracks without end, e.g. nested "
            f"repetition like (a+)+ or (\\s*\\S+)*; simplify it")


def _child(conn: Any, job: Job) -> None:
    try:
        conn.send(("ok", *run(job)))
    except NetpatrolError as exc:  # a bad regex, the time limit, an unreadable store: the user's answer
        conn.send(("usage", str(exc)))
    finally:
        conn.close()


def _nothing() -> None:
    pass
