"""Normalise parsed inspection outputs into one vendor-neutral Facts + Health per device.

`parsed` and `raw` are keyed by catalogue item ("cpu", "fans", ...). A missing item leaves its
fields None/empty: None means "not collected", never "fine". Each platform is a module declaring
field maps (see `_spec.PlatformSpec`); `PLATFORM_SPECS` is the registry.
"""

from __future__ import annotations

from collections.abc import Mapping

from netpatrol.errors import NetpatrolError
from netpatrol.inspection.results import Facts, Health
from netpatrol.inspection.normalise import (
    arista_eos, cisco_ios, cisco_nxos, hp_comware, huawei_vrp, juniper_junos, ruijie_os,
)
from netpatrol.inspection.normalise._build import LOG_CAP, clock, facts as _facts, health_from
from netpatrol.inspection.normalise._spec import PlatformSpec
from netpatrol.platforms import PLATFORMS

PLATFORM_SPECS: dict[str, PlatformSpec] = {
    "cisco_ios": cisco_ios.SPEC,
    "cisco_nxos": cisco_nxos.SPEC,
    "arista_eos": arista_eos.SPEC,
    "juniper_junos": juniper_junos.SPEC,
    "huawei_vrp": huawei_vrp.SPEC,
    "hp_comware": hp_comware.SPEC,
    "ruijie_os": ruijie_os.SPEC,
}


class NormaliseError(NetpatrolError):
    """No field map for the platform."""


def normalise(platform: str, parsed: Mapping[str, list[dict]], raw: Mapping[str, str] | None = None
              ) -> tuple[Facts, Health]:
    """Facts and Health of one device from its parsed items (pure: no I/O)."""
    spec = PLATFORM_SPECS.get(platform)
    if spec is None:
        raise NormaliseError(f"normalise: no field map for platform {platform!r}; "
                             f"known: {', '.join(sorted(PLATFORM_SPECS))}")
    raw = raw or {}
    facts = _facts(spec.facts, parsed)
    if platform in PLATFORMS:
        facts.vendor = PLATFORMS[platform].vendor
    if facts.hostname is None:  # many `show version`s omit it; log lines carry it
        facts.hostname = next((str(r["hostname"]) for r in parsed.get("logs") or [] if r.get("hostname")), None)
    health = health_from(spec, parsed)
    health.clock = clock(parsed)
    for hook in spec.hooks:
        hook(facts, health, parsed, raw)
    return facts, health


__all__ = ["normalise", "PLATFORM_SPECS", "NormaliseError", "LOG_CAP"]
