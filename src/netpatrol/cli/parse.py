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

from netpatrol.cli.common import JsonOpt, WorkspaceOpt, out, platform_option, print_json, table, terminal
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


def _trim(text: str, command: str) -> str:
    """Without the prompt and command echo lines a terminal log saves before and after the
    output: the inspection's session never hands them to the parser either."""
    from netpatrol.inspection.fit import significant_lines

    lines = text.splitlines()
    significant = significant_lines(text, command)
    if not significant:
        return text
    first, last = significant[0], significant[-1]

    def kept(i: int, line: str) -> bool:
        return first <= i <= last or not any(c.isalnum() for c in line)

    return "\n".join(line for i, line in enumerate(lines) if kept(i, line))


def _workspace(workspace: Path | None) -> Path | None:
    """The workspace's root when run in one (or pointed at one with -w); its parsers/ and job
    are then used as an inspection there uses them."""
    from netpatrol.workspace.settings import Workspace

    try:
        return Workspace.locate(workspace).root
    except WorkspaceError:
        if workspace is not None:
            raise
        return None


def parse_capture_file(
    file: Annotated[str, typer.Argument(help="The saved output of one command ('-': standard input).", metavar="FILE")],
    platform: Annotated[str, typer.Option(
        "--platform", help="The device's platform, as the inventory names it (an alias such as huawei too).")],
    command: Annotated[str, typer.Option("--command", help="The command that printed it, e.g. 'display fan'.")],
    workspace: WorkspaceOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Parse a saved command output as the inspection does: the templates tried, the one chosen,
    the rows, and the facts and health the normaliser makes of them. Prompt and command echo
    lines around the output (a terminal log) are dropped, as the inspection's session drops them.

    Exit 0 parsed or empty, 1 a parse problem (parse_error, unrecognised), 2 no template for the
    command or a usage error.
    """
    from netpatrol.inspection.capture import parse_capture

    platform = platform_option(platform)
    if not command.strip():
        raise UsageError("--command: give the command that printed the output, e.g. 'display fan'")
    root = _workspace(workspace)
    parsers = [root / "parsers"] if root is not None and (root / "parsers").is_dir() else []
    text = _trim(_read(file), command)
    doc = parse_capture(platform, command, text, parsers, root)
    if json_out:
        print_json(doc)
    else:
        _show(doc, _trials(platform, command, text, parsers))
    code = EXIT.get(doc["status"], ExitCode.DEVICES_FAILED)
    if code != ExitCode.OK:
        raise typer.Exit(code)


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    return "" if value is None else str(value)


def _trials(platform: str, command: str, text: str, extra_dirs: list[Path]) -> list[list[Any]]:
    """Each candidate's own result on the output, in trial order: what the choice was made from."""
    import textfsm

    from netpatrol.inspection.fit import Output, measure
    from netpatrol.inspection.parsing import candidates, compile_template

    output = Output(text, command)
    trials: list[list[Any]] = []
    for order, path in enumerate(candidates(platform, command, extra_dirs)):
        try:
            fit = measure(compile_template(path), str(path), output, order)
        except (OSError, textfsm.TextFSMError) as exc:
            trials.append([path.name, "-", "-", str(exc)[:200]])
            continue
        first = f"first unexplained: {fit.first_unexplained}" if fit.first_unexplained else "explains every line"
        trials.append([path.name, f"{fit.explained}/{fit.explained + len(fit.unexplained)}", len(fit.rows), first])
    return trials


def _show(doc: dict[str, Any], trials: list[list[Any]]) -> None:
    status = doc["status"]
    style = "green" if status in OK_STATUSES else "red"
    # A parse_error names the first template that failed: none was chosen.
    winner = doc.get("template") if status != "parse_error" else None
    item = f" (item {terminal(doc['item'])})" if doc.get("item") else ""
    out.print(f"{terminal(doc['platform'])} {terminal(repr(doc['command']))}{item}: [{style}]{status}[/{style}]"
              + (f" with {terminal(winner)}" if winner else ""), highlight=False)
    if trials:
        tried = [[("* " if t[0] == winner else "  ") + t[0], *t[1:]] for t in trials]
        out.print(table("Templates tried, in order (* chosen)", ["template", "lines explained", "rows", "result"], tried))
    if doc.get("error"):
        out.print(f"Error: {terminal(doc['error'])}", markup=False, highlight=False)
    elif doc.get("unexplained"):
        out.print(f"First line the chosen template did not explain: {terminal(doc['unexplained'])}",
                  markup=False, highlight=False)
    rows = doc.get("rows") or []
    if rows:
        columns = list(dict.fromkeys(k for r in rows for k in r))
        out.print(table(f"{len(rows)} row(s)", columns, [[_cell(r.get(c)) for c in columns] for r in rows]))
    facts = {k: v for k, v in (doc.get("facts") or {}).items() if v not in (None, "", [], {})}
    if facts:
        out.print(table("Facts", ["field", "value"], [[k, _cell(v)] for k, v in facts.items()]))
    _show_health(doc.get("health") or {})
    if doc.get("item") is None and status in OK_STATUSES:
        out.print("(the command is no catalogue item of the job, so nothing is normalised)", highlight=False)


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
