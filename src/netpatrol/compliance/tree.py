"""A stored configuration as a hier_config tree, read by the platform's driver (config_tree.yaml)."""

from __future__ import annotations

from collections.abc import Iterator

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
    lines = iter(text.splitlines())
    for line in lines:
        if not line.strip():
            continue
        if line.startswith("banner ") and line != "banner motd ##":
            # A banner's body is text, not config lines: kept whole (one top-level key), as
            # hier_config reads it (two banners with the same body are not repeats of each other).
            root.setdefault("\n".join(_banner(line, lines)), {})
            stack = [(-1, root)]
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


def _banner(first: str, lines: Iterator[str]) -> list[str]:
    """A banner's lines up to its end, by hier_config's test (constructors._load_from_string_lines):
    a line starting with `^`, one of `EOF % !` or the delimiter's first one or two characters, or
    a line containing the delimiter."""
    words = first.split()
    delim = words[2] if len(words) > 2 else None
    ends = {"EOF", "%", "!"} | ({delim[:1], delim[:2]} if delim else set())
    body = [first]
    for line in lines:
        if line != "!":
            body.append(line)
        if line.startswith("^") or line in ends or (delim is not None and delim in line):
            break
    return body


def render(config: HConfig) -> list[str]:
    """The tree's lines, indented as the platform prints them (no separators, no section exits)."""
    return [child.cisco_style_text() for child in config.all_children()]
