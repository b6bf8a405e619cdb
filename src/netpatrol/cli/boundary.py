"""The one error boundary: every exception a command lets out becomes an ExitCode and one line.

NetpatrolError      its own code (2, 1 for a device, 75 for a held lock), its message in red
OSError on a path   2, naming the path (e.g. `schedule install --cron --file /nonexistent/x`)
KeyboardInterrupt   130
anything else       70, "internal error: <type>: <message>"; the traceback goes to a 0600 file in
                    <workspace>/.netpatrol/logs/ (or the user's cache directory outside a
                    workspace), named in that line, and to the terminal only with --debug.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Any, NoReturn

import typer
from typer import TyperException as _CommandLineError  # typer bundles its own click since 0.29

from netpatrol import __version__, crashlog
from netpatrol.cli.common import WORKSPACE_META, err, markup
from netpatrol.crashlog import log_dirs, redact
from netpatrol.errors import ExitCode, LockedError, NetpatrolError


class ErrorBoundary(typer.core.TyperGroup):
    """The root command group: the only place exceptions become messages and exit codes."""

    def invoke(self, ctx: Any) -> Any:  # typer's bundled click Context, whose module is private
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, _CommandLineError):
            raise  # typer.Exit and click's own usage errors carry their code already
        except KeyboardInterrupt:
            err.print("interrupted: nothing half-written was kept")
            raise typer.Exit(ExitCode.INTERRUPTED) from None
        except LockedError as exc:
            err.print(f"[yellow]busy:[/yellow] {markup(exc)}; nothing more was done "
                      f"(exit {int(exc.exit_code)}: try again later or pass --wait SECONDS)", highlight=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except NetpatrolError as exc:
            # The message may quote a file, a host field or a device reply: never markup or escapes.
            err.print(f"[red]error:[/red] {markup(exc)}", highlight=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:
            if exc.filename is None:
                _internal(ctx, exc)
            err.print(f"[red]error:[/red] {markup(_path_problem(exc))}", highlight=False, soft_wrap=True)
            raise typer.Exit(ExitCode.USAGE) from None
        except Exception as exc:  # noqa: BLE001 - the boundary: anything unexpected is a bug, reported once
            _internal(ctx, exc)


def _path_problem(exc: OSError) -> str:
    path = str(exc.filename) + (f" -> {exc.filename2}" if exc.filename2 is not None else "")
    return f"{path}: {exc.strerror or type(exc).__name__}"


def _internal(ctx: typer.Context, exc: BaseException) -> NoReturn:
    text = redact("".join(traceback.format_exception(exc)))
    lines = str(exc).strip().splitlines()
    line = f"internal error: {type(exc).__name__}: {redact(lines[0]) if lines else '(no message)'}"
    try:
        where = f"traceback in {write_log(ctx, text)}"
    except OSError as log_exc:
        where = f"traceback not kept: {log_exc}"
    if ctx.params.get("debug"):
        sys.stderr.write(text)
    err.print(f"[red]{markup(line)}[/red] ({markup(where)})", highlight=False, soft_wrap=True)
    raise typer.Exit(ExitCode.INTERNAL) from None


def write_log(ctx: typer.Context, text: str) -> Path:
    """A new 0600 file `<timestamp>-<pid>.log` holding `text`, in the first log folder that works."""
    header = f"netpatrol {__version__}, python {sys.version.split()[0]}\n$ {redact(' '.join(sys.argv))}\n\n"
    return crashlog.write_log(header + text, log_dirs(ctx.meta.get(WORKSPACE_META)))
