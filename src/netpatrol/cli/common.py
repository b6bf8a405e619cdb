"""Options shared by every command, and the rendering helpers the command modules use."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from netpatrol.workspace.inventory import Inventory, ResolvedHost, load_inventory
from netpatrol.workspace.settings import Workspace

# Where the running command's -w value is kept for the error boundary (ctx.meta is shared by
# every context of one invocation), so a traceback lands in that workspace's logs.
WORKSPACE_META = "netpatrol.workspace"


def _remember_workspace(ctx: typer.Context, value: Path | None) -> Path | None:
    ctx.meta[WORKSPACE_META] = value
    return value


WorkspaceOpt = Annotated[
    Path | None,
    typer.Option("-w", "--workspace", callback=_remember_workspace,
                 help="Workspace directory (default: $NETPATROL_WORKSPACE, else the current directory)."),
]
HostOpt = Annotated[list[str] | None, typer.Option("--host", help="Only this host (repeatable).")]
SiteOpt = Annotated[str | None, typer.Option("--site", help="Only hosts of this site (its group name).")]
GroupOpt = Annotated[str | None, typer.Option("--group", help="Only hosts in this group.")]
PlatformOpt = Annotated[str | None, typer.Option(
    "--platform", help="Only hosts of this platform, e.g. huawei_vrp, or an alias of it such as huawei.")]
WorkersOpt = Annotated[int | None, typer.Option(
    "--workers", min=1, max=500, help="Devices at once, 1-500 like workers in netpatrol.yaml (default from there).")]
WaitOpt = Annotated[float, typer.Option("--wait", help="Seconds to wait for another run's lock (0: fail at once).")]
ProcessesOpt = Annotated[
    str | None,
    typer.Option("--processes", help=("Processes to spread devices over: a number or 'auto' "
                                      "(default from netpatrol.yaml: auto = up to 4 from 100 devices).")),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout instead of tables.")]

# Piped output keeps whole rows (no 80-column wrap) so it can be grepped and diffed.
out = Console(width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 200)


def open_workspace(path: Path | None, need_secrets: bool = True) -> tuple[Workspace, Inventory]:
    """`need_secrets=False` for commands that never log in to a device."""
    ws = Workspace.locate(path)
    return ws, load_inventory(ws.root, need_secrets=need_secrets)


def platform_option(value: str) -> str:
    """`--platform` as typed (an alias too) -> the platform's folder name; UsageError with a suggestion."""
    from netpatrol.errors import UsageError
    from netpatrol.platforms import canonical_platform, unknown_platform

    canonical = canonical_platform(value)
    if canonical is None:
        raise UsageError(f"--platform: {unknown_platform(value)}")
    return canonical


def selected(inv: Inventory, host, site, group, platform) -> list[ResolvedHost]:
    from netpatrol.errors import UsageError

    if host:
        unknown = [h for h in host if h not in inv.hosts]
        if unknown:
            raise UsageError(f"unknown host(s): {', '.join(unknown)} (see 'netpatrol inventory list')")
    if platform is not None:  # a mistyped platform would otherwise select nothing, and say only that
        platform = platform_option(platform)
    chosen = inv.select(hosts=host, site=site, group=group, platform=platform)
    if not chosen:
        raise UsageError("the filters select no host")
    return chosen


# json.dumps escapes C0 controls but, with ensure_ascii=False, leaves DEL, the C1 controls (U+009B is
# a CSI to many terminals), U+2028/U+2029 and the bidi overrides and isolates (U+202E reorders what
# a terminal shows) raw; they can only occur inside JSON strings, so escaping them afterwards
# keeps the document identical to a JSON parser.
_JSON_RAW_CONTROLS = re.compile("[\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def print_json(doc: Any) -> None:
    text = json.dumps(doc, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write(_JSON_RAW_CONTROLS.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text) + "\n")


def terminal(value: Any) -> str:
    """Device-derived text made inert for the terminal (report.inert; imported late: report is heavy)."""
    from netpatrol.report import inert

    return inert.terminal(value)


def markup(value: Any) -> str:
    """Device-derived text to interpolate into a rich markup string."""
    from netpatrol.report import inert

    return inert.markup(value)


def table(title: str, columns: list[str], rows: list[list[Any]]) -> Table:
    """Cells are plain text (device models, versions and errors are hostile input: never markup,
    never a terminal escape); pass a rich `Text` for a styled cell."""
    t = Table(title=Text(terminal(title)), show_lines=False)
    for c in columns:
        t.add_column(c)
    for r in rows:
        t.add_row(*[v if isinstance(v, Text) else Text("" if v is None else terminal(v)) for v in r])
    return t


def red(value: Any) -> Text:
    """A table cell in red."""
    return Text(terminal(value), style="red")


def report_deliveries(deliveries) -> None:
    """A failed notification is a warning: the backup or inspection itself succeeded."""
    for d in deliveries:
        if not d.ok:
            err.print(f"[yellow]warning:[/yellow] notification {d.event} via {markup(d.channel)} failed: {markup(d.detail)}",
                      highlight=False)
