"""The ASGI application: routers, the error pages and JSON errors, the static files.

Errors map once, here: NotFound -> 404, a bad REF, regex or period (UsageError, StoreError) -> 400,
a page without a session -> the login form, an API call without credentials -> 401.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from netpatrol import __version__
from netpatrol.errors import NetpatrolError
from netpatrol.web import api, pages
from netpatrol.web.auth import LoginRequired, Unauthorized
from netpatrol.web.state import NotFound, WebState

STATIC = Path(__file__).parent / "static"


def create_app(state: WebState) -> FastAPI:
    app = FastAPI(title="netpatrol", version=__version__, openapi_url="/api/v1/openapi.json",
                  docs_url=None, redoc_url=None)
    app.state.web = state
    app.include_router(pages.router)
    app.include_router(api.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(exc.next_url, safe='')}", status_code=303)

    @app.exception_handler(Unauthorized)
    async def _unauthorized(request: Request, exc: Unauthorized) -> Response:
        return JSONResponse({"detail": "authentication required"}, status_code=401,
                            headers={"WWW-Authenticate": 'Basic realm="netpatrol", charset="UTF-8"'})

    @app.exception_handler(NetpatrolError)
    async def _error(request: Request, exc: NetpatrolError) -> Response:
        status = 404 if isinstance(exc, NotFound) else 400
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(exc)}, status_code=status)
        from netpatrol.web.render import page

        return page(request, "error.html.j2", status_code=status, message=str(exc), status=status)

    return app
