"""`netpatrol user add|list|remove|token`: who may use `serve`, kept in `.netpatrol/users.yaml`.

A password is read from standard input when it is not a terminal (its first line, so
`printf '%s\\n' "$PW" | netpatrol user add NAME` works and no password sits in argv or the shell
history), otherwise prompted for twice without echo. A token is printed once and stored only as
its sha256.
"""

from __future__ import annotations

import sys
from typing import Annotated, Literal

import typer

from netpatrol.cli.common import JsonOpt, WorkspaceOpt, out, print_json, table

user_app = typer.Typer(help="Users of the web view (`serve`): names, roles, passwords, API tokens.", no_args_is_help=True)

NameArg = Annotated[str, typer.Argument(help="User name: letters, digits, '.', '_' or '-'.")]


def _read_password() -> str:
    from getpass import getpass

    from netpatrol.errors import UsageError

    if not sys.stdin.isatty():
        password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    else:
        password = getpass("Password: ")
        if getpass("Password again: ") != password:
            raise UsageError("the two passwords differ; nothing was changed")
    return password


def user_add(
    name: NameArg,
    role: Annotated[str, typer.Option("--role", help="viewer (read only) or admin (may also start a backup).")] = "viewer",
    update: Annotated[bool, typer.Option("--update", help="Set a new password and role for an existing user (tokens kept).")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Add a user; the password comes from standard input (first line) or a prompt, at least 8 characters."""
    from netpatrol.errors import UsageError
    from netpatrol.web import users
    from netpatrol.workspace.settings import Workspace

    if role not in ("viewer", "admin"):
        raise UsageError(f"--role {role!r}: choose viewer or admin")
    ws = Workspace.locate(workspace)
    problem = users.name_problem(name)
    if problem:  # before the prompt: no password typed for a name that cannot be used
        raise UsageError(f"user {name!r}: {problem}")
    if name in users.load_users(ws) and not update:
        raise UsageError(f"user {name!r} exists already; pass --update to set a new password and role")
    chosen: Literal["viewer", "admin"] = "admin" if role == "admin" else "viewer"
    user = users.add_user(ws, name, _read_password(), role=chosen, update=update)
    out.print(f"user {user.name} ({user.role}) saved in {users.users_path(ws)}", markup=False, highlight=False)


def user_list(workspace: WorkspaceOpt = None, json_out: JsonOpt = False) -> None:
    """Users with their role and API tokens (ids and creation times; tokens themselves are never kept)."""
    from netpatrol.web import users
    from netpatrol.workspace.settings import Workspace

    found = users.load_users(Workspace.locate(workspace))
    if json_out:
        print_json([{"name": u.name, "role": u.role,
                     "tokens": [{"id": t.id, "created": t.created} for t in u.tokens]} for u in found.values()])
        return
    rows = [[u.name, u.role, len(u.tokens), ", ".join(t.id for t in u.tokens)] for u in found.values()]
    out.print(table("Web users", ["name", "role", "tokens", "token ids"], rows))


def user_remove(name: NameArg, workspace: WorkspaceOpt = None) -> None:
    """Remove a user: their sessions and tokens stop working at once."""
    from netpatrol.web import users
    from netpatrol.workspace.settings import Workspace

    users.remove_user(Workspace.locate(workspace), name)
    out.print(f"user {name} removed", markup=False, highlight=False)


def user_token(
    name: NameArg,
    revoke: Annotated[str | None, typer.Option("--revoke", help="Revoke the token with this id (`all`: every one) instead.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Print a new API token for NAME (`Authorization: Bearer TOKEN`); it is shown this once only."""
    from netpatrol.cli.common import err
    from netpatrol.web import users
    from netpatrol.workspace.settings import Workspace

    ws = Workspace.locate(workspace)
    if revoke is not None:
        dropped = users.revoke_token(ws, name, revoke)
        out.print(f"user {name}: {dropped} token(s) revoked", markup=False, highlight=False)
        return
    record, token = users.new_token(ws, name)
    err.print(f"user {name}: new token {record.id} (shown once; only its sha256 is kept):", markup=False, highlight=False)
    out.print(token, markup=False, highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    user_app.command("add")(user_add)
    user_app.command("list")(user_list)
    user_app.command("remove")(user_remove)
    user_app.command("token")(user_token)
    app.add_typer(user_app, name="user")
