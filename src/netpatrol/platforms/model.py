"""Typed, frozen platform knowledge: the schema of each platform folder's `platform.yaml`."""

from __future__ import annotations

import re
import unicodedata
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def name_key(name: str) -> str:
    """How platform names and aliases are compared: case-insensitive, `-`, `_` and spaces alike
    ("NX-OS", "nx_os" and "nx os" are one name)."""
    return re.sub(r"[-_\s]+", "_", name.strip().lower())


def _compiles_all(patterns: list[str | None], flags: int = 0) -> None:
    """A ValueError (reported by pydantic with file and field) for a pattern that does not compile."""
    for pattern in patterns:
        if pattern is not None:
            try:
                re.compile(pattern, flags)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a valid regular expression: {exc}") from None


class BackupSpec(_Frozen):
    running: str = Field(description="command that prints the running configuration")
    saved: str | None = Field(None, description="command that prints the saved/startup config")
    # Lines before the first match of start_marker are device chatter ("Building configuration...").
    start_marker: str | None = None
    # The config is complete only if one of these matches a line near the end.
    end_markers: list[str] = Field(default_factory=list)
    # Lines matching these change on every fetch without a config change: dropped before storing.
    volatile: list[str] = Field(default_factory=list)
    read_timeout: float = 120.0
    # For platforms without an end marker: a command chained after the config command on the
    # same line (`running ; command`) whose one-line output must equal what `sentinel_expect`
    # captures from the config. A cut-short reply loses it, so truncation shows.
    sentinel_command: str | None = None
    sentinel_expect: str | None = None
    # Commands tried in order when the device refuses the chained line; their output is judged
    # by the other completeness checks only, and the backup records the sentinel as unavailable.
    sentinel_fallback: list[str] = Field(default_factory=list)
    # Collapse runs of comment-only lines ("#") to one: their count flaps on Comware IRF stacks.
    collapse_separator_runs: bool = False
    # Platforms without an end marker (NX-OS) are judged complete only above this many lines.
    min_lines: int = Field(0, ge=0)

    @field_validator("end_markers", "volatile")
    @classmethod
    def _compiles(cls, v: list[str]) -> list[str]:
        _compiles_all(list(v))
        return v

    @field_validator("start_marker")
    @classmethod
    def _start_compiles(cls, v: str | None) -> str | None:
        _compiles_all([v])
        return v


# A line break or other control character (not a tab) in a job command would send a second command
# line or a keystroke such as Ctrl-Z; C1 controls and Unicode line separators are refused too, as
# str.split() (the policy's tokeniser) reads them as spaces while the device does not.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


class ReadOnlyPolicy(_Frozen):
    """The commands a job file may send to this platform: read-only ones only.

    A job item such as `write memory` would otherwise be run by `inspect` and change the device.
    """

    verbs: list[str] = Field(min_length=1, description="allowed first words, abbreviations spelled out")
    refused_words: list[str] = Field(default_factory=list, description="refused as the first word of the command or of any `|` segment")
    refused: dict[str, str] = Field(default_factory=dict, description="regex -> reason, refused anywhere in the command")
    refused_pipes: list[str] = Field(default_factory=list, description="pipe options refused in any `|` segment "
                                     "after the first, in every abbreviation (any prefix: the CLI expands `| t` to `| tee`)")

    @field_validator("refused")
    @classmethod
    def _refused_compiles(cls, v: dict[str, str]) -> dict[str, str]:
        _compiles_all(list(v))
        return v

    def refusal(self, command: str) -> str | None:
        """Why `command` is not allowed in a job file, or None when it is read-only."""
        # Full-width look-alikes ("\uff52edirect") are judged as the ASCII words they stand for.
        command = unicodedata.normalize("NFKC", command)
        if _CONTROL.search(command):
            return "it holds a line break or control character (a second command line)"
        for pattern, reason in self.refused.items():
            if re.search(pattern, command, re.IGNORECASE):
                return reason
        firsts = [seg.split()[0].lower() for seg in command.split("|") if seg.split()]
        refused = next((w for w in firsts if w in self.refused_words), None)
        if refused:
            return f"'{refused}' changes the device or writes a file"
        pipe = next(((w, p) for w in firsts[1:] for p in self.refused_pipes if p.startswith(w)), None)
        if pipe:
            return f"'| {pipe[0]}' is '| {pipe[1]}' abbreviated, which writes a file or runs something"
        if not firsts or firsts[0] not in self.verbs:
            return f"it does not start with a read-only command ({', '.join(self.verbs)})"
        return None


