"""The answer to an exception no other handler took: a 500 as JSON under /api/, the error page
elsewhere, the traceback (secrets redacted) in a 0600 file under `.netpatrol/logs/` as the CLI
keeps its own; the client learns nothing of it. `OuterApp` puts the security headers around
Starlette's outermost layer, so this answer carries them too.
"""

from __future__ import annotations

import sys
import traceback

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from netpatrol import __version__
from netpatrol.web.headers import ASGIApp, SecurityHeaders

MESSAGE = "internal error; the server kept the details in its log (.netpatrol/logs/)"


class OuterApp(FastAPI):
    """FastAPI with the security headers outside its ServerErrorMiddleware: on every response, 500s included."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack())


async def internal_error(request: Request, exc: Exception) -> Response:
    try:
        where = write_log(request, exc)
        note = f"web: internal error ({type(exc).__name__}); traceback in {where}\n"
    except OSError as log_exc:
        note = f"web: internal error ({type(exc).__name__}); traceback not kept: {log_exc}\n"
    sys.stderr.write(note)
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": MESSAGE}, status_code=500)
    try:
        from netpatrol.web.render import error_page

        return error_page(request, 500, MESSAGE)
    except Exception:  # noqa: BLE001 - the page itself may be what failed; the answer must still go out
        return PlainTextResponse(MESSAGE, status_code=500)


def write_log(request: Request, exc: Exception) -> str:
    from netpatrol.crashlog import redact, write_log

    header = f"netpatrol {__version__} serve, python {sys.version.split()[0]}\n{request.method} {request.url.path}\n\n"
    logs = request.app.state.web.ws.ensure_state_dir() / "logs"  # 0700, whoever made it first
    # Microseconds: a server may fail twice in one second, in one process.
    return str(write_log(header + redact("".join(traceback.format_exception(exc))), [logs], prefix="web-",
                         stamp_format="%Y%m%dT%H%M%S%fZ"))
