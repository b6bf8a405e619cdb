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

    def _read(self) -> paramiko.HostKeys:
        keys = paramiko.HostKeys()
        if self.path.exists():
            keys.load(str(self.path))
        return keys

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
            keys = self._read()
            change(keys)
            tmp = self.path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                for name, entry in sorted(keys.items()):
                    for key_type, key in entry.items():
                        fh.write(f"{name} {key_type} {key.get_base64()}\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
            self._keys = keys

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
