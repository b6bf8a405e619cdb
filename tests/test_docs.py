"""Docs stay true: every command is in the README, every result field in the schema page."""

from __future__ import annotations

import itertools
import re
import shlex
from pathlib import Path

import typer.main

from netpatrol.cli.root import app
from netpatrol.inspection import results as health

ROOT = Path(__file__).resolve().parents[1]


def _commands(group, prefix=""):
    for name, cmd in group.commands.items():
        full = f"{prefix}{name}"
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, full + " ")
        else:
            yield full, cmd


def test_every_command_has_help_and_is_in_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing_help, missing_doc = [], []
    for name, cmd in _commands(typer.main.get_command(app)):
        if not (cmd.help or "").strip():
            missing_help.append(name)
        top = name.split()[0]
        if f"netpatrol {name}" not in readme and f"`{name.split()[-1]}`" not in readme and f"netpatrol {top}" not in readme:
            missing_doc.append(name)
    assert not missing_help, f"commands without help: {missing_help}"
    assert not missing_doc, f"commands not in README.md: {missing_doc}"


def test_schema_page_lists_every_field():
    page = (ROOT / "docs" / "inspection-schema.md").read_text(encoding="utf-8")
    assert f"version {health.SCHEMA_VERSION}" in page
    models = [getattr(health, n) for n in dir(health) if isinstance(getattr(health, n), type)
              and issubclass(getattr(health, n), health.BaseModel) and getattr(health, n) is not health.BaseModel
              and not n.startswith("_")]
    for model in models:
        assert f"## {model.__name__}" in page, model.__name__
        for field in model.model_fields:
            assert f"`{field}`" in page, f"{model.__name__}.{field}"


# --- every command line the README shows parses with the real CLI ---------------------------------

_SPAN = re.compile(r"`([^`]+)`")
# Placeholder words in the README's syntax summaries, and a value of the right kind for each.
_PLACEHOLDER = re.compile(r"^[A-Z][A-Z0-9_]*$")


def _readme_command_lines() -> list[str]:
    """Lines of fenced code blocks that run netpatrol, and the command cells of the README's table
    (spans of one cell after the first are written without the leading `netpatrol`)."""
    lines, fenced = [], False
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            words = shlex.split(line, comments=True)
            program = words[0].removeprefix("ExecStart=") if words else ""  # a systemd unit's command too
            if program == "netpatrol" or program.endswith("/netpatrol"):
                lines.append(shlex.join(["netpatrol", *words[1:]]))  # keeps a quoted "display fan" one word
        elif line.startswith("| `netpatrol "):
            cell = line.split(" | ")[0]
            lines += [s if s.startswith("netpatrol ") else f"netpatrol {s}" for s in _SPAN.findall(cell)]
        else:
            lines += [s for s in _SPAN.findall(line) if s.startswith("netpatrol ") and "COMMAND" not in s]
    return lines


def _expand(line: str, sample_file: str) -> list[list[str]]:
    """argv lists for one summary line: `[x]` optional parts included, `a|b` one word's
    alternatives (each tried), `X…` repeatable, UPPER-CASE words placeholders."""
    text = line.replace("\\|", "|").replace("[", "").replace("]", "").replace("…", "")
    choices = []
    for word in shlex.split(text)[1:]:
        options = []
        for alt in word.split("|"):
            if _PLACEHOLDER.match(alt):
                alt = sample_file if alt in ("FILE", "DIR") else ("2026Q4" if alt == "P" else ("5" if alt in ("N", "S") else "x"))
            options.append(alt)
        choices.append(options)
    return [list(argv) for argv in itertools.product(*choices)]


def _parse(argv: list[str]) -> None:
    """Parse argv down to the leaf command, as `netpatrol` would before running it."""
    cmd, name, parent = typer.main.get_command(app), "netpatrol", None
    while True:
        ctx = cmd.make_context(name, list(argv), parent=parent)
        if not hasattr(cmd, "commands"):
            return
        name, cmd, argv = cmd.resolve_command(ctx, [*ctx._protected_args, *ctx.args])
        parent = ctx


def test_every_readme_command_line_parses():
    lines = _readme_command_lines()
    assert any(line.startswith("netpatrol schedule") for line in lines), lines
    bad = []
    for line in lines:
        for argv in _expand(line, str(ROOT / "README.md")):
            try:
                _parse(argv)
            except Exception as exc:  # noqa: BLE001 - collected so every bad line is named at once
                bad.append(f"{line!r} as {' '.join(argv)!r}: {getattr(exc, 'message', None) or exc!r}")
    assert not bad, "README command lines the CLI rejects:\n" + "\n".join(bad)


# --- the Web view's systemd unit and nginx block run the real `serve` --------------------------------

def _fenced_blocks(text: str) -> list[str]:
    return re.findall(r"^```[^\n]*\n(.*?)^```", text, flags=re.M | re.S)


def test_readme_service_unit_and_proxy_block_match_serve():
    """The unit's ExecStart is a `serve` the CLI accepts, on loopback, and the nginx block proxies to
    that same address and port with the headers serve reads; the unit may write the state dir."""
    from netpatrol.cli import serve as serve_cli
    from netpatrol.web.auth import is_loopback

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Web view\n", 1)[1].split("\n## ", 1)[0]
    blocks = _fenced_blocks(section)
    unit = next(b for b in blocks if "[Service]" in b)
    nginx = next(b for b in blocks if b.startswith("server {"))

    (exec_start,) = [line.removeprefix("ExecStart=") for line in unit.splitlines() if line.startswith("ExecStart=")]
    argv = shlex.split(exec_start)
    assert argv[0].endswith("/bin/netpatrol") and argv[1] == "serve", argv
    command = typer.main.get_command(app).commands["serve"]
    params = command.make_context("serve", argv[2:]).params
    assert is_loopback(params["bind"]) and "--bind" in argv and "--port" in argv, argv
    assert re.search(rf"^\s*proxy_pass http://{re.escape(params['bind'])}:{params['port']};$", nginx, re.M), nginx
    for header in ("Host $host", "X-Forwarded-Proto $scheme", "X-Forwarded-For $remote_addr"):
        assert f"proxy_set_header {header};" in nginx, header
    # The unit trusts the forwarded headers from the address nginx connects from (proxy_pass to
    # loopback: the same loopback address), and serve hands exactly that to uvicorn.
    assert f"--trusted-proxy {params['bind']}" in section and params["trusted_proxy"] == [params["bind"]], argv
    assert serve_cli.proxy_settings(params["trusted_proxy"]) == {"proxy_headers": True,
                                                                 "forwarded_allow_ips": params["bind"]}
    assert serve_cli.proxy_settings([]) == {"proxy_headers": False}  # the headers ignored by default
    assert f"ReadWritePaths={params['workspace']}/.netpatrol" in unit.splitlines()
    assert re.search(r"^User=\w+$", unit, re.M) and "ProtectSystem=strict" in unit and "NoNewPrivileges=yes" in unit
