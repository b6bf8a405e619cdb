"""Who is asking: a session cookie, HTTP Basic or a Bearer token, checked on every request once
users exist; with no user file, only a loopback bind is allowed and everyone is a viewer.

Pages and API accept all three: a browser logs in through the form and may then open the JSON
too; a script may fetch a page or a report with its token. An Authorization header that is
present but wrong is a failure, never a fall-back to the cookie. Every POST carries a CSRF token,
an HMAC of what authenticated the request (the session, the header's user, or on the login form
a pre-session cookie): a page from elsewhere can make a browser send our cookie, never read it.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qsl

from fastapi import Request, Response

from netpatrol.web import users as user_store
from netpatrol.web.sessions import LOGIN_COOKIE, SESSION_COOKIE, SESSION_SECONDS, Keys, Logouts, Session, load_secret
from netpatrol.web.state import HTTPError, WebState
from netpatrol.web.throttle import TOKEN, Throttle

Role = Literal["viewer", "admin"]
LOOPBACK_NAMES = {"localhost", "ip6-localhost"}
MAX_FORM = 16 * 1024  # a login or a button: far less; a larger body is refused unread
_BASIC_CACHE = 256  # verified Basic credentials kept (as an HMAC) so a script is not one argon2 per call
_BASIC_SECONDS = 300
# A request through a proxy: never the anonymous viewer, whatever address it comes from.
FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-real-ip")


@dataclass(frozen=True)
class Identity:
    name: str  # "" for the anonymous viewer of a workspace with no users
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


ANONYMOUS = Identity("", "viewer")


class LoginRequired(Exception):
    """A page asked for without a session: redirected to the login form."""

    def __init__(self, next_url: str):
        self.next_url = next_url


class Unauthorized(Exception):
    """An API call without valid credentials: 401 with WWW-Authenticate."""


class TooManyAttempts(HTTPError):
    """Too many failed logins for this name from this address: 429 with Retry-After."""

    def __init__(self, seconds: int):
        self.seconds = seconds
        super().__init__(429, f"too many failed logins; try again in {seconds} seconds", key="login.throttled",
                         headers={"Retry-After": str(seconds)}, seconds=seconds)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


@dataclass
class AuthState:
    """What the server keeps between requests: the key, failed logins, the logouts, Basic logins."""

    keys: Keys
    logouts: Logouts
    throttle: Throttle = field(default_factory=Throttle)
    basic: OrderedDict[str, tuple[str, float]] = field(default_factory=OrderedDict)  # HMAC -> fingerprint, until
    lock: threading.Lock = field(default_factory=threading.Lock)


_init_lock = threading.Lock()


def web_state(request: Request) -> WebState:
    return request.app.state.web


def auth_state(request: Request) -> AuthState:
    app_state = request.app.state
    with _init_lock:
        if getattr(app_state, "auth", None) is None:
            ws = web_state(request).ws
            app_state.auth = AuthState(Keys(load_secret(ws)), Logouts(ws))
    return app_state.auth


def client_address(request: Request) -> str:
    """The client's address (the proxy's X-Forwarded-For when `serve --trusted-proxy` names it)."""
    return request.client.host if request.client else ""


def authenticate(request: Request) -> Identity | None:
    """The request's identity, or None when users exist and it carries no valid credentials."""
    state = web_state(request)
    users = user_store.load_users(state.ws)
    if not users:
        return ANONYMOUS if _anonymous_allowed(request, state) else None
    auth = auth_state(request)
    header = request.headers.get("authorization")
    if header is not None:
        user = _from_header(request, auth, users, header)
        if user is None:
            return None
        request.state.csrf_binding = f"header:{user.name}:{auth.keys.fingerprint(user.password_hash)}"
        return Identity(user.name, user.role)
    found = _session(request, auth, users)
    if found is None:
        return None
    user, session = found
    request.state.session = session
    request.state.csrf_binding = f"session:{session.sid}"
    return Identity(user.name, user.role)


def _anonymous_allowed(request: Request, state: WebState) -> bool:
    """Without users, only this machine: the bind is loopback, so is the client, the request did
    not come through a proxy (which on this machine would make everyone look local), and the Host
    names loopback, so a page from a rebinding DNS name (evil.example -> 127.0.0.1) or a proxy's
    public name cannot read the view through a browser here."""
    if not is_loopback(state.options.bind):
        return False  # users were all removed while serving beyond this machine
    if any(name in request.headers for name in FORWARDING_HEADERS):
        return False
    client = client_address(request)
    try:
        if client and not ipaddress.ip_address(client).is_loopback:
            return False
    except ValueError:
        pass  # not an address (a test client, a unix socket)
    host = (request.url.hostname or "").strip("[]").lower()
    return is_loopback(host) or host == state.options.bind.strip("[]").lower()


