"""One device's stored configs over time: its versions (newest first, a page at a time), its
config at any REF, and the diff between two REFs.

A device's file is `configs/<site>/<host>.cfg`. Its history is read one literal path at a time
with --skip/--max-count, which git answers from the commit-graph's changed-path filters (kept by
Store.commit) without comparing every commit's tree: ~0.1 s at 100,000 commits (bench/web.py).
A device that moved to another site keeps its older versions under the old site's folder (the
backup leaves that file in place): its versions list both paths merged newest first, and its config
at a REF before the move is the one under the site it had then.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from netpatrol.errors import StoreError, UsageError
from netpatrol.store import layout
from netpatrol.store.drift import unified_diff
from netpatrol.store.history import LogEntry
from netpatrol.store.refs import reason_of, resolve
from netpatrol.store.repo import Store
from netpatrol.web.memo import remembered
from netpatrol.web.paging import Page, beyond, clamp
from netpatrol.web.state import NotFound, WebState


@dataclass(frozen=True)
class VersionRow:
    commit: str
    date: datetime  # committer date, UTC
    author: str
    message: str  # the subject line
    reason: str | None  # a backup's `--reason` (the `reason:` line of the message body)
    added: int
    removed: int
    path: str


@dataclass(frozen=True)
class ConfigView:
    host: str
    commit: str
    path: str
    text: str


@dataclass(frozen=True)
class DiffView:
    host: str
    from_commit: str
    to_commit: str
    diff: str  # unified diff text ("" when equal)
    added: int
    removed: int


def device_versions(state: WebState, host: str, page: int | None = None, per_page: int | None = None) -> Page[VersionRow]:
    """The commits that changed `host`'s config, newest first; `total` is None (counting would walk)."""
    h = state.host(host)
    page, per_page = clamp(page, per_page)
    store = state.store()
    head = store.head() if store is not None else None
    if store is None or head is None:
        return Page([], page, per_page, 0, False)
    if beyond(page, per_page):
        return Page([], page, per_page, None, False)
    path = layout.config_path(h.site, h.name)
    others = [p for p in _paths_at_head(state, store, head).get(h.name, ()) if p != path]
    skip = (page - 1) * per_page
    if not others:
        entries = [(e, path) for e in store.log([path], rev=head, max_count=per_page + 1, skip=skip)]
    else:
        # Moved: one log per path (the changed-path filters take one path), merged; a rare device
        # with a bounded cost (page * per_page entries a path).
        merged: dict[str, tuple[LogEntry, str]] = {}
        for p in [path, *others]:
            for e in store.log([p], rev=head, max_count=skip + per_page + 1):
                merged.setdefault(e.sha, (e, p))
        entries = sorted(merged.values(), key=lambda ep: ep[0].date, reverse=True)[skip:]
    rows = []
    for e, p in entries[:per_page]:
        stat = next((f for f in e.files if f.path == p), None)
        rows.append(VersionRow(e.sha, e.date, e.author, e.subject, reason_of(e.message),
                               stat.added if stat else 0, stat.removed if stat else 0, p))
    return Page(rows, page, per_page, None, len(entries) > per_page)


def device_config(state: WebState, host: str, ref: str | None = None) -> ConfigView:
    """`host`'s stored config at REF (HEAD when None): NotFound when none was stored there."""
    h = state.host(host)
    store = state.store()
    head = store.head() if store is not None else None
    if store is None or head is None:
        raise NotFound(f"{host}: no config stored yet", key="error.no_config", name=host)
    commit = resolve(store, ref or "HEAD")
    current = layout.config_path(h.site, h.name)
    for path in _candidates(state, store, head, commit, h.name, current):
        try:
            return ConfigView(host, commit, path, store.read_file(path, commit))
        except StoreError:
            continue
    raise NotFound(f"{host}: no config stored at {ref or 'HEAD'!r} ({commit[:10]})",
                   key="error.no_config_at", name=host, ref=ref or "HEAD", commit=commit[:10])


def device_diff(state: WebState, host: str, from_ref: str, to_ref: str | None = None) -> DiffView:
    """The unified diff of `host`'s config from one REF to another (HEAD when None); a side with
    no stored config is empty (the diff shows the whole file added or removed)."""
    if not from_ref:
        raise UsageError("from: a REF is needed (commit, tag, date, period or change id)")
    here = layout.config_path(state.host(host).site, host)
    old, new = _side(state, host, from_ref), _side(state, host, to_ref or "HEAD")
    text, added, removed = unified_diff(old[1], new[1], f"a/{old[2] or new[2] or here}", f"b/{new[2] or old[2] or here}")
    return DiffView(host, old[0], new[0], text, added, removed)


def _side(state: WebState, host: str, ref: str) -> tuple[str, str, str | None]:
    """(commit, text, path) of one side; text "" and path None when nothing was stored there."""
    try:
        view = device_config(state, host, ref)
    except NotFound:
        store = state.store()
        if store is None or store.head() is None:
            raise
        return resolve(store, ref), "", None
    return view.commit, view.text, view.path


def _paths_at_head(state: WebState, store: Store, head: str) -> dict[str, tuple[str, ...]]:
    """host -> its config files at HEAD (one ls-tree per HEAD, kept): two or more for a device that moved."""
    def build() -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = {}
        for _blob, path in store.tree_files(head, layout.CONFIGS):
            if path.endswith(".cfg"):
                found.setdefault(layout.host_of(path)[0], []).append(path)
        return {host: tuple(paths) for host, paths in found.items()}

    return remembered(state, "config_paths", head, build)


def _candidates(state: WebState, store: Store, head: str, commit: str, host: str, current: str) -> Iterator[str]:
    """Where `host`'s config may be at `commit`, tried in turn: its current path; its other sites'
    files at HEAD (the one changed last before `commit` first); any `configs/*/<host>.cfg` at that
    commit (a file since removed: one ls-tree, only when the others are not there)."""
    yield current
    others = [p for p in _paths_at_head(state, store, head).get(host, ()) if p != current]
    if len(others) > 1:
        others.sort(key=lambda p: [e.date for e in store.log([p], rev=commit, max_count=1)], reverse=True)
    yield from others
    if commit != head:
        yield from (p for _b, p in store.tree_files(commit, layout.CONFIGS)
                    if p.endswith(".cfg") and layout.host_of(p)[0] == host and p != current and p not in others)
