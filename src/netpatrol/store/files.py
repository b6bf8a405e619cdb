"""Files under a store root: never through a symbolic link, owner-only modes whatever the umask.

A link inside `backups/` (configs/site-a -> /etc, or one planted by whoever could write there)
would otherwise make a backup write outside the workspace before git ever looks at it. So every
path component below the root is opened with O_NOFOLLOW relative to its parent's descriptor, and
the first link found refuses the whole operation before anything is written.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from netpatrol.errors import StoreError

DIR_MODE = 0o700
FILE_MODE = 0o600
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def _refusal(root: Path, parts: Sequence[str], upto: int, parent_fd: int) -> StoreError:
    where = "/".join(parts[: upto + 1])
    try:
        st = os.stat(parts[upto], dir_fd=parent_fd, follow_symlinks=False)
        kind = "a symbolic link" if stat.S_ISLNK(st.st_mode) else "not a directory"
    except OSError:
        kind = "not usable"
    if kind == "a symbolic link":
        return StoreError(f"{root}: {where} is a symbolic link; netpatrol never writes through links "
                          f"(it would write outside {root.name}/): replace it with a real directory or file")
    return StoreError(f"{root}: {where} is {kind}; expected a directory")


def _open_dir(root: Path, parts: Sequence[str], create: bool) -> int:
    """A descriptor of root/parts..., each component checked; missing ones made (0700) if `create`."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for i, name in enumerate(parts):
            if create:
                try:
                    os.mkdir(name, DIR_MODE, dir_fd=fd)
                except FileExistsError:
                    pass  # already there, or made meanwhile by a thread writing a sibling file
            try:
                child = os.open(name, _DIR_FLAGS, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise _refusal(root, parts, i, fd) from None
                raise
            os.close(fd)
            fd = child
        return fd
    except BaseException:
        os.close(fd)
        raise


@contextmanager
def _parent(root: Path, rel: str, create: bool = False) -> Iterator[tuple[int, list[str]]]:
    """The checked descriptor of rel's directory (closed on exit) and rel's components."""
    parts = rel.split("/")
    dfd = _open_dir(root, parts[:-1], create=create)
    try:
        yield dfd, parts
    finally:
        os.close(dfd)


def _regular(root: Path, parts: Sequence[str], dir_fd: int) -> os.stat_result | None:
    """The stat of the last component, None if absent; a link or a directory is refused."""
    try:
        st = os.stat(parts[-1], dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(st.st_mode):
        raise StoreError(f"{root}: {'/'.join(parts)} is a symbolic link; netpatrol never writes or reads "
                         f"through links (it would reach outside {root.name}/): replace it with a real file")
    if not stat.S_ISREG(st.st_mode):
        raise StoreError(f"{root}: {'/'.join(parts)} is not a regular file")
    return st


def write_bytes(root: Path, rel: str, data: bytes) -> bool:
    """Atomically write root/rel (temp file, fsync, rename), mode 0600; False when unchanged."""
    with _parent(root, rel, create=True) as (dfd, parts):
        name = parts[-1]
        st = _regular(root, parts, dfd)
        if st is not None and st.st_size == len(data):
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dfd)
            with os.fdopen(fd, "rb") as fh:
                if fh.read() == data:
                    if st.st_mode & 0o077:
                        os.chmod(fh.fileno(), FILE_MODE)
                    return False
        tmp = f".{name}.tmp"
        try:
            os.unlink(tmp, dir_fd=dfd)  # left by a killed run; unlink never follows a link
        except FileNotFoundError:
            pass
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, FILE_MODE,
                     dir_fd=dfd)
        with os.fdopen(fd, "wb") as fh:
            os.chmod(fh.fileno(), FILE_MODE)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
        return True


def read_bytes(root: Path, rel: str) -> bytes:
    with _parent(root, rel) as (dfd, parts):
        if _regular(root, parts, dfd) is None:
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", rel)
        fd = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dfd)
        with os.fdopen(fd, "rb") as fh:
            return fh.read()


def is_file(root: Path, rel: str) -> bool:
    """True for a regular file reached without links (a link anywhere on the way: False)."""
    try:
        with _parent(root, rel) as (dfd, parts):
            return stat.S_ISREG(os.stat(parts[-1], dir_fd=dfd, follow_symlinks=False).st_mode)
    except (OSError, StoreError):
        return False


def remove(root: Path, rel: str) -> bool:
    try:
        with _parent(root, rel) as (dfd, parts):
            os.unlink(parts[-1], dir_fd=dfd)
    except FileNotFoundError:
        return False
    return True


def owner_only(top: Path) -> None:
    """Drop group and other permissions from `top` and everything below it (links untouched).

    For trees made before netpatrol set modes itself, and for outputs libraries write with the
    process umask (xlsx, pdf).
    """
    if not top.exists() or top.is_symlink():
        return
    for path in [top, *_walk(top)]:
        st = path.lstat()
        if not stat.S_ISLNK(st.st_mode) and st.st_mode & 0o077:
            path.chmod(stat.S_IMODE(st.st_mode) & 0o700)


def _walk(top: Path):
    for base, dirs, files in os.walk(top):  # os.walk does not descend into linked directories
        for name in [*dirs, *files]:
            yield Path(base) / name


def loose(path: Path) -> bool:
    try:
        return bool(path.lstat().st_mode & 0o077)
    except OSError:
        return False
