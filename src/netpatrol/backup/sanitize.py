"""Remove secrets from configuration text, at RANCID-like levels (FILTER_PWDS = NO / YES / ALL).

Each secret is replaced in place by `<removed>` so the line count, the indentation and the
words around it stay as they were: diffs between two backups still show which line changed.

Platform knowledge is data: each platform's `secret_rule_sets` (files of platforms/secret_rules/)
and `secret_rules` in its platform.yaml. A rule is one regex; every *unnamed* capturing group in it
is a secret value, and the optional named group `t` is the Cisco-style type token ("7", "5",
"sha512") that decides whether the value is reversible or a hash.

netutils' `sanitize_config` is a plain `re.sub` loop over whole-text filters and its bundled
filters (`_PROVIDED_SANITIZE_FILTERS`) are two private NX-OS/IOS username examples; we need the
values themselves (for `find_secrets`), levels, and a per-line guard for descriptions, so the
engine below is our own and the rules are data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from netpatrol.platforms import PlatformProfile, get_platform

PLACEHOLDER = "<removed>"


class SecretLevel(str, Enum):
    NONE = "none"  # keep everything
    REVERSIBLE = "reversible"  # plain text and reversibly encrypted secrets (type 0/7, cipher, $9$)
    ALL = "all"  # also one-way hashes (type 5/8/9, sha512, irreversible-cipher, $1$/$6$)


# Reversible secrets are removed at both levels; hashes only at ALL.
REVERSIBLE, HASH, TYPED = "reversible", "hash", "typed"
# Type tokens that denote a one-way hash; every other type (0, 3, 6, 7, none) can be reversed.
HASH_TYPES = frozenset({"4", "5", "8", "9", "sha512"})

# Free text, never configuration: a description mentioning "password 7 foo" must survive.
_FREE_TEXT = re.compile(r"^\s*(?:description|remark|alias|display-name)\s", re.IGNORECASE)
# A value someone already redacted (netutils writes <redacted_config>, Golden Config <REDACTED>).
_ALREADY_REDACTED = re.compile(r'^"?<[^<>\s]*>"?$')


@dataclass(frozen=True)
class SecretRule:
    name: str
    kind: str  # REVERSIBLE, HASH or TYPED (decided by the `t` group)
    pattern: re.Pattern[str]
    unless: re.Pattern[str] | None = None  # skip the rule on lines matching this
    # Brace-structured configs (Junos): apply only inside blocks whose path matches, because a
    # line such as `community fabric;` is an SNMP secret under `snmp {` but a policy match elsewhere.
    within: re.Pattern[str] | None = None
    # A literal the line must contain (compared lower-case): spares a regex that would backtrack,
    # and most lines the cost of a search.
    needs: str | None = None

    def level_of(self, match: re.Match[str]) -> SecretLevel:
        kind = self.kind
        if kind == TYPED:
            kind = HASH if (match.groupdict().get("t") or "").lower() in HASH_TYPES else REVERSIBLE
        return SecretLevel.ALL if kind == HASH else SecretLevel.REVERSIBLE


# platform -> (the profile the rules were compiled from, its compiled rules); a reloaded registry
# gives a new profile object, so the rules are compiled again.
_COMPILED: dict[str, tuple[PlatformProfile, list[SecretRule]]] = {}


def rules_for(platform: str) -> list[SecretRule]:
    """The platform's secret rules (platform.yaml `secret_rule_sets` + `secret_rules`), compiled once."""
    profile = get_platform(platform)
    cached = _COMPILED.get(platform)
    if cached is None or cached[0] is not profile:
        def opt(rx: str | None) -> re.Pattern[str] | None:
            return re.compile(rx, re.IGNORECASE) if rx else None

        rules = [SecretRule(r.name, r.kind, re.compile(r.pattern, re.IGNORECASE), opt(r.unless), opt(r.within),
                            r.needs.lower() if r.needs else None) for r in profile.secret_rules]
        cached = _COMPILED[platform] = (profile, rules)
    return cached[1]


# A diff line (job evidence such as `show archive config differences`, `show running-config diff(s)`,
# Comware `display diff`, Junos `show system rollback N compare M`): the `+`/`-` before the config
# text, at column 0 or after the indentation, would hide it from every anchored rule.
_DIFF_MARK = re.compile(r"^(\s*)[+-](?![+-])")


# A log line quoting a typed config command (job evidence of `show logging` / `display logbuffer`):
# IOS `%PARSER-5-CFGLOG_LOGGEDCMD: ... logged command:CMD`, VRP CMDRECORD `Command="CMD"`, Comware
# SHELL_CMD `Command is CMD`, Junos UI_CMDLINE_READ_LINE `command 'CMD'`: CMD is judged as a config line.
_LOGGED_COMMAND = re.compile(r"(?:logged command:|\bCommand=\"|\bCommand is |\bcommand ')\s*", re.IGNORECASE)


def _scrub_line(line: str, rules: list[SecretRule], level: SecretLevel, found: list[str], path: str) -> str:
    if "command" in line.lower() and (logged := _LOGGED_COMMAND.search(line)):
        return line[: logged.end()] + _scrub_config_line(line[logged.end():], rules, level, found, "")
    mark = _DIFF_MARK.match(line)
    if mark:
        indent = mark.group(1)
        inner = _scrub_config_line(indent + line[mark.end():], rules, level, found, path)
        return inner[: len(indent)] + line[len(indent)] + inner[len(indent):]
    return _scrub_config_line(line, rules, level, found, path)


