"""The platform registry: `PLATFORMS["huawei_vrp"]`, `get_platform(name)`.

A platform is a folder holding everything netpatrol knows about it (docs/design.md, "Platforms"):
`platform.yaml` (this package's model), `config_checks.yaml`, `inspection.yaml`, `normalise.yaml`,
`textfsm/`, `lab/`.
The built-in folders sit beside this module; `NETPATROL_PLATFORM_DIRS` (os.pathsep-separated)
names more directories of platform folders, so a platform is added without a code change. Every
consumer reaches platform knowledge through this registry; nothing else branches on a name.
A name people type goes through `canonical_platform` (aliases.py): aliases in, folder names out.
"""

from __future__ import annotations

from netpatrol.platforms.aliases import canonical_keys, canonical_platform, get_platform, unknown_platform
from netpatrol.platforms.model import BackupSpec, PlatformProfile, ReadOnlyPolicy, SecretRuleSpec, SyslogChange
from netpatrol.platforms.registry import (
    BUILTIN_DIR,
    ENV_VAR,
    PLATFORMS,
    PlatformError,
    UnknownPlatform,
    config_patterns,
    load_part,
    platform_dirs,
)

__all__ = [
    "BUILTIN_DIR", "ENV_VAR", "PLATFORMS", "BackupSpec", "PlatformError", "PlatformProfile", "ReadOnlyPolicy",
    "SecretRuleSpec", "SyslogChange", "UnknownPlatform", "canonical_keys", "canonical_platform", "config_patterns",
    "get_platform", "load_part", "platform_dirs", "unknown_platform",
]
