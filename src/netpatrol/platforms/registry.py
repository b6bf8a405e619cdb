"""Find and validate the platform folders, built-in and registered from outside the package.

The registry loads on first use, not on import, so `NETPATROL_PLATFORM_DIRS` may come from an
env file read by the command itself; child processes (the lab server) inherit the variable and so
see the same platforms.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from netpatrol import safe_yaml
from netpatrol.errors import WorkspaceError, invalid_file
from netpatrol.platforms.model import ConfigTreeSpec, PlatformProfile, SecretRuleSet, SecretRuleSpec, name_key

BUILTIN_DIR = Path(__file__).parent
ENV_VAR = "NETPATROL_PLATFORM_DIRS"
PROFILE_FILE = "platform.yaml"
CONFIG_CHECKS_FILE = "config_checks.yaml"
CONFIG_TREE_FILE = "config_tree.yaml"
COMPLIANCE_FILE = "compliance.yaml"
RULE_SETS_DIR = BUILTIN_DIR / "secret_rules"
_FRAGMENT = re.compile(r"\$\{(\w+)\}")
_CHECK_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class PlatformError(WorkspaceError):
    """A platform folder (or a registered directory of them) that does not load."""


class UnknownPlatform(WorkspaceError):
    """A platform name no registered folder provides."""


def platform_dirs() -> list[Path]:
    """Directories searched for platform folders: the built-in one, then those `ENV_VAR` names."""
    extra = [Path(p) for p in os.environ.get(ENV_VAR, "").split(os.pathsep) if p.strip()]
    return [BUILTIN_DIR, *extra]


def _folders(base: Path) -> list[Path]:
    if base != BUILTIN_DIR and not base.is_dir():
        raise PlatformError(f"{ENV_VAR}: {base}: not a directory")
    if (base / PROFILE_FILE).is_file():  # the variable may name one platform folder itself
        return [base]
    return sorted(p for p in base.iterdir() if (p / PROFILE_FILE).is_file())


def _read_yaml(path: Path) -> Any:
    """A platform file, read like every user-written YAML file (errors name file and line)."""
    return safe_yaml.load_file(path, str(path))


def _invalid(path: Path, exc: ValidationError) -> PlatformError:
    return PlatformError(invalid_file(str(path), exc))


@cache
def _rule_set(name: str) -> tuple[SecretRuleSpec, ...]:
    path = RULE_SETS_DIR / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in RULE_SETS_DIR.glob("*.yaml")))
        raise PlatformError(f"secret rule set '{name}' does not exist (known: {known})")
    try:
        data = SecretRuleSet.model_validate(_read_yaml(path))
    except ValidationError as exc:
        raise _invalid(path, exc) from None

    def expand(text: str | None) -> str | None:
        if text is None:
            return None
        unknown = sorted(set(_FRAGMENT.findall(text)) - set(data.fragments))
        if unknown:
            raise PlatformError(f"{path}: unknown fragment(s) {unknown} in {text!r}")
        return _FRAGMENT.sub(lambda m: data.fragments[m[1]], text)

    try:
        return tuple(r.model_validate({**r.model_dump(), "pattern": expand(r.pattern)}) for r in data.rules)
    except ValidationError as exc:
        raise _invalid(path, exc) from None


def _config_checks(folder: Path) -> dict[str, str | None]:
    """The folder's config_checks.yaml: check id -> regex (MULTILINE) or None; {} when absent."""
    path = folder / CONFIG_CHECKS_FILE
    raw = _read_yaml(path) if path.is_file() else None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise PlatformError(f"{path}: expected a mapping of check id -> regex (or null)")
    for cid, pattern in raw.items():
        if not isinstance(cid, str) or not _CHECK_ID.match(cid):
            raise PlatformError(f"{path}: check {cid!r}: not a check id (lower_snake_case)")
        if pattern is None:
            continue
        if not isinstance(pattern, str):
            raise PlatformError(f"{path}: check '{cid}': expected a regex (a string) or null")
        try:
            re.compile(pattern, re.MULTILINE)
        except re.error as exc:
            raise PlatformError(f"{path}: check '{cid}': bad regex: {exc}") from None
    return raw


def _optional_mapping(path: Path) -> dict | None:
    """A platform folder's optional YAML mapping file; None when the file is absent or empty."""
    raw = _read_yaml(path) if path.is_file() else None
    if raw is not None and not isinstance(raw, dict):
        raise PlatformError(f"{path}: expected a mapping")
    return raw


