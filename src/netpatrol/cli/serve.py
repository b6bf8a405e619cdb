"""`serve`: the web view and API over the workspace, served by uvicorn.

Loopback by default; any other address is refused until `netpatrol user add` made a user, so a
workspace is never readable from the network without a login. X-Forwarded-* headers are believed
only from the proxies `--trusted-proxy` names (none by default): from anyone else they would let a
client choose the address its failed logins count against, or pass for a TLS connection.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from netpatrol.cli.common import WorkspaceOpt, err


def serve(
    bind: Annotated[str, typer.Option(
        "--bind", help="Address to listen on (a non-loopback one needs users: `netpatrol user add`).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8080,
    trusted_proxy: Annotated[list[str] | None, typer.Option(
        "--trusted-proxy", metavar="ADDR",
        help="A reverse proxy's address (or network) whose X-Forwarded-For/-Proto are believed; repeatable; "
             "none by default.")] = None,
    allow_backup: Annotated[bool, typer.Option(
        "--allow-backup", help="Offer admins a 'back up now' button (needs the device passwords in the environment).")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """The web view and JSON API (/api/v1) of the workspace: devices, versions, diffs, search, inspections, reports."""
    import uvicorn

    from netpatrol.errors import UsageError
    from netpatrol.web import search_view, users
    from netpatrol.web.app import create_app
    from netpatrol.web.auth import is_loopback
    from netpatrol.web.state import ServeOptions, WebState
    from netpatrol.workspace.settings import Workspace

    ws = Workspace.locate(workspace)
    ws.settings  # noqa: B018 - a broken netpatrol.yaml is refused now, not on the first request
    if not is_loopback(bind) and not users.load_users(ws):
        raise UsageError(f"--bind {bind}: refusing to serve beyond this machine with no users; add one first with "
                         f"'netpatrol user add NAME --role admin' (users: {ws.state_dir / 'users.yaml'})")
    proxies = proxy_settings(trusted_proxy or [])
    state = WebState(ws, ServeOptions(bind=bind, port=port, allow_backup=allow_backup))
    state.inventory()  # an invalid inventory is refused at start, naming file and field
    if state.store() is not None and not _has_commit_graph(ws.backups):
        # The server never writes to backups/; the next backup writes the graph (Store.commit).
        err.print(f"note: {ws.backups} has no commit-graph yet: device history pages read every commit until the next "
                  f"backup writes one (or: git -C {ws.backups} commit-graph write --reachable --changed-paths)",
                  highlight=False, style="yellow")
    search_view.prepare()  # the search child's forkserver, started before the first search waits for it
    err.print(f"netpatrol web view of {ws.root} on {url_of(bind, port)} (Ctrl-C stops)", highlight=False)
    uvicorn.run(create_app(state), host=bind.strip("[]"), port=port, log_level="warning",
                server_header=False, access_log=False, **proxies)


def proxy_settings(trusted: list[str]) -> dict:
    """uvicorn's proxy options: the forwarded headers read only from the proxies named, if any."""
    import ipaddress

    from netpatrol.errors import UsageError

    for value in trusted:
        try:
            ipaddress.ip_network(value.strip("[]"), strict=False)
        except ValueError:
            raise UsageError(f"--trusted-proxy {value}: expected the proxy's IP address or network "
                             f"(e.g. 127.0.0.1 for nginx on this machine)") from None
    if not trusted:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": ",".join(v.strip("[]") for v in trusted)}


def url_of(bind: str, port: int) -> str:
    host = bind.strip("[]")
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def _has_commit_graph(store: Path) -> bool:
    info = store / ".git" / "objects" / "info"
    return (info / "commit-graph").is_file() or (info / "commit-graphs" / "commit-graph-chain").is_file()


def register(app: typer.Typer) -> None:
    app.command()(serve)
