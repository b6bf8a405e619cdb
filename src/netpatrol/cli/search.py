"""`search`: a regex over the stored configs (latest or at a REF); `show`: one stored config.

Exit codes follow grep: 0 when a line matched, 1 when none did, 2 on a bad regex, REF or filter.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from netpatrol.cli.common import (
    GroupOpt,
    HostOpt,
    JsonOpt,
    PlatformOpt,
    SiteOpt,
    WorkspaceOpt,
    err,
    open_workspace,
    out,
    print_json,
    selected,
    terminal,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from netpatrol.store.repo import Store
    from netpatrol.store.search import DeviceMatches
    from netpatrol.store.snapshot import StoredConfig

NO_MATCH = 1  # grep's status when no line matched (a bad regex or REF is 2, as for grep)
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
    ignore_case: Annotated[bool, typer.Option("-i", "--ignore-case", help="Match without regard to case (REGEX and --under).")] = False,
    workspace: WorkspaceOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Matches in the stored configs, grouped by device, with line numbers and context (exit 1: no match)."""
    from netpatrol.store import search as engine
    from netpatrol.store.snapshot import iter_configs

    # Both regexes are checked before the workspace or the store is touched.
    pattern = engine.compile_regex(regex, ignore_case)
    parent = engine.compile_regex(under, ignore_case, what="--under") if under is not None else None
    ws, inv = open_workspace(workspace, need_secrets=False)
    hosts = selected(inv, host, site, group, platform)
    store, commit = _store_at(ws, at)
    stored = 0

    def counted() -> Iterator[StoredConfig]:
        nonlocal stored
        for config in iter_configs(store, commit, hosts):
            stored += 1
            yield config

    found = engine.search(counted(), pattern, {h.name: h.platform for h in hosts}, under=parent,
                          context=0 if json_out else context)
    if json_out:
        print_json([{"host": d.host, "site": d.site, "platform": d.platform, "line_no": ln.line_no, "line": ln.text}
                    for d in found for ln in d.matches])
    else:
        _print_matches(found)
        count = sum(len(d.matches) for d in found)
        err.print(f"{count} matching line{'s' * (count != 1)} on {len(found)} of the {stored} stored configs of the "
                  f"{len(hosts)} selected device{'s' * (len(hosts) != 1)}, at {commit[:10]}", highlight=False, style="dim")
    if not found:
        raise typer.Exit(NO_MATCH)


def show(
    host: Annotated[str, typer.Argument(help="Inventory host name.")],
    at: AtOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """The stored (sanitised) config of one device, as of REF (exact on a pipe, inert on a terminal)."""
    from netpatrol.errors import UsageError
    from netpatrol.store.snapshot import configs_at

    ws, inv = open_workspace(workspace, need_secrets=False)
    chosen = selected(inv, [host], None, None, None)
    store, commit = _store_at(ws, at)
    stored = configs_at(store, commit, chosen).get(host)
    if stored is None:
        where = f"at {at!r} ({commit[:10]})" if at is not None else "in the latest commit"
        raise UsageError(f"{host}: no stored config {where} (see 'netpatrol history {host}')")
    # On a pipe the bytes as stored (`show h > h.cfg` round-trips, as `git show` does); on a
    # terminal a device's escape sequences must not reach it.
    sys.stdout.write(terminal(stored.text) if _on_terminal() else stored.text)
    sys.stdout.flush()


def _on_terminal() -> bool:
    return sys.stdout.isatty()


def _store_at(ws, at: str | None) -> tuple[Store, str]:
    """The workspace's store and the commit REF names (HEAD without one)."""
    from netpatrol.store.open import open_store
    from netpatrol.store.refs import commit_at

    store = open_store(ws)
    return store, commit_at(store, at)


def _print_matches(found: list[DeviceMatches]) -> None:
    """grep's marks: `12:` a matching line, `13-` context, `--` between windows; one header per device."""
    for d in found:
        width = len(str(d.lines[-1].line_no))
        block = Text()
        block.append(terminal(d.host), style="bold magenta")
        block.append(f"  {terminal(d.site)}  {terminal(d.platform)}  {terminal(d.path)}\n", style="dim")
        previous = None
        for ln in d.lines:
            if previous is not None and ln.line_no != previous + 1:
                block.append("--\n", style="cyan")
            previous = ln.line_no
            block.append(f"{ln.line_no:>{width}}{':' if ln.match else '-'} ", style="green" if ln.match else "dim")
            block.append(terminal(ln.text) + "\n", style="" if ln.match else "dim")
        out.print(block, soft_wrap=True, highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(search)
    app.command()(show)
