"""`comply --intended`: each device's intended config (intended/) against the stored one, and the
remediation commands in the order the device accepts them.

Offline: the stored configs are read from `backups/` (the latest commit, or `--at REF`). Every
template is rendered before anything is printed, so a template error (exit 2, naming template,
line, variable and host) never leaves half an output behind. Differences are findings: exit 0.
"""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass
from pathlib import Path

import typer

from netpatrol.cli.common import err, markup, open_workspace, print_json, selected, terminal
from netpatrol.compliance.intended import Intended, Renderer
from netpatrol.errors import ExitCode, TemplateError
from netpatrol.workspace.inventory import ResolvedHost


@dataclass
class DeviceRemediation:
    host: ResolvedHost
    remediation: list[str]
    rollback: list[str]
    patch: list[str]  # only for --format patch: the unified diff of the scoped sections
    template: str  # intended/..., as the user names it


def comply_intended(*, fmt: str, at: str | None, host: list[str] | None, site: str | None,
                    group: str | None, platform: str | None, workspace: Path | None) -> None:
    from netpatrol.store.open import open_store
    from netpatrol.store.refs import commit_at
    from netpatrol.store.snapshot import configs_at

    ws, inv = open_workspace(workspace, need_secrets=False)
    hosts = selected(inv, host, site, group, platform)
    renderer = Renderer(ws, inv)
    rendered, no_template, problems = [], [], []
    for h in hosts:
        try:
            intended = renderer.render(h)
        except TemplateError as exc:
            problems.append(str(exc))
            continue
        if intended is None:
            no_template.append(h.name)
        else:
            rendered.append((h, intended))
    if problems:
        raise TemplateError("\n".join(problems))
    store = open_store(ws)
    stored = configs_at(store, commit_at(store, at), [h for h, _ in rendered])
    devices, no_config, unreadable = [], [], []
    for h, intended in rendered:
        if h.name not in stored:
            no_config.append(h.name)
            continue
        try:
            device = _remediate(h, intended, stored[h.name].text, renderer.rel(intended.template),
                                patch_ref=(at or "latest") if fmt == "patch" else None)
        except Exception as exc:  # noqa: BLE001 - a stored config is device text: one the tree cannot read fails that device only
            unreadable.append(f"{h.name}: its stored or intended config cannot be read as a config tree "
                              f"({type(exc).__name__}: {' '.join(str(exc).split())[:200]})")
            continue
        devices.append(device)
    _print(fmt, devices)
    _skipped(no_template, no_config, at)
    for line in unreadable:
        err.print(f"[red]not compared[/red]: {markup(line)}", highlight=False)
    if unreadable:
        raise typer.Exit(ExitCode.DEVICES_FAILED)


def _remediate(host: ResolvedHost, intended: Intended, stored: str, template: str,
               patch_ref: str | None) -> DeviceRemediation:
    from netpatrol.compliance.remediation import remediate

    result = remediate(host.platform, stored, intended.text, intended.scope)
    diff: list[str] = []
    if patch_ref is not None:
        name = f"{host.site}/{host.name}"
        diff = list(difflib.unified_diff(scoped_text(host.platform, stored, intended.scope),
                                         scoped_text(host.platform, result.future, intended.scope),
                                         f"a/{name} (stored, {patch_ref})", f"b/{name} (intended, {template})", lineterm=""))
    return DeviceRemediation(host, list(result.remediation), list(result.rollback), diff, template)


def scoped_text(platform: str, text: str, scope: list[str] | None) -> list[str]:
    """The config's top-level sections the scope selects, as the platform's tree prints them:
    both sides of the patch read the same way. A banner is one tree line holding line breaks:
    split, so that every line of the patch carries its mark."""
    from netpatrol.compliance.remediation import scoped
    from netpatrol.compliance.tree import parse, render

    return [part for line in render(scoped(parse(platform, text), scope)) for part in line.split("\n")]


def _print(fmt: str, devices: list[DeviceRemediation]) -> None:
    if fmt == "json":
        print_json([{"host": d.host.name, "remediation": d.remediation, "rollback": d.rollback} for d in devices])
    elif fmt == "patch":
        for d in devices:
            _write(d.patch)
    else:
        for i, d in enumerate(devices):
            what = f"{len(d.remediation)} command(s)" if d.remediation else "in line with the intended config"
            head = f"== {d.host.name} ({d.host.site}, {d.host.platform}) {d.template}: {what}"
            _write([*([""] if i else []), head, *d.remediation])
    differ = sum(1 for d in devices if d.remediation)
    err.print(f"{differ} of {len(devices)} device(s) differ from their intended config", highlight=False)


def _write(lines: list[str]) -> None:
    if lines:
        sys.stdout.write("".join(terminal(line) + "\n" for line in lines))


def _skipped(no_template: list[str], no_config: list[str], at: str | None) -> None:
    if no_template:
        err.print(f"skipped, no template (intended/<platform>.j2 or intended/hosts/<host>.j2): "
                  f"{markup(', '.join(no_template))}", highlight=False)
    if no_config:
        where = f"at {at}" if at else "in backups/"
        err.print(f"skipped, no stored config {markup(where)}: {markup(', '.join(no_config))}", highlight=False)
