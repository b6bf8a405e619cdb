"""How a simulated device behaves at its CLI, per platform: data in the platform folder's `lab/profile.yaml`.

The engine (shell.py, server.py) reads only these fields, so adding a platform to the lab is adding
its folder's lab/profile.yaml (and its output templates), not a branch in code.
"""

from __future__ import annotations

import re

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from netpatrol.errors import LabError
from netpatrol.platforms import PLATFORMS, PlatformProfile

PROFILE_FILE = "profile.yaml"


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Prompts(_Data):
    # Placeholders: {hostname}, {username}; config_sub also {ctx} (e.g. "if" for an interface).
    user: str
    enable: str
    config: str
    config_sub: str | None = None
    # Printed before the config prompt on every config-mode line (Junos "[edit]").
    config_banner: str | None = None


class Enable(_Data):
    command: str = "enable"
    password_prompt: str = "Password: "
    bad_secret_reply: str = "% Access denied"
    disable_command: str | None = "disable"


class ConfigMode(_Data):
    enter: list[str]
    enter_reply: str = ""
    exit_reply: str = ""
    # Leave config mode from any depth.
    to_top: list[str] = Field(default_factory=list)
    # One level up (sub-mode -> config -> exec).
    level_up: list[str] = Field(default_factory=list)
    # A line matching a key opens a sub-mode; the value (regex expand template, e.g. "if" or
    # "\\1") names it in the config_sub prompt.
    submodes: dict[str, str] = Field(default_factory=dict)
    hostname: str = Field(description="regex with one group: the new hostname")
    # Junos: typed lines are a candidate, applied only by commit.
    commit: str | None = None
    commit_reply: str = ""
    # How typed lines enter the stored config: "before_end" (before the end marker line) or "junos_set".
    style: str = "before_end"
    sub_indent: str = " "

    @field_validator("submodes")
    @classmethod
    def _compiles(cls, v: dict[str, str]) -> dict[str, str]:
        for pattern in v:
            re.compile(pattern)
        return v


class Save(_Data):
    # save command -> the confirmation question it asks, or null when it saves at once.
    commands: dict[str, str | None] = Field(default_factory=dict)
    reply: str = ""
    declined_reply: str = ""


class Paging(_Data):
    disable: dict[str, str] = Field(description="paging-off command -> its reply")
    prompt: str = " --More-- "
    # Written after a key press to wipe the paging prompt from the line.
    erase: str = "\b\b\b\b\b\b\b\b\b\b          \b\b\b\b\b\b\b\b\b\b"
    page_length: int = 24


class ConfigText(_Data):
    # Regex (MULTILINE) with one group: the hostname inside a config.
    hostname: str
    # Replacement line for a hostname change: {hostname} placeholder.
    hostname_line: str
    # Line the running config ends with; typed lines go before it ("" means append at the end).
    end_line: str = ""
    running_header: str = ""
    saved_header: str = ""
    fallback: str = Field(description="Jinja2 template used when running_config.j2 does not exist yet")


class Interfaces(_Data):
    prefix: str
    count: int = 8
    start: int = 1


class LabProfile(_Data):
    # The platform folder's name; filled in when the profile is loaded, never written in the file.
    platform: str
    prompts: Prompts
    start_mode: str = Field("enable", description="'user' means enable is needed when a secret is configured")
    enable: Enable | None = None
    config_mode: ConfigMode
    save: Save = Save()
    paging: Paging
    # Session-housekeeping commands netmiko sends (terminal width, ...): regex -> reply.
    session_commands: dict[str, str] = Field(default_factory=dict)
    # {caret} is the line with '^' under the offending word.
    unknown_command: str
    logout: list[str] = Field(default_factory=lambda: ["exit", "quit", "logout"])
    banner: str = ""
    # Several commands on one line, e.g. NX-OS "show running-config ; show hostname".
    command_separator: str | None = None
    # Printed after each command's output, before the prompt (Junos "{master:0}").
    output_trailer: str = ""
    config: ConfigText
    interfaces: Interfaces
    default_model: str
    # The software version of a device whose lab.yaml entry and inventory name none.
    default_version: str
    # Jinja2 sources used for commands whose lab/<slug>.j2 does not exist (yet), so
    # the lab answers the basics (version) before the output templates are written.
    fallback_outputs: dict[str, str] = Field(default_factory=dict)
    # strftime format of {time} in headers and the banner.
    time_format: str = "%H:%M:%S UTC %a %b %d %Y"

    @field_validator("start_mode")
    @classmethod
    def _mode(cls, v: str) -> str:
        if v not in ("user", "enable"):
            raise ValueError("start_mode must be 'user' or 'enable'")
        return v

    def interface_names(self) -> list[str]:
        i = self.interfaces
        return [f"{i.prefix}{n}" for n in range(i.start, i.start + i.count)]

    def unknown_reply(self, prompt: str, command: str) -> str:
        """The platform's error for an unknown command, caret under the first word it rejects."""
        words = command.split(" ")
        # Real devices point at the first token they could not parse: past the verb, if any.
        offset = len(words[0]) + 1 if len(words) > 1 else 0
        caret = " " * (len(prompt) + offset) + "^"
        return self.unknown_command.format(caret=caret, command=command).strip("\n")


def _load_one(profile: PlatformProfile) -> LabProfile:
    path = profile.lab_dir / PROFILE_FILE
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LabError(f"no lab profile for platform {profile.name!r} (add {path})") from None
    except yaml.YAMLError as exc:
        raise LabError(f"{path}: invalid lab profile: {exc}") from exc
    if isinstance(raw, dict) and "platform" in raw:
        raise LabError(f"{path}: field 'platform': not allowed (the platform folder's name is the platform)")
    try:
        return LabProfile.model_validate({**(raw if isinstance(raw, dict) else {}), "platform": profile.name})
    except ValidationError as exc:
        raise LabError(f"{path}: invalid lab profile: {exc}") from exc


# platform -> (the registry profile it was read for, the lab profile); a reloaded registry re-reads.
_LOADED: dict[str, tuple[PlatformProfile, LabProfile]] = {}


def _lab_profile(profile: PlatformProfile) -> LabProfile:
    cached = _LOADED.get(profile.name)
    if cached is None or cached[0] is not profile:
        cached = _LOADED[profile.name] = (profile, _load_one(profile))
    return cached[1]


def load_profiles() -> dict[str, LabProfile]:
    """The lab profile of every registered platform that has one."""
    return {name: _lab_profile(p) for name, p in PLATFORMS.items() if (p.lab_dir / PROFILE_FILE).is_file()}


def get_profile(platform: str) -> LabProfile:
    profile = PLATFORMS.get(platform)
    if profile is None:
        raise LabError(f"no lab profile for platform {platform!r}; known: {', '.join(sorted(load_profiles()))}")
    return _lab_profile(profile)
