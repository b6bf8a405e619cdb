"""`netpatrol hostkeys list|accept|forget`: the SSH host keys trusted on first use."""

from __future__ import annotations

from typing import Annotated

import typer

from netpatrol.cli.common import JsonOpt, WorkspaceOpt, open_workspace, out, print_json, selected, table

hostkeys_app = typer.Typer(help="SSH host keys (trust on first use, stored in .netpatrol/known_hosts).", no_args_is_help=True)


def hostkeys_list(workspace: WorkspaceOpt = None, json_out: JsonOpt = False) -> None:
    """Stored host keys with their SHA256 fingerprints."""
    from netpatrol.collect.hostkeys import HostKeyStore, entry_name, fingerprint

    ws, inv = open_workspace(workspace, need_secrets=False)
    store = HostKeyStore(ws.known_hosts)
    rows = []
    for h in inv.hosts.values():
        key = store.lookup(entry_name(h.hostname, h.port))
        rows.append([h.name, f"{h.hostname}:{h.port}", key.get_name() if key else None, fingerprint(key) if key else "(not yet seen)"])
    if json_out:
        print_json([dict(zip(["host", "address", "type", "fingerprint"], r, strict=True)) for r in rows])
    else:
        out.print(table("Known host keys", ["host", "address", "type", "fingerprint"], rows))


def hostkeys_accept(
    hosts: Annotated[list[str], typer.Argument(help="Host names whose current key should be trusted.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Trust the key a device presents now (after a device replacement or re-key)."""
    from netpatrol.collect.hostkeys import HostKeyStore, entry_name, fetch_host_key, fingerprint

    ws, inv = open_workspace(workspace)
    targets = selected(inv, hosts, None, None, None)
    store = HostKeyStore(ws.known_hosts)
    for h in targets:
        name = entry_name(h.hostname, h.port)
        old = store.lookup(name)
        new = fetch_host_key(h.hostname, h.port)
        store.replace(name, new)
        was = fingerprint(old) if old else "none"
        out.print(f"{h.name}: now trusting {new.get_name()} {fingerprint(new)} (was {was})", markup=False)


def hostkeys_forget(
    hosts: Annotated[list[str], typer.Argument(help="Host names to forget; their next key is trusted on first use.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Remove stored keys."""
    from netpatrol.collect.hostkeys import HostKeyStore, entry_name

    ws, inv = open_workspace(workspace, need_secrets=False)
    store = HostKeyStore(ws.known_hosts)
    for h in selected(inv, hosts, None, None, None):
        found = store.forget(entry_name(h.hostname, h.port))
        out.print(f"{h.name}: {'forgotten' if found else 'no stored key'}", markup=False)


def register(app: typer.Typer) -> None:
    hostkeys_app.command("list")(hostkeys_list)
    hostkeys_app.command("accept")(hostkeys_accept)
    hostkeys_app.command("forget")(hostkeys_forget)
    app.add_typer(hostkeys_app, name="hostkeys")
