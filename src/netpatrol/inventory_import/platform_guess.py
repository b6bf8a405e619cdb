"""Which platform a sheet row names: the platform cell if filled in, else the vendor cell (the model
choosing among that vendor's platforms), else the model cell alone.

Every vendor and model spelling lives in the platform folders (platform.yaml `inventory_import:`),
so a platform added as a folder is recognised in sheets too; nothing here names a platform.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from netpatrol.platforms import PLATFORMS, PlatformProfile, canonical_platform, unknown_platform


class PlatformGuessError(ValueError):
    """Why a row names no platform. `field` is the cell to point at ("platform", "vendor" or
    "model"), None when the row has none of them."""

    def __init__(self, message: str, field: str | None) -> None:
        super().__init__(message)
        self.field = field


def _clean(text: str | None) -> str:
    # Full-width letters and digits (U+FF21...) are what a Chinese input method often types.
    return " ".join(unicodedata.normalize("NFKC", text or "").split())


def _matches(patterns: Iterable[str], *texts: str) -> bool:
    return any(re.search(p, t, re.IGNORECASE) for p in patterns for t in texts if t)


def _names(profiles: list[PlatformProfile]) -> str:
    shown = [f"{p.family} ({p.name})" for p in profiles]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def guess_platform(vendor: str | None, model: str | None, platform: str | None) -> str:
    """The canonical platform name a row's cells give; PlatformGuessError (a ValueError) whose
    message names what was tried."""
    vendor, model, platform = _clean(vendor), _clean(model), _clean(platform)
    if platform:
        found = canonical_platform(platform)
        # A vendor's name as the platform cell (`cisco`, `Huawei`, `思科`) is read as
        # the vendor, so the model still chooses (cisco + N9K-... is NX-OS) or refuses (huawei +
        # 2288H is a server); a platform's own name or alias (`ios`, a folder name) wins outright.
        if _is_vendor(platform):
            try:
                return _by_vendor(platform, model)
            except PlatformGuessError as exc:
                raise PlatformGuessError(str(exc), "platform" if exc.field == "vendor" else exc.field) from None
        if found is None:
            raise PlatformGuessError(unknown_platform(platform), "platform")
        return found
    if vendor:
        return _by_vendor(vendor, model)
    if model:
        return _by_model(model)
    raise PlatformGuessError("no vendor (厂商), model (型号) or platform: fill in one of them", None)


def _is_vendor(text: str) -> bool:
    # The whole cell: `cisco_xr` or `cisco asa` would otherwise become Cisco's default platform.
    return any(re.fullmatch(p, text, re.IGNORECASE) for q in PLATFORMS.values() for p in q.inventory_import.vendors)


def _other_line(profiles: Iterable[PlatformProfile], *texts: str) -> None:
    """Refuses a model of a line that runs no platform of ours (ASR9006, 2288H), which would
    otherwise fall to its vendor's default platform."""
    for profile in profiles:
        for pattern, what in profile.inventory_import.other_lines.items():
            if _matches([pattern], *texts):
                shown = next(t for t in texts if t and re.search(pattern, t, re.IGNORECASE))
                cell = "model" if shown == texts[0] else "vendor"
                raise PlatformGuessError(f"{cell} {shown!r} is {what}, which netpatrol has no platform for: leave the "
                                         "row out, or fill in the platform column if it runs one", cell)


def _by_vendor(vendor: str, model: str) -> str:
    # An unknown vendor is refused even when the model would name a platform alone: other vendors
    # number their models alike (a Dell S4048 is no Huawei S-series switch).
    theirs = [p for p in PLATFORMS.values() if _matches(p.inventory_import.vendors, vendor)]
    if not theirs:
        known = ", ".join(sorted({p.vendor for p in PLATFORMS.values() if p.inventory_import.vendors}))
        raise PlatformGuessError(f"vendor {vendor!r} names no platform netpatrol knows (vendors: {known}); "
                                 "write a known vendor or fill in the platform column", "vendor")
    _other_line(theirs, model, vendor)
    # The vendor cell may carry the line too ("Cisco Nexus", "HPE FlexNetwork").
    by_model = [p for p in theirs if _matches(p.inventory_import.models, model, vendor)]
    # A model_required platform is the exception to its vendor's default: its model match wins.
    chosen = [p for p in by_model if p.inventory_import.model_required] or by_model
    if len(chosen) == 1:
        return chosen[0].name
    if chosen:
        raise PlatformGuessError(f"vendor {vendor!r} with model {model!r} could be {_names(chosen)}: "
                                 "fill in the platform column", "model")
    defaults = [p for p in theirs if not p.inventory_import.model_required]
    if len(defaults) == 1:
        return defaults[0].name
    if not defaults:
        what = f"model {model!r} is none of theirs" if model else "the model column is empty"
        raise PlatformGuessError(f"vendor {vendor!r} is {_names(theirs)} only by model, and {what}: "
                                 "fill in the model or the platform column", "model" if model else "vendor")
    raise PlatformGuessError(f"vendor {vendor!r} could be {_names(defaults)}"
                             + (f" and model {model!r} does not choose" if model else "")
                             + ": fill in the platform column", "vendor")


def _by_model(model: str) -> str:
    _other_line(PLATFORMS.values(), model)
    candidates = [p for p in PLATFORMS.values() if _matches(p.inventory_import.models, model)]
    # As under a vendor: a model_required platform's match (C9336C: Nexus) beats its vendor's default.
    required = [p for p in candidates if p.inventory_import.model_required]
    if required and {p.vendor for p in candidates} == {p.vendor for p in required}:
        candidates = required
    if len(candidates) == 1:
        return candidates[0].name
    if candidates:
        raise PlatformGuessError(f"model {model!r} could be {_names(candidates)}, and the vendor (厂商) is empty: "
                                 "fill in the vendor or the platform column", "model")
    raise PlatformGuessError(f"model {model!r} names no platform netpatrol knows, and the vendor (厂商) is empty: "
                             "fill in the vendor or the platform column", "model")
