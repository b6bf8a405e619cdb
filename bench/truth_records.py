"""Judging list facts of bench/parse_truth.py made of records (transceivers, VRRP/HSRP groups, STP
instances): each expected record must be matched by a different parsed one on every key it gives."""

from __future__ import annotations

import re


def _state(state) -> str:
    return (state or "").lower().split("/")[0].strip()


def _token_in(expected: str, got: str) -> bool:
    pattern = r"(?<![A-Za-z0-9])" + re.escape(str(expected)) + r"(?![A-Za-z0-9])"
    return re.search(pattern, str(got), re.IGNORECASE) is not None


def _field_matches(want, have) -> bool:
    """Numbers within 0.1 (dBm, °C as printed), anything else as a case-insensitive word; a state
    is compared on its part before `/`."""
    if have is None:
        return False
    if isinstance(want, bool) or isinstance(have, bool):
        return bool(want) == bool(have)
    if isinstance(want, (int, float)):
        try:
            return abs(float(have) - float(want)) <= 0.1
        except (TypeError, ValueError):
            return False
    return _word(str(want)) == _word(str(have))


def _word(state: str) -> str:
    """The state word: "Initial(Interface Down)" is initial, "Full/DR" is full."""
    match = re.match(r"[a-z]+", _state(state))
    return match.group(0) if match else _state(state)


def records_match(expected: list, got: list) -> bool:
    """Transceivers, VRRP/HSRP groups, STP instances: as many records as expected, each expected one
    matched by a different parsed one on every key it gives (interface names as a token)."""
    if len(expected) != len(got):
        return False
    left = list(got)
    for want in expected:
        for i, have in enumerate(left):
            if all((_token_in(_short_ifname(v), _short_ifname(have.get(k) or "")) if k == "interface"
                    else _field_matches(v, have.get(k))) for k, v in want.items()):
                del left[i]
                break
        else:
            return False
    return True


def _short_ifname(name: str) -> str:
    """GigabitEthernet0/0/1 and GE0/0/1 name the same port: compare the numbers with the first letter."""
    match = re.match(r"([A-Za-z])[A-Za-z-]*\s*([\d/.:]+)$", str(name).strip())
    return f"{match.group(1).lower()}{match.group(2)}" if match else str(name)

