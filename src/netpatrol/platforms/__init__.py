"""Registry of platform profiles: `PLATFORMS["huawei_vrp"]`.

Adding a vendor is adding a YAML file here; nothing else branches on platform names.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from netpatrol.platforms.model import BackupSpec, PlatformProfile, ReadOnlyPolicy

_DIR = Path(__file__).parent


def _load() -> dict[str, PlatformProfile]:
    profiles = {}
    for path in sorted(_DIR.glob("*.yaml")):
        profile = PlatformProfile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        profiles[profile.name] = profile
    return profiles


PLATFORMS: dict[str, PlatformProfile] = _load()


def get_platform(name: str) -> PlatformProfile:
    return PLATFORMS[name]


__all__ = ["PLATFORMS", "BackupSpec", "PlatformProfile", "ReadOnlyPolicy", "get_platform"]
