"""The web users: `.netpatrol/users.yaml` (0600) holding names, roles, argon2 password hashes and
hashes of API tokens; never a password or a token in clear.

The file is read through the one YAML reader and validated strictly, so a hand edit that breaks
it names the file and the field; it is written atomically with mode 0600 (the store's writer: no
write through a link), under an flock so two `user` commands cannot lose each other's change. The
server re-reads it when it changes: a removed user or a new password takes effect at once.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

import yaml
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from netpatrol import safe_yaml
from netpatrol.errors import UsageError, WorkspaceError, invalid_file
from netpatrol.workspace import state_files
from netpatrol.workspace.names import MAX_NAME, NAME_RE
from netpatrol.workspace.settings import Workspace

HASHER = PasswordHasher()  # argon2id with the library's current parameters
LABEL = ".netpatrol/users.yaml"
MIN_PASSWORD = 8
# Far beyond any typed password; bounds the work one login form or Basic header can ask for.
MAX_PASSWORD = 1024
TOKEN_PREFIX = "np_"  # lets secret scanners and people tell a netpatrol token from a password
_TOKEN_RE = re.compile(r"np_[A-Za-z0-9_-]{43}")  # the prefix and 32 random bytes, base64url
_ID_LEN = 8
HEADER = "# netpatrol web users: managed by 'netpatrol user add|remove|token'; hashes only, keep it mode 0600.\n"


class TokenRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str  # shown by `user list`; the token's first characters
    hash: str  # sha256 of the token (a token is 32 random bytes: no slow hash needed)
    created: str  # UTC ISO 8601

    @field_validator("hash")
    @classmethod
    def _sha256(cls, value: str) -> str:
        if not re.fullmatch(r"[0-9a-f]{64}", value):
            raise ValueError("must be the 64 hex digits of a sha256 (a token is never stored in clear)")
        return value


class User(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    role: Literal["viewer", "admin"] = "viewer"
    password_hash: str  # argon2id
    tokens: list[TokenRecord] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        problem = name_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("password_hash")
    @classmethod
    def _argon2(cls, value: str) -> str:
        if not value.startswith("$argon2"):
            raise ValueError("must be an argon2 hash made by 'netpatrol user add' (never a password in clear)")
        return value


class UsersFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    users: list[User] = Field(default_factory=list)


def name_problem(name: str) -> str | None:
    """Why `name` cannot be a user name (the host-name characters: it appears in logs and cookies)."""
    if not 1 <= len(name) <= MAX_NAME:
        return f"a user name is 1 to {MAX_NAME} characters, not {len(name)}"
    if not NAME_RE.fullmatch(name):
        return "a user name is letters, digits, '.', '_' or '-', starting with a letter or digit"
    return None


def users_path(ws: Workspace) -> Path:
    return ws.state_dir / "users.yaml"


_cache: dict[str, tuple[tuple, dict[str, User]]] = {}
_cache_lock = threading.Lock()


def load_users(ws: Workspace) -> dict[str, User]:
    """name -> User; {} when the file does not exist. Re-read only when the file changed."""
    path = users_path(ws)
    try:
        st = path.stat()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise WorkspaceError(f"{LABEL}: cannot be read: {exc.strerror}") from None
    key = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_mode)
    with _cache_lock:
        hit = _cache.get(str(path))
        if hit is not None and hit[0] == key:
            return hit[1]
    if not stat.S_ISREG(st.st_mode):
        raise WorkspaceError(f"{LABEL}: is not a regular file")
    if st.st_mode & 0o077:
        raise WorkspaceError(f"{LABEL}: is readable or writable by others (mode {stat.S_IMODE(st.st_mode):o}); "
                             f"it holds password hashes: chmod 600 {path}")
    users = _parse(safe_yaml.load_file(path, LABEL))
    with _cache_lock:
        _cache[str(path)] = (key, users)
    return users


def _parse(doc: object) -> dict[str, User]:
    try:
        parsed = UsersFile.model_validate(doc if doc is not None else {})
    except ValidationError as exc:
        raise WorkspaceError(invalid_file(LABEL, exc)) from None
    users: dict[str, User] = {}
    for i, user in enumerate(parsed.users):
        if user.name in users:
            raise WorkspaceError(f"{LABEL}: field 'users.{i}.name': user {user.name!r} appears twice")
        users[user.name] = user
    return users


@contextmanager
def _editing(ws: Workspace) -> Iterator[dict[str, User]]:
    """The users to change, written back atomically (0600) when the block ends without error."""
    with state_files.editing(ws, "users"):
        users = dict(load_users(ws))
        yield users
        doc = {"users": [u.model_dump() for u in users.values()]}
        state_files.replace(ws, "users.yaml", HEADER + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))


def password_problem(password: str) -> str | None:
    if not password:
        return "the password is empty"
    if len(password) < MIN_PASSWORD:
        return f"the password is shorter than {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"the password is longer than {MAX_PASSWORD} characters"
    return None


def add_user(ws: Workspace, name: str, password: str, role: Literal["viewer", "admin"] = "viewer",
             update: bool = False) -> User:
    """A new user (or, with `update`, a new password and role for an existing one, its tokens kept)."""
    problem = name_problem(name) or password_problem(password)
    if problem:
        raise UsageError(f"user {name!r}: {problem}")
    with _editing(ws) as users:
        old = users.get(name)
        if old is not None and not update:
            raise UsageError(f"user {name!r} exists already; pass --update to set a new password and role")
        user = User(name=name, role=role, password_hash=HASHER.hash(password),
                    tokens=old.tokens if old is not None else [])
        users[name] = user
    return user


def remove_user(ws: Workspace, name: str) -> None:
    with _editing(ws) as users:
        if users.pop(name, None) is None:
            raise UsageError(f"no user {name!r} in {LABEL} (see 'netpatrol user list')")


def new_token(ws: Workspace, name: str) -> tuple[TokenRecord, str]:
    """A new API token for `name`: the record stored (its sha256) and the token, shown once."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = TokenRecord(id=token[len(TOKEN_PREFIX):][:_ID_LEN], hash=_digest(token),
                         created=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    with _editing(ws) as users:
        user = _existing(users, name)
        users[name] = user.model_copy(update={"tokens": [*user.tokens, record]})
    return record, token


