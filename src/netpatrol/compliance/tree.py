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
    return load(driver(platform), text)


def load(with_driver: HConfigDriverBase, text: str) -> HConfig:
    """`text` read by `with_driver` (see `parse`)."""
    try:
        return get_hconfig(with_driver, text)
    except DuplicateChildError:
        return get_hconfig(with_driver, without_repeats(with_driver.config_preprocessor(text)))


def without_repeats(text: str) -> str:
    """`text` with a section or line repeated under the same parent (by indentation) merged into
    its first occurrence; printed with one space per level."""
    root: dict[str, dict] = {}
    stack: list[tuple[int, dict[str, dict]]] = [(-1, root)]
    for line in text.splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        while len(stack) > 1 and indent <= stack[-1][0]:
            stack.pop()
        node = stack[-1][1].setdefault(" ".join(line.split()), {})
        stack.append((indent, node))
    out: list[str] = []

    def emit(children: dict[str, dict], depth: int) -> None:
        for key, grandchildren in children.items():
            out.append(" " * depth + key)
            emit(grandchildren, depth + 1)

    emit(root, 0)
    return "\n".join(out) + "\n"


def render(config: HConfig) -> list[str]:
    """The tree's lines, indented as the platform prints them (no separators, no section exits)."""
    return [child.cisco_style_text() for child in config.all_children()]
