"""Per-device SSH host keys (ed25519), made once and kept in the state dir so they survive restarts."""

from __future__ import annotations

import os
from pathlib import Path

import asyncssh


def key_path(state_dir: Path, name: str) -> Path:
    return Path(state_dir) / "hostkeys" / f"{name}.key"


def load_or_create(state_dir: Path, name: str) -> asyncssh.SSHKey:
    path = key_path(state_dir, name)
    if path.exists():
        return asyncssh.read_private_key(str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    key = asyncssh.generate_private_key("ssh-ed25519")
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(key.export_private_key())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return key


def rotate(state_dir: Path, name: str) -> None:
    """Forget the device's key; the next load makes a new one (clients then see a changed key)."""
    key_path(state_dir, name).unlink(missing_ok=True)
