"""A stored configuration as a hier_config tree, read by the platform's driver (config_tree.yaml)."""

from __future__ import annotations

from hier_config import HConfig, get_hconfig
from hier_config.exceptions import DuplicateChildError
from hier_config.platforms.driver_base import HConfigDriverBase

from netpatrol.compliance import drivers


def driver(platform: str) -> HConfigDriverBase:
    """The hier_config driver of a netpatrol platform (built from its folder's config_tree.yaml)."""
    return drivers.driver(platform)


def parse(platform: str, text: str) -> HConfig:
    """The config tree of `text` as `platform` prints it.

    A line repeated in one section (seen in anonymised configs, where scrubbed lines become the
    same text) makes hier_config fail; such a config is read again with the repeats dropped.
    """
    try:
        return get_hconfig(driver(platform), text)
    except DuplicateChildError:
        return get_hconfig(driver(platform), without_repeats(driver(platform).config_preprocessor(text)))


def without_repeats(text: str) -> str:
    """`text` without lines equal to an earlier line of the same section (same parent by indentation)."""
    out: list[str] = []
    stack: list[tuple[int, set[str]]] = [(-1, set())]  # (indent of the section's lines' parent, seen)
    for line in text.splitlines():
        body = line.strip()
        if not body:
            continue
        indent = len(line) - len(line.lstrip())
        while len(stack) > 1 and indent <= stack[-1][0]:
            stack.pop()
        seen = stack[-1][1]
        if body in seen:
            continue
        seen.add(body)
        out.append(line)
        stack.append((indent, set()))
    return "\n".join(out) + "\n"


def render(config: HConfig) -> list[str]:
    """The tree's lines, indented as the platform prints them (no separators, no section exits)."""
    return [child.cisco_style_text() for child in config.all_children()]
