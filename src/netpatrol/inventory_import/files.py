"""The inventory files as bytes on disk: read with their newline style and byte order mark, the
trial copy the result is checked on, the previous files kept, and the atomic replace.

A file written back with its own line endings and BOM changes in Git only where the import
changed it; a CRLF file rewritten with LF would show every line as changed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from netpatrol.workspace.settings import Workspace

BOM = b"\xef\xbb\xbf"
KEEP_BACKUPS = 20  # each import's previous files: enough to undo a bad week, bounded on disk


@dataclass(frozen=True)
class Style:
    bom: bool = False
    newline: str = "\n"

    def encode(self, text: str) -> bytes:
        body = text.replace("\r\n", "\n").replace("\n", self.newline).encode("utf-8")
        return (BOM if self.bom else b"") + body


def read(path: Path) -> tuple[str, Style]:
    """The file's text with `\\n` line ends and no BOM, and how it spells them ("" when missing)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return "", Style()
    bom = raw.startswith(BOM)
    text = raw[len(BOM):].decode("utf-8") if bom else raw.decode("utf-8")
    # A file is CRLF when its first line end is: mixed files are rare, and one style is what Git shows.
    first = text.find("\n")
    newline = "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"
    return text.replace("\r\n", "\n"), Style(bom, newline)


def trial_copy(inv_dir: Path, trial: Path, files: dict[str, bytes]) -> None:
    """inventory/ copied with `files` in place of its own. Symbolic links are followed (their
    content copied): a relative link (`../shared/defaults.yaml`) would dangle in the copy, and a
    copied link would write the new file through to the real one."""
    def dangling(folder: str, names: list[str]) -> list[str]:
        # Not copytree's ignore_dangling_symlinks: it tests a relative link from the working directory.
        return [n for n in names if (Path(folder) / n).is_symlink() and not (Path(folder) / n).exists()]

    shutil.copytree(inv_dir, trial, symlinks=False, ignore=dangling)
    for name, data in files.items():
        (trial / name).unlink(missing_ok=True)
        (trial / name).write_bytes(data)


def keep_previous(ws: Workspace, inv_dir: Path, names: tuple[str, ...]) -> None:
    """The files as they were, under `.netpatrol/import-backup/<UTC time>/` (owner-only)."""
    root = ws.state_dir / "import-backup"
    root.mkdir(mode=0o700, exist_ok=True)
    os.chmod(root, 0o700)  # mkdir's mode is masked by the umask, and an older netpatrol made it 0755
    keep = root / datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    keep.mkdir(mode=0o700)
    os.chmod(keep, 0o700)
    for name in names:
        if (inv_dir / name).is_file():
            shutil.copy2(inv_dir / name, keep / name)
            os.chmod(keep / name, 0o600)  # .netpatrol/ is owner-only, whatever the umask


def prune_backups(ws: Workspace) -> None:
    """Only the last KEEP_BACKUPS imports' previous files (the names sort by time)."""
    root = ws.state_dir / "import-backup"
    kept = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    for old in kept[:-KEEP_BACKUPS]:
        shutil.rmtree(old)


def replace(path: Path, data: bytes) -> None:
    """Atomic: a crash leaves the old file or the new one, never half of it. A symbolic link stays
    one: its target is replaced."""
    path = path.resolve() if path.is_symlink() else path
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
