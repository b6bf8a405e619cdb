"""`search`: a regex over the stored configs (latest or at a REF); `show`: one stored config."""

from __future__ import annotations

from typing import Annotated

import typer

from netpatrol.cli.common import GroupOpt, HostOpt, JsonOpt, PlatformOpt, SiteOpt, WorkspaceOpt

AtOpt = Annotated[str | None, typer.Option(
    "--at", help="As of REF: commit, tag, date (YYYY-MM-DD), period (2026Q3) or change id (default: latest).")]


def search(
    regex: Annotated[str, typer.Argument(help="Python regular expression, matched against each config line.")],
    at: AtOpt = None,
    host: HostOpt = None,
    site: SiteOpt = None,
    group: GroupOpt = None,
    platform: PlatformOpt = None,
    context: Annotated[int, typer.Option("-C", "--context", min=0, max=50, help="Lines of context around each match.")] = 0,
    under: Annotated[str | None, typer.Option(
        "--under", help="Only lines inside sections whose line matches this regex (e.g. '^line vty', '^user-interface vty').")] = None,
    ignore_case: Annotated[bool, typer.Option("-i", "--ignore-case", help="Match without regard to case.")] = False,
    workspace: WorkspaceOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Matches in the stored configs, grouped by device, with line numbers and context."""
    raise NotImplementedError("search: being built (issue 14)")


def show(
    host: Annotated[str, typer.Argument(help="Inventory host name.")],
    at: AtOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """The stored (sanitised) config of one device, as of REF."""
    raise NotImplementedError("show: being built (issue 14)")


def register(app: typer.Typer) -> None:
    app.command()(search)
    app.command()(show)
