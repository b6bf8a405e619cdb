"""The login form and logout: GET/POST /login, POST /logout.

`next` (where the form returns to) is only ever a path on this server: `//evil.example`,
`/\\evil.example`, `https://...` and anything with a control character become `/`, so the login
page cannot be used to send people elsewhere with our name on the link.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from netpatrol.web import auth
from netpatrol.web import users as user_store
from netpatrol.web.render import Translator, page
from netpatrol.web.sessions import LOGIN_COOKIE

router = APIRouter()

def safe_next(value: str | None) -> str:
    """A local path to return to after login; "/" for anything else."""
    if not value or len(value) > 2000 or not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return "/"  # browsers read `/\host` as `//host`, and drop tabs and line breaks from URLs
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path.startswith(("/login", "/logout")):
        return "/"
    return value


def _form(request: Request, next_url: str, status_code: int = 200, error: str = "", username: str = "",
          no_users: bool = False, headers: dict[str, str] | None = None) -> Response:
    binding, new_cookie = auth.login_binding(request)
    response = page(request, "login.html.j2", status_code=status_code, csrf=auth.auth_state(request).keys.csrf(binding),
                    next=next_url, error=error, username=username, no_users=no_users)
    if new_cookie:
        auth.set_cookie(request, response, LOGIN_COOKIE, new_cookie, max_age=None)
    response.headers.update(headers or {})
    return response


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str | None = None) -> Response:
    next_url = safe_next(next)
    if auth.authenticate(request) is not None:
        return RedirectResponse(next_url, status_code=303)
    no_users = not user_store.load_users(request.app.state.web.ws)
    return _form(request, next_url, status_code=403 if no_users else 200, no_users=no_users)


@router.post("/login", include_in_schema=False)
async def login_submit(request: Request) -> Response:
    form = await auth.read_form(request)
    auth.check_login_csrf(request, form.get("csrf", ""))
    next_url = safe_next(form.get("next"))
    name, password = form.get("username", "").strip(), form.get("password", "")
    users = user_store.load_users(request.app.state.web.ws)
    if not users:
        return _form(request, next_url, status_code=403, no_users=True)
    t = Translator(request.app.state.web.lang)
    try:
        user = await run_in_threadpool(auth.password_login, request, users, name, password)  # argon2: off the loop
    except auth.TooManyAttempts as exc:
        return _form(request, next_url, status_code=429, error=t("login.throttled", seconds=exc.seconds),
                     username=name, headers={"Retry-After": str(exc.seconds)})
    if user is None:
        return _form(request, next_url, status_code=401, error=t("login.failed"), username=name)
    response = RedirectResponse(next_url, status_code=303)
    auth.open_session(request, response, user)
    return response


@router.post("/logout", include_in_schema=False)
async def logout(request: Request) -> Response:
    form = await auth.read_form(request)
    if await run_in_threadpool(auth.authenticate, request) is None:  # Basic means argon2: off the loop
        return RedirectResponse("/login", status_code=303)
    auth.check_csrf(request, form.get("csrf", ""))
    response = RedirectResponse("/login", status_code=303)
    auth.end_session(request, response)
    return response
