"""One device's stored configs over time: its versions (newest first, a page at a time), its
config at any REF, and the diff between two REFs.

A device's file is `configs/<site>/<host>.cfg` with its current site; history is read for that
one literal path, so git can answer from the commit-graph's changed-path filters without walking
every commit's tree (bench/web.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from netpatrol.errors import StoreError, UsageError
from netpatrol.store import layout
from netpatrol.store.drift import unified_diff
from netpatrol.store.refs import reason_of, resolve
from netpatrol.web.paging import Page, clamp
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
    if store is None or store.head() is None:
        return Page([], page, per_page, 0, False)
    path = layout.config_path(h.site, h.name)
    entries = store.log([path], max_count=page * per_page + 1)
    chosen = entries[(page - 1) * per_page:page * per_page]
    rows = []
    for e in chosen:
        stat = next((f for f in e.files if f.path == path), None)
        rows.append(VersionRow(e.sha, e.date, "", e.subject, reason_of(e.message),
                               stat.added if stat else 0, stat.removed if stat else 0, path))
    return Page(rows, page, per_page, None, len(entries) > page * per_page)


def device_config(state: WebState, host: str, ref: str | None = None) -> ConfigView:
    """`host`'s stored config at REF (HEAD when None): NotFound when none was stored there."""
    h = state.host(host)
    store = state.store()
    if store is None or store.head() is None:
        raise NotFound(f"{host}: no config stored yet")
    commit = resolve(store, ref or "HEAD")
    path = layout.config_path(h.site, h.name)
    try:
        text = store.read_file(path, commit)
    except StoreError:
        raise NotFound(f"{host}: no config stored at {ref or 'HEAD'!r} ({commit[:10]})") from None
    return ConfigView(host, commit, path, text)


def device_diff(state: WebState, host: str, from_ref: str, to_ref: str | None = None) -> DiffView:
    """The unified diff of `host`'s config from one REF to another (HEAD when None); a side with
    no stored config is empty (the diff shows the whole file added or removed)."""
    if not from_ref:
        raise UsageError("from: a REF is needed (commit, tag, date, period or change id)")
    old, new = _side(state, host, from_ref), _side(state, host, to_ref or "HEAD")
    path = layout.config_path(state.host(host).site, host)
    text, added, removed = unified_diff(old[1], new[1], f"a/{path}", f"b/{path}")
    return DiffView(host, old[0], new[0], text, added, removed)


def _side(state: WebState, host: str, ref: str) -> tuple[str, str]:
    try:
        view = device_config(state, host, ref)
    except NotFound:
        store = state.store()
        if store is None or store.head() is None:
            raise
        return resolve(store, ref), ""
    return view.commit, view.text
