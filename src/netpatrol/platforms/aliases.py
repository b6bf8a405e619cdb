"""Platform names as people type them: aliases, and "did you mean" for a name nothing knows.

A platform is stored and shown by its folder name. Wherever a name is typed (inventory
`platform:`, `--platform`, check and compliance packs, job files) these also choose it, compared
case-insensitively with `-`, `_` and spaces alike:
- the folder's `aliases:` in platform.yaml (`huawei`, `h3c`, `ios`, ...);
- the names netutils' mapping tables (`netutils.lib_mapper`) give another library's driver
  (napalm `ios`, ansible `cisco.nxos.nxos`, pyats `iosxe`, ...) when netutils maps it to a folder
  name. A library name netutils maps to two of our platforms is dropped, not guessed, and a
  folder's own alias wins over a netutils name (the registry already refuses clashing aliases).
A vendor with two of our platforms (`cisco`: IOS and NX-OS) is no platform name, even where
netutils maps it to one: a device sheet's model must choose.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from functools import cache
from typing import Any

from netpatrol.platforms.model import PlatformProfile, name_key
from netpatrol.platforms.registry import PLATFORMS, UnknownPlatform

_Names = tuple[tuple[str, str, tuple[str, ...]], ...]  # (platform, vendor, aliases)


def _netutils_names(platforms: frozenset[str]) -> dict[str, set[str]]:
    """Library driver name (as name_key spells it) -> the platforms netutils maps it to."""
    # Imported here: reading netutils' tables costs ~40 ms, paid only for a name that is not a folder's.
    from netutils.lib_mapper import NAME_TO_LIB_MAPPER

    found: dict[str, set[str]] = {}
    for table in NAME_TO_LIB_MAPPER.values():
        for library_name, normalised in table.items():
            if isinstance(library_name, str) and normalised in platforms:
                found.setdefault(name_key(library_name), set()).add(normalised)
    return found


@cache
def _table(names: _Names) -> dict[str, str]:
    """Every name that chooses a platform (as name_key spells it) -> the platform."""
    table = {name_key(platform): platform for platform, _, _ in names}
    table.update({name_key(alias): platform for platform, _, aliases in names for alias in aliases})
    vendors = [name_key(vendor) for _, vendor, _ in names]
    shared = {v for v in vendors if vendors.count(v) > 1}
    for key, platforms in _netutils_names(frozenset(p for p, _, _ in names)).items():
        if key not in table and key not in shared and len(platforms) == 1:
            table[key] = next(iter(platforms))
    return table


def alias_table() -> dict[str, str]:
    """Name people may type (case-folded, `-`/space written `_`) -> platform folder name."""
    return _table(tuple((name, p.vendor, tuple(p.aliases)) for name, p in sorted(PLATFORMS.items())))


def canonical_platform(name: str) -> str | None:
    """The folder name of the platform `name` stands for (its folder name or any alias), or None."""
    if not isinstance(name, str):
        return None
    if name in PLATFORMS:
        return name
    return alias_table().get(name_key(name))


def unknown_platform(name: str) -> str:
    """One line for a name no platform answers to: the known names and the closest one."""
    message = f"unknown platform {str(name)!r} (known: {', '.join(sorted(PLATFORMS))})"
    table = alias_table()
    # Above difflib's 0.6: short names otherwise draw a guess from anything ('nosuch' -> 'nxos'),
    # while a swapped pair in a three-letter alias ('vpr', 'eso': 0.67) still gets one.
    close = difflib.get_close_matches(name_key(str(name)), sorted(table), n=1, cutoff=0.65)
    if not close:
        return message
    platform = table[close[0]]
    alias = "" if close[0] == name_key(platform) else f" ({close[0]})"
    return f"{message}; did you mean '{platform}'{alias}?"


def get_platform(name: str) -> PlatformProfile:
    """The platform `name` (or an alias of it), or UnknownPlatform listing every known one."""
    canonical = canonical_platform(name)
    if canonical is None:
        raise UnknownPlatform(unknown_platform(name))
    return PLATFORMS[canonical]


def canonical_keys(mapping: Mapping[Any, Any]) -> dict[Any, Any]:
    """`mapping` with its platform keys written canonically (unknown keys left for the caller to
    report); ValueError when two keys name one platform, as the later would silently win."""
    out: dict[Any, Any] = {}
    spelled: dict[Any, Any] = {}
    for key, value in mapping.items():
        platform = canonical_platform(key) if isinstance(key, str) else None
        target = platform or key
        if target in out:
            raise ValueError(f"'{spelled[target]}' and '{key}' both name platform '{target}': keep one")
        out[target], spelled[target] = value, key
    return out
