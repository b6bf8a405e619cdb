"""Turning what a user types after --since/--until into a commit; change ids and their tags; the
backup commit message and the reason it carries.

A REF is, in this order: a period (`2026Q3`: its `inspection/2026Q3` tag, else the last commit
before the quarter ends), an ISO date or datetime (the last commit at or before that moment; a date
means 00:00, and a time without offset means UTC), anything git itself resolves (sha prefix, tag,
branch, `HEAD~1`), or a change id whose pre-change backup was tagged (`CHG-1234` ->
newest `pre-change/CHG-1234/<time>`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime, timezone

from netpatrol.errors import UsageError
from netpatrol.store import layout
from netpatrol.store.periods import check_period, inspection_tag, is_period, period_bounds
from netpatrol.store.repo import Store

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ].*)?$")


MAX_REASON = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def format_commit_message(changed: Sequence[str], action: str = "backup", failed: Sequence[str] = (),
                          reason: str | None = None, limit: int = 5) -> str:
    """'backup: 3 changed (core-sw1, core-sw2, dist-1)' plus a body listing every host."""
    names = sorted(changed)
    shown = ", ".join(names[:limit]) + (", ..." if len(names) > limit else "")
    subject = f"{action}: {len(names)} changed" + (f" ({shown})" if names else "")
    body = [f"reason: {reason}"] if reason else []
    body += ["changed:"] + [f"  {n}" for n in names] if names else []
    body += ["failed (last good backup kept):"] + [f"  {n}" for n in sorted(failed)] if failed else []
    return subject + ("\n\n" + "\n".join(body) if body else "") + "\n"


def reason_of(message: str) -> str | None:
    """The `reason:` line a backup's commit message carries (format_commit_message), or None."""
    for line in message.splitlines()[1:]:
        if line.startswith("reason: "):
            return line.removeprefix("reason: ").strip() or None
    return None


def check_reason(reason: str) -> str:
    """A `backup --reason` fit for a tag and a commit message, checked before any device is
    contacted: its first word is the change id in `pre-change/<id>/<time>`."""
    text = reason.strip()
    if not text:
        raise UsageError("--reason is blank: give the change id first, e.g. --reason 'CHG-1234 replace uplink'")
    if len(text) > MAX_REASON:
        raise UsageError(f"--reason is {len(text)} characters long; at most {MAX_REASON}")
    if _CONTROL.search(text):
        raise UsageError("--reason must be one line of text (no line breaks or control characters)")
    if any(unicodedata.category(c) == "Cf" for c in text):
        # U+202E and friends reorder or hide text in commit messages and notifications.
        raise UsageError("--reason must not contain invisible formatting characters (e.g. U+202E right-to-left override)")
    change = text.split()[0]
    if len(change) > 64 or not re.search(r"[^\W_]", change):
        raise UsageError(f"--reason must start with a change id of 1-64 characters with a letter or digit, "
                         f"e.g. CHG-1234, not {change[:70]!r}")
    if change_slug(change) != change:
        # The id is the tag name `pre-change/<id>/<time>` that `drift --since <id>` looks up: an id
        # git cannot hold as it is would be tagged under another name (and two ids under one).
        raise UsageError(f"--reason: the change id {change!r} may hold only letters, digits, '.', '_' and '-' "
                         f"(not starting or ending with '.' or '-', no '..'), e.g. {change_slug(change)!r}")
    return text


def change_slug(change: str) -> str:
    """The change id as git can hold it in a tag name: letters and digits of any script, '.', '_', '-'."""
    safe = re.sub(r"[^\w.-]+", "-", change)
    # Git refuses '..' anywhere and a component ending in '.lock'.
    safe = re.sub(r"\.{2,}", ".", safe).strip(".-") or "change"
    return safe[: -len(".lock")] + "-lock" if safe.endswith(".lock") else safe


def pre_change_tag(change: str, when: datetime | None = None) -> str:
    """`pre-change/CHG-1234/20261127T101500Z`; the change id is made ref-safe."""
    safe = change_slug(change)
    stamp = (when or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return layout.PRE_CHANGE_TAG.format(change=safe, stamp=stamp)


def parse_moment(text: str) -> datetime:
    """An ISO date or datetime as an aware UTC datetime (naive means UTC)."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        raise UsageError(f"bad date {text!r}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+08:00]") from None


def resolve(store: Store, ref: str) -> str:
    """The full commit sha `ref` names in `store`; UsageError with the accepted forms otherwise."""
    if is_period(ref.strip()):
        return _resolve_period(store, check_period(ref))  # the one strict period type: no spaces
    ref = ref.strip()
    if _DATE.match(ref):
        moment = parse_moment(ref)
        return _before(store, moment, ref)
    if ref and not ref.startswith("-"):
        sha = store.rev_parse(ref)
        if sha:
            return sha
        changes = sorted(n for n in store.tags() if n.startswith(layout.pre_change_prefix(ref)))
        if changes:
            return store.tags()[changes[-1]]
    raise UsageError(f"unknown ref {ref!r}: not a commit, tag, date (YYYY-MM-DD) or period (YYYYQn)")


def commit_at(store: Store, at: str | None) -> str:
    """The commit `--at REF` names; the latest (HEAD) without one."""
    return resolve(store, at if at is not None else "HEAD")


def _resolve_period(store: Store, period: str) -> str:
    tagged = store.rev_parse(f"refs/tags/{inspection_tag(period)}")
    if tagged:
        return tagged
    _start, end = period_bounds(period)
    # Commit dates have whole seconds, so "before end" is "at or before end - 1 s".
    return _before(store, datetime.fromtimestamp(end.timestamp() - 1, timezone.utc), period)


def _before(store: Store, moment: datetime, ref: str) -> str:
    sha = store.last_commit_before(moment)
    if sha is None:
        raise UsageError(f"no backup at or before {ref!r} ({moment.isoformat()}): the history starts later")
    return sha