class SecretRuleSpec(_Frozen):
    """One secret rule of the sanitiser: see platforms/secret_rules/common.yaml for the fields."""

    name: str
    kind: Literal["reversible", "hash", "typed"]
    pattern: str
    unless: str | None = None
    within: str | None = None
    needs: str | None = None

    @field_validator("pattern", "unless", "within")
    @classmethod
    def _rule_compiles(cls, v: str | None) -> str | None:
        _compiles_all([v], re.IGNORECASE)
        return v


class SecretRuleSet(_Frozen):
    """A file of platforms/secret_rules/: rules shared by the platforms of one config family."""

    # name -> regex text; `${name}` in a rule's pattern stands for it.
    fragments: dict[str, str] = Field(default_factory=dict)
    rules: list[SecretRuleSpec]


class SyslogChange(_Frozen):
    """A syslog message that means the device's configuration changed (`listen-syslog`)."""

    pattern: str
    # Case-insensitive: a message matching `pattern` that also matches this is not a change.
    unless: str | None = None

    @field_validator("pattern", "unless")
    @classmethod
    def _syslog_compiles(cls, v: str | None) -> str | None:
        _compiles_all([v])
        return v


class ConfigTreeSpec(_Frozen):
    """How a configuration becomes a hier_config tree, and how remediation is written for it.

    `base` is a hier_config platform driver (`hier_config.Platform` member name, lower case, e.g.
    `cisco_ios`, `huawei_vrp`, `generic`); the other fields adjust it with hier_config's own
    driver API (netpatrol.compliance.drivers builds the driver class from them).
    """

    base: str = "generic"
    negation_prefix: str | None = None  # e.g. "undo " (None: the base driver's)
    sectional_exit: str | None = None  # e.g. "quit" (None: the base driver's, usually "exit")
    # A line holding only this text at column 0 separates blocks (Huawei/H3C "#"). A block whose
    # first line is indented holds top-level commands (Comware prints " sysname X" after "#"):
    # they are read as top level. None: no such blocks.
    separator: str | None = None
    # Multi-line texts whose first line matches one of these (group `delim`: the delimiter that
    # ends them, e.g. Comware "header motd %"): the body lines are read as children of that line.
    multiline: list[str] = Field(default_factory=list)
    # Lines matching one of these are comments, dropped before the base driver reads the text
    # (Junos "# ..." lines inside a brace block would otherwise end the block when flattened).
    comments: list[str] = Field(default_factory=list)
    # Fields of hier_config's HConfigDriverRules (idempotent_commands, negate_with, ordering,
    # per_line_sub, sectional_exiting, indent_adjust ...), as YAML; netpatrol's come before the
    # base driver's (first-match rules: netpatrol's win). `indentation` replaces the base's.
    rules: dict[str, Any] = Field(default_factory=dict)

    @field_validator("base")
    @classmethod
    def _known_base(cls, v: str) -> str:
        from hier_config import Platform  # lazy: only platforms with a config tree pay for it

        known = sorted(p.name.lower() for p in Platform)
        if v not in known:
            raise ValueError(f"unknown hier_config driver {v!r} (known: {', '.join(known)})")
        return v

    @field_validator("comments")
    @classmethod
    def _comments_compile(cls, v: list[str]) -> list[str]:
        _compiles_all(list(v))
        return v

    @field_validator("multiline")
    @classmethod
    def _multiline_compiles(cls, v: list[str]) -> list[str]:
        _compiles_all(list(v))
        for pattern in v:
            if "delim" not in re.compile(pattern).groupindex:
                raise ValueError(f"{pattern!r} has no (?P<delim>...) group")
        return v

    @field_validator("rules")
    @classmethod
    def _driver_rules(cls, v: dict[str, Any]) -> dict[str, Any]:
        from hier_config.platforms.driver_base import HConfigDriverRules

        if "post_load_callbacks" in v:
            raise ValueError("post_load_callbacks are Python functions; they cannot be written as data")
        from pydantic import ValidationError

        try:
            HConfigDriverRules.model_validate(v)
        except ValidationError as exc:  # one line naming the rule field and item, not pydantic's block
            e = exc.errors()[0]
            raise ValueError(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}") from None
        for field, items in v.items():
            for i, pattern in _regexes(items):
                try:
                    re.compile(pattern, re.MULTILINE)
                except re.error as exc:
                    raise ValueError(f"{field}.{i}: {pattern!r} is not a valid regular expression: {exc}") from None
        return v


