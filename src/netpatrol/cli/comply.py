"""`comply`: baseline compliance of the stored configs (rule packs), or remediation from the
intended configs (`--intended`); offline, no device is contacted."""

from __future__ import annotations

from typing import Annotated, Literal

import typer
from rich.text import Text

from netpatrol.cli.common import (
    GroupOpt,
    HostOpt,
    JsonOpt,
    PlatformOpt,
    SiteOpt,
    WorkspaceOpt,
    open_workspace,
    out,
    print_json,
    selected,
    table,
    terminal,
)
from netpatrol.cli.search import AtOpt

PackOpt = Annotated[list[str] | None, typer.Option(
    "--pack", help="Only this rule pack (repeatable; default: every pack, built-in and the workspace's compliance/).")]
FormatOpt = Annotated[Literal["commands", "patch", "json"], typer.Option(
    "--format", help="With --intended: remediation as commands (device order), a patch, or JSON.")]


def comply(
    pack: PackOpt = None,
    intended: Annotated[bool, typer.Option(
        "--intended", help="Compare each device's intended config (intended/) with the stored one and print the remediation.")] = False,
    fmt: FormatOpt = "commands",
    at: AtOpt = None,
    host: HostOpt = None,
    site: SiteOpt = None,
    group: GroupOpt = None,
    platform: PlatformOpt = None,
    failed_only: Annotated[bool, typer.Option("--failed", help="Only rules that fail.")] = False,
    workspace: WorkspaceOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Baseline compliance (等保 2.0 level 3 and workspace packs) of the stored configs; exit 0 when
    the evaluation ran (failing rules are findings, not errors)."""
    if intended:
        from netpatrol.cli.comply_intended import comply_intended

        comply_intended(fmt="json" if json_out else fmt, at=at, host=host, site=site, group=group,
                        platform=platform, workspace=workspace)
        return
    from netpatrol.compliance.loader import load_packs
    from netpatrol.compliance.records import evaluate_stored
    from netpatrol.store.open import open_store
    from netpatrol.store.refs import commit_at

    ws, inv = open_workspace(workspace, need_secrets=False)
    hosts = selected(inv, host, site, group, platform)
    packs = load_packs(ws, pack or None)  # a bad or unknown pack: exit 2 before anything is read
    store = open_store(ws)
    ref = commit_at(store, at)
    found = evaluate_stored(packs, store, hosts, ref)
    lang = ws.settings.language
    results = [r for h in hosts for r in found[h.name] if not failed_only or r.status == "fail"]
    if json_out:
        print_json([r.as_json(lang) for r in results])
        return
    _print_text(hosts, results, lang, at, ref, ws.settings.contract)


STATUS_STYLE = {"pass": "green", "fail": "red", "not_applicable": "dim", "unknown": "yellow"}


def _print_text(hosts, results, lang: str, at: str | None, ref: str | None, contract) -> None:
    # People read severities by the contract's level names, as in `inspect` and the report; the
    # JSON keeps the internal severity key. Clauses carry the inspection-sheet mark and notes are
    # in the workspace's language, as in the report.
    from netpatrol.report.compliance import clause_shown
    from netpatrol.report.i18n import Translator

    t = Translator(lang)
    by_host: dict[str, list] = {}
    for r in results:
        by_host.setdefault(r.host, []).append(r)
    for h in hosts:
        mine = by_host.get(h.name)
        if not mine:
            continue
        rows = [[f"{r.pack}/{r.rule}", Text(r.status, style=STATUS_STYLE[r.status]),
                 contract.name(r.severity, lang), clause_shown(t, r.clause, r.checklist),
                 r.title.get(lang)] for r in mine]
        out.print(table(f"{h.name} ({h.site}, {h.platform})", ["rule", "status", "level", "clause", "title"], rows))
        for r in mine:
            if r.status != "fail":
                continue
            out.print(Text(f"  {r.pack}/{r.rule}: {terminal(r.title.get(lang))}", style="bold"))
            for line in r.evidence_in(lang):
                out.print(Text(f"    evidence: {terminal(line)}"))
            if r.remediation:
                out.print(Text("    remediation:"))
                for line in r.remediation:
                    out.print(Text(f"      {terminal(line)}"))
    counts = {s: sum(1 for r in results if r.status == s) for s in STATUS_STYLE}
    devices = len({r.host for r in results})
    where = f"as of {terminal(at)} ({(ref or '')[:10]})" if at else "latest"
    out.print(Text(f"{devices} devices, {len(results)} results ({where}): " + ", ".join(f"{n} {s}" for s, n in counts.items())))


def register(app: typer.Typer) -> None:
    app.command()(comply)
