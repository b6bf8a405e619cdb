"""Who is asking: a session cookie (pages), HTTP Basic or a Bearer token (API), checked on every
request once users exist; with no user file, only a loopback bind is allowed and everyone is a viewer.

(Interface landed by the lead; the auth work fills in sessions, rate limits and CSRF.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fastapi import Request

from netpatrol.web import users as user_store
from netpatrol.web.state import WebState

Role = Literal["viewer", "admin"]


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


def web_state(request: Request) -> WebState:
    return request.app.state.web


def authenticate(request: Request) -> Identity | None:
    """The request's identity, or None when users exist and it carries no valid credentials."""
    state = web_state(request)
    if not user_store.load_users(state.ws):
        return ANONYMOUS
    return None  # filled in by the auth work: session cookie, Basic, Bearer


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
    """The token a form of this session carries (filled in by the auth work)."""
    return ""