def _regexes(value: Any, index: int | None = None) -> list[tuple[int | None, str]]:
    """(item index, pattern) of every regex in a driver rule list: `re_search` of match rules,
    `search` of substitutions, `start_expression` / `end_expression` of indent rules."""
    found: list[tuple[int | None, str]] = []
    if isinstance(value, list):
        for i, item in enumerate(value):
            found += _regexes(item, i if index is None else index)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in ("re_search", "search", "start_expression", "end_expression") and isinstance(item, str):
                found.append((index, item))
            else:
                found += _regexes(item, index)
    return found


class InventoryImportHints(_Frozen):
    """How `inventory import` recognises this platform in a device sheet (platform.yaml
    `inventory_import:`). Regexes, matched case-insensitively with `re.search`."""

    # The vendor cell (厂商/品牌): e.g. '华为', 'huawei'.
    vendors: list[str] = Field(default_factory=list)
    # The model cell (型号): a model alone names the platform (S5720 → Huawei), and among one
    # vendor's platforms a model chooses (Cisco Nexus → NX-OS).
    models: list[str] = Field(default_factory=list)
    # True: the vendor alone does not choose this platform, a matching model must (Cisco NX-OS);
    # the vendor's platform without this flag is the default.
    model_required: bool = False
    # Models of this vendor that run no platform netpatrol has (regex -> what it is, e.g.
    # '^ASR[-\s]?9': 'Cisco IOS-XR'): such a row is refused, not given the vendor's default.
    other_lines: dict[str, str] = Field(default_factory=dict)

    @field_validator("vendors", "models", "other_lines")
    @classmethod
    def _hints_compile(cls, v: list[str] | dict[str, str]) -> list[str] | dict[str, str]:
        _compiles_all(list(v), re.IGNORECASE)  # other_lines: its keys are the regexes
        return v


