"""Periods as people write them: "2026年第四季度" / "Q4 2026", "2026年11月" / "November 2026".

Stored periods are `YYYYQn` (store/periods.py); a monthly `YYYY-MM` is labelled too, so a report
over a month reads the same way.
"""

from __future__ import annotations

import re

from netpatrol.store.periods import parse_period

_ZH_QUARTERS = "一二三四"
# Spelt out: calendar.month_name follows the process locale.
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")


def period_label(period: str | None, lang: str) -> str:
    """The period in words; "—" for None."""
    if not period:
        return "—"
    month = _MONTH.fullmatch(period)
    if month:
        year, m = int(month.group(1)), int(month.group(2))
        return f"{year}年{m}月" if lang == "zh-CN" else f"{_MONTHS[m - 1]} {year}"
    year, q = parse_period(period)
    return f"{year}年第{_ZH_QUARTERS[q - 1]}季度" if lang == "zh-CN" else f"Q{q} {year}"
