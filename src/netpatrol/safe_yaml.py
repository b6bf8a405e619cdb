"""Reading the YAML files users write (inventory, netpatrol.yaml, job files, check packs, lab.yaml).

PyYAML's safe loader is not enough for files that arrive from many hands:
- it expands aliases without limit: a 1 kB "billion laughs" file is small in memory (the aliased
  objects are shared) but becomes gigabytes once validated or written out as JSON;
- a `? [a, b]` complex key becomes a list as a mapping key, which later code cannot hash;
- it leaves decoding to the caller, and files saved on Chinese Windows are often GBK/GB18030.
So every such file is decoded here (UTF-8, with or without BOM), composed into a node graph, checked
(expanded size, nesting, plain keys, duplicate keys) and only then constructed. Every refusal is
one YamlFileError naming the file and line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from netpatrol.errors import WorkspaceError

# Values aliases may add on top of the values written out: `<<: *common` merges in a large
# inventory stay far below this, while an alias bomb exceeds it within a few lines.
MAX_ALIAS_VALUES = 100_000
# Deeper than any settings file needs; bounds recursion in validation and JSON output.
MAX_DEPTH = 64

_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml composes ~10x faster


class YamlFileError(WorkspaceError):
    """A YAML file that cannot be read safely; `line` is 1-based, 0 when it does not apply."""

    def __init__(self, label: str, line: int, problem: str):
        self.label, self.line, self.problem = label, line, problem
        super().__init__(f"{label}: line {line}: {problem}" if line else f"{label}: {problem}")


class _Loader(_BASE):  # type: ignore[misc,valid-type]  # CSafeLoader when libyaml is there, chosen at import
    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # PyYAML's scalar constructors raise plain exceptions on values that only look typed
        # (`2026-13-45` as a date, `!!int abc`); give them the node's line like any YAML error.
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except (ValueError, KeyError, AttributeError, TypeError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"value {node.value!r} cannot be read as {node.tag.rsplit(':', 1)[-1]}: {exc}"
                if isinstance(node, yaml.ScalarNode) else f"cannot be read: {exc}", node.start_mark) from None


def _construct_mapping(loader: Any, node: yaml.MappingNode, deep: bool = False) -> dict:
    # PyYAML keeps the last of two equal keys silently; a duplicate host name must be an error.
    # Keys written in this mapping only: a `<<: *common` merge may be overridden on purpose.
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first at line {seen[key] + 1})", key_node.start_mark)
        seen[key] = key_node.start_mark.line
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def decode(data: bytes, label: str) -> str:
    """The text of a UTF-8 file (a BOM is dropped); anything else is refused, naming the line."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\0" in data[:2]:
        # A BOM, or (without one) the NUL half of an ASCII character: YAML never holds a NUL.
        raise YamlFileError(label, 1, "is saved as UTF-16 or UTF-32; save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            data.decode("gb18030")
            hint = " (it looks like GBK/GB18030, common on Chinese Windows)"
        except UnicodeDecodeError:
            hint = ""
        raise YamlFileError(label, line, f"is not UTF-8{hint}; save the file as UTF-8") from None


def load_file(path: Path, label: str) -> Any:
    """The document in `path`; FileNotFoundError is left to the caller (often "use defaults")."""
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise YamlFileError(label, 0, "is a directory, not a file") from None
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise YamlFileError(label, 0, f"cannot be read: {exc.strerror}") from None
    return load_text(decode(data, label), label)


def load_text(text: str, label: str) -> Any:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_graph(node, label)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else 0
        if isinstance(exc, yaml.reader.ReaderError):  # a control character: only a position is known
            line = text[: exc.position].count("\n") + 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if not isinstance(exc, yaml.constructor.ConstructorError):  # e.g. a duplicate key: valid YAML, refused
            problem = f"not valid YAML: {problem}"
        raise YamlFileError(label, line, problem) from None
    except RecursionError:
        raise YamlFileError(label, 0, f"nested deeper than {MAX_DEPTH} levels") from None
    finally:
        loader.dispose()


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _check_graph(root: yaml.Node, label: str) -> None:
    """Refuse complex keys, deep nesting, recursive aliases and alias expansion past the limit.

    Aliases make the node graph a DAG; `size` is each node's value count once fully expanded,
    computed once per distinct node, so a bomb is measured without being expanded.
    """
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool, int]] = [(root, False, 1)]
    while stack:
        node, finished, depth = stack.pop()
        key = id(node)
        if finished:
            on_path.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in _children(node))
            continue
        if key in size:
            continue
        line = node.start_mark.line + 1
        if key in on_path:
            raise YamlFileError(label, line, "an alias refers to the anchor it is inside (recursive alias)")
        if depth > MAX_DEPTH:
            raise YamlFileError(label, line, f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, yaml.MappingNode):
            for k, _ in node.value:
                if not isinstance(k, yaml.ScalarNode):
                    raise YamlFileError(label, k.start_mark.line + 1,
                                        "a key must be a plain value, not a list or mapping ('?' complex keys are not supported)")
        on_path.add(key)
        stack.append((node, True, depth))
        stack.extend((c, False, depth + 1) for c in reversed(_children(node)))
    if size[id(root)] - len(size) > MAX_ALIAS_VALUES:
        raise YamlFileError(label, _bomb_line(root, size),
                            f"aliases expand to more than {MAX_ALIAS_VALUES} values (an alias bomb?); write the values out")


def _bomb_line(root: yaml.Node, size: dict[int, int]) -> int:
    """The line of the smallest node that alone expands past the limit: where the bomb is built."""
    node = root
    while True:
        big = [c for c in _children(node) if size[id(c)] > MAX_ALIAS_VALUES]
        if not big:
            return node.start_mark.line + 1
        node = max(big, key=lambda c: size[id(c)])