def _scrub_config_line(line: str, rules: list[SecretRule], level: SecretLevel, found: list[str], path: str) -> str:
    if _FREE_TEXT.match(line):
        return line
    low = line.lower()
    for rule in rules:
        if rule.needs is not None and rule.needs not in low:
            continue
        if rule.unless is not None and rule.unless.search(line):
            continue
        if rule.within is not None and not rule.within.match(path):
            continue
        if rule.pattern.search(line):  # most lines hold no secret: search is far cheaper than sub
            line = rule.pattern.sub(_replacer(rule, level, found), line)
    return line


def _replacer(rule: SecretRule, level: SecretLevel, found: list[str]) -> Callable[[re.Match[str]], str]:
    named = set(rule.pattern.groupindex.values())

    def replace(m: re.Match[str]) -> str:
        if level == SecretLevel.REVERSIBLE and rule.level_of(m) == SecretLevel.ALL:
            return m.group(0)
        text, start = m.group(0), m.start()
        # Rebuild right to left so earlier spans keep their offsets.
        for idx in sorted(set(range(1, rule.pattern.groups + 1)) - named, reverse=True):
            value = m.group(idx)
            if value is None or _ALREADY_REDACTED.match(value) or value == PLACEHOLDER:
                continue
            quoted = len(value) >= 2 and value[0] == value[-1] == '"'
            inner = value[1:-1] if quoted else value
            if not inner:
                continue
            found.append(inner)
            new = f'"{PLACEHOLDER}"' if quoted else PLACEHOLDER
            a, b = m.start(idx) - start, m.end(idx) - start
            text = text[:a] + new + text[b:]
        return text

    return replace


# A PEM private key spans lines (Junos `security certificates local NAME "-----BEGIN RSA PRIVATE
# KEY-----` ... `"; ## SECRET-DATA`, a key pasted into any config), which no one-line rule sees:
# from BEGIN to END every line's key material is removed, at every level but none (it is plain text).
_PEM_BEGIN = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")
_PEM_END = re.compile(r"-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----")


def _redact(material: str, found: list[str]) -> str:
    """`material` (key text between markers, with its surrounding spaces) as `<removed>`."""
    core = material.strip()
    if not core:
        return material
    found.append(core)
    lead = material[: len(material) - len(material.lstrip())]
    return lead + PLACEHOLDER + material[len(material.rstrip()):]


def _pem_line(line: str, in_key: bool, found: list[str]) -> tuple[str, bool, bool]:
    """(line with key material removed, inside a key after it, whether the line held key material)."""
    if in_key:
        end = _PEM_END.search(line)
        if end is None:
            return _redact(line, found), True, True
        return _redact(line[: end.start()], found) + line[end.start():], False, True
    begin = _PEM_BEGIN.search(line)
    if begin is None:
        return line, False, False
    rest = line[begin.end():]
    end = _PEM_END.search(rest)
    if end is None:
        return line[: begin.end()] + _redact(rest, found), True, True
    # One line (a quoted string with "\n" escapes): only what lies between the markers.
    return line[: begin.end()] + _redact(rest[: end.start()], found) + rest[end.start():], False, True


def _run(config: str, platform: str, level: SecretLevel, found: list[str]) -> str:
    rules = rules_for(platform)
    track = any(rule.within is not None for rule in rules)
    blocks: list[str] = []  # enclosing `name {` headers, outermost first
    out = []
    in_key = False
    # Split on "\n" only (not str.splitlines) so "\r" and form feeds stay exactly where they were.
    for line in config.split("\n"):
        line, in_key, keyed = _pem_line(line, in_key, found) if in_key or "PRIVATE KEY" in line else (line, False, False)
        out.append(line if keyed else _scrub_line(line, rules, level, found, " / ".join(blocks)))
        if track:
            _follow_braces(line, blocks)
    return "\n".join(out)


_JUNOS_EDIT = re.compile(r"^\[edit(?:\s+(.*?))?\]\s*$")


def _follow_braces(line: str, blocks: list[str]) -> None:
    edit = _JUNOS_EDIT.match(line)
    if edit:  # a compare/diff hunk header names the hierarchy its `+`/`-` lines belong to
        blocks[:] = [edit.group(1)] if edit.group(1) else []
        return
    mark = _DIFF_MARK.match(line)
    code = (line[: mark.end() - 1] + line[mark.end():] if mark else line).split("##", 1)[0].strip()
    if code.endswith("{"):
        blocks.append(code[:-1].strip())
    elif code.startswith("}") and blocks:
        blocks.pop()


def sanitize(config: str, platform: str, level: SecretLevel | str = SecretLevel.ALL) -> str:
    """Return `config` with the secrets of `level` replaced by `<removed>`; lines are kept 1:1."""
    level = SecretLevel(level)
    if level == SecretLevel.NONE:
        rules_for(platform)  # an unknown platform is still an error, whatever the level
        return config
    return _run(config, platform, level, [])


def find_secrets(config: str, platform: str, level: SecretLevel | str = SecretLevel.ALL) -> list[str]:
    """The secret values `sanitize(config, platform, level)` would remove, in order, de-duplicated."""
    level = SecretLevel(level)
    found: list[str] = []
    if level != SecretLevel.NONE:
        _run(config, platform, level, found)
    return list(dict.fromkeys(found))
