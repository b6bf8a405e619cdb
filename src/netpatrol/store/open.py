"""The workspace's store, opened (created on first use) with the commit identity its settings name."""

from __future__ import annotations

from netpatrol.store.repo import Store
from netpatrol.workspace.settings import Workspace


def open_store(ws: Workspace) -> Store:
    s = ws.settings.backup
    return Store(ws.backups, author_name=s.author_name, author_email=s.author_email, tz=ws.settings.tz).open_or_init()
