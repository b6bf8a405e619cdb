"""What changed in the stored configs: drift between two REFs, and one device's history.

Pure over what Store returns (changed paths, file texts, log entries, tags); the diff itself is
computed here with difflib so that counts and text always agree and `to_patch` can emit a patch
`git apply` accepts. Rendering (colour, tables, JSON) belongs to the CLI.

`until` defaults to HEAD, not the working tree: the working tree may hold files of a run still in
progress or one that was killed, while drift reports what was actually recorded.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime

from netpatrol.store.layout import CONFIGS, host_of
from netpatrol.store.refs import resolve
from netpatrol.store.repo import Store

_STATUS = {"A": "added", "D": "removed", "M": "modified"}
_LINE = re.compile(r"[^\n]*\n|[^\n]+$")
# Above this many lines difflib's exact matching gets slow; its junk heuristic keeps it linear-ish.
_AUTOJUNK_LINES = 2000


@dataclass(frozen=True)
class FileDrift:
    path: str
    host: str
    site: str
    status: str  # added / removed / modified
    added: int
    removed: int
    diff: str  # unified diff with ---/+++ headers (a/, b/, /dev/null), "" for an empty new file


@dataclass(frozen=True)
class DriftRange:
    since: str | None  # None: from the empty tree (the first backup)
    until: str


@dataclass(frozen=True)
class Version:
    sha: str
    date: datetime
    message: str
    path: str
    added: int
    removed: int
    tags: tuple[str, ...]


def drift_range(store: Store, since: str | None = None, until: str | None = None,
                paths_prefix: str = CONFIGS) -> DriftRange | None:
    """The two commits compared. `since` defaults to the state before the last commit that touched
    `paths_prefix` (at or before `until`). None when nothing under the prefix was ever committed."""
    until_sha = resolve(store, until or "HEAD")
    if since is not None:
        return DriftRange(resolve(store, since), until_sha)
    last = store.log([paths_prefix], rev=until_sha, max_count=1)
    if not last:
        return None
    return DriftRange(last[0].parents[0] if last[0].parents else None, until_sha)


def drift(store: Store, since: str | None = None, until: str | None = None,
          paths_prefix: str = CONFIGS, hosts: set[str] | None = None) -> list[FileDrift]:
    """Per-file drift between two REFs (see refs.resolve), sorted by path."""
    span = drift_range(store, since, until, paths_prefix)
    if span is None or span.since == span.until:
        return []
    result = []
    for letter, path in store.changed_files(span.since, span.until, paths_prefix):
        host, site = host_of(path, paths_prefix)
        if hosts is not None and host not in hosts:
            continue
        status = _STATUS.get(letter, "modified")
        old = store.read_file(path, span.since) if status != "added" and span.since else ""
        new = store.read_file(path, span.until) if status != "removed" else ""
        a = "/dev/null" if status == "added" else f"a/{path}"
        b = "/dev/null" if status == "removed" else f"b/{path}"
        text, added, removed = unified_diff(old, new, a, b)
        result.append(FileDrift(path, host, site, status, added, removed, text))
    return sorted(result, key=lambda d: d.path)


def history(store: Store, host: str, paths_prefix: str = CONFIGS) -> list[Version]:
    """Every commit that changed `host`'s file (in any site), newest first, with tags on it."""
    if not re.fullmatch(r"[A-Za-z0-9._-]+", host):
        return []
    pathspec = f":(glob){paths_prefix.rstrip('/')}/**/{host}.*"
    by_commit: dict[str, list[str]] = {}
    for name, sha in store.tags().items():
        by_commit.setdefault(sha, []).append(name)
    versions = []
    for entry in store.log([pathspec]):
        for stat in entry.files:
            if host_of(stat.path, paths_prefix)[0] == host:
                versions.append(Version(entry.sha, entry.date, entry.message, stat.path, stat.added,
                                        stat.removed, tuple(sorted(by_commit.get(entry.sha, ())))))
    return versions


def unified_diff(old: str, new: str, old_name: str, new_name: str, context: int = 3
                 ) -> tuple[str, int, int]:
    """(diff text, lines added, lines removed). Lines split on \\n only, so CRs survive, and a
    missing final newline gets git's marker, which difflib.unified_diff omits."""
    a, b = _LINE.findall(old), _LINE.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=max(len(a), len(b)) > _AUTOJUNK_LINES)
    out: list[str] = []
    added = removed = 0
    for group in matcher.get_grouped_opcodes(context):
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        out.append(f"@@ -{_span(i1, i2)} +{_span(j1, j2)} @@\n")
        for tag, x1, x2, y1, y2 in group:
            if tag == "equal":
                out += [_emit(" ", line) for line in a[x1:x2]]
                continue
            out += [_emit("-", line) for line in a[x1:x2]]
            out += [_emit("+", line) for line in b[y1:y2]]
            removed += x2 - x1
            added += y2 - y1
    if not out:
        return "", 0, 0
    return f"--- {old_name}\n+++ {new_name}\n" + "".join(out), added, removed


def to_patch(drifts: list[FileDrift]) -> str:
    """A patch `git apply` accepts (run at the repository root) turning `since` into `until`."""
    parts = []
    for d in drifts:
        parts.append(f"diff --git a/{d.path} b/{d.path}\n")
        if d.status == "added":
            parts.append("new file mode 100644\n")
        elif d.status == "removed":
            parts.append("deleted file mode 100644\n")
        parts.append(d.diff)
    return "".join(parts)


def _span(start: int, stop: int) -> str:
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start if length == 0 else start + 1},{length}"


def _emit(mark: str, line: str) -> str:
    return mark + line if line.endswith("\n") else f"{mark}{line}\n\\ No newline at end of file\n"
