"""The one error boundary: every exception a command lets out becomes an ExitCode and one line.

NetpatrolError      its own code (2, 1 for a device, 75 for a held lock), its message in red
OSError on a path   2, naming the path (e.g. `schedule install --cron --file /nonexistent/x`)
KeyboardInterrupt   130
anything else       70, "internal error: <type>: <message>"; the traceback goes to a 0600 file in
                    <workspace>/.netpatrol/logs/ (or the user's cache directory outside a
                    workspace), named in that line, and to the terminal only with --debug.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NoReturn

import typer
from typer import TyperException as _CommandLineError  # typer bundles its own click since 0.29

from netpatrol import __version__
from netpatrol.childenv import is_secret
from netpatrol.cli.common import WORKSPACE_META, err, markup
from netpatrol.errors import ExitCode, LockedError, NetpatrolError

# Shorter values are too common to replace in a traceback without mangling it (and too weak to
# be a password worth hiding).
_MIN_SECRET_LEN = 4


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


def redact(text: str) -> str:
    """`text` without the values of secret environment variables or URL credentials."""
    from netpatrol.store.git import redact_url_creds

    for name, value in os.environ.items():
        if len(value) >= _MIN_SECRET_LEN and is_secret(name):
            text = text.replace(value, f"${{{name}}}")
    return redact_url_creds(text)


def write_log(ctx: typer.Context, text: str) -> Path:
    """A new 0600 file `<timestamp>-<pid>.log` holding `text`, in the first log folder that works."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    header = f"netpatrol {__version__}, python {sys.version.split()[0]}\n$ {redact(' '.join(sys.argv))}\n\n"
    problem: OSError | None = None
    for folder in log_dirs(ctx.meta.get(WORKSPACE_META)):
        path = folder / f"{stamp}-{os.getpid()}.log"
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            problem = exc
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(header + text)
        return path
    assert problem is not None
    raise problem


def log_dirs(workspace: Path | None) -> list[Path]:
    """Where a traceback may go, best first: the workspace's state folder (beside the run it
    belongs to), else the user's cache folder, else the system temporary folder."""
    found = []
    root = Path(workspace or os.environ.get("NETPATROL_WORKSPACE") or ".")
    if (root / "netpatrol.yaml").is_file() or (root / "inventory" / "hosts.yaml").is_file():
        found.append(root.resolve() / ".netpatrol" / "logs")
    try:
        found.append(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "netpatrol" / "logs")
    except RuntimeError:  # no home directory to be found
        pass
    found.append(Path(tempfile.gettempdir()) / f"netpatrol-{os.getuid()}" / "logs")
    return found
