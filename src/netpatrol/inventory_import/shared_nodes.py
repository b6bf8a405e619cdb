"""Copy on write for YAML a host shares with other hosts.

In a hand-written hosts.yaml an alias (`data: *common`) is the very map its anchor names, and a
merge key (`<<: *base`) lends the base's values: setting a key through them would change every
host that uses them, and neither the dry run nor the summary would say so. Before a host is edited,
each map or list on the path to the key that is reachable from elsewhere, or that comes from a
merge key, is replaced in that host by a deep copy of its content; the other hosts, the anchor
included, stay byte for byte. Copying was chosen over refusing the row: the result is what the
sheet asks for (that host changed, its other values as they were), and a refused row would have
to be edited by hand into exactly that copy.
"""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq, merge_attrib

Node = (CommentedMap, CommentedSeq)


class Owner:
    """Hands out nodes of one document that only the host being edited holds."""

    def __init__(self, doc: CommentedMap) -> None:
        self.refs: Counter[int] = Counter()
        self._count(doc)

    def _count(self, node: Any) -> None:
        self.refs[id(node)] += 1
        if self.refs[id(node)] > 1 or not isinstance(node, Node):
            return  # an alias: its content was counted where the anchor is
        for child in node.values() if isinstance(node, CommentedMap) else node:
            if isinstance(child, Node):
                self._count(child)

    def own(self, parent: CommentedMap, key: Any) -> Any:
        """parent[key], replaced first by a private copy when it is shared or merged in."""
        value = parent[key]
        merged = key not in parent._ok  # a merge key's value: ruamel.yaml lists own keys in _ok
        if not isinstance(value, Node) or (not merged and self.refs[id(value)] <= 1):
            return value
        mine = _private_copy(value)
        self.refs[id(value)] -= 1
        self._count(mine)
        parent[key] = mine  # a merged key becomes the host's own, overriding the base's
        return mine


def _private_copy(node: CommentedMap | CommentedSeq) -> CommentedMap | CommentedSeq:
    if node.anchor.value:
        # Kept on the original even when no alias is left: the other host's line stays as written.
        node.yaml_set_anchor(node.anchor.value, always_dump=True)
    mine = copy.deepcopy(node)
    _drop_anchors(mine)
    _flatten(mine)
    return mine


def _flatten(node: Any) -> None:
    """A copy's merge keys as its own keys: its base is the original's (by then another object),
    and `<<: {…}` spelled out next to the same keys would only confuse a reader."""
    if isinstance(node, CommentedMap) and node.merge:
        node._ok |= set(node.keys())
        setattr(node, merge_attrib, [])
    for child in node.values() if isinstance(node, CommentedMap) else node if isinstance(node, list) else ():
        _flatten(child)


def _drop_anchors(node: Any) -> None:
    if isinstance(node, Node):
        node.anchor.value = None
        for child in node.values() if isinstance(node, CommentedMap) else node:
            _drop_anchors(child)


def plain(node: Any) -> Any:
    """What a node means (merge keys resolved), for comparing hosts before and after an edit."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    return node