def _from_header(request: Request, auth: AuthState, users: dict[str, user_store.User],
                 header: str) -> user_store.User | None:
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        address = client_address(request)
        if (seconds := auth.throttle.wait(address, TOKEN)):
            raise TooManyAttempts(seconds)
        user = user_store.verify_token(users, value)
        if user is None:
            auth.throttle.failed(address, TOKEN)
        return user
    if scheme.lower() != "basic":
        return None
    try:
        name, sep, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    if not sep:
        return None
    # The limit first: while a user's login is cached, a locked-out guesser must not learn from a
    # 200 that a guess was right.
    if (seconds := auth.throttle.wait(client_address(request), name)):
        raise TooManyAttempts(seconds)
    key = auth.keys.mac("basic", f"{name}\0{password}")
    with auth.lock:
        cached = auth.basic.get(key)
    user = users.get(name)
    if cached and user and cached[1] > time.monotonic() and cached[0] == auth.keys.fingerprint(user.password_hash):
        return user
    user = password_login(request, users, name, password)
    if user is not None:
        with auth.lock:
            auth.basic[key] = (auth.keys.fingerprint(user.password_hash), time.monotonic() + _BASIC_SECONDS)
            while len(auth.basic) > _BASIC_CACHE:
                auth.basic.popitem(last=False)
    return user


def password_login(request: Request, users: dict[str, user_store.User], name: str, password: str) -> user_store.User | None:
    """The user if the password is theirs; counts failures per address and name (TooManyAttempts)."""
    auth = auth_state(request)
    address = client_address(request)
    if (seconds := auth.throttle.wait(address, name)):
        raise TooManyAttempts(seconds)
    user = user_store.verify_password(users, name, password)
    if user is None:
        auth.throttle.failed(address, name)
    else:
        auth.throttle.succeeded(address, name)
    return user


def _session(request: Request, auth: AuthState, users: dict[str, user_store.User]) -> tuple[user_store.User, Session] | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    session = auth.keys.read_session(cookie) if cookie else None
    if session is None or session.issued <= auth.logouts.after(session.name):
        return None  # logged out since, here or on another server of the workspace
    user = users.get(session.name)
    if user is None or session.fingerprint != auth.keys.fingerprint(user.password_hash):
        return None  # removed, or a new password: every session of the old one ends
    return user, session


def page_user(request: Request) -> Identity:
    """Dependency of every page: the identity, or LoginRequired."""
    who = authenticate(request)
    if who is None:
        raise LoginRequired(str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""))
    request.state.identity = who
    return who


def api_user(request: Request) -> Identity:
    """Dependency of every API route: the identity, or Unauthorized."""
    who = authenticate(request)
    if who is None:
        raise Unauthorized()
    request.state.identity = who
    return who


def csrf_token(request: Request) -> str:
    """The token a form of this session carries; "" where no form may be posted (no users)."""
    binding = getattr(request.state, "csrf_binding", None)
    return auth_state(request).keys.csrf(binding) if binding else ""


def check_csrf(request: Request, submitted: str) -> None:
    """403 unless `submitted` is the token of what authenticated this request."""
    _check(request, getattr(request.state, "csrf_binding", None), submitted)


def check_login_csrf(request: Request, submitted: str) -> None:
    """403 unless `submitted` is the token of the login form's pre-session cookie."""
    binding, new_cookie = login_binding(request)
    _check(request, None if new_cookie else binding, submitted)


def _check(request: Request, binding: str | None, submitted: str) -> None:
    if not auth_state(request).keys.check_csrf(binding, submitted):
        raise HTTPError(403, "the form's security token is missing or stale: reload the page and try again",
                        key="error.csrf")


def login_binding(request: Request) -> tuple[str, str | None]:
    """The login form's CSRF binding, and a new pre-session cookie value when there is none yet."""
    value = request.cookies.get(LOGIN_COOKIE, "")
    if 20 <= len(value) <= 64:
        return f"login:{value}", None
    value = secrets.token_urlsafe(24)
    return f"login:{value}", value


async def read_form(request: Request) -> dict[str, str]:
    """An urlencoded form body (what every form here posts), at most MAX_FORM bytes; first value wins."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            raise HTTPError(413, "form too large", key="error.form_too_large")
    if not body:
        return {}  # a form with no fields: sent without a content type
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        raise HTTPError(415, "expected a form (application/x-www-form-urlencoded)", key="error.not_a_form")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        raise HTTPError(400, "the form could not be read", key="error.bad_form") from None
    form: dict[str, str] = {}
    for key, value in pairs:
        form.setdefault(key, value)
    return form


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None) -> None:
    """HttpOnly, SameSite=Lax, path /, and Secure when the request came over TLS (directly, or
    through a `--trusted-proxy` whose X-Forwarded-Proto uvicorn believes)."""
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="lax",
                        secure=request.url.scheme == "https")


def open_session(request: Request, response: Response, user: user_store.User) -> None:
    value, _ = auth_state(request).keys.session_cookie(user.name, user.password_hash)
    set_cookie(request, response, SESSION_COOKIE, value, SESSION_SECONDS)
    response.delete_cookie(LOGIN_COOKIE, path="/")


def end_session(request: Request, response: Response) -> None:
    """Logout: the cookie dropped, and every session of the user opened until now refused, on every
    server of the workspace and after a restart, even if a copy of the cookie survives."""
    session = getattr(request.state, "session", None)
    if session is not None:
        auth_state(request).logouts.record(session.name)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=request.url.scheme == "https")
