"""The ASGI application: routers, the error pages and JSON errors, the static files.

Errors map once, here: NotFound -> 404, a bad REF, regex or period (UsageError) -> 400, a
workspace file or the store that cannot be read (WorkspaceError, StoreError: not the caller's
fault) -> 503 naming the file, a page without a session -> the login form, an API call without
credentials -> 401, any HTTP error (403 CSRF or role, 429 too many logins) -> JSON under /api/,
the error page elsewhere; anything unexpected -> 500 the same way, its traceback logged
(server_error.py). While the last good inventory stands in for a broken one, every answer says
so: a banner on pages, the `X-Netpatrol-Warning` header.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from netpatrol import __version__
from netpatrol.errors import NetpatrolError, StoreError, UsageError, WorkspaceError
from netpatrol.web import api, backup_action, login, pages
from netpatrol.web.auth import LoginRequired, Unauthorized
from netpatrol.web.server_error import OuterApp, internal_error
from netpatrol.web.state import HTTPError, NotFound, WebState, warning_header

STATIC = Path(__file__).parent / "static"
# Starlette's own HTTPExceptions carry no message key: their sentence by status.
ROUTING_KEYS = {404: "error.no_page", 405: "error.method"}


def create_app(state: WebState) -> FastAPI:
    # The OpenAPI document is served by api.py, behind the API's authentication like every route.
    app = OuterApp(title="netpatrol", version=__version__, openapi_url=None, docs_url=None, redoc_url=None)
    app.state.web = state
    app.include_router(login.router)
    app.include_router(pages.router)
    app.include_router(backup_action.router)
    app.include_router(api.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(Exception, internal_error)  # a 500: JSON or the page, the traceback logged

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(exc.next_url, safe='')}", status_code=303)

    @app.exception_handler(Unauthorized)
    async def _unauthorized(request: Request, exc: Unauthorized) -> Response:
        return JSONResponse({"detail": "authentication required"}, status_code=401,
                            headers={"WWW-Authenticate": 'Basic realm="netpatrol", charset="UTF-8"'})

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        # Raised by routes here (403 CSRF or role, 413, 415, 429 with Retry-After) and by routing
        # itself (404 no such page, 405): JSON under /api/, a page elsewhere. Starlette's class is
        # FastAPI's base, so this one handler takes both.
        if request.url.path.startswith("/api/") or exc.status_code < 400:
            return await http_exception_handler(request, exc)
        from netpatrol.web.render import error_page

        key: str | None = None
        values: dict[str, object] | None = None
        if isinstance(exc, HTTPError):
            key, values = exc.key, exc.values
        elif type(exc) is HTTPException:
            # Starlette's own (routing, static files): its detail is the status phrase, so the
            # status says it. Any other HTTPException without a key is shown as raised.
            key = ROUTING_KEYS.get(exc.status_code)
        response = error_page(request, exc.status_code, str(exc.detail), key, values)
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(NetpatrolError)
    async def _error(request: Request, exc: NetpatrolError) -> Response:
        status = 404 if isinstance(exc, NotFound) else 400 if isinstance(exc, UsageError) \
            else 503 if isinstance(exc, (WorkspaceError, StoreError)) else 500
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(exc)}, status_code=status)
        from netpatrol.web.render import error_page

        key, values = (exc.key, exc.values) if isinstance(exc, NotFound) else (None, None)
        return error_page(request, status, str(exc), key, values)

    @app.middleware("http")
    async def _warning(request: Request, call_next) -> Response:
        response = await call_next(request)
        if state.warning:
            response.headers["X-Netpatrol-Warning"] = warning_header(state.warning)
        return response

    return app
