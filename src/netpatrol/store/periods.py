"""Inspection periods: calendar quarters in UTC, half-open [start, end), written exactly `YYYYQn`.

The one strict period type: parsing and spelling, calendar order, bounds, the current quarter,
the `--period`/`--backfill` rule, the period's tag, and the periods the store holds results for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timezone

from netpatrol.errors import UsageError
from netpatrol.store import layout
from netpatrol.store.repo import Store

# A period is written exactly `YYYYQn`: it names directories, report folders and tags, so a
# stray space or an absurd year must be refused before anything is written, not after.
_PERIOD = re.compile(r"([0-9]{4})[Qq]([1-4])")
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


def is_period(text: str) -> bool:
    """Whether `text` is spelled like a period (its year is checked by parse_period)."""
    return _PERIOD.fullmatch(text) is not None


def inspected_periods(store: Store) -> list[str]:
    """Every period with stored results, oldest first (tagged or only in the working tree)."""
    paths = list(store.list_files(layout.INSPECTIONS))
    head = store.head()
    if head:
        paths += store.list_files(layout.INSPECTIONS, ref=head)
    return valid_periods(period for period in map(layout.period_of, paths) if period)


def valid_periods(names: Iterable[str]) -> list[str]:
    """The names that are periods as inspect writes them, oldest first: `2026q3` (a hand-made
    directory) and a stray directory are not periods."""
    valid = set()
    for name in names:
        try:
            if check_period(name) == name:
                valid.add(name)
        except UsageError:
            continue
    return sorted(valid, key=period_order)