def revoke_token(ws: Workspace, name: str, token_id: str) -> int:
    """Drop `name`'s token `token_id` (`all`: every one); how many were dropped."""
    with _editing(ws) as users:
        user = _existing(users, name)
        kept = [t for t in user.tokens if token_id != "all" and t.id != token_id]
        if len(kept) == len(user.tokens):
            raise UsageError(f"user {name!r} has no token {token_id!r} (see 'netpatrol user list')")
        users[name] = user.model_copy(update={"tokens": kept})
    return len(user.tokens) - len(kept)


def _existing(users: dict[str, User], name: str) -> User:
    if name not in users:
        raise UsageError(f"no user {name!r} in {LABEL} (see 'netpatrol user list')")
    return users[name]


# A hash to verify against when the name is unknown, so that answer takes as long as a wrong password.
_DUMMY = HASHER.hash(secrets.token_urlsafe(16))
# Each verification takes 64 MiB and a CPU for a fraction of a second: a burst of logins from many
# addresses waits its turn instead of taking the server's memory.
_VERIFYING = threading.BoundedSemaphore(max(2, min(8, os.cpu_count() or 2)))


def verify_password(users: dict[str, User], name: str, password: str) -> User | None:
    """The user when `password` is theirs; argon2's verification, the same time for unknown names."""
    user = users.get(name)
    if len(password) > MAX_PASSWORD:
        return None
    try:
        with _VERIFYING:
            HASHER.verify(user.password_hash if user else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def verify_token(users: dict[str, User], token: str) -> User | None:
    """The user holding `token`. Looked up by its sha256: the time a comparison takes can tell an
    attacker nothing about a token they do not have."""
    if not _TOKEN_RE.fullmatch(token):
        return None
    digest = _digest(token)
    for user in users.values():
        for record in user.tokens:
            if hmac.compare_digest(record.hash, digest):
                return user
    return None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()
