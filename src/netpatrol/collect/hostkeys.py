"""SSH host keys: trust on first use, stored in the workspace, a changed key refused.

The file is OpenSSH known_hosts format (`[addr]:port key-type base64`), so `ssh-keygen -F` works on
it. Several worker threads, and several netpatrol processes, may learn keys at once: every write
re-reads the file under an flock and replaces it atomically, so no learnt key is lost.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import os
import socket
import threading
from collections.abc import Mapping
from pathlib import Path

import paramiko

from netpatrol.errors import Unreachable


def entry_name(hostname: str, port: int) -> str:
    """The name paramiko and OpenSSH use for a host: bare on port 22, `[host]:port` otherwise."""
    return hostname if port == 22 else f"[{hostname}]:{port}"


def fingerprint(key: paramiko.PKey) -> str:
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


class HostKeyStore:
    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._keys = self._read()
        self._index = _index(self._keys)
        self._seen = self._stamp()

    def _read(self) -> paramiko.HostKeys:
        # Not HostKeys.load(): it checks every line against all earlier ones (O(n²) per read), which
        # made learning 500 keys on a first backup cost ~90 CPU-s. Duplicate lines are harmless here.
        keys = paramiko.HostKeys()
        if self.path.exists():
            with open(self.path, encoding="utf-8") as fh:
                for lineno, line in enumerate(fh, 1):
                    if not line.strip() or line.startswith("#"):
                        continue
                    entry = paramiko.hostkeys.HostKeyEntry.from_line(line, lineno)
                    if entry is not None:
                        _entries(keys).append(entry)
        return keys

    def _stamp(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return st.st_ino, st.st_size, st.st_mtime_ns

    def entry(self, name: str) -> dict[str, paramiko.PKey]:
        """Every stored key of one host, by key type; O(1), for opening sessions."""
        with self._lock:
            found: Mapping[str, paramiko.PKey] | None = self._index.get(name)
            if found is None:
                # Hashed (`|1|...`) names only match through paramiko's own, linear lookup.
                found = self._keys.lookup(name) or {}
            return dict(found)

    def snapshot(self) -> paramiko.HostKeys:
        with self._lock:
            copy = paramiko.HostKeys()
            for name, entry in self._keys.items():
                for key_type, key in entry.items():
                    copy.add(name, key_type, key)
            return copy

    def lookup(self, name: str) -> paramiko.PKey | None:
        with self._lock:
            entry = self._keys.lookup(name)
            if not entry:
                return None
            return next(iter(entry.values()))

    def _update(self, change) -> None:
        """Apply `change(keys)` to the on-disk file under an exclusive lock, then reload."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        lock_path = self.path.with_suffix(".lock")
        with self._lock, open(lock_path, "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            # Re-read only when another process replaced the file since we last did: learning
            # N keys in one run stays O(N) per key instead of re-parsing the file every time.
            keys = self._keys if self._stamp() == self._seen and self._seen is not None else self._read()
            change(keys)
            tmp = self.path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                # From the entries, not keys.items(): each of its lookups is linear, O(N²) per write.
                lines = [f"{name} {e.key.get_name()} {e.key.get_base64()}\n" for e in _entries(keys) for name in e.hostnames]
                fh.writelines(sorted(lines))
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
            self._keys = keys
            self._index = _index(keys)
            self._seen = self._stamp()

    def learn(self, name: str, key: paramiko.PKey) -> None:
        self._update(lambda keys: keys.add(name, key.get_name(), key))

    def replace(self, name: str, key: paramiko.PKey) -> None:
        def change(keys: paramiko.HostKeys) -> None:
            if name in keys:
                del keys[name]
            keys.add(name, key.get_name(), key)

        self._update(change)

    def forget(self, name: str) -> bool:
        found = self.lookup(name) is not None

        def change(keys: paramiko.HostKeys) -> None:
            if name in keys:
                del keys[name]

        self._update(change)
        return found


def _entries(keys: paramiko.HostKeys) -> list[paramiko.hostkeys.HostKeyEntry]:
    # paramiko's private entry list (absent from its stubs): its public lookups are linear, see _read.
    return keys._entries  # type: ignore[attr-defined]


def _index(keys: paramiko.HostKeys) -> dict[str, dict[str, paramiko.PKey]]:
    found: dict[str, dict[str, paramiko.PKey]] = {}
    for entry in _entries(keys):
        for name in entry.hostnames:
            found.setdefault(name, {})[entry.key.get_name()] = entry.key
    return found


class TrustOnFirstUse(paramiko.MissingHostKeyPolicy):
    """Unknown host: remember its key. (A *different* key is refused by paramiko itself.)"""

    def __init__(self, store: HostKeyStore):
        self.store = store

    def missing_host_key(self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey) -> None:
        self.store.learn(hostname, key)
        client.get_host_keys().add(hostname, key.get_name(), key)


def fetch_host_key(hostname: str, port: int, timeout: float = 10.0) -> paramiko.PKey:
    """The key a device presents now, without logging in (for `hostkeys accept`)."""
    try:
        sock = socket.create_connection((hostname, port), timeout=timeout)
    except OSError as exc:
        raise Unreachable(f"{hostname}:{port}", f"cannot connect: {exc.strerror or exc}") from None
    transport = paramiko.Transport(sock)
    try:
        transport.start_client(timeout=timeout)
        return transport.get_remote_server_key()
    except paramiko.SSHException as exc:
        raise Unreachable(f"{hostname}:{port}", f"SSH handshake failed: {exc}") from None
    finally:
        transport.close()
