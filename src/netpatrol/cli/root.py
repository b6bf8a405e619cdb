"""The `netpatrol` command: the typer app, its global options and `main`.

Each command group lives in a module of its own with a `register(app)`; errors become exit codes
in one place, cli/boundary.py.
"""

from __future__ import annotations

from typing import Annotated

import typer

from netpatrol import __version__
from netpatrol.cli.boundary import ErrorBoundary
from netpatrol.cli.common import out

app = typer.Typer(
    cls=ErrorBoundary,
    help="netpatrol: back up network device configs into Git and run the quarterly inspection (巡检).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        out.print(f"netpatrol {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="On an internal error, also print the traceback on the terminal.")] = False,
) -> None:
    """netpatrol: back up network device configs into Git and run the quarterly inspection (巡检)."""


def _register_subcommands() -> None:
    from netpatrol.cli import (
        backup,
        comply,
        hostkeys,
        inspect,
        inventory_import,
        lab,
        parse,
        report,
        schedule,
        search,
        serve,
        user,
        workspace,
        zones,
    )

    for group in (workspace, inventory_import, hostkeys, backup, search, inspect, comply, parse, report, schedule, serve, user, lab, zones):
        group.register(app)


_register_subcommands()


def main() -> None:
    app()
