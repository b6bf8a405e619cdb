"""Normalise parsed inspection outputs into one vendor-neutral Facts + Health per device.

`parsed` and `raw` are keyed by catalogue item ("cpu", "fans", ...). A missing item leaves its
fields None/empty: None means "not collected", never "fine". Each platform folder's
normalise.yaml declares the field maps (schema: `_spec.PlatformSpec`); `platform_spec` reads it.
`normalise_items` also says, per item, what it could not use (gaps.Unused).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import TypeAdapter, ValidationError

from netpatrol.errors import NetpatrolError, invalid_file
from netpatrol.inspection.normalise._build import LOG_CAP, Notes, clock, health_from
from netpatrol.inspection.normalise._build import facts as _facts
from netpatrol.inspection.normalise._spec import Hook, PlatformSpec
from netpatrol.inspection.normalise.gaps import Unused, unused_items
from netpatrol.inspection.normalise.hooks import HOOKS
from netpatrol.inspection.results import Facts, Health
from netpatrol.platforms import PLATFORMS, PlatformProfile, load_part

SPEC_FILE = "normalise.yaml"
_ADAPTER = TypeAdapter(PlatformSpec)
# platform -> (profile read from, its spec, its hooks); a reloaded registry reads the file again.
_SPECS: dict[str, tuple[PlatformProfile, PlatformSpec, tuple[Hook, ...]]] = {}


class NormaliseError(NetpatrolError):
    """No usable field map for the platform."""


def _load(profile: PlatformProfile) -> tuple[PlatformSpec, tuple[Hook, ...]]:
    path = profile.folder / SPEC_FILE
    raw = load_part(profile.name, SPEC_FILE)
    if raw is None:
        raise NormaliseError(f"normalise: no field map for platform {profile.name!r} (add {path})")
    try:
        spec = _ADAPTER.validate_python(raw)
    except ValidationError as exc:
        raise NormaliseError(invalid_file(str(path), exc)) from None
    unknown = [h for h in spec.hooks if h not in HOOKS]
    if unknown:
        raise NormaliseError(f"{path}: field 'hooks': unknown hook(s) {unknown} (known: {', '.join(sorted(HOOKS))})")
    return spec, tuple(HOOKS[h] for h in spec.hooks)


def platform_spec(platform: str) -> tuple[PlatformSpec, tuple[Hook, ...]]:
    """The platform's field maps and hooks, read once per loaded profile."""
    profile = PLATFORMS.get(platform)
    if profile is None:
        raise NormaliseError(f"normalise: no field map for platform {platform!r}; known: {', '.join(sorted(PLATFORMS))}")
    cached = _SPECS.get(platform)
    if cached is None or cached[0] is not profile:
        cached = _SPECS[platform] = (profile, *_load(profile))
    return cached[1], cached[2]


@dataclass(frozen=True)
class Normalised:
    facts: Facts
    health: Health
    unused: dict[str, Unused] = field(default_factory=dict)  # item -> what of its rows was not used


def _normalise(platform: str, parsed: Mapping[str, list[dict]], raw: Mapping[str, str],
               notes: Notes | None) -> tuple[Facts, Health]:
    spec, hooks = platform_spec(platform)
    facts = _facts(spec.facts, parsed)
    facts.vendor = PLATFORMS[platform].vendor
    if facts.hostname is None:  # many `show version`s omit it; log lines carry it
        facts.hostname = next((str(r["hostname"]) for r in parsed.get("logs") or [] if r.get("hostname")), None)
    health = health_from(spec, parsed, notes)
    health.clock = clock(parsed)
    for hook in hooks:
        hook(facts, health, parsed, raw)
    return facts, health


def normalise(platform: str, parsed: Mapping[str, list[dict]], raw: Mapping[str, str] | None = None
              ) -> tuple[Facts, Health]:
    """Facts and Health of one device from its parsed items (pure: no I/O once the map is read)."""
    return _normalise(platform, parsed, raw or {}, None)


def normalise_items(platform: str, parsed: Mapping[str, list[dict]], raw: Mapping[str, str] | None = None
                    ) -> Normalised:
    """`normalise`, and per item what it could not use: skipped rows with the reason, and items
    whose rows gave none of the facts the field map reads from them."""
    notes: Notes = {}
    facts, health = _normalise(platform, parsed, raw or {}, notes)
    spec, hooks = platform_spec(platform)
    return Normalised(facts, health, unused_items(spec, hooks, parsed, raw or {}, notes))


__all__ = ["LOG_CAP", "NormaliseError", "Normalised", "Unused", "normalise", "normalise_items", "platform_spec"]
