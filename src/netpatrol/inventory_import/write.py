"""A Plan written into hosts.yaml and groups.yaml, keeping every comment and hand edit.

ruamel.yaml's round-trip mode edits the files in place: keys the sheet does not give are never
touched, new hosts and sites are appended. The result is validated on a copy (inside `.netpatrol/`,
so the final rename stays on one file system) before the real files are replaced, so a failing
import leaves the inventory as it was. The previous files are kept under
`.netpatrol/import-backup/<time>/`: an import touches many hosts at once, and the workspace need
not be a Git repository to undo it. Bytes on disk (line ends, BOM, links, backups): files.py;
anchors and merge keys shared between hosts: shared_nodes.py.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

from netpatrol import safe_yaml
from netpatrol.inventory_import import files
from netpatrol.inventory_import.model import Device, HostChange, ImportInputError, Plan
from netpatrol.inventory_import.plan import DEFAULT_TELNET_PORT, round_trip
from netpatrol.inventory_import.shared_nodes import Owner, plain
from netpatrol.report.inert import one_line
from netpatrol.store.lock import acquire_flock
from netpatrol.store.repo import Store
from netpatrol.workspace.inventory import load_inventory
from netpatrol.workspace.settings import Workspace

FILES = ("hosts.yaml", "groups.yaml")
_DATES = ("purchase_date", "warranty_until")


@contextlib.contextmanager
def import_lock(ws: Workspace, timeout: float = 0) -> Iterator[None]:
    """The lock `backup` and `inspect` take (when the store exists: no run can hold it otherwise),
    and one of the import's own, so two imports do not interleave either. LockedError: exit 75."""
    ws.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = acquire_flock(ws.state_dir / "import.lock", ws.root, timeout, ws.settings.tz)
    try:
        with contextlib.ExitStack() as stack:
            if (ws.backups / ".git" / "HEAD").is_file():
                stack.enter_context(Store(ws.backups, tz=ws.settings.tz).lock(timeout, writing=False))
            yield
    finally:
        os.close(fd)  # closing the descriptor releases its flock


def write_plan(ws: Workspace, plan: Plan, source: str) -> None:
    """`source`: what the comment above the first added entry names, e.g. `devices.xlsx (台账)`."""
    if not (plan.added or plan.changed or plan.sites_added):
        return  # nothing to write: the files stay byte for byte as they were
    inv_dir = ws.root / "inventory"
    texts = render(inv_dir, plan, one_line(f"imported from {source} on {datetime.now(ws.settings.tz).date().isoformat()}"))
    ws.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="import-", dir=ws.state_dir) as tmp:
        files.trial_copy(inv_dir, Path(tmp) / inv_dir.name, texts)
        load_inventory(Path(tmp), inv_dir.name, need_secrets=False)  # InventoryError: nothing replaced
    files.keep_previous(ws, inv_dir, FILES)
    for name, data in texts.items():  # groups.yaml first: new site groups without hosts still load
        files.replace(inv_dir / name, data)
    files.prune_backups(ws)


def render(inv_dir: Path, plan: Plan, comment: str) -> dict[str, bytes]:
    """File name -> its new content, groups.yaml first (the order they are replaced in)."""
    hosts_text, hosts_style = files.read(inv_dir / "hosts.yaml")
    groups_text, groups_style = files.read(inv_dir / "groups.yaml")
    hosts, hosts_fmt = _load(hosts_text)
    groups, groups_fmt = _load(groups_text)
    first = True
    for key in plan.sites_added:
        site_name = next(d.site_name for d in [*plan.added, *(c.device for c in plan.changed)] if d.site == key)
        _append(groups, key, CommentedMap([("data", CommentedMap([("site", CommentedMap([("name", site_name)]))]))]))
        if first:
            groups.yaml_set_comment_before_after_key(key, before=comment)
            first = False
    for dev in plan.added:
        _append(hosts, dev.name, _new_host(dev))
    if plan.added:
        hosts.yaml_set_comment_before_after_key(plan.added[0].name, before=comment)
    owner = Owner(hosts)
    others = {k: plain(v) for k, v in hosts.items() if k not in {c.name for c in plan.changed}}
    for change in plan.changed:
        _apply(owner, owner.own(hosts, change.name), change)
    for name, before in others.items():  # a safety net: shared_nodes.py copies what another host holds
        if plain(hosts[name]) != before:
            raise ImportInputError(f"inventory/hosts.yaml: the import would also change host {name} "
                                   "(it shares YAML anchors or merge keys with an imported host): edit it by hand")
    texts = {}
    if plan.sites_added:
        texts["groups.yaml"] = groups_style.encode(_keep_spelling(groups_text, _dump(groups, groups_fmt)))
    texts["hosts.yaml"] = hosts_style.encode(_keep_spelling(hosts_text, _dump(hosts, hosts_fmt)))
    return texts


