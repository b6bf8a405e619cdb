"""Search over the latest stored configs for the web: the CLI's engine (store.search) on the same
snapshot reader, with the same fields as `search --json`.

(Interface landed by the lead; the API work bounds it: a regex that backtracks without end must
not hold a server thread, since the engine's SIGALRM limit works only in the main thread.)
"""

from __future__ import annotations

from dataclasses import dataclass

from netpatrol.store import search as engine
from netpatrol.store.snapshot import iter_configs
from netpatrol.web.state import WebState

MAX_LINES = 5000  # matching lines returned at most; `truncated` says when more matched


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
    devices: int  # devices with at least one hit
    searched: int  # stored configs read
    commit: str | None
    truncated: bool = False


def search_configs(state: WebState, q: str, *, ignore_case: bool = False, under: str | None = None,
                   site: str | None = None, platform: str | None = None) -> SearchResult:
    """The lines of the latest stored configs `q` matches; UsageError for a bad regex."""
    pattern = engine.compile_regex(q, ignore_case, what="q")
    parent = engine.compile_regex(under, ignore_case, what="under") if under else None
    store = state.store()
    head = store.head() if store is not None else None
    if store is None or head is None:
        return SearchResult([], 0, 0, None)
    hosts = state.inventory().select(site=site or None, platform=platform or None)
    configs = list(iter_configs(store, head, hosts))
    found = engine.search(configs, pattern, {h.name: h.platform for h in hosts}, under=parent)
    hits = [SearchHit(d.host, d.site, d.platform, ln.line_no, ln.text) for d in found for ln in d.matches]
    return SearchResult(hits[:MAX_LINES], len(found), len(configs), head, len(hits) > MAX_LINES)
