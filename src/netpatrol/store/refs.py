"""Turning what a user types after --since/--until into a commit, and quarter arithmetic.

A REF is, in this order: a period (`2026Q3`: its `inspection/2026Q3` tag, else the last commit
before the quarter ends), an ISO date or datetime (the last commit at or before that moment; a date
means 00:00, and a time without offset means UTC), anything git itself resolves (sha prefix, tag,
branch, `HEAD~1`), or a change id whose pre-change backup was tagged (`CHG-1234` ->
newest `pre-change/CHG-1234/<time>`). Periods are calendar quarters in UTC, half-open [start, end).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timezone

from netpatrol.errors import UsageError
from netpatrol.store import layout
from netpatrol.store.repo import Store

# A period is written exactly `YYYYQn`: it names directories, report folders and tags, so a
# stray space or an absurd year must be refused before anything is written, not after.
_PERIOD = re.compile(r"([0-9]{4})[Qq]([1-4])")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ].*)?$")
MIN_YEAR, MAX_YEAR = 2000, 2099


def parse_period(period: str) -> tuple[int, int]:
    """(year, quarter) of `YYYYQn` (q accepted in lower case), years 2000-2099; UsageError otherwise."""
    match = _PERIOD.fullmatch(period) if isinstance(period, str) else None
    if not match:
        raise UsageError(f"bad period {period!r}: expected YYYYQn, e.g. 2026Q3 (no spaces)")
    year = int(match.group(1))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise UsageError(f"bad period {period!r}: the year must be between {MIN_YEAR} and {MAX_YEAR}")
    return year, int(match.group(2))


def check_period(period: str) -> str:
    """The canonical spelling (`2026Q3`) of a period the user typed."""
    year, q = parse_period(period)
    return f"{year}Q{q}"


def period_order(period: str) -> tuple[int, int]:
    """Sort key: periods compare by calendar order, never by when they were recorded."""
    return parse_period(period)


def period_bounds(period: str) -> tuple[datetime, datetime]:
    """(start, end) in UTC; end is the first moment of the next quarter (exclusive)."""
    year, q = parse_period(period)
    start = datetime(year, 3 * q - 2, 1, tzinfo=timezone.utc)
    end = datetime(year + 1, 1, 1, tzinfo=timezone.utc) if q == 4 else \
        datetime(year, 3 * q + 1, 1, tzinfo=timezone.utc)
    return start, end


def current_period(now: datetime | None = None) -> str:
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return f"{now.year}Q{(now.month - 1) // 3 + 1}"


def inspection_period(period: str | None, backfill: bool = False, now: datetime | None = None) -> str:
    """The period an inspection is stored under: the current quarter by default; a future one is
    refused, and a past one only with `backfill` (it would otherwise pass silently as a re-run)."""
    current = current_period(now)
    if period is None:
        return current
    period = check_period(period)
    if parse_period(period) > parse_period(current):
        raise UsageError(f"--period {period} is in the future (the current quarter is {current})")
    if parse_period(period) < parse_period(current) and not backfill:
        raise UsageError(f"--period {period} is before the current quarter {current}: add --backfill to record an "
                         f"inspection for a past period (compared only with the inspected period before it)")
    return period


def previous_period(period: str) -> str:
    year, q = parse_period(period)
    return f"{year - 1}Q4" if q == 1 else f"{year}Q{q - 1}"


def next_period(period: str) -> str:
    year, q = parse_period(period)
    return f"{year + 1}Q1" if q == 4 else f"{year}Q{q + 1}"


def inspection_tag(period: str) -> str:
    year, q = parse_period(period)
    return layout.INSPECTION_TAG.format(period=f"{year}Q{q}")


MAX_REASON = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


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
    if _PERIOD.fullmatch(ref.strip()):
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


def inspected_periods(store: Store) -> list[str]:
    """Every period with stored results, oldest first (tagged or only in the working tree)."""
    found = {layout.period_of(p) for p in store.list_files(layout.INSPECTIONS)}
    head = store.head()
    if head:
        found |= {layout.period_of(p) for p in store.list_files(layout.INSPECTIONS, ref=head)}
    found.discard(None)
    valid = []
    for p in found:
        try:
            if check_period(p) != p:
                continue  # `2026q3` was never written by inspect: a hand-made directory
        except UsageError:
            continue  # a stray directory is not a period
        valid.append(p)
    return sorted(valid, key=period_order)
