"""`netpatrol parse`: a saved command output through the inspection's own parse and normalise path.

Exit status: 0 parsed (or empty: an output with nothing to report, such as no active alarms),
1 a parse problem (`parse_error`, `unrecognised`: the output did not fit the templates),
2 no template for the command (`no_template`), or a usage error (unknown platform, unreadable file).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from netpatrol.cli.common import JsonOpt, WorkspaceOpt, out, print_json, table, terminal
from netpatrol.errors import ExitCode, UsageError, WorkspaceError

OK_STATUSES = ("parsed", "empty")
# Status -> exit code; a status not listed (a parse problem) exits 1.
EXIT = {"parsed": ExitCode.OK, "empty": ExitCode.OK, "no_template": ExitCode.USAGE}
# Bounds what is read: a capture is one command's output, not a log archive.
MAX_BYTES = 20 * 1024 * 1024


def _read(file: str) -> str:
    if file == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
    else:
        try:
            with open(file, "rb") as fh:
                data = fh.read(MAX_BYTES + 1)
        except OSError as exc:
            raise UsageError(f"{file}: cannot read: {exc.strerror}") from None
    if len(data) > MAX_BYTES:
        raise UsageError(f"{file}: larger than {MAX_BYTES // 1024 // 1024} MB; give one command's output")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Captures saved on Chinese Windows are GB18030/GBK; the device text itself is mostly ASCII.
        text = data.decode("gb18030", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _extra_dirs(workspace: Path | None) -> list[Path]:
    """The workspace's parsers/, when run in (or pointed at with -w) a workspace."""
    from netpatrol.workspace.settings import Workspace

    try:
        ws = Workspace.locate(workspace)
    except WorkspaceError:
        if workspace is not None:
            raise
        return []
    parsers = ws.root / "parsers"
    return [parsers] if parsers.is_dir() else []


def parse_capture_file(
    file: Annotated[str, typer.Argument(help="The saved output of one command ('-': standard input).", metavar="FILE")],
    platform: Annotated[str, typer.Option("--platform", help="The device's platform, e.g. huawei_vrp.")],
    command: Annotated[str, typer.Option("--command", help="The command that printed it, e.g. 'display fan'.")],
    workspace: WorkspaceOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Parse a saved command output as the inspection does: the templates tried, the one chosen,
    the rows, and the facts and health the normaliser makes of them.

    Exit 0 parsed or empty, 1 a parse problem (parse_error, unrecognised), 2 no template for the
    command or a usage error.
    """
    from netpatrol.inspection.capture import parse_capture
    from netpatrol.platforms import PLATFORMS

    if platform not in PLATFORMS:
        raise UsageError(f"--platform: unknown platform {platform!r} (known: {', '.join(sorted(PLATFORMS))})")
    if not command.strip():
        raise UsageError("--command: give the command that printed the output, e.g. 'display fan'")
    doc = parse_capture(platform, command, _read(file), _extra_dirs(workspace))
    if json_out:
        print_json(doc)
    else:
        _show(doc)
    code = EXIT.get(doc["status"], ExitCode.DEVICES_FAILED)
    if code != ExitCode.OK:
        raise typer.Exit(code)


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    return "" if value is None else str(value)


def _show(doc: dict[str, Any]) -> None:
    status = doc["status"]
    style = "green" if status in OK_STATUSES else "red"
    winner = doc.get("template")
    out.print(f"{terminal(doc['platform'])} {terminal(repr(doc['command']))}: [{style}]{status}[/{style}]"
              + (f" with {terminal(winner)}" if winner else ""), highlight=False)
    candidates = doc.get("candidates") or []
    if candidates:
        out.print("Templates tried, in order:", highlight=False)
        for c in candidates:
            name, detail = (c, "") if isinstance(c, str) else (c.get("template"), _candidate_detail(c))
            mark = "  (chosen)" if name == winner else ""
            out.print(f"  {terminal(name)}{terminal(detail)}{mark}", markup=False, highlight=False)
    if doc.get("error"):
        out.print(f"Error: {terminal(doc['error'])}", markup=False, highlight=False)
    if doc.get("unexplained"):
        out.print(f"First line no template explained: {terminal(doc['unexplained'])}", markup=False, highlight=False)
    rows = doc.get("rows") or []
    if rows:
        columns = list(dict.fromkeys(k for r in rows for k in r))
        out.print(table(f"{len(rows)} row(s)", columns, [[_cell(r.get(c)) for c in columns] for r in rows]))
    facts = {k: v for k, v in (doc.get("facts") or {}).items() if v not in (None, "", [], {})}
    if facts:
        out.print(table("Facts", ["field", "value"], [[k, _cell(v)] for k, v in facts.items()]))
    _show_health(doc.get("health") or {})


def _candidate_detail(candidate: dict[str, Any]) -> str:
    parts = [f"{candidate[k]} {label}" for k, label in (("explained", "line(s) explained"), ("rows", "row(s)"))
             if candidate.get(k) is not None]
    return f": {', '.join(parts)}" if parts else ""


def _show_health(health: dict[str, Any]) -> None:
    scalars = [[k, _cell(v)] for k, v in health.items() if v not in (None, "", [], {}) and not _is_records(v)]
    if scalars:
        out.print(table("Health", ["field", "value"], scalars))
    for name, value in health.items():
        if _is_records(value) and value:
            columns = [c for c in dict.fromkeys(k for r in value for k in r) if any(r.get(c) not in (None, "") for r in value)]
            out.print(table(f"Health: {name}", columns, [[_cell(r.get(c)) for c in columns] for r in value]))


def _is_records(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def register(app: typer.Typer) -> None:
    app.command("parse")(parse_capture_file)