def _keep_spelling(original: str, dumped: str) -> str:
    """ruamel.yaml re-spaces what it re-emits (`key:   value`, `[1,2]`, a `---` start): a line it
    changed only in spacing is taken back as the user wrote it, as long as the file still means
    what ruamel.yaml wrote (else its text is kept as it is)."""
    old, new = original.splitlines(keepends=True), dumped.splitlines(keepends=True)
    a, b = ["".join(line.split()) for line in old], ["".join(line.split()) for line in new]
    # The common start and end are matched line by line first: SequenceMatcher is quadratic, and
    # thousands of appended hosts would otherwise cost seconds.
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    lines: list[str] = old[:head]
    matcher = SequenceMatcher(None, a[head:len(a) - tail], b[head:len(b) - tail], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        i1, i2, j1, j2 = i1 + head, i2 + head, j1 + head, j2 + head
        if tag == "equal" or (tag == "delete" and i1 == 0 and all(line.strip() == "---" for line in old[i1:i2])):
            lines.extend(old[i1:i2])
        else:
            lines.extend(new[j1:j2])
    lines.extend(old[len(old) - tail:] if tail else [])
    text = "".join(lines)
    if text and not text.endswith("\n"):
        text += "\n"
    try:  # the one reader's loader (libyaml): ruamel.yaml's pure-Python one takes seconds on thousands of hosts
        same = safe_yaml.load_text(text, "hosts.yaml") == safe_yaml.load_text(dumped, "hosts.yaml")
    except safe_yaml.YamlFileError:
        same = False
    return text if same else dumped


def _load(text: str) -> tuple[CommentedMap, tuple[int, int, int, str]]:
    """The file's mapping and how to write it back: its indentation, and the text of a file holding
    only comments (kept on top)."""
    doc = round_trip().load(text) if text.strip() else None
    if not isinstance(doc, CommentedMap) or not doc:
        comments = "".join(f"{line}\n" for line in text.splitlines() if line.lstrip().startswith("#"))
        return CommentedMap(), (2, 2, 0, comments)
    mapping, sequence, offset = _indentation(text)
    return doc, (mapping, sequence, offset, "")


def _indentation(text: str) -> tuple[int, int, int]:
    """(mapping indent, sequence indent, dash offset) as the file writes them: ruamel.yaml writes
    one style per file, so the file's own keeps its untouched lines as they are."""
    mapping = sequence = offset = None
    parent = None  # indent of the last line ending in ':' (a key whose value is on the next lines)
    for line in text.splitlines():
        body = line.lstrip(" ")
        if not body or body.startswith("#"):
            continue
        col = len(line) - len(body)
        if parent is not None and col > parent:
            if body.startswith("- ") and sequence is None:
                after = body[1:]
                offset, sequence = col - parent, col + 1 + len(after) - len(after.lstrip(" ")) - parent
            elif not body.startswith("- ") and mapping is None:
                mapping = col - parent
        parent = col if body.split("#")[0].rstrip().endswith(":") else None
        if mapping is not None and sequence is not None:
            break
    mapping = mapping or 2
    return mapping, sequence or mapping, offset or 0


def _dump(doc: CommentedMap, fmt: tuple[int, int, int, str]) -> str:
    yaml = round_trip()
    mapping, sequence, offset, prefix = fmt
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    buf = io.StringIO()
    if doc:
        yaml.dump(doc, buf)
    return prefix + buf.getvalue()


def _flow(items: list[str]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()  # `groups: [site-main]`, as init's example writes it
    return seq


def _value(key: str, value: Any) -> Any:
    """Dates as YAML dates (`2024-01-31`, not a quoted string), as a hand-written file has them."""
    if key in _DATES and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value  # the check on the trial copy names it
    return value


def _new_host(dev: Device) -> CommentedMap:
    host = CommentedMap()
    host["hostname"] = dev.hostname
    if dev.ssh_port is not None:
        host["port"] = dev.ssh_port
    host["platform"] = dev.platform
    host["groups"] = _flow([dev.site])
    if dev.username:
        host["username"] = dev.username
    if dev.telnet:  # the sheet's port is the Telnet port: `port` (SSH, tried first) stays the default
        extras = CommentedMap([("telnet_fallback", True)])
        if dev.telnet_port not in (None, DEFAULT_TELNET_PORT):
            extras["telnet_port"] = dev.telnet_port
        host["connection_options"] = CommentedMap([("netmiko", CommentedMap([("extras", extras)]))])
    data = CommentedMap((k, _value(k, v)) for k, v in dev.data.items() if v not in (None, ""))
    if dev.source_name:
        data["custom"] = CommentedMap([("source_name", dev.source_name)])
    if data:
        host["data"] = data
    return host


def _child(owner: Owner, parent: CommentedMap, key: str) -> CommentedMap:
    if not isinstance(parent.get(key), dict):
        _append(parent, key, CommentedMap())
    return owner.own(parent, key)


def _append(parent: CommentedMap, key: str, value: Any) -> None:
    """A new last key. The comment lines after a block belong, to ruamel.yaml, to its last line.
    Indented ones are the block's own (commented-out keys such as `# purchase_date: …`) and stay
    with it; from the first one at column 0 they introduce the block's next sibling (`# core
    switches` above a host), so they move below the new key instead of landing above it."""
    found = None if key in parent else _trailing(parent)
    before = _last_leaf(parent) if found else None
    parent[key] = value
    if found is None or before is None:
        return
    holder, at = found
    if isinstance(holder, list) and holder and all(isinstance(t, CommentToken) for t in holder) and at == -1:
        keep, move = _split_trailing("".join(t.value for t in holder))
        holder.clear()  # a collection's end comments: emitted after the new key unless moved
        if keep.strip():
            _attach(*before, keep)
    else:
        token = holder[at]
        head, _, rest = token.value.partition("\n")
        keep, move = _split_trailing(rest)
        if not move.strip():
            return
        token.value = head + "\n" + keep
    if move.strip():
        _attach(*_last_leaf(parent), move)


def _split_trailing(text: str) -> tuple[str, str]:
    """(the lines before the first comment at column 0, that one and the rest); the blank lines
    just above that comment go with it, as they separate it from the block above."""
    lines = text.splitlines(keepends=True)
    first = next((i for i, line in enumerate(lines) if line.startswith("#")), len(lines))
    while 0 < first < len(lines) and not lines[first - 1].strip():
        first -= 1
    return "".join(lines[:first]), "".join(lines[first:])


def _last_leaf(parent: CommentedMap) -> tuple[CommentedMap, Any]:
    """The map and key of the last line a block map ends with (its deepest last key)."""
    owner, last = parent, list(parent)[-1]
    while isinstance(owner[last], CommentedMap) and owner[last] and not owner[last].fa.flow_style():
        owner, last = owner[last], list(owner[last])[-1]
    return owner, last


def _attach(owner: CommentedMap, last: Any, lines: str) -> None:
    """Comment lines emitted right after `owner[last]`'s line."""
    entry = owner.ca.items.get(last)
    if entry and len(entry) > 2 and entry[2] is not None:
        entry[2].value = entry[2].value.rstrip("\n") + "\n" + lines
        return
    owner.ca.items[last] = [None, None, CommentToken("\n" + lines, CommentMark(0), None), None]


def _trailing(node: Any) -> tuple[list, int] | None:
    """Where the comment after a block's last line is kept: (list holding it, index), -1 for a
    collection's end comments."""
    if not isinstance(node, (CommentedMap, CommentedSeq)) or not node:
        return None
    if node.ca.end:
        return node.ca.end, -1
    last: Any = list(node)[-1] if isinstance(node, CommentedMap) else len(node) - 1
    at = 2 if isinstance(node, CommentedMap) else 0
    entry = node.ca.items.get(last)
    if entry and entry[at] is not None:
        return entry, at
    child = node[last]
    if isinstance(child, (CommentedMap, CommentedSeq)) and child.fa.flow_style() and child.ca.comment and child.ca.comment[0]:
        return child.ca.comment, 0
    return _trailing(child)


def _put(parent: CommentedMap, key: str, value: Any) -> None:
    if key in parent:
        parent[key] = value
    else:
        _append(parent, key, value)


def _set(host: CommentedMap, key: str, value: Any) -> None:
    """In place when the key is there; a new top-level key goes after hostname, not after `data:`."""
    if key in host._ok:  # the host's own key (a merge key's is set as the host's own, below)
        host[key] = value
        return
    keys = list(host)
    at = keys.index("hostname") + 1 if "hostname" in keys else 0
    host.insert(at, key, value)


def _apply(owner: Owner, host: CommentedMap, change: HostChange) -> None:
    dev = change.device
    for dotted, (old, new) in change.fields.items():
        if dotted in ("hostname", "port", "platform", "username"):
            _set(host, dotted, new)
        elif dotted == "data.custom.source_name":
            _put(_child(owner, _child(owner, host, "data"), "custom"), "source_name", new)
        elif dotted.startswith("data."):
            _put(_child(owner, host, "data"), dotted.removeprefix("data."), _value(dotted.removeprefix("data."), new))
        elif dotted == "telnet_fallback":
            _put(_extras(owner, host), "telnet_fallback", bool(new))
        elif dotted == "telnet_port":
            extras = _extras(owner, host)
            if new == DEFAULT_TELNET_PORT and "telnet_port" in extras:
                del extras["telnet_port"]  # the default, as a new host has it
            else:
                _put(extras, "telnet_port", new)
        elif dotted == "site":
            groups = owner.own(host, "groups") if "groups" in host else None
            if isinstance(groups, list) and old in groups:
                groups[groups.index(old)] = dev.site
            elif isinstance(groups, list):
                groups.insert(0, dev.site)  # the old site came through a parent group: this one wins
            else:
                _set(host, "groups", _flow([dev.site]))


def _extras(owner: Owner, host: CommentedMap) -> CommentedMap:
    return _child(owner, _child(owner, _child(owner, host, "connection_options"), "netmiko"), "extras")
