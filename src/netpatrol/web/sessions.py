"""Signed cookies and the tokens derived from them, all HMAC-SHA256 with the server's key.

The key is 32 random bytes in `.netpatrol/web-secret` (0600), made on first use and shared by
every `serve` of the workspace, so a restart keeps people logged in. A session cookie holds the
user's name, its expiry, a random session id and a fingerprint of the user's password hash: a new
password or a removed user ends every session at once, without any server-side session table.
Logging out ends every session of that user, on every `serve` of the workspace and after a restart:
the time is kept in `.netpatrol/web-logouts` (0600), and a cookie issued before it is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
import stat
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from netpatrol.errors import WorkspaceError
from netpatrol.workspace import state_files
from netpatrol.workspace.settings import Workspace

SESSION_COOKIE = "netpatrol_session"
LOGIN_COOKIE = "netpatrol_login"  # the login form's pre-session value its CSRF token is bound to
SESSION_SECONDS = 12 * 3600  # one working day: a forgotten browser does not stay logged in for long
SECRET_FILE = "web-secret"
LOGOUTS_FILE = "web-logouts"  # {name: Unix time of the last logout}: older sessions are refused
_KEY_BYTES = 32


def load_secret(ws: Workspace) -> bytes:
    """The workspace's key, made on first use; a random one for this process when the state
    directory cannot be written (sessions then end with the server)."""
    path = ws.state_dir / SECRET_FILE
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    try:
        ws.ensure_state_dir()
        tmp = path.with_name(f".{SECRET_FILE}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(_KEY_BYTES))
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)  # never replaces: two servers starting at once agree on the first key
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
        return _read_secret(path)
    except OSError:
        return secrets.token_bytes(_KEY_BYTES)


def _read_secret(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if st.st_mode & 0o077 or not stat.S_ISREG(st.st_mode):
            raise WorkspaceError(f".netpatrol/{SECRET_FILE}: must be a file of mode 0600 (it signs the web sessions); "
                                 f"delete it to make a new one (everyone logs in again)")
        key = fh.read(4096)
    if len(key) < _KEY_BYTES:
        raise WorkspaceError(f".netpatrol/{SECRET_FILE}: shorter than {_KEY_BYTES} bytes; delete it to make a new one")
    return key


@dataclass(frozen=True)
class Session:
    name: str
    sid: str  # random: what the CSRF token is bound to
    expires: int  # Unix time
    fingerprint: str  # of the password hash the session was opened with
    issued: float  # Unix time: a logout after it ends the session


class Keys:
    def __init__(self, secret: bytes):
        self._secret = secret

    def mac(self, purpose: str, text: str) -> str:
        """HMAC-SHA256 of `text` for one purpose (a session MAC is never a valid CSRF token)."""
        digest = hmac.new(self._secret, f"{purpose}\0{text}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def fingerprint(self, password_hash: str) -> str:
        return self.mac("password", password_hash)[:22]

    def session_cookie(self, name: str, password_hash: str, now: float | None = None) -> tuple[str, Session]:
        issued = now or time.time()
        session = Session(name, secrets.token_urlsafe(16), int(issued) + SESSION_SECONDS,
                          self.fingerprint(password_hash), round(issued, 6))
        body = json.dumps({"u": session.name, "s": session.sid, "e": session.expires, "f": session.fingerprint,
                           "i": session.issued},
                          separators=(",", ":")).encode()
        payload = base64.urlsafe_b64encode(body).rstrip(b"=").decode("ascii")
        return f"{payload}.{self.mac('session', payload)}", session

    def read_session(self, value: str, now: float | None = None) -> Session | None:
        """The session a cookie holds, if its signature is ours and it has not expired."""
        payload, _, mac = value.partition(".")
        if len(value) > 1024 or not hmac.compare_digest(mac.encode(), self.mac("session", payload).encode()):
            return None
        try:
            doc = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            session = Session(str(doc["u"]), str(doc["s"]), int(doc["e"]), str(doc["f"]), float(doc["i"]))
        except (ValueError, KeyError, TypeError, binascii.Error):
            return None
        return session if session.expires > (now or time.time()) else None

    def csrf(self, binding: str) -> str:
        return self.mac("csrf", binding)

    def check_csrf(self, binding: str | None, submitted: str) -> bool:
        return binding is not None and hmac.compare_digest(self.csrf(binding).encode(), submitted.encode())


class Logouts:
    """When each user last logged out, shared through `.netpatrol/web-logouts` by every `serve` of
    the workspace; reread when the file changes. Only logouts younger than a session are kept, so
    the file holds at most one entry per user. Where the file cannot be written (a read-only state
    directory), a logout still holds for this process."""

    def __init__(self, ws: Workspace):
        self._path = ws.state_dir / LOGOUTS_FILE
        self._ws = ws
        self._lock = threading.Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._from_file: dict[str, float] = {}
        self._here: dict[str, float] = {}

    def after(self, name: str) -> float:
        """Sessions of `name` issued at or before this time are refused; 0.0: none."""
        with self._lock:
            self._reload()
            return max(self._from_file.get(name, 0.0), self._here.get(name, 0.0))

    def record(self, name: str, when: float | None = None) -> None:
        when = when or time.time()
        with self._lock:
            self._here = {n: t for n, t in self._here.items() if t > when - SESSION_SECONDS}
            self._here[name] = max(when, self._here.get(name, 0.0))
            try:
                self._write(name, when)
            except OSError:
                pass  # kept in memory: this server refuses the session; the key file decides for the rest

    def _reload(self) -> None:
        try:
            st = os.stat(self._path)
        except OSError:
            self._stamp, self._from_file = None, {}
            return
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
        if stamp != self._stamp:
            self._from_file, self._stamp = _read_logouts(self._path), stamp

    def _write(self, name: str, when: float) -> None:
        with state_files.editing(self._ws, f".{LOGOUTS_FILE}"):  # two servers logging people out at once lose neither
            doc = {n: t for n, t in _read_logouts(self._path).items() if t > when - SESSION_SECONDS}
            doc[name] = max(when, doc.get(name, 0.0))
            state_files.replace(self._ws, LOGOUTS_FILE, json.dumps(doc))


def _read_logouts(path: Path) -> dict[str, float]:
    """The file's entries; {} when it is missing or unreadable (a torn file cannot occur: it is replaced whole)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as fh:
            doc = json.loads(fh.read(1 << 20))
        return {str(n): float(t) for n, t in doc.items()} if isinstance(doc, dict) else {}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}