def _load_profile(folder: Path) -> PlatformProfile:
    path = folder / PROFILE_FILE
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise PlatformError(f"{path}: expected a mapping of fields")
    for key in ("name", "folder"):
        if key in raw:
            raise PlatformError(f"{path}: field '{key}': not allowed (the folder name is the platform name)")
    for key, file in (("config_checks", CONFIG_CHECKS_FILE), ("config_tree", CONFIG_TREE_FILE),
                      ("compliance", COMPLIANCE_FILE)):
        if key in raw:
            raise PlatformError(f"{path}: field '{key}': not allowed (it goes in {file})")
    tree_path = folder / CONFIG_TREE_FILE
    try:  # validated on its own so that an error names config_tree.yaml, not platform.yaml
        tree = ConfigTreeSpec.model_validate(_optional_mapping(tree_path) or {})
    except ValidationError as exc:
        raise _invalid(tree_path, exc) from None
    try:
        sets = [str(s) for s in raw.get("secret_rule_sets") or []]
        inherited = [rule.model_dump() for s in sets for rule in _rule_set(s)]
        return PlatformProfile.model_validate(
            {**raw, "name": folder.name, "folder": folder, "secret_rules": inherited + list(raw.get("secret_rules") or []),
             "config_checks": _config_checks(folder),
             "config_tree": tree,
             "compliance": _optional_mapping(folder / COMPLIANCE_FILE) or {}}
        )
    except ValidationError as exc:
        raise _invalid(path, exc) from None


def _load_all() -> dict[str, PlatformProfile]:
    profiles: dict[str, PlatformProfile] = {}
    for base in platform_dirs():
        for folder in _folders(base):
            if folder.name in profiles:
                raise PlatformError(f"platform '{folder.name}' is defined twice: {profiles[folder.name].folder} and {folder}")
            profiles[folder.name] = _load_profile(folder)
    _check_aliases(profiles)
    return profiles


def _check_aliases(profiles: dict[str, PlatformProfile]) -> None:
    """Each name people may type (a folder name or an alias) must choose one platform: a name
    two folders claim would send a host to whichever folder happened to load first."""
    owner = {name_key(name): name for name in profiles}
    for name, profile in profiles.items():
        for alias in profile.aliases:
            other = owner.setdefault(name_key(alias), name)
            if other != name:
                what = "the name" if name_key(other) == name_key(alias) else "an alias"
                raise PlatformError(f"{profile.folder / PROFILE_FILE}: alias '{alias}' is already {what} of platform "
                                    f"'{other}' ({profiles[other].folder})")


class _Registry(Mapping[str, PlatformProfile]):
    """Platform name -> profile, loaded on first use; `reload()` re-reads the folders."""

    def __init__(self) -> None:
        self._profiles: dict[str, PlatformProfile] | None = None
        self._env: str | None = None

    def _data(self) -> dict[str, PlatformProfile]:
        # A changed ENV_VAR (an env file read by the command, a test) is picked up on next use;
        # comparing its text keeps a lookup (one per host and command) at a dict read.
        if self._profiles is None or self._env != os.environ.get(ENV_VAR, ""):
            self.reload()
        assert self._profiles is not None
        return self._profiles

    def reload(self) -> None:
        env = os.environ.get(ENV_VAR, "")
        profiles = _load_all()  # a folder that fails to load leaves nothing half-registered
        self._env, self._profiles = env, profiles
        load_part.cache_clear()

    def __getitem__(self, name: str) -> PlatformProfile:
        return self._data()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())

    def __contains__(self, name: object) -> bool:
        return name in self._data()


PLATFORMS = _Registry()


@cache
def load_part(name: str, part: str) -> Any:
    """The parsed YAML file `part` (e.g. "inspection.yaml") of platform `name` (a folder name, as
    stored; names people type go through aliases.get_platform); None when absent."""
    try:
        path = PLATFORMS[name].folder / part
    except KeyError:
        raise UnknownPlatform(f"no platform folder '{name}' is registered") from None
    return _read_yaml(path) if path.is_file() else None


def config_patterns(check_id: str) -> dict[str, str]:
    """Platform -> its regex for the configuration check `check_id`, from every folder that has one."""
    return {name: rx for name, profile in PLATFORMS.items() if (rx := profile.config_checks.get(check_id))}
