"""`comply`: baseline compliance of the stored configs (rule packs), or remediation from the
intended configs (`--intended`); offline, no device is contacted."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from netpatrol.cli.common import GroupOpt, HostOpt, JsonOpt, PlatformOpt, SiteOpt, WorkspaceOpt
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
    raise NotImplementedError("comply: being built (issue 14)")


def register(app: typer.Typer) -> None:
    app.command()(comply)
