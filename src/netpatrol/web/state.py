"""What every request reads: the workspace, its inventory (reloaded when its files change), the
store opened read-only, and the language; and the errors views raise.

The web server never writes to `backups/`: the store is opened without the crash recovery or the
first commit a run makes, and every view reads committed data (HEAD, a tag, a commit), never the
working tree a run may be writing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import HTTPException

from netpatrol.errors import NetpatrolError, WorkspaceError
from netpatrol.store.repo import Store
from netpatrol.workspace.inventory import Inventory, load_inventory
from netpatrol.workspace.settings import Workspace


class NotFound(NetpatrolError):
    """A device, version, period or file that does not exist: HTTP 404. `str()` is the English text
    (the JSON API's detail); `key` and `values` name the same sentence in messages.yaml, which the
    error page says in the workspace's language (no key: the text as raised)."""

    def __init__(self, text: str, key: str | None = None, **values: object):
        super().__init__(text)
        self.key, self.values = key, values


class HTTPError(HTTPException):
    """An HTTP error our own code raises: `detail` is the English text (the JSON API's), `key` and
    `values` its sentence in messages.yaml for the error page. Translated by key, not by matching
    the text, so rewording a detail cannot silently leave the page untranslated."""

    def __init__(self, status: int, detail: str, *, key: str, headers: dict[str, str] | None = None,
                 **values: object):
        super().__init__(status, detail, headers)
        self.key, self.values = key, values


@dataclass
class ServeOptions:
    bind: str = "127.0.0.1"
    port: int = 8080
    allow_backup: bool = False  # the admin-only "back up now" button and POST route


@dataclass
class WebState:
    ws: Workspace
    options: ServeOptions = field(default_factory=ServeOptions)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _inventory: tuple[tuple, Inventory] | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False)
    # Why the inventory on disk is not the one served (the last good one), until a reload succeeds.
    warning: str | None = field(default=None, repr=False)

    @property
    def lang(self) -> str:
        return self.ws.settings.language

    def inventory(self) -> Inventory:
        """The inventory, re-read when one of its files changed (size or mtime). An edit that does
        not load keeps the last good inventory served, with `warning` naming the file and problem
        (an operator's half-saved file must not take every page down); with none loaded yet, the
        WorkspaceError (a 503)."""
        key = folder_key(self.ws.root / "inventory")
        with self._lock:
            if self._inventory is None or self._inventory[0] != key:
                try:
                    self._inventory = (key, load_inventory(self.ws.root, need_secrets=False))
                    self.warning = None
                except WorkspaceError as exc:
                    if self._inventory is None:
                        raise
                    self.warning = str(exc)
                    # Tried once per change of the files, not on every request.
                    self._inventory = (key, self._inventory[1])
            return self._inventory[1]

    def store(self) -> Store | None:
        """The store opened read-only, or None before the first backup."""
        with self._lock:
            if self._store is None:
                git = self.ws.backups / ".git"
                if not (git / "HEAD").is_file():
                    return None
                s = self.ws.settings.backup
                self._store = Store(self.ws.backups, author_name=s.author_name, author_email=s.author_email,
                                    tz=self.ws.settings.tz).open_readonly()
            return self._store

    def head(self) -> str | None:
        store = self.store()
        return store.head() if store is not None else None

    def host(self, name: str):
        """The inventory host `name`; NotFound otherwise (names are checked, never used as paths)."""
        h = self.inventory().hosts.get(name)
        if h is None:
            raise NotFound(f"no device {name!r} in the inventory", key="error.no_device", name=name)
        return h


def file_key(path: Path) -> tuple[int, int] | None:
    """(size, mtime) of a file, None when it is missing: a changed file is read again."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def folder_key(folder: Path) -> tuple:
    """file_key of every file in `folder`, by name: a changed, added or removed file changes it."""
    try:
        return tuple(sorted((p.name, file_key(p)) for p in folder.iterdir() if p.is_file()))
    except OSError:
        return ()


def warning_header(text: str) -> str:
    """`text` as one header value: one line (inert.one_line), non-ASCII as \\u escapes (HTTP header
    values are Latin-1 at best), at most 1,000 characters."""
    from netpatrol.report.inert import one_line

    return one_line(text).encode("ascii", "backslashreplace").decode("ascii")[:1000]
