"""The answer to an exception no other handler took: a 500 as JSON under /api/, the error page
elsewhere, the traceback (secrets redacted) in a 0600 file under `.netpatrol/logs/` as the CLI
keeps its own; the client learns nothing of it. `OuterApp` puts the security headers around
Starlette's outermost layer, so this answer carries them too.
"""

from __future__ import annotations

import os
import sys
import traceback
from datetime import datetime, timezone

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
    from netpatrol.childenv import is_secret
    from netpatrol.store.git import redact_url_creds

    text = "".join(traceback.format_exception(exc))
    for name, value in os.environ.items():
        if len(value) >= 4 and is_secret(name):
            text = text.replace(value, f"${{{name}}}")
    text = redact_url_creds(text)
    logs = request.app.state.web.ws.ensure_state_dir() / "logs"
    logs.mkdir(mode=0o700, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    path = logs / f"web-{stamp}-{os.getpid()}.log"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(f"netpatrol {__version__} serve, python {sys.version.split()[0]}\n"
                 f"{request.method} {request.url.path}\n\n{text}")
    return str(path)
