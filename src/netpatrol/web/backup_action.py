"""The one route that starts work: POST /devices/{name}/backup, "back up now" for one device.

Only with `serve --allow-backup` (404 otherwise), only for admins (403 for viewers), only with the
form's CSRF token. The server itself never writes to `backups/`: it starts the ordinary
`netpatrol backup --host NAME` as a child process, which takes the store lock like any run (exit
75 when another run holds it), records the run and notifies as usual. One child at a time; the
page is sent back to the device with `?backup=started|done|failed|busy`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import datetime, timezone
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from netpatrol.errors import ExitCode
from netpatrol.web import auth
from netpatrol.web.state import HTTPError
from netpatrol.workspace.settings import Workspace

router = APIRouter()

# Long enough for a run that finds the lock held to say so (exit 75) or a one-device backup of a
# fast device to finish; longer ones go on in the background and show up in the run records.
GRACE_SECONDS = 3.0
STATUSES = ("started", "done", "failed", "busy")


class BackupRunner:
    """The server's one backup child at a time; reaped by a thread when it ends."""

    def __init__(self) -> None:
        self._child: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def start(self, ws: Workspace, host: str, who: str) -> str:
        with self._lock:
            if self._child is not None and self._child.poll() is None:
                return "busy"
            logs = ws.ensure_state_dir() / "logs"
            logs.mkdir(mode=0o700, exist_ok=True)
            fd = os.open(logs / "web-backup.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as log:
                log.write(f"# backup of {host} started from the web view by {who or 'anonymous'} at "
                          f"{datetime.now(timezone.utc).isoformat(timespec='seconds')}\n")
                log.flush()
                # The server's environment as it is: the backup needs the device passwords it holds.
                child = subprocess.Popen(
                    [sys.executable, "-c", "from netpatrol.cli.root import main; main()",
                     "backup", "--host", host, "-w", str(ws.root)],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=ws.root,
                    start_new_session=True)  # a Ctrl-C of the server does not cut a commit short
            self._child = child
        threading.Thread(target=child.wait, daemon=True, name=f"backup-{host}").start()
        try:
            code = child.wait(timeout=GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            return "started"
        return {int(ExitCode.OK): "done", int(ExitCode.LOCKED): "busy"}.get(code, "failed")


_runner_lock = threading.Lock()


def runner(request: Request) -> BackupRunner:
    app_state = request.app.state
    with _runner_lock:
        if getattr(app_state, "backup_runner", None) is None:
            app_state.backup_runner = BackupRunner()
    return app_state.backup_runner


@router.post("/devices/{name}/backup", include_in_schema=False)
async def backup_now(request: Request, name: str) -> Response:
    state = request.app.state.web
    if not state.options.allow_backup:
        raise HTTPError(404, "not found", key="error.no_page")  # the route does not exist unless `serve --allow-backup`
    who = await run_in_threadpool(auth.authenticate, request)  # Basic means argon2: off the loop
    if who is None:
        raise auth.LoginRequired(f"/devices/{quote(name, safe='')}")
    request.state.identity = who
    if not who.is_admin:
        raise HTTPError(403, "only an admin may start a backup", key="error.admin_only")
    form = await auth.read_form(request)
    auth.check_csrf(request, form.get("csrf", ""))
    host = state.host(name)  # NotFound (404) for a name not in the inventory: never used as a path
    status = await run_in_threadpool(runner(request).start, state.ws, host.name, who.name)
    return RedirectResponse(f"/devices/{quote(host.name, safe='')}?backup={status}", status_code=303)
