"""Signed cookies and the tokens derived from them, all HMAC-SHA256 with the server's key.

The key is 32 random bytes in `.netpatrol/web-secret` (0600), made on first use and shared by
every `serve` of the workspace, so a restart keeps people logged in. A session cookie holds the
user's name, its expiry, a random session id and a fingerprint of the user's password hash: a new
password or a removed user ends every session at once, without any server-side session table.
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
import time
from dataclasses import dataclass

from netpatrol.errors import WorkspaceError
from netpatrol.workspace.settings import Workspace

SESSION_COOKIE = "netpatrol_session"
LOGIN_COOKIE = "netpatrol_login"  # the login form's pre-session value its CSRF token is bound to
SESSION_SECONDS = 12 * 3600  # one working day: a forgotten browser does not stay logged in for long
SECRET_FILE = "web-secret"
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


def _read_secret(path) -> bytes:
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
    sid: str  # random: what logout revokes
    expires: int  # Unix time
    fingerprint: str  # of the password hash the session was opened with


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
        session = Session(name, secrets.token_urlsafe(16), int(now or time.time()) + SESSION_SECONDS,
                          self.fingerprint(password_hash))
        body = json.dumps({"u": session.name, "s": session.sid, "e": session.expires, "f": session.fingerprint},
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
            session = Session(str(doc["u"]), str(doc["s"]), int(doc["e"]), str(doc["f"]))
        except (ValueError, KeyError, TypeError, binascii.Error):
            return None
        return session if session.expires > (now or time.time()) else None

    def csrf(self, binding: str) -> str:
        return self.mac("csrf", binding)

    def check_csrf(self, binding: str | None, submitted: str) -> bool:
        return binding is not None and hmac.compare_digest(self.csrf(binding).encode(), submitted.encode())
