"""Edits of a stored config text by lines typed in config mode (pure functions, per profile data)."""

from __future__ import annotations

import re
import shlex

from netpatrol.lab.profile import LabProfile


def set_hostname(profile: LabProfile, text: str, hostname: str) -> str:
    """Replace the hostname inside the config, or add the hostname line when there is none."""
    rx = re.compile(profile.config.hostname, re.MULTILINE)
    m = rx.search(text)
    if m:
        return text[: m.start(1)] + hostname + text[m.end(1) :]
    return insert_lines(profile, text, [profile.config.hostname_line.format(hostname=hostname)])


def insert_lines(profile: LabProfile, text: str, lines: list[str]) -> str:
    """Put typed lines before the end marker (`end`, `return`), or at the end when there is none."""
    body = text.rstrip("\n").split("\n")
    end = profile.config.end_line
    if end and body and body[-1].strip() == end:
        body[-1:-1] = lines
    else:
        body.extend(lines)
    return "\n".join(body) + "\n"


def junos_stanza(set_line: str) -> list[str]:
    """`set interfaces ge-0/0/1 description "x y"` -> the same statement in hierarchical form."""
    try:
        words = shlex.split(set_line, posix=False)[1:]
    except ValueError:
        words = set_line.split()[1:]
    if len(words) < 2:
        return [f"{words[0]};"] if words else []
    # Junos puts the last two words on one leaf line when the value is a single word.
    *path, leaf_key, leaf_value = words
    lines, indent = [], ""
    for name in path:
        lines.append(f"{indent}{name} {{")
        indent += "    "
    lines.append(f"{indent}{leaf_key} {leaf_value};")
    for _ in path:
        indent = indent[:-4]
        lines.append(f"{indent}}}")
    return lines


def apply_lines(profile: LabProfile, text: str, lines: list[str]) -> str:
    """Apply committed/typed config lines (hostname lines change the hostname, others are added)."""
    hostname_rx = re.compile(profile.config_mode.hostname)
    pending: list[str] = []
    for line in lines:
        m = hostname_rx.match(line.strip())
        if m:
            text = insert_lines(profile, text, pending) if pending else text
            pending = []
            text = set_hostname(profile, text, m.group(1))
        elif profile.config_mode.style == "junos_set":
            if line.strip().startswith("set "):
                pending.extend(junos_stanza(line.strip()))
        else:
            pending.append(line)
    return insert_lines(profile, text, pending) if pending else text
