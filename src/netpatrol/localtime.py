"""Times shown to people: in the workspace's `timezone:` (else the machine's zone), with the offset.

Stored timestamps stay UTC ISO 8601 (results, run records, Git); only what a person reads on a
screen, in a report or in a notification goes through here.
"""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@cache
def zone(name: str | None) -> tzinfo:
    """The named IANA zone; None: the process's local zone (which honours TZ)."""
    if name is None:
        local = datetime.now().astimezone().tzinfo
        return local if local is not None else timezone.utc
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        # zoneinfo reads the system's database (Debian's tzdata), else the `tzdata` wheel if installed.
        raise ValueError(f"unknown time zone {name!r}: use an IANA name such as Asia/Shanghai or UTC "
                         "(a machine without a time-zone database needs 'apt install tzdata' or 'pip install tzdata')") from None


def local(moment: str | datetime, tz: tzinfo) -> datetime:
    """A stored timestamp (ISO 8601; naive means UTC) in zone `tz`."""
    when = datetime.fromisoformat(moment.replace("Z", "+00:00")) if isinstance(moment, str) else moment
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(tz)


def offset(when: datetime) -> str:
    """'+08:00'."""
    text = when.strftime("%z") or "+0000"
    return f"{text[:3]}:{text[3:5]}"


def show(moment: str | datetime | None, tz: tzinfo, seconds: bool = False, empty: str = "—") -> str:
    """'2026-12-05 10:41 +08:00' (with seconds when asked); `empty` for None."""
    if moment is None or moment == "":
        return empty
    when = local(moment, tz)
    return f"{when.strftime('%Y-%m-%d %H:%M:%S' if seconds else '%Y-%m-%d %H:%M')} {offset(when)}"


def show_date(moment: str | datetime | None, tz: tzinfo, empty: str = "—") -> str:
    """'2026-12-05': the local calendar day."""
    if moment is None or moment == "":
        return empty
    return local(moment, tz).strftime("%Y-%m-%d")