class PlatformProfile(_Frozen):
    # The folder name; filled in by the registry, never written in platform.yaml.
    name: str
    # The platform's folder (platform.yaml, inspection.yaml, normalise.yaml, textfsm/, lab/).
    folder: Path
    vendor: str
    family: str = Field(description="human name, e.g. 'Huawei VRP'")
    # Other names people type for this platform (inventory `platform:`, `--platform`, import),
    # besides those netutils' mapping tables give; the folder name is what is stored and shown.
    aliases: list[str] = Field(default_factory=list)
    # How `inventory import` recognises the platform from vendor and model cells.
    inventory_import: InventoryImportHints = Field(default_factory=lambda: InventoryImportHints())
    netmiko_device_type: str
    # CLI replies that mean the command failed, even though the session is fine.
    error_patterns: list[str]
    backup: BackupSpec
    read_only: ReadOnlyPolicy
    comment_char: str = "!"
    # Logs in at a user-level prompt when an enable secret is configured: run `enable` first,
    # or the config commands are refused like on the real device.
    needs_enable: bool = False
    # Extra netmiko ConnectHandler arguments for this platform (inventory extras still win).
    netmiko_options: dict[str, bool | int | float | str] = Field(default_factory=dict)
    # netmiko's telnet driver, where it is not "<netmiko_device_type>_telnet".
    telnet_device_type: str | None = None
    # Syslog messages that mean the configuration changed (`listen-syslog` backs the device up).
    syslog_changes: list[SyslogChange] = Field(default_factory=list)
    # Names of files in platforms/secret_rules/ whose rules the sanitiser applies, in order.
    secret_rule_sets: list[str] = Field(default_factory=list)
    # This platform's own secret rules, applied after the sets' (the registry puts both here).
    secret_rules: list[SecretRuleSpec] = Field(default_factory=list)
    # config_checks.yaml, read and validated by the registry: configuration check id -> this
    # platform's regex (MULTILINE), or None where the platform is not checked by it.
    config_checks: dict[str, str | None] = Field(default_factory=dict)
    # Lines the device prints before any command's output, whatever the command (IOS `exec prompt
    # timestamp`: "Load for five secs …", "Time source is …"); no template reads them, so the
    # parser drops them from the top of an output before trying the candidates.
    output_noise: list[str] = Field(default_factory=list)
    # config_tree.yaml: how hier_config reads this platform's configuration (compliance rules,
    # search --under, remediation); the default reads indentation only.
    config_tree: ConfigTreeSpec = Field(default_factory=lambda: ConfigTreeSpec())
    # compliance.yaml, raw: pack name -> rule id -> this platform's condition and remediation
    # (or None: the rule does not apply to this platform); validated by netpatrol.compliance.loader.
    compliance: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @property
    def telnet_type(self) -> str:
        return self.telnet_device_type or f"{self.netmiko_device_type}_telnet"

    @property
    def textfsm_dir(self) -> Path:
        return self.folder / "textfsm"

    @property
    def lab_dir(self) -> Path:
        return self.folder / "lab"

    @field_validator("aliases")
    @classmethod
    def _aliases_named(cls, v: list[str]) -> list[str]:
        if any(not name_key(a).strip("_") for a in v):
            raise ValueError("an empty alias: give the name people type")
        return v

    @field_validator("error_patterns", "output_noise")
    @classmethod
    def _patterns_compile(cls, v: list[str]) -> list[str]:
        _compiles_all(list(v))
        return v

    @cached_property
    def noise_re(self) -> re.Pattern[str] | None:
        return re.compile("|".join(f"(?:{p})" for p in self.output_noise)) if self.output_noise else None

    def without_noise(self, text: str) -> str:
        """`text` without the leading lines that match `output_noise` (blank lines among them too)."""
        noise = self.noise_re
        if noise is None:
            return text
        lines = text.splitlines(keepends=True)
        skip = 0
        while skip < len(lines) and (not lines[skip].strip() or noise.match(lines[skip])):
            skip += 1
        return text if skip == 0 or skip == len(lines) else "".join(lines[skip:])

    @cached_property
    def error_re(self) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{p})" for p in self.error_patterns), re.MULTILINE)

    def rejected(self, output: str) -> str | None:
        """Return the device's error line if `output` is a CLI error reply, else None.

        A refusal is printed instead of the output (after at most a caret line), or after it when
        a chained second command is refused; the same words inside the output (a banner quoting
        "% Invalid input detected", an interface description) are device text and must not make
        every backup of that device fail. So only the first 3 and last 2 non-blank lines count.
        """
        lines = [ln for ln in output.splitlines() if ln.strip()]
        m = self.error_re.search("\n".join(lines[:3] + lines[3:][-2:]))
        return m.group(0).strip() if m else None
