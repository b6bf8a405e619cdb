"""What a config-change notification shows: each changed device's diff in the backup's commit.

The diff is of the stored configs, which the backup sanitised; a workspace that stores secrets
(`backup.secrets` other than `all`) gets both versions sanitised at `all` again before they are
compared, so no notification carries a secret whatever the store keeps. Long diffs are cut at a
number of lines and of bytes, with a note saying how many lines were left out and where to see them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from netpatrol.automation.messages import Voice
from netpatrol.store.drift import drift, drift_range, unified_diff
from netpatrol.store.repo import Store


@dataclass(frozen=True)
class ConfigDiff:
    host: str
    text: str  # unified diff, cut to the limits, with the note when cut
    added: int
    removed: int
    more_lines: int  # lines left out


def cut(text: str, host: str, max_lines: int, max_bytes: int, voice: Voice) -> tuple[str, int]:
    """`text` within `max_lines` lines and `max_bytes` UTF-8 bytes (whole lines), and the note."""
    lines = text.splitlines()
    kept: list[str] = []
    size = 0
    for line in lines[:max_lines]:
        size += len(line.encode("utf-8", "replace")) + 1
        if size > max_bytes:
            break
        kept.append(line)
    more = len(lines) - len(kept)
    if more:
        kept.append(voice.t("diff.more", n=more, host=host))
    return "\n".join(kept) + ("\n" if kept else ""), more


def backup_diffs(store: Store, commit: str, paths: dict[str, str], voice: Voice, max_lines: int, max_bytes: int,
                 clean: Callable[[str, str], str] | None = None) -> dict[str, ConfigDiff]:
    """Per host, the diff of its stored config (`paths`: path -> host) in `commit` against the version
    before. `clean(host, text)`, when given, sanitises each version before the comparison."""
    span = drift_range(store, None, commit)
    if span is None:
        return {}
    found = {}
    for d in drift(store, span.since, span.until, hosts=set(paths.values())):
        if paths.get(d.path) != d.host:
            continue  # the saved config beside the running one, or another device's file
        text, added, removed = d.diff, d.added, d.removed
        if clean is not None:
            old = clean(d.host, store.read_file(d.path, span.since)) if d.status != "added" and span.since else ""
            new = clean(d.host, store.read_file(d.path, span.until)) if d.status != "removed" else ""
            text, added, removed = unified_diff(old, new, f"a/{d.path}", f"b/{d.path}")
        shown, more = cut(text, d.host, max_lines, max_bytes, voice)
        found[d.host] = ConfigDiff(d.host, shown, added, removed, more)
    return found
